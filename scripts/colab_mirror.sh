#!/usr/bin/env bash
# Build (or reuse) the Colab mirror: a virtual environment with Colab's Python and the versions Colab
# preinstalls (scripts/colab-versions.txt), a stand-in `google.colab` package that the kernel imports
# at start-up as Colab does, and a Jupyter kernelspec pointing at it. tests/test_colab_mirror.py runs
# this, then executes every chapter in that kernel; mixerbook itself is NOT installed here: the
# chapters' setup cell installs it (from the working tree, via MIXERBOOK_INSTALL_FROM).
#
#   bash scripts/colab_mirror.sh     # prints the mirror's folder (an absolute path) on its last line
#
# The mirror lives outside the checkout, in $MIXERBOOK_ENV_CACHE/colab-mirror (default
# ~/.cache/mixerbook/envs/colab-mirror), so that a fresh clone on the same machine, as CI makes, reuses
# it; nothing in it depends on the checkout (tests/test_colab_mirror.py uninstalls mixerbook from it
# before the chapters' setup cells install it again). Layout: venv/ (the environment), ipython/
# (IPYTHONDIR whose start-up file imports google.colab), kernels/colab-mirror/kernel.json, .stamp (a hash of this script and
# of colab-versions.txt: while it matches, nothing is reinstalled; delete it to force a rebuild).
#
# torch: Colab has 2.11.0/0.26.0; this machine's index holds only 2.14.1/0.29.1, which is what the
# mirror gets (torch's CUDA libraries come from the local index, the cp312 torch wheel from PyPI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENV_CACHE=${MIXERBOOK_ENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mixerbook/envs}
MIRROR=$ENV_CACHE/colab-mirror
TORCH_PINS=(torch==2.14.1 torchvision==0.29.1)
pyenv_root=$(pyenv root 2>/dev/null || echo /nonexistent)
PY="${COLAB_MIRROR_PYTHON:-$(ls -d "$pyenv_root"/versions/3.12.*/bin/python 2>/dev/null | tail -1)}"
[[ -x "$PY" ]] || PY=$(command -v python3.12 || true)
[[ -x "$PY" ]] || { echo "colab-mirror: no Python 3.12 found (set COLAB_MIRROR_PYTHON)" >&2; exit 2; }

mapfile -t PINS < <(grep -E '^[A-Za-z]' scripts/colab-versions.txt | grep -vE '^torch(vision)?==')
stamp=$(cat "$0" scripts/colab-versions.txt <("$PY" --version) | sha256sum | cut -d' ' -f1)
if [[ -f $MIRROR/.stamp && "$(cat "$MIRROR/.stamp")" == "$stamp" && -x $MIRROR/venv/bin/python ]] &&
    "$MIRROR/venv/bin/python" -c 'import torch, torchvision, numpy, ipykernel, ipywidgets, anywidget' 2>/dev/null; then
  echo "colab-mirror: reusing $MIRROR (unchanged since it was built)"
else
  start=$(date +%s)
  rm -rf "$MIRROR"
  mkdir -p "$MIRROR"
  rm -rf _build/colab-mirror  # where the mirror lived until 2026-12-07 (5 GB)
  "$PY" -m venv "$MIRROR/venv"
  if ! "$MIRROR/venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
      "${PINS[@]}" "${TORCH_PINS[@]}" > "$MIRROR/pip-install.log" 2>&1; then
    tail -30 "$MIRROR/pip-install.log" >&2
    echo "colab-mirror: pip install failed (log: $MIRROR/pip-install.log)" >&2
    exit 1
  fi
  "$MIRROR/venv/bin/python" -m pip check
  site=$("$MIRROR/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
  # Not a distribution (pip freeze does not list it): a namespace package google/ with colab/ inside.
  mkdir -p "$site/google/colab"
  cat > "$site/google/colab/__init__.py" <<'PY'
"""Stand-in for Colab's ``google.colab`` in the Colab mirror (scripts/colab_mirror.sh).

Colab's kernel imports ``google.colab`` at start-up and, with it, numpy, PIL, ipywidgets and anywidget
(colabtools ``_reprs.py``, ``widgets/_interactive_table.py``): a pip install that changed them would
leave the old versions loaded, as in Colab.
"""

import anywidget  # noqa: F401
import ipywidgets  # noqa: F401
import numpy  # noqa: F401
import PIL.Image  # noqa: F401
PY
  mkdir -p "$MIRROR/ipython/profile_default/startup" "$MIRROR/kernels/colab-mirror"
  echo "import google.colab  # as Colab's kernel does at start-up" \
    > "$MIRROR/ipython/profile_default/startup/00-google-colab.py"
  cat > "$MIRROR/kernels/colab-mirror/kernel.json" <<JSON
{
 "argv": ["$MIRROR/venv/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
 "display_name": "Colab mirror ($("$PY" --version))",
 "language": "python",
 "env": {"IPYTHONDIR": "$MIRROR/ipython"}
}
JSON
  echo "$stamp" > "$MIRROR/.stamp"
  echo "colab-mirror: built $MIRROR in $(($(date +%s) - start)) s"
fi
"$MIRROR/venv/bin/python" -m pip freeze --disable-pip-version-check \
  | grep -iE '^(ipywidgets|widgetsnbextension|ipykernel|ipython|numpy|matplotlib|pillow|tqdm|anywidget|torch|torchvision)==' \
  | tr '\n' ' ' | sed "s/^/colab-mirror: $("$MIRROR/venv/bin/python" --version) /; s/ $/\n/"
echo "$MIRROR"
