#!/usr/bin/env bash
# Shared by scripts/demo, scripts/test and scripts/lint: create .venv once and (re)install the
# project with its test and dev extras whenever its packaging files change. Needs only python3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
STAMP="$VENV/.installed-$(cat "$ROOT/setup.cfg" "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "installing prefect-classic and its test and dev dependencies into $VENV"
  "$VENV/bin/python" -m pip install -q -e "$ROOT[test,dev]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
