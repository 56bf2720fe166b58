# Sourced by the cross-check scripts: `make_venv DIR REQUIREMENT...` makes (or reuses, while the
# requirements are unchanged) a Python virtual environment at DIR with the requirements from PyPI.
# Python 3 and its venv module are installed from Debian when missing.
make_venv() {
  local venv="$1"
  shift
  local stamp="$venv/.sns-requirements"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$*" ]; then
    rm -rf "$venv"
    # Debian ships venv's pip bootstrap (ensurepip) in python3-venv: install it when venv fails.
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
      python3 -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@"
    echo "$*" >"$stamp"
  fi
}
