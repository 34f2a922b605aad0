"""Package code the chapters show to readers.

A chapter shows a function or class of ``mixerbook`` as a plain ```python fence with Vietnamese comments written for
the page, preceded by the marker ``<!-- shown-code: module:qualified.name -->``, instead of a ``{literalinclude}``
(which would show the English docstring and comments). The shown code must be the package's code, less its
docstrings and comments, so it cannot drift: the two are compared as Python syntax trees.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!-- shown-code: ([\w.]+):([\w.]+) -->\s*\n```python\n(.*?)\n```", re.S)


def _markdown_cells() -> list[tuple[str, str]]:
    cells = []
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                cells.append((f"{path.name}, ô {i}", "".join(cell["source"])))
    for path in sorted((ROOT / "book").glob("*.md")):
        cells.append((path.name, path.read_text(encoding="utf-8")))
    return cells


def _shown() -> list[tuple[str, str, str, str]]:
    return [(where, module, name, code) for where, text in _markdown_cells() for module, name, code in
            MARKER.findall(text)]


def _tree_without_docstrings(source: str) -> str:
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value,
                                                                                                      str):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False)


def test_chapters_show_package_code_without_literalinclude():
    """No chapter pulls package source (English docstrings and comments) onto a page with literalinclude."""
    found = [where for where, text in _markdown_cells() if re.search(r"\{literalinclude\}[^\n]*src/mixerbook", text)]
    assert not found, f"literalinclude of package code (show a ```python fence with a shown-code marker): {found}"
    assert len(_shown()) >= 5, "the chapters' shown-code fences were not found (marker format changed?)"


@pytest.mark.parametrize(("where", "module", "name", "code"), _shown(), ids=lambda v: str(v)[:40])
def test_shown_code_is_the_package_code(where, module, name, code):
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    want = _tree_without_docstrings(inspect.getsource(obj))
    assert _tree_without_docstrings(code) == want, (
        f"{where}: the code shown for {module}:{name} is not the package's code (less docstrings and comments); "
        "copy the package's code again and rewrite its Vietnamese comments")
    english = [line for line in code.splitlines() if re.search(r"#[^\n]*\b(the|of|and|each|first|then|over)\b", line)]
    assert not english, f"{where}: English comments shown to readers: {english}"
