#!/usr/bin/env bash
# The package's unit tests (pytest -m "not book and not browser") at the versions pyproject.toml
# declares, on the oldest and newest Python it allows, and in the Colab mirror. Part of CI.
#
#   bash scripts/test_versions.sh          # CI: the stages below
#   bash scripts/test_versions.sh --full   # the whole unit set in every environment (by hand)
#
# Stages (each prints its time):
#   syntax   every pyenv Python >= 3.10 compiles src/, tests/ and book/_ext/ (no SyntaxWarning).
#   3.10     the oldest allowed Python with EVERY dependency at its declared lower bound
#            (pyproject.toml's `>=` turned into `==`: torch 2.11.0, torchvision 0.26.0, numpy 2.0.2,
#            matplotlib 3.10.0, ipywidgets 7.7.1, anywidget 0.9.21, tqdm 4.67.3, pillow 11.3.0):
#            the whole unit set.
#   colab    the Colab mirror (scripts/colab_mirror.sh: Python 3.12, Colab's versions, torch
#            2.14.1): the sample (the unit set less SLOW below), mixerbook from src/ and pytest
#            from a folder beside it so that the mirror's own packages stay exactly Colab's.
#   3.13     the newest allowed Python, lower bounds again, except numpy 2.1.0 (numpy 2.0.2 has no
#            wheel for 3.13; 2.1.0 is the first numpy released for it, see OLDEST_WITH_WHEEL):
#            the sample. --full runs the whole unit set here and in the mirror too.
# The 3.10/3.13 environments are venvs in $MIXERBOOK_ENV_CACHE/py3.X (default
# ~/.cache/mixerbook/envs; pyenv's 3.X.*), outside the checkout so that a fresh clone on the same
# machine (as CI makes) reuses them while the versions they hold (pyproject.toml's bounds, the test
# tools) and the Python are unchanged. They hold the dependencies only: mixerbook itself is imported
# from this checkout's src/ (PYTHONPATH), as in the mirror, so one venv serves every clone. torch and
# torchvision come from PyPI (within this machine's pip cap torch<=2.14.1), with their CUDA libraries;
# pip's cache and the local wheel indexes are used as configured.
# tests/test_lint.py is left out (ruff is not a runtime dependency).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FULL_EVERYWHERE=0
[[ "${1:-}" == "--full" ]] && FULL_EVERYWHERE=1

TOOLS=(pytest==9.2.0 pluggy iniconfig hypothesis==6.170.17 sortedcontainers)  # beside the mirror
ENV_TOOLS=(pytest==9.2.0 hypothesis nbformat pyyaml)  # in the 3.10/3.13 venvs (hypothesis: 6.168.5 is the last for 3.10)
PYTEST_ARGS=(-q -p no:cacheprovider -m "not book and not browser" --deselect tests/test_lint.py::test_ruff_is_clean)
# The sample run on the Colab mirror and on Python 3.13: the whole unit set less every test that took
# 2 s or more here (together about four fifths of the unit set's time: seeded training to the last
# digit, torchrun, concurrent cache writers, the permutation and scaling experiments, JS-parity
# sweeps, CLI subprocesses, figures of whole chapters). Python 3.10 runs them at the lower bounds.
# Kept although slow, because they depend on the library versions most: torch.randperm equal to
# its JavaScript copy (tests/test_widgets_shuffle.py) and the bad-input table (errors raised from
# torch). A renamed test here would run, not vanish (pytest deselects by node-id prefix).
SLOW=(tests/test_train.py::test_same_seed_gives_the_same_numbers_on_cpu
      tests/test_train.py::test_fit_learns_far_above_chance
      tests/test_train.py::test_evaluate_reports_consistent_metrics
      tests/test_cache_cli.py::test_cli_under_torchrun_matches_a_single_process
      tests/test_cache_cli.py::test_a_finished_run_is_reused_and_a_changed_one_is_not
      tests/test_cache_cli.py::test_cli_lists_and_rejects_unknown_experiments
      tests/test_cache_cli.py::test_the_cache_can_be_switched_off
      tests/test_cache_safety.py::test_concurrent_writers_and_a_reader_never_see_a_broken_entry
      tests/test_inductive_bias.py::test_permutation_experiment_runs_are_the_same_function_of_the_data
      tests/test_widgets_shuffle.py::test_make_permutation_matches_package
      tests/test_widgets_shuffle.py::test_shuffle_view_matches_shows
      tests/test_scaling.py::test_throughput_of_named_and_given_models
      tests/test_scaling.py::test_data_scaling_runs_nested_subsets_with_equal_steps
      tests/test_scaling.py::test_data_scaling_runs_from_the_command_line
      tests/test_scaling.py::test_plots_return_figures_and_validate
      tests/test_hierarchy.py::test_gradient_probe_agrees_with_the_recurrence
      tests/test_hierarchy.py::test_hierarchy_figures
      tests/test_widgets_js.py::test_node_unit_tests_pass
      tests/test_widgets_expansion.py::test_view_in_javascript_equals_shows
      tests/test_widgets_expansion.py::test_factory_ships_w1_once_and_shows_follow_the_model
      tests/test_widgets_patch_grid.py::test_view_matches_shows_on_the_photo
      tests/test_widgets_patch_grid.py::test_patchify_row_matches_patchify
      tests/test_mixing.py::test_plot_mixing_table_small_and_large)
SAMPLE=()
for test in "${SLOW[@]}"; do SAMPLE+=(--deselect "$test"); done
# A lower bound that has no wheel for a Python: the oldest version that does (and why).
declare -A OLDEST_WITH_WHEEL=(
  [3.13]="numpy==2.1.0"  # numpy 2.0.2 (Colab's) ships no cp313 wheel; 2.1.0 is the first for 3.13
)
PYENV_ROOT_DIR=$(pyenv root 2>/dev/null || echo /nonexistent)
ENV_CACHE=${MIXERBOOK_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mixerbook/envs}
MODULES='import sys, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget, torch, torchvision
print(f"Python {sys.version.split()[0]}", *(f"{m.__name__} {m.__version__}" for m in
      (torch, torchvision, numpy, matplotlib, PIL, tqdm, ipywidgets, anywidget)))'
report() { "$1" -c "$MODULES"; }
# Wall time and CPU time (user + system, of every process the stage waited for) of each stage: the
# machine may be shared, and the CPU time says what a stage costs when it is not.
cpu_ms() {  # sets CPU_MS from bash's `times` (2nd line: the children's user and system time, "1m2.345s 0m1.234s");
  local field  # never call it in $(...): a subshell's `times` does not count this shell's children
  CPU_MS=0
  times > "$TIMES_FILE"
  for field in $(tail -1 "$TIMES_FILE"); do
    [[ $field =~ ^([0-9]+)m([0-9]+)\.([0-9]{3})s$ ]] &&
      CPU_MS=$((CPU_MS + 10#${BASH_REMATCH[1]} * 60000 + 10#${BASH_REMATCH[2]} * 1000 + 10#${BASH_REMATCH[3]}))
  done
  return 0
}
TIMES_FILE=$(mktemp)
trap 'rm -f "$TIMES_FILE"' EXIT
t0=$(date +%s)
stage_start=$t0
cpu_ms
stage_cpu=$CPU_MS
stage() {
  local now
  now=$(date +%s)
  cpu_ms
  echo "versions: [$1] $((now - stage_start)) s wall, $(((CPU_MS - stage_cpu) / 1000)) s CPU"
  stage_start=$now
  stage_cpu=$CPU_MS
}

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
  local want=$1 base venv stamp pins=() pin name override
  base=$(ls -d "$PYENV_ROOT_DIR/versions/$want".*/bin/python 2>/dev/null | tail -1)
  [[ -x "$base" ]] || { echo "versions: no Python $want found under pyenv" >&2; exit 2; }
  for pin in "${LOWER[@]}"; do
    name=${pin%%==*}
    override=${OLDEST_WITH_WHEEL[$want]:-}
    if [[ -n "$override" && "${override%%==*}" == "$name" ]]; then pins+=("$override"); else pins+=("$pin"); fi
  done
  venv=$ENV_CACHE/py$want
  stamp=$(printf '%s\n' "$("$base" --version)" "${pins[@]}" "${ENV_TOOLS[@]}" | sha256sum | cut -d' ' -f1)
  # A venv is reused only when its stamp matches and its Python still imports what it holds.
  if [[ ! -f $venv/.stamp || "$(cat "$venv/.stamp")" != "$stamp" ]] ||
      ! "$venv/bin/python" -c 'import torch, torchvision, numpy, matplotlib, ipywidgets, anywidget, pytest' 2>/dev/null; then
    rm -rf "$venv"
    mkdir -p "$ENV_CACHE"
    "$base" -m venv "$venv"
    # Binary wheels only: a missing wheel fails here instead of compiling numpy for minutes.
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off --only-binary=:all: \
        "${pins[@]}" "${ENV_TOOLS[@]}" > "$venv.log" 2>&1; then
      grep -v 'is ignored: it is neither' "$venv.log" | tail -20 >&2
      echo "versions: pip install failed for Python $want (log: $venv.log)" >&2
      exit 1
    fi
    echo "$stamp" > "$venv/.stamp"
    echo "versions: built $venv" >&2
  else
    echo "versions: reusing $venv (its versions and Python are unchanged)" >&2
  fi
  echo "$venv/bin/python"
}

run_tests() {  # $1 = label, $2 = python, rest = pytest arguments; mixerbook comes from this checkout's src/
  local label=$1 py=$2
  shift 2
  echo "versions: $label: $(PYTHONPATH="$PWD/src" report "$py")"
  PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" "$py" -m pytest "${PYTEST_ARGS[@]}" "$@"
}

# --- Python 3.10 at every lower bound: the whole unit set.
py310=$(lower_bound_venv 3.10)
stage "3.10 environment"
run_tests "Python 3.10, lower bounds" "$py310"
stage "3.10 tests"

# --- The Colab mirror (Colab's Python and versions): the sample.
mirror=$(bash scripts/colab_mirror.sh | tail -1)
py="$mirror/venv/bin/python"
if [[ ! -f "$mirror/test-tools/.done" ]]; then
  "$py" -m pip install -q --disable-pip-version-check --no-deps --target "$mirror/test-tools" "${TOOLS[@]}"
  touch "$mirror/test-tools/.done"
fi
stage "colab environment"
[[ $FULL_EVERYWHERE == 1 ]] && SAMPLE=()
PYTHONPATH="$mirror/test-tools" run_tests "Colab mirror" "$py" "${SAMPLE[@]}"
stage "colab tests"

# --- Python 3.13 at the lower bounds that install there: the sample.
py313=$(lower_bound_venv 3.13)
stage "3.13 environment"
run_tests "Python 3.13, lower bounds (numpy: oldest with a 3.13 wheel)" "$py313" "${SAMPLE[@]}"
stage "3.13 tests"
cpu_ms
echo "versions: all passed in $(($(date +%s) - t0)) s wall, $((CPU_MS / 1000)) s CPU"
