#!/usr/bin/env bash
# Cross-check of our classic-control worlds (crate sns-control) against the real Gymnasium environments,
# for CI (see crosscheck.py for what is checked and the tolerance).
#
# Makes its own virtual environment ($SNS_GYMNASIUM_VENV, default target/gymnasium-venv) with gymnasium
# 1.3.0 and numpy 2.4.6 from PyPI (reused while those requirements are unchanged; numpy is pinned because
# Gymnasium's float32 arithmetic follows NumPy 2's promotion rules, which our worlds reproduce), builds the
# `control_job` example of sns-control, and runs crosscheck.py. Python 3 and its venv module are installed
# from Debian when missing. Exits non-zero on failure. The measurements are written to $SNS_GYMNASIUM_OUT
# (default: a temporary file) as JSON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${SNS_GYMNASIUM_VENV:-$target/gymnasium-venv}"
requirements=("gymnasium==1.3.0" "numpy==2.4.6")

. "$here/../venv.sh"
make_venv "$venv" "${requirements[@]}"

(cd "$root" && cargo build --release -q -p sns-control --example control_job)
out="${SNS_GYMNASIUM_OUT:-$(mktemp)}"
"$venv/bin/python" "$here/crosscheck.py" "$target/release/examples/control_job" --json "$out"
echo "gymnasium cross-check: measurements in $out"
