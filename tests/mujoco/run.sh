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

. "$here/../venv.sh"
make_venv "$venv" "${requirements[@]}"

(cd "$root" && cargo build --release -q -p sns-worlds --example pointmaze_job)
out="${SNS_MUJOCO_OUT:-$(mktemp)}"
"$venv/bin/python" "$here/crosscheck.py" "$target/release/examples/pointmaze_job" --json "$out"
echo "mujoco cross-check: measurements in $out"
