# Sourced by scripts/*: make .venv with the project installed (extras in $WARTA_EXTRAS).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv; then
    echo "error: could not create a virtualenv with $PY (fix: apt-get install python3-venv)" >&2
    exit 1
  fi
fi
stamp=".venv/.installed-${WARTA_EXTRAS:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".${WARTA_EXTRAS:+[$WARTA_EXTRAS]}"
  touch "$stamp"
fi
