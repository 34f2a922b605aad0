#!/usr/bin/env bash
# Set up (scripts/setup.sh), then build the book strictly: every Sphinx warning fails the build.
#
#   bash scripts/book.sh           # incremental: pages unchanged since the last build are not
#                                  # re-read, so their warnings are not shown again
#   bash scripts/book.sh --all     # re-read every page (what the tests do)
#
# The notebooks load Fashion-MNIST through mixerbook.data: they download it where the internet
# is reachable, or read the folder named by MIXERBOOK_DATA (torchvision layout). This script
# does not set MIXERBOOK_DATA; offline, export it first, e.g.
#   MIXERBOOK_DATA=$(cd .. && pwd)/shared/data bash scripts/book.sh
# Extra arguments go to `jupyter-book build`. The site ends up in _build/html. At the end it prints
# each chapter's execution time in seconds and in R (scripts/build_summary.py).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
echo "book: MIXERBOOK_DATA=${MIXERBOOK_DATA:-<unset: the loader downloads>}"
# R (one quick epoch each of the MLP, CNN and Mixer on this machine), the unit in which the book's
# speed targets are stated, right before the build and again right after it.
.venv/bin/python scripts/build_summary.py --save-r _build/r-before.json
start=$(date +%s)
.venv/bin/jupyter-book build . -W -n --keep-going "$@"
echo "book: build took $(($(date +%s) - start)) s; open _build/html/index.html"
# Every chapter's execution time in seconds and in both measures of R.
.venv/bin/python scripts/build_summary.py --r-before _build/r-before.json
