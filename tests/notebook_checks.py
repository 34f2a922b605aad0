"""What a generated notebook must look like to Colab and stock Jupyter (plain CommonMark + LaTeX).

``commonmark_problems(nb)`` renders every markdown cell with markdown-it-py in CommonMark mode (no MyST plugins)
and lists what would show raw: a MyST directive fence (```` ```{…} ```` or ``:::{…}``), ``{role}`` syntax, a
``:label:`` line, a ``(label)=`` target line, an unbalanced ``$…$`` / ``$$…$$``, a ``<script>``; and, for the
notebook as a whole, an output, a hidden guard (``assert`` cell) or a schema error. Used by
tests/test_notebook_edition.py (synthetic book) and tests/test_site_notebooks.py (the built site's notebooks, both
editions).
"""

from __future__ import annotations

import re

import nbformat
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark").disable("text_join")  # keep escapes apart (text_special)
DIRECTIVE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{[\w:-]+\}", re.M)
ROLE = re.compile(r"\{[a-z][\w:-]*\}`")
LABEL_LINE = re.compile(r"^\s*:label:", re.M)
TARGET_LINE = re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.M)


def _unbalanced_dollars(text: str) -> bool:
    """True when the text has an odd number of ``$`` (``$$`` counts two, so balanced display maths stays even)."""
    return text.count("$") % 2 == 1


def _seen(tokens) -> tuple[str, str]:
    """What a reader sees as text: (every block's text, joined; the same without HTML blocks).

    markdown-it-py keeps backslash escapes apart (``text_special``), so an escaped ``\\$`` is not counted as maths;
    code (fences, indented code, code spans) is left out, a code span stands as a placeholder so that a role
    (``{ref}`x` `` parses as the text ``{ref}`` then a code span) is still seen.
    """
    blocks, without_html = [], []
    for tok in tokens:
        if tok.type == "inline":
            text = ""
            for child in tok.children or []:
                if child.type == "text":
                    text += child.content
                elif child.type in ("softbreak", "hardbreak"):
                    text += "\n"
                elif child.type == "code_inline":
                    text += "`code`"
            blocks.append(text)
            without_html.append(text)
        elif tok.type == "html_block":
            blocks.append(tok.content)
    return "\n\n".join(blocks), "\n\n".join(without_html)


def commonmark_problems(nb: nbformat.NotebookNode) -> list[str]:
    problems = []
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(f"nbformat: {exc.message}")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                problems.append(f"cell {i}: has outputs")
            if "remove-cell" in cell.metadata.get("tags", []):
                problems.append(f"cell {i}: a remove-cell cell")
            if re.search(r"^\s*assert\b", cell.source, re.M):
                problems.append(f"cell {i}: an assert guard")
            continue
        if cell.cell_type != "markdown":
            continue
        tokens = _MD.parse(cell.source)
        # What CommonMark does not render as code: directives hidden in a code fence are caught on the fence
        # info string; the rest on the text itself.
        for tok in tokens:
            if tok.type == "fence" and re.match(r"\{[\w:-]+\}", tok.info.strip()):
                problems.append(f"cell {i}: MyST directive fence ```{tok.info.strip()}")
        if re.search(r"<script\b", cell.source, re.I):
            problems.append(f"cell {i}: a <script> (the site's own scripts mean nothing in a notebook)")
        seen, prose = _seen(tokens)
        for name, pattern in (("directive fence", DIRECTIVE), ("role", ROLE), (":label: line", LABEL_LINE),
                              ("(label)= target", TARGET_LINE)):
            for m in pattern.finditer(seen):
                problems.append(f"cell {i}: {name} {m.group(0)!r}")
        for block in prose.split("\n\n"):
            if _unbalanced_dollars(block):
                problems.append(f"cell {i}: unbalanced $ in {block[:80]!r}")
    return problems
