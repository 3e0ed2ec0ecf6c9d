#!/usr/bin/env bash
# Prints the path of a Python 3.12 or newer, looking on PATH and in pyenv's versions folder.
set -u
candidates=()
for name in python3.14 python3.13 python3.12 python3; do
  path=$(command -v "$name" 2>/dev/null) && candidates+=("$path")
done
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.[2-9][0-9]*; do
  [ -x "$dir/bin/python3" ] && candidates+=("$dir/bin/python3")
done
for python in "${candidates[@]}"; do
  # pyenv's shims exist even where they cannot run, so ask each one for its version.
  if "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    echo "$python"
    exit 0
  fi
done
echo "OpenMARAC needs Python 3.12 or newer and found none on PATH or in ~/.pyenv/versions." >&2
echo "Install it (for example 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv') and run make again." >&2
exit 1
