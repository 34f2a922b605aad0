#!/usr/bin/env bash
# Would `pip install` of the package change anything in Colab? Builds a venv with Colab's Python
# and the versions Colab preinstalls (scripts/colab-versions.txt, runtime 2026.07),
# then asks pip for a dry run of installing the working tree, the way the chapters' setup cell
# installs it. Passes when pip would install `mixerbook` and nothing else.
#
#   bash scripts/check_colab_install.sh            # venv in _build/colab-venv (kept for re-runs)
#
# torch and torchvision are not installed in that venv (a CUDA build is several GB); instead a
# metadata-only stand-in of Colab's torch 2.11.0 / torchvision 0.26.0 is registered, which is
# all pip's resolver looks at in a dry run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${COLAB_PYTHON:-$(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.12.*/bin/python 2>/dev/null | tail -1)}"
[[ -x "$PY" ]] || { echo "colab-check: no Python 3.12 found (set COLAB_PYTHON)" >&2; exit 2; }
VENV=_build/colab-venv
mapfile -t PINS < <(grep -E '^[A-Za-z]' scripts/colab-versions.txt | grep -vE '^torch(vision)?==')
mapfile -t TORCH < <(grep -E '^torch(vision)?==' scripts/colab-versions.txt | sed 's/==/:/')
stamp=$(cat scripts/colab-versions.txt | sha256sum | cut -d' ' -f1)
if [[ ! -x $VENV/bin/python || ! -f $VENV/.stamp || "$(cat $VENV/.stamp)" != "$stamp" ]]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PINS[@]}"
  site=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
  for dist in "${TORCH[@]}"; do
    name=${dist%%:*}; version=${dist##*:}
    mkdir -p "$site/$name-$version.dist-info"
    printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "$name" "$version" > "$site/$name-$version.dist-info/METADATA"
    echo "stand-in for Colab's $name" > "$site/$name-$version.dist-info/INSTALLER"
    : > "$site/$name-$version.dist-info/RECORD"
  done
  echo "$stamp" > "$VENV/.stamp"
fi
echo "colab-check: $("$VENV/bin/python" --version) with ${PINS[*]} ${TORCH[*]/:/==}"
out=$("$VENV/bin/python" -m pip install --dry-run --disable-pip-version-check . 2>&1)
echo "$out" | tail -3
would=$(echo "$out" | sed -n 's/^Would install //p')
if [[ "$would" =~ ^mixerbook-[0-9.]+$ ]]; then
  echo "colab-check: OK, pip would install only $would"
else
  echo "colab-check: FAIL, pip would install: ${would:-<nothing parsed>}" >&2
  exit 1
fi
