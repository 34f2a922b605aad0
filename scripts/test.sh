#!/usr/bin/env bash
# Set up (with Chromium), then run the whole test suite, the book build and the browser tests
# included. Extra arguments go to pytest, e.g.
#   bash scripts/test.sh -m "not book"                     # quick: skip the book and browser
#   MIXERBOOK_SITE=_build/html bash scripts/test.sh tests/test_site.py   # reuse a built site
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --browser
.venv/bin/python -m pytest "$@"
