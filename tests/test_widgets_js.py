"""The explorers' JavaScript: node's test runner over tests/js, and parity with the package.

Each explorer's pure functions (no DOM) are unit-tested in ``tests/js/*.test.mjs``; this file
runs them (so the README's test command does) and holds the JavaScript that recomputes something
to the Python function it mirrors.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

from js_parity import call_js, node, ok

import mixerbook as mb

#: an import statement or a dynamic import (comments that mention imports are fine)
IMPORT = re.compile(r"^\s*import\s*[{\w*\"']|\bimport\s*\(", re.MULTILINE)
#: the one URL a module may name: the SVG namespace, an identifier that is never fetched
SVG_NS = "http://www.w3.org/2000/svg"
JS_TESTS = Path(__file__).resolve().parent / "js"


def test_node_unit_tests_pass():
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JavaScript tests found"
    proc = subprocess.run([node(), "--test", *files], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_every_explorer_module_is_self_contained():
    """The module a widget carries imports nothing: ``_common.js`` is inlined, no URL is fetched."""
    from mixerbook.widgets._base import esm_source

    for kind in mb.widgets.KINDS:
        source = esm_source(kind)
        assert "export default" in source
        assert not IMPORT.search(source), f"{kind}.js still imports something"
        urls = set(re.findall(r"https?://[^\s\"'`)]+", source)) - {SVG_NS}
        assert not urls, f"{kind}.js names a URL: {urls}"


def test_flatten_neighbours_match_viz():
    cases = [[r, c, h, w, d] for h, w in [(3, 3), (4, 6), (10, 10)] for r, c in itertools.product(range(h), range(w))
             for d in (True, False)]
    got = ok(call_js("flatten.js", "neighbours", cases))
    want = [[list(p) for p in mb.viz.neighbours(*case)] for case in cases]
    assert got == want
