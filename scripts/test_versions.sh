#!/usr/bin/env bash
# The package's unit tests (pytest -m "not book and not browser") at the versions pyproject.toml
# declares, on the oldest and newest Python it allows, and in the Colab mirror. Part of CI.
#
#   bash scripts/test_versions.sh          # CI: the stages below
#   bash scripts/test_versions.sh --full   # the whole unit set on Python 3.13 as well (by hand)
#
# Stages (each prints its time):
#   syntax   every pyenv Python >= 3.10 compiles src/, tests/ and book/_ext/ (no SyntaxWarning).
#   3.10     the oldest allowed Python with EVERY dependency at its declared lower bound
#            (pyproject.toml's `>=` turned into `==`: torch 2.11.0, torchvision 0.26.0, numpy 2.0.2,
#            matplotlib 3.10.0, ipywidgets 7.7.1, anywidget 0.9.21, tqdm 4.67.3, pillow 11.3.0):
#            the whole unit set.
#   colab    the Colab mirror (scripts/colab_mirror.sh: Python 3.12, Colab's versions, torch
#            2.14.1): the whole unit set, mixerbook from src/ and pytest from a folder beside it so
#            that the mirror's own packages stay exactly Colab's.
#   3.13     the newest allowed Python, lower bounds again, except numpy 2.1.0 (numpy 2.0.2 has no
#            wheel for 3.13; 2.1.0 is the first numpy released for it, see OLDEST_WITH_WHEEL):
#            a smaller, representative selection (SAMPLE below), to keep CI short; --full runs all.
# The 3.10/3.13 environments are venvs in _build/versions/py3.X (pyenv's 3.X.*), kept and reused
# while pyproject.toml, this script and the Python are unchanged. torch and torchvision come from
# PyPI (within this machine's pip cap torch<=2.14.1), with their CUDA libraries; pip's cache and
# the local wheel indexes are used as configured. tests/test_lint.py is left out (ruff is not a
# runtime dependency).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FULL_EVERYWHERE=0
[[ "${1:-}" == "--full" ]] && FULL_EVERYWHERE=1

TOOLS=(pytest==9.2.0 pluggy iniconfig hypothesis==6.170.17 sortedcontainers)
PYTEST_ARGS=(-q -p no:cacheprovider -m "not book and not browser" --deselect tests/test_lint.py::test_ruff_is_clean)
# One test file per package module (models, training, data, cache, experiments, checkers, widgets'
# Python side, complexity, paper figures), the bad-input cases and the import of every notebook's
# package calls: what a Python or library version could break, in about a fifth of the time.
SAMPLE=(tests/test_models.py tests/test_train.py tests/test_data.py tests/test_cache_safety.py
        tests/test_bad_input.py tests/test_complexity.py tests/test_checks.py tests/test_mixer.py
        tests/test_viz_widgets.py tests/test_widgets_patch_grid.py tests/test_versions.py)
# A lower bound that has no wheel for a Python: the oldest version that does (and why).
declare -A OLDEST_WITH_WHEEL=(
  [3.13]="numpy==2.1.0"  # numpy 2.0.2 (Colab's) ships no cp313 wheel; 2.1.0 is the first for 3.13
)
PYENV_ROOT_DIR=$(pyenv root 2>/dev/null || echo /nonexistent)
MODULES='import sys, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget, torch, torchvision
print(f"Python {sys.version.split()[0]}", *(f"{m.__name__} {m.__version__}" for m in
      (torch, torchvision, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget)))'
report() { "$1" -c "$MODULES"; }
t0=$(date +%s)
stage_start=$t0
stage() { local now; now=$(date +%s); echo "versions: [$1] $(($now - stage_start)) s"; stage_start=$now; }

# pyproject.toml's dependencies with each lower bound `>=X` as `==X`.
mapfile -t LOWER < <(sed -n '/^dependencies = \[/,/^\]/p' pyproject.toml | grep -oE '"[^"]+"' | tr -d '"' | sed 's/>=/==/')
[[ ${#LOWER[@]} -gt 0 && "${LOWER[*]}" != *">"* ]] || { echo "versions: cannot read lower bounds" >&2; exit 2; }

# --- syntax: every Python that pyproject.toml allows (>=3.10) and pyenv has.
for base in $(ls -d "$PYENV_ROOT_DIR"/versions/3.1[0-9].*/bin/python 2>/dev/null); do
  "$base" -W error -c 'import pathlib
for path in [*pathlib.Path("src").rglob("*.py"), *pathlib.Path("tests").rglob("*.py"), *pathlib.Path("book").rglob("*.py")]:
    compile(path.read_text(encoding="utf-8"), str(path), "exec")'
  echo "versions: $("$base" --version) compiles src/, tests/ and book/_ext/ (no SyntaxWarning either)"
done
stage "syntax"

# A venv at the lower bounds for Python $1 (built once, reused while nothing it depends on changed).
lower_bound_venv() {
  local want=$1 base venv stamp pins=() name override
  base=$(ls -d "$PYENV_ROOT_DIR/versions/$want".*/bin/python 2>/dev/null | tail -1)
  [[ -x "$base" ]] || { echo "versions: no Python $want found under pyenv" >&2; exit 2; }
  for pin in "${LOWER[@]}"; do
    name=${pin%%==*}
    override=${OLDEST_WITH_WHEEL[$want]:-}
    if [[ -n "$override" && "${override%%==*}" == "$name" ]]; then pins+=("$override"); else pins+=("$pin"); fi
  done
  venv=_build/versions/py$want
  stamp=$(cat pyproject.toml "$0" <("$base" --version) | sha256sum | cut -d' ' -f1)
  if [[ ! -f $venv/.stamp || "$(cat "$venv/.stamp")" != "$stamp" ]]; then
    rm -rf "$venv"
    "$base" -m venv "$venv"
    # Binary wheels only: a missing wheel fails here instead of compiling numpy for minutes.
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off --only-binary=:all: \
        -e . "${pins[@]}" pytest==9.2.0 hypothesis nbformat pyyaml > "$venv.log" 2>&1; then
      grep -v 'is ignored: it is neither' "$venv.log" | tail -20 >&2
      echo "versions: pip install failed for Python $want (log: $venv.log)" >&2
      exit 1
    fi
    echo "$stamp" > "$venv/.stamp"
  fi
  echo "$venv/bin/python"
}

run_tests() {  # $1 = label, $2 = python, rest = pytest arguments
  local label=$1 py=$2
  shift 2
  echo "versions: $label: $(report "$py")"
  "$py" -m pytest "${PYTEST_ARGS[@]}" "$@"
}

# --- Python 3.10 at every lower bound: the whole unit set.
py310=$(lower_bound_venv 3.10)
stage "3.10 environment"
run_tests "Python 3.10, lower bounds" "$py310"
stage "3.10 tests"

# --- The Colab mirror (Colab's Python and versions): the whole unit set.
mirror=$(bash scripts/colab_mirror.sh | tail -1)
py="$mirror/venv/bin/python"
if [[ ! -f "$mirror/test-tools/.done" ]]; then
  "$py" -m pip install -q --disable-pip-version-check --no-deps --target "$mirror/test-tools" "${TOOLS[@]}"
  touch "$mirror/test-tools/.done"
fi
stage "colab environment"
PYTHONPATH="$PWD/src:$PWD/$mirror/test-tools" run_tests "Colab mirror" "$py"
stage "colab tests"

# --- Python 3.13 at the lower bounds that install there: a representative selection.
py313=$(lower_bound_venv 3.13)
stage "3.13 environment"
if [[ $FULL_EVERYWHERE == 1 ]]; then
  run_tests "Python 3.13, lower bounds (numpy: oldest with a 3.13 wheel)" "$py313"
else
  run_tests "Python 3.13, lower bounds (numpy: oldest with a 3.13 wheel)" "$py313" "${SAMPLE[@]}"
fi
stage "3.13 tests"
echo "versions: all passed in $(($(date +%s) - t0)) s"
