#!/usr/bin/env bash
# The package's unit tests (pytest -m "not book and not browser") at other versions than .venv's.
#
#   bash scripts/test_versions.sh               # lower bounds: in the Colab mirror (part of CI)
#   bash scripts/test_versions.sh 3.10 3.13     # also the newest allowed versions on those Pythons
#
# First, every pyenv Python >= 3.10 compiles src/, tests/ and book/_ext/ (syntax only; without a
# multi-GB download, torch exists here for 3.11 and 3.12 only). Lower bounds: pyproject.toml's lower
# bounds are Colab's versions (scripts/colab-versions.txt), which is what the Colab mirror holds (scripts/colab_mirror.sh: Python 3.12, numpy 2.0.2, matplotlib 3.10.0,
# pillow 11.3.0, tqdm 4.67.3, ipywidgets 7.7.1, anywidget 0.9.21; torch 2.14.1, the only torch here).
# mixerbook is imported from src/ and pytest/hypothesis from a folder beside the mirror, so the
# mirror's own packages stay exactly Colab's. Other Pythons: a venv per version in
# _build/versions/py3.X (pyenv's 3.X.*; kept, and reused while pyproject.toml is unchanged) with
# `pip install -e .` and the test tools, i.e. the newest versions the bounds allow (torch capped at
# 2.14.1 by this machine's pip constraints). tests/test_lint.py is left out (ruff is not a runtime
# dependency). Prints the versions used and the time each run took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TOOLS=(pytest==9.2.0 pluggy iniconfig hypothesis==6.170.17 sortedcontainers)
PYTEST_ARGS=(-q -p no:cacheprovider -m "not book and not browser" --deselect tests/test_lint.py::test_ruff_is_clean)
report() { "$1" -c 'import sys, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget, torch, torchvision
print(f"Python {sys.version.split()[0]}", *(f"{m.__name__} {m.__version__}" for m in
      (torch, torchvision, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget)))'; }

# Every Python that pyproject.toml allows (>=3.10) and pyenv has: the package and tests compile.
for base in $(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.1[0-9].*/bin/python 2>/dev/null); do
  "$base" -W error -c 'import pathlib
for path in [*pathlib.Path("src").rglob("*.py"), *pathlib.Path("tests").rglob("*.py"), *pathlib.Path("book").rglob("*.py")]:
    compile(path.read_text(encoding="utf-8"), str(path), "exec")'
  echo "versions: $("$base" --version) compiles src/, tests/ and book/_ext/ (no SyntaxWarning either)"
done

mirror=$(bash scripts/colab_mirror.sh | tail -1)
py="$mirror/venv/bin/python"
if [[ ! -f "$mirror/test-tools/.done" ]]; then
  "$py" -m pip install -q --disable-pip-version-check --no-deps --target "$mirror/test-tools" "${TOOLS[@]}"
  touch "$mirror/test-tools/.done"
fi
echo "versions: lower bounds: $(report "$py")"
start=$(date +%s)
PYTHONPATH="$PWD/src:$PWD/$mirror/test-tools" "$py" -m pytest "${PYTEST_ARGS[@]}"
echo "versions: lower bounds passed in $(($(date +%s) - start)) s"

for want in "$@"; do
  base=$(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)/versions/$want".*/bin/python 2>/dev/null | tail -1)
  [[ -x "$base" ]] || { echo "versions: no Python $want found under pyenv" >&2; exit 2; }
  venv=_build/versions/py$want
  stamp=$(cat pyproject.toml "$0" | sha256sum | cut -d' ' -f1)
  if [[ ! -f $venv/.stamp || "$(cat $venv/.stamp)" != "$stamp" ]]; then
    rm -rf "$venv"
    "$base" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e . pytest==9.2.0 hypothesis==6.170.17 nbformat pyyaml
    echo "$stamp" > "$venv/.stamp"
  fi
  echo "versions: $(report "$venv/bin/python")"
  start=$(date +%s)
  "$venv/bin/python" -m pytest "${PYTEST_ARGS[@]}"
  echo "versions: Python $want passed in $(($(date +%s) - start)) s"
done
