#!/usr/bin/env bash
# Browser test of the replay page of `sns run --report`, for CI.
#
# Installs what it needs (Debian's chromium, Node and npm when missing, playwright-core from
# package-lock.json), builds `sns`, writes the reports of a short maze run and of a short
# pendulum run, and opens each from disk in headless Chromium (replay.test.mjs): no console
# errors, the ball (or the state) moves when played, the scrubber and trial selector work, the
# screenshot is not blank. Exits non-zero on failure. The reports and the screenshots are left
# in $SNS_BROWSER_OUT (default: a temporary folder).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

apt_install() {
  if [ -z "${SNS_APT_UPDATED:-}" ]; then
    apt-get update -qq
    SNS_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v chromium >/dev/null 2>&1 || apt_install chromium
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

(cd "$root" && cargo build --release -q -p sns-cli)
bin="${CARGO_TARGET_DIR:-$root/target}/release/sns"

out="${SNS_BROWSER_OUT:-$(mktemp -d)}"
mkdir -p "$out"
"$bin" run --maze medium --task 1 --trials 3 --seed 0 --quiet --report "$out/report.html" >/dev/null
echo "browser test: $out/report.html"
node "$here/replay.test.mjs" "$out/report.html" "$out/screenshot.png"
# The replay page of a classic-control world (the pendulum swinging up, beside its phase
# portrait) exposes the same controls and window.__sns, so the same test applies.
"$bin" run --world pendulum --trials 2 --seed 0 --quiet --report "$out/pendulum.html" >/dev/null
echo "browser test: $out/pendulum.html"
node "$here/replay.test.mjs" "$out/pendulum.html" "$out/pendulum.png"
