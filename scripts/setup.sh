#!/usr/bin/env bash
# Idempotent set-up of a machine for building and testing the book.
#
#   bash scripts/setup.sh            # .venv with requirements-dev.txt, node_modules via `npm ci`
#   bash scripts/setup.sh --browser  # also Debian's Chromium for the browser tests (root only)
#
# Needs Python >= 3.10 with venv and pip (PYTHON=/path/to/python to choose one). npm is
# optional: without it the site loads MathJax and the widget manager from CDNs and the
# browser tests (tests/test_site.py) fail. Re-running is cheap: pip and npm are skipped
# while requirements*.txt / pyproject.toml / package-lock.json are unchanged since the last
# successful install (delete .venv/.setup-stamp or node_modules/.setup-stamp to force).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- Python environment --------------------------------------------------------------
if [[ ! -x .venv/bin/python ]]; then
  python="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
  if [[ -z "$python" ]]; then
    echo "setup: no python3 found; install Python 3.11 (or set PYTHON)" >&2
    exit 1
  fi
  say "creating .venv with $("$python" --version 2>&1) ($python)"
  "$python" -m venv .venv
else
  say ".venv exists ($(.venv/bin/python --version 2>&1))"
fi

py_stamp="$(stamp_of requirements.txt requirements-dev.txt pyproject.toml)"
if [[ -f .venv/.setup-stamp && "$(cat .venv/.setup-stamp)" == "$py_stamp" ]]; then
  say "Python requirements unchanged since the last install; skipping pip"
else
  say "pip install -r requirements-dev.txt (includes requirements.txt and -e .)"
  .venv/bin/python -m pip install --disable-pip-version-check -r requirements-dev.txt
  echo "$py_stamp" > .venv/.setup-stamp
fi

# --- JavaScript assets served by the site (MathJax, RequireJS, widget manager) ---------
if command -v npm > /dev/null 2>&1; then
  js_stamp="$(stamp_of package.json package-lock.json)"
  if [[ -f node_modules/.setup-stamp && "$(cat node_modules/.setup-stamp)" == "$js_stamp" ]]; then
    say "package-lock.json unchanged since the last install; skipping npm ci"
  else
    # --ignore-scripts: only static files are used (book/_ext/offline_assets.py copies them).
    say "npm ci (node $(node --version 2>/dev/null || echo '?'), npm $(npm --version))"
    npm ci --ignore-scripts --no-audit --no-fund
    echo "$js_stamp" > node_modules/.setup-stamp
  fi
else
  say "NOTICE: npm not found; the built site will load MathJax, RequireJS and the widget"
  say "        manager from CDNs, and the browser tests will fail. Install Node.js >= 18."
fi

# --- Chromium for the browser tests ----------------------------------------------------
if [[ $want_browser -eq 1 ]]; then
  if [[ -x /usr/bin/chromium ]]; then
    say "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  elif [[ $(id -u) -eq 0 ]] && command -v apt-get > /dev/null 2>&1; then
    say "apt-get update && apt-get install -y chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends chromium
  else
    say "NOTICE: /usr/bin/chromium is missing and this is not root on Debian/Ubuntu;"
    say "        the browser tests will fail. Run: sudo apt-get install -y chromium"
  fi
fi
say "done"
