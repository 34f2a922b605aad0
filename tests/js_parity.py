"""Call the explorers' JavaScript from pytest, to hold it to the package's Python functions.

``call_js("flatten.js", "neighbours", [[2, 3, 5, 5, True], ...])`` runs ``tests/js/call.mjs`` under
Node.js and returns one result per call (``{"ok": value}`` or ``{"error": message}``). Typed arrays
come back as lists.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CALL = Path(__file__).resolve().parent / "js" / "call.mjs"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is needed for the explorers' JavaScript tests (apt-get install nodejs).", pytrace=False)
    return found


def call_js(module: str, fn: str, calls: list[list]) -> list[dict]:
    """Results of ``module.fn(*args)`` for each ``args`` in ``calls``."""
    proc = subprocess.run([node(), str(CALL)], input=json.dumps({"module": module, "fn": fn, "calls": calls}),
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"node {CALL.name} failed for {module}:{fn}:\n{proc.stderr}")
    return json.loads(proc.stdout)


def ok(results: list[dict]) -> list:
    """The values of ``results``; fails the test on the first error."""
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, f"JavaScript raised: {errors[:3]}"
    return [r["ok"] for r in results]
