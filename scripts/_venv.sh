#!/usr/bin/env bash
# Shared by scripts/demo, scripts/test and scripts/lint: create a virtualenv once and (re)install
# the project whenever its packaging files change. Needs only python3 on the machine.
# Set VENV_NAME (default .venv) and EXTRAS (default [test,dev]: the test and lint tools; empty for
# the core only) before sourcing it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="$ROOT/${VENV_NAME:-.venv}"
EXTRAS="${EXTRAS-[test,dev]}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
STAMP="$VENV/.installed-$(cat "$ROOT/setup.cfg" "$ROOT/setup.py" "$ROOT/pyproject.toml" | sha1sum | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "installing prefect-classic${EXTRAS} into $VENV"
  "$VENV/bin/python" -m pip install -q -e "$ROOT$EXTRAS"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
