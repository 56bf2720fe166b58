#!/usr/bin/env bash
# Cross-check of our PointMaze physics against the real Gymnasium-Robotics PointMaze on MuJoCo, for CI
# (see crosscheck.py for what is checked and the tolerances).
#
# Makes its own virtual environment ($SNS_MUJOCO_VENV, default target/mujoco-venv) with
# gymnasium-robotics 1.4.2 and mujoco < 4 from PyPI (reused while those requirements are unchanged),
# builds the `pointmaze_job` example of sns-worlds, and runs crosscheck.py. Python 3 and its venv
# module are installed from Debian when missing. Exits non-zero on failure. The measurements are
# written to $SNS_MUJOCO_OUT (default: a temporary file) as JSON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${SNS_MUJOCO_VENV:-$target/mujoco-venv}"
requirements=("gymnasium-robotics==1.4.2" "mujoco<4")

stamp="$venv/.sns-requirements"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${requirements[*]}" ]; then
  rm -rf "$venv"
  # Debian ships venv's pip bootstrap (ensurepip) in python3-venv: install it when venv fails.
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}"
  echo "${requirements[*]}" >"$stamp"
fi

(cd "$root" && cargo build --release -q -p sns-worlds --example pointmaze_job)
out="${SNS_MUJOCO_OUT:-$(mktemp)}"
"$venv/bin/python" "$here/crosscheck.py" "$target/release/examples/pointmaze_job" --json "$out"
echo "mujoco cross-check: measurements in $out"
