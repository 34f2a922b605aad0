"""The notebook edition: every chapter as a notebook that Colab and stock Jupyter render as the book does.

The chapters are MyST notebooks: their markdown cells hold directives (exercises, gated solutions,
admonitions, dropdowns, ``literalinclude``), roles (``{term}``, ``{ref}``, ``{cite:p}``, ``{eq}``) and label
targets that only Sphinx understands. Colab and Jupyter render markdown as CommonMark with LaTeX maths, so
they show the sources raw. This extension writes, while the site is built, one notebook per chapter into the
site's ``notebooks/`` folder (``_build/html/notebooks/01_flattening.ipynb``), made from the chapter's
*resolved* doctree (event ``doctree-resolved``), where references, citations, numbers, titles and included
code are already what the page shows:

* markdown is rebuilt from the doctree as plain CommonMark + ``$…$`` maths: sections as headings, exercises
  as headings "Bài tập 3.2: <title>", admonitions as block quotes with a bold title, dropdowns and
  solutions as folded HTML ``<details>``; a term, reference or citation as a link to the published site
  (derived from ``repository.url`` in ``_config.yml``: ``https://<owner>.github.io/<repo>/``), with the text
  the page shows (a citation's short form, an exercise's number, a section's title, an equation's number);
  ``literalinclude`` as a fenced ``python`` block with the code it names;
* code cells come from the source notebook (by ``cell_index``), without outputs; a cell that myst-nb left
  out of the page (tag ``remove-cell``: the hidden guard cells) is left out here too; ``hide-input`` and
  ``remove-input`` cells stay (they must run); code cells of a solution are folded (Colab's
  ``# @title … { display-mode: "form" }`` first line and JupyterLab's ``source_hidden`` metadata);
* in the student edition (``MIXERBOOK_EDITION=student``, see ``student_edition.py``) the solutions are gone
  from the doctree; where a solution had code cells an empty code cell ``# Viết mã của bạn ở đây`` takes
  its place, and the notebooks go to the student site's own ``notebooks/``.

The same hook points each chapter page's Colab button at its generated notebook on the published branch
(``…/blob/gh-pages/notebooks/NN.ipynb``; the student site lives under ``student/`` there) and its
".ipynb" download button at the generated notebook. ``markdown_of``/``NotebookConverter`` are the pure
part, importable without a build (the tests use them on small synthetic documents).
"""

from __future__ import annotations

import copy
import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import nbformat
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import admonitionlabels
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The branch the publish workflow writes the site to; Colab opens notebooks from it by URL.
PUBLISHED_BRANCH = "gh-pages"
#: Where the student site lives inside the published site.
STUDENT_PREFIX = "student/"
#: Folder of the generated notebooks inside a built site.
NOTEBOOK_DIR = "notebooks"
#: The first line of a folded solution code cell (Colab shows the title and hides the code).
SOLUTION_TITLE = '# @title Lời giải bài tập {number} (bấm để xem mã) {{ display-mode: "form" }}'
SOLUTION_SUMMARY = "Lời giải bài tập {number}"
SOLUTION_SUMMARY_MORE = "Lời giải bài tập {number} (tiếp)"
#: The empty cell the student edition puts where a solution had code.
STUDENT_CELL = "# Viết mã của bạn ở đây\n"


class student_stub(nodes.Element, nodes.General):  # noqa: N801
    """Where the student edition removed a solution that had code cells; an empty code cell in the notebook."""


def _skip(self, node):  # the stub shows nothing on a page
    raise nodes.SkipNode


def is_student_edition() -> bool:
    return os.environ.get("MIXERBOOK_EDITION", "").strip().lower() == "student"


# --------------------------------------------------------------------------------------------------
# Where things are published (all derived from repository.url)
# --------------------------------------------------------------------------------------------------


def github_repo(url: str) -> tuple[str, str]:
    """``("owner", "repo")`` of a GitHub repository URL.

    Raises:
        ValueError: when ``url`` is not ``https://github.com/<owner>/<repo>``.
    """
    parsed = urlparse(str(url).strip())
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.netloc.lower() != "github.com" or len(parts) != 2:
        raise ValueError(f"repository.url must be https://github.com/<owner>/<repo>, got {url!r}")
    owner, repo = parts
    return owner, repo.removesuffix(".git")


def site_url(repository_url: str, student: bool = False) -> str:
    """The published site (GitHub Pages of the repository), ending with ``/``; the student site under it."""
    owner, repo = github_repo(repository_url)
    base = f"https://{owner.lower()}.github.io/{repo}/"
    return base + (STUDENT_PREFIX if student else "")


def notebook_name(docname: str) -> str:
    """``book/03_inductive_bias`` -> ``03_inductive_bias.ipynb`` (the generated notebooks sit side by side)."""
    return posixpath.basename(docname) + ".ipynb"


def colab_url(repository_url: str, docname: str, student: bool = False,
              colab: str = "https://colab.research.google.com") -> str:
    """The Colab link that opens a chapter's generated notebook from the published branch."""
    owner, repo = github_repo(repository_url)
    prefix = STUDENT_PREFIX if student else ""
    return (f"{colab.rstrip('/')}/github/{owner}/{repo}/blob/{PUBLISHED_BRANCH}/"
            f"{prefix}{NOTEBOOK_DIR}/{notebook_name(docname)}")


# --------------------------------------------------------------------------------------------------
# Markdown from doctree nodes
# --------------------------------------------------------------------------------------------------

_ESCAPE = re.compile(r"([\\`*_\[\]<>$|#~])")


def escape(text: str) -> str:
    """Text that CommonMark (and Jupyter's maths scan) shows as written: markdown punctuation and ``$`` escaped."""
    return _ESCAPE.sub(r"\\\1", text)


def _code_span(text: str) -> str:
    ticks = max((len(m) for m in re.findall(r"`+", text)), default=0) + 1
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return "`" * ticks + pad + text + pad + "`" * ticks


def _fence(code: str, language: str = "") -> str:
    ticks = max(3, max((len(m) for m in re.findall(r"^`+", code, re.M)), default=0) + 1)
    return "`" * ticks + language + "\n" + code.rstrip("\n") + "\n" + "`" * ticks


def _quote(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.split("\n"))


def _raw_html(node: nodes.raw) -> str:
    """Raw HTML as written (an ``<img>``, a ``<br>``), but no scripts: the site's own (Thebe's configuration) mean
    nothing in a notebook, and Colab and Jupyter would not run them."""
    text = node.astext()
    if "html" not in node.get("format", "").split() or re.search(r"<script\b", text, re.I):
        return ""
    return text


def _is_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def _is_dropdown(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and (
        type(node).__name__ == "dropdown_main" or node.get("design_component") == "dropdown")


@dataclass
class Context:
    """What the converter needs from the build, for links, numbers, images and code cells."""

    docname: str
    site: str  # the published site of this edition, ending with "/"
    cells: list[dict] = field(default_factory=list)  # the source notebook's cells, by index
    exercise_numbers: dict[str, str] = field(default_factory=dict)  # label -> "3.2"
    exercise_word: str = "Bài tập"
    images: dict[str, str] = field(default_factory=dict)  # doctree image uri -> file name in _images/
    student: bool = False

    def page_url(self, refuri: str = "", refid: str = "") -> str:
        """An absolute link on the published site for a reference written relative to this page."""
        if refuri:
            if urlparse(refuri).scheme or refuri.startswith("//"):
                return refuri
            path, _, anchor = refuri.partition("#")
            if path:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), path))
            else:
                path = self.docname + ".html"
            return self.site + path + (f"#{anchor}" if anchor else "")
        return self.site + self.docname + ".html" + (f"#{refid}" if refid else "")


class NotebookConverter:
    """Turns one chapter's resolved doctree into notebook cells (``convert``)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.cells: list[nbformat.NotebookNode] = []
        self._md: list[str] = []
        self._solution_number = ""

    # ---- cells ------------------------------------------------------------------------------
    def _flush(self) -> None:
        text = "\n\n".join(part for part in self._md if part.strip()).strip("\n")
        self._md = []
        if text:
            self.cells.append(nbformat.v4.new_markdown_cell(text))

    def _code_cell(self, node: nodes.container) -> None:
        self._flush()
        index = int(node["cell_index"])
        if index >= len(self.ctx.cells) or self.ctx.cells[index].get("cell_type") != "code":
            raise ExtensionError(f"notebook_edition: {self.ctx.docname}: cell {index} is not a code cell of the "
                                 "source notebook")
        source = "".join(self.ctx.cells[index].get("source", ""))
        metadata = copy.deepcopy(self.ctx.cells[index].get("metadata", {}))
        metadata.pop("execution", None)
        if self._solution_number:
            source = SOLUTION_TITLE.format(number=self._solution_number) + "\n" + source
            metadata.setdefault("jupyter", {})["source_hidden"] = True
        cell = nbformat.v4.new_code_cell(source, metadata=metadata)
        if self.ctx.cells[index].get("id"):
            cell["id"] = self.ctx.cells[index]["id"]
        self.cells.append(cell)

    def convert(self, document: nodes.Node) -> list[nbformat.NotebookNode]:
        self.flow(document, level=1)
        self._flush()
        return self.cells

    # ---- block flow (where code cells may appear) --------------------------------------------
    def flow(self, node: nodes.Node, level: int) -> None:
        for child in node.children:
            self.block(child, level)

    def block(self, node: nodes.Node, level: int) -> None:
        name = type(node).__name__
        if _is_cell(node):
            self._code_cell(node)
        elif isinstance(node, nodes.section):
            title, rest = (node[0], node[1:]) if node.children and isinstance(node[0], nodes.title) else (None, node)
            if title is not None:
                self._md.append("#" * min(level, 6) + " " + self.inline(title))
            for child in rest:
                self.block(child, level + 1)
        elif name in ("exercise_enumerable_node", "exercise_node"):
            self.exercise(node, level)
        elif name == "solution_node":
            self.solution(node)
        elif isinstance(node, student_stub):
            self._flush()
            self.cells.append(nbformat.v4.new_code_cell(STUDENT_CELL))
        elif isinstance(node, nodes.container) and not node.get("nb_element") and not _is_dropdown(node) \
                and any(_is_cell(n) for n in node.findall(nodes.container)):
            self.flow(node, level)
        else:
            text = self.md(node)
            if text.strip():
                self._md.append(text)

    def exercise(self, node: nodes.Element, level: int) -> None:
        label = node.get("label", "")
        number = self.ctx.exercise_numbers.get(label, "")
        heading = f"{self.ctx.exercise_word} {number}".strip()
        title = ""
        if node.children and isinstance(node[0], (nodes.title, nodes.Element)) and \
                type(node[0]).__name__ in ("title", "exercise_title"):
            title = self._exercise_subtitle(node[0])
        self._md.append("#" * min(level, 6) + " " + heading + (f": {title}" if title else ""))
        for child in node.children[1:]:
            if isinstance(child, nodes.section):  # sphinx-exercise's "exercise-content" section
                self.flow(child, level + 1)
            else:
                self.block(child, level + 1)

    def _exercise_subtitle(self, title: nodes.Element) -> str:
        subtitle = [c for c in title.children if type(c).__name__ == "exercise_subtitle"]
        if subtitle:  # before sphinx-exercise's post-transform
            return self.inline(subtitle[0])
        children = list(title.children)  # after it: [" (", subtitle..., ")"], the number added at write time
        if children and isinstance(children[0], nodes.Text) and str(children[0]).startswith(" ("):
            text = self.inline_children(children)
            return text.strip()[1:-1].strip() if text.strip().endswith(")") else text.strip()
        return ""

    def solution(self, node: nodes.Element) -> None:
        number = self.ctx.exercise_numbers.get(node.get("target_label", ""), "")
        body: list[nodes.Node] = []
        for child in node.children:
            if type(child).__name__ in ("solution_title", "title"):
                continue
            body.extend(child.children if isinstance(child, nodes.section) else [child])
        summary = SOLUTION_SUMMARY
        pending: list[nodes.Node] = []

        def flush_details():
            nonlocal summary, pending
            text = "\n\n".join(t for t in (self.md(n) for n in pending) if t.strip())
            if text:
                self._md.append(f"<details><summary>{summary.format(number=number)}</summary>\n\n{text}\n\n</details>")
                summary = SOLUTION_SUMMARY_MORE
            pending = []

        for child in body:
            if _is_cell(child):
                flush_details()
                self._solution_number = number or "?"
                try:
                    self._code_cell(child)
                finally:
                    self._solution_number = ""
                summary = SOLUTION_SUMMARY_MORE
            else:
                pending.append(child)
        flush_details()

    # ---- markdown blocks -----------------------------------------------------------------------
    def blocks(self, children) -> str:
        return "\n\n".join(t for t in (self.md(c) for c in children) if t.strip())

    def md(self, node: nodes.Node) -> str:  # noqa: C901 (one branch per node type)
        name = type(node).__name__
        if isinstance(node, nodes.Text):
            return escape(str(node).replace("\n", " "))
        if _is_cell(node):
            raise ExtensionError(f"notebook_edition: {self.ctx.docname}: a code cell inside a markdown block")
        if isinstance(node, (nodes.target, nodes.comment, nodes.substitution_definition, student_stub,
                             addnodes.toctree, nodes.system_message)) or name in ("only", "meta"):
            return ""
        if isinstance(node, nodes.paragraph):
            return self.inline(node)
        if isinstance(node, nodes.section):
            title = self.inline(node[0]) if node.children and isinstance(node[0], nodes.title) else ""
            return "\n\n".join(x for x in (f"**{title}**" if title else "", self.blocks(node[1:] if title else node))
                               if x)
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            ordered = isinstance(node, nodes.enumerated_list)
            items = []
            for i, item in enumerate(node.children, start=node.get("start", 1)):
                marker = f"{i}. " if ordered else "- "
                text = self.blocks(item.children)
                pad = " " * len(marker)
                items.append(marker + text.replace("\n", "\n" + pad))
            return "\n".join(items).replace("\n" + " " * 2 + "\n", "\n\n")
        if isinstance(node, nodes.literal_block):
            language = node.get("language", "")
            if language in ("ipython3", "ipython", "python3", "default", "") and node.get("source", "").endswith(".py"):
                language = "python"
            language = {"ipython3": "python", "ipython": "python", "python3": "python", "default": "",
                        "none": "", "text": ""}.get(language, language)
            return _fence(node.astext(), language)
        if isinstance(node, nodes.math_block):
            latex = node.astext().strip()
            if node.get("number") is not None and "\\tag" not in latex:
                latex += f" \\tag{{{node['number']}}}"
            return "$$\n" + latex + "\n$$"
        if isinstance(node, nodes.admonition) or isinstance(node, nodes.Admonition):
            if node.children and isinstance(node[0], nodes.title):
                title, body = self.inline(node[0]), node[1:]
            else:
                title, body = admonitionlabels.get(node.tagname, node.tagname.capitalize()), node.children
            return _quote(f"**{title}**\n\n" + self.blocks(body))
        if _is_dropdown(node):
            title, body = "", []
            for child in node.children:
                if type(child).__name__ in ("dropdown_title",) or (not body and not title and
                                                                     isinstance(child, nodes.rubric)):
                    title = self.inline_children([c for c in child.children if not (
                        isinstance(c, nodes.inline) and "sd-summary-state-marker" in c.get("classes", []))])
                elif isinstance(child, nodes.container) and "sd-summary-content" in child.get("classes", []):
                    body.extend(child.children)
                else:
                    body.append(child)
            return f"<details><summary>{title.strip()}</summary>\n\n{self.blocks(body)}\n\n</details>"
        if isinstance(node, nodes.block_quote):
            return _quote(self.blocks(node.children))
        if isinstance(node, (nodes.figure,)):
            return self.blocks(node.children)
        if isinstance(node, nodes.caption):
            return "*" + self.inline(node) + "*"
        if isinstance(node, nodes.legend):
            return self.blocks(node.children)
        if isinstance(node, nodes.image):
            return self.image(node)
        if isinstance(node, nodes.raw):
            return _raw_html(node)
        if isinstance(node, nodes.table):
            return self.table(node)
        if isinstance(node, nodes.definition_list):
            parts = []
            for item in node.children:
                term = " ".join(self.inline(t) for t in item.children if isinstance(t, nodes.term))
                definition = [d for d in item.children if isinstance(d, nodes.definition)]
                body = self.blocks(definition[0].children) if definition else ""
                parts.append(f"**{term}**\n\n" + _quote(body) if body else f"**{term}**")
            return "\n\n".join(parts)
        if isinstance(node, nodes.rubric):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.transition):
            return "---"
        if isinstance(node, nodes.line_block):
            return "  \n".join(self.inline(line) for line in node.children)
        if isinstance(node, nodes.title):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.Element) and any(isinstance(c, nodes.Body) or isinstance(c, nodes.Structural)
                                                   for c in node.children):
            return self.blocks(node.children)
        if isinstance(node, nodes.Element):
            return self.inline(node)
        return ""

    def image(self, node: nodes.Element) -> str:
        uri = node.get("uri", "")
        if not urlparse(uri).scheme and not uri.startswith("data:"):
            name = self.ctx.images.get(uri)
            uri = self.ctx.site + "_images/" + (name or posixpath.basename(uri))
        alt = node.get("alt", "")
        return f"![{escape(alt)}]({uri})"

    def table(self, node: nodes.Element) -> str:
        rows: list[list[str]] = []
        header = 0
        for part in node.findall(lambda n: isinstance(n, (nodes.thead, nodes.tbody))):
            for row in part.children:
                cells = [self.blocks(entry.children).replace("\n", " ").replace("|", "\\|") for entry in row.children]
                rows.append(cells)
                if isinstance(part, nodes.thead):
                    header += 1
        if not rows:
            return ""
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        head, body = (rows[0], rows[1:]) if header else ([""] * width, rows)
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        title = [self.inline(t) for t in node.children if isinstance(t, nodes.title)]
        return (f"**{title[0]}**\n\n" if title else "") + "\n".join(lines)

    # ---- inline ----------------------------------------------------------------------------------
    def inline(self, node: nodes.Node) -> str:
        return self.inline_children(node.children) if isinstance(node, nodes.Element) else self.md(node)

    def inline_children(self, children) -> str:
        return "".join(self.inline_node(c) for c in children)

    def inline_node(self, node: nodes.Node) -> str:  # noqa: C901
        if isinstance(node, nodes.Text):
            return escape(str(node).replace("\n", " "))
        if isinstance(node, nodes.math):
            return "$" + node.astext().strip() + "$"
        if isinstance(node, nodes.literal):
            return _code_span(node.astext())
        if isinstance(node, nodes.strong):
            return "**" + self.inline(node) + "**"
        if isinstance(node, nodes.emphasis):
            return "*" + self.inline(node) + "*"
        if isinstance(node, nodes.reference):
            text = self.inline(node)
            if node.get("refuri") or node.get("refid"):
                return f"[{text}]({self.ctx.page_url(node.get('refuri', ''), node.get('refid', ''))})"
            return text
        if isinstance(node, nodes.image):
            return self.image(node)
        if isinstance(node, nodes.raw):
            return _raw_html(node)
        if isinstance(node, (nodes.target, nodes.comment, nodes.footnote, student_stub)):
            return ""
        if isinstance(node, nodes.footnote_reference):
            return f"[{node.astext()}]"
        if isinstance(node, addnodes.pending_xref):
            return self.inline(node)  # unresolved (only outside a build): its text
        if isinstance(node, nodes.Element):
            return self.inline(node)
        return ""


def markdown_of(document: nodes.Node, ctx: Context) -> list[nbformat.NotebookNode]:
    """The notebook cells of a resolved doctree (pure: no Sphinx application needed)."""
    return NotebookConverter(ctx).convert(document)


def new_notebook(cells: list, source_metadata: dict, edition: str) -> nbformat.NotebookNode:
    metadata = {k: v for k, v in source_metadata.items() if k in ("kernelspec", "language_info")}
    metadata["mixerbook"] = {"edition": edition}
    nb = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    seen: set[str] = set()
    for n, cell in enumerate(nb.cells):  # ids: the source's for code cells, stable ones for the rest
        if not cell.get("id") or cell["id"] in seen or cell.cell_type != "code":
            cell["id"] = f"{cell.cell_type[:2]}-{n:03d}"
        seen.add(cell["id"])
    return nb


# --------------------------------------------------------------------------------------------------
# Sphinx glue
# --------------------------------------------------------------------------------------------------


class MarkStudentStubs(SphinxTransform):
    """In the student edition, put a ``student_stub`` after every solution that has code cells.

    Runs after sphinx-exercise merges gated solutions (priority 10) and before ``student_edition`` removes the
    solutions (priority 20), so the notebook gets an empty code cell where the solution's code was.
    """

    default_priority = 15

    def apply(self, **kwargs: Any) -> None:
        if not is_student_edition():
            return
        from sphinx_exercise.nodes import solution_node

        for node in list(self.document.findall(solution_node)):
            if any(_is_cell(n) for n in node.findall(nodes.container)):
                node.parent.insert(node.parent.index(node) + 1, student_stub(target_label=node.get("target_label")))


def _repository_url(app: Sphinx) -> str:
    url = app.config.notebook_edition_repository or (app.config.html_theme_options or {}).get("repository_url", "")
    if not url:
        raise ExtensionError("notebook_edition: no repository URL (repository.url in _config.yml)")
    return url


def _is_notebook_page(app: Sphinx, docname: str) -> bool:
    return str(app.env.doc2path(docname)).endswith(".ipynb")


def write_notebook(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html" or not _is_notebook_page(app, docname):
        return
    source = Path(app.env.doc2path(docname))
    nb = json.loads(source.read_text(encoding="utf-8"))
    numbers = {label: ".".join(str(n) for n in number) if isinstance(number, tuple) else str(number)
               for label, number in app.env.toc_fignumbers.get(docname, {}).get("exercise", {}).items()}
    word = (app.config.numfig_format or {}).get("exercise", "Bài tập %s").replace("%s", "").strip()
    student = is_student_edition()
    ctx = Context(docname=docname, site=site_url(_repository_url(app), student), cells=nb["cells"],
                  exercise_numbers=numbers, exercise_word=word,
                  images={uri: name for uri, name in app.builder.images.items()}, student=student)
    cells = markdown_of(doctree, ctx)
    out = new_notebook(cells, nb.get("metadata", {}), "student" if student else "full")
    target = Path(app.outdir) / NOTEBOOK_DIR / notebook_name(docname)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def point_buttons_at_notebooks(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Colab button -> the generated notebook on the published branch; ".ipynb" download -> the generated one.

    Runs after sphinx-book-theme's ``add_launch_buttons`` / ``add_header_buttons`` (priority 501). A chapter's
    download button thus serves the notebook edition, never the MyST source; the student edition copies no
    source at all (``html_copy_source`` is off there), so its site holds no solution-bearing notebook.
    """
    if doctree is None:
        return
    student = is_student_edition()
    if not _is_notebook_page(app, pagename):
        if student:  # no source copied: a ".md" download would be a dead link
            for group in context.get("header_buttons", []):
                if group.get("label") == "download-buttons":
                    group["buttons"] = [b for b in group.get("buttons", [])
                                        if b.get("label") != "download-source-button"]
        return
    colab = (app.config.html_theme_options or {}).get("launch_buttons", {}).get("colab_url", "") \
        or "https://colab.research.google.com"
    notebook = context["pathto"](f"{NOTEBOOK_DIR}/{notebook_name(pagename)}", 1)
    for group in context.get("header_buttons", []):
        buttons = group.get("buttons", [])
        if group.get("label") == "launch-buttons":
            for button in buttons:
                if button.get("text") == "Colab":
                    button["url"] = colab_url(_repository_url(app), pagename, student, colab)
        if group.get("label") == "download-buttons":
            for button in buttons:
                if button.get("label") in ("download-source-button", "download-notebook-button"):
                    button["url"] = notebook
                    button["text"] = ".ipynb"


def configure(app: Sphinx, config) -> None:
    if is_student_edition():
        config.html_copy_source = False


def setup(app: Sphinx) -> dict[str, Any]:
    # The repository (https://github.com/<owner>/<repo>); by default sphinx-book-theme's repository_url, which
    # Jupyter Book fills from repository.url in _config.yml.
    app.add_config_value("notebook_edition_repository", "", "env")
    app.add_node(student_stub, html=(_skip, None), latex=(_skip, None), text=(_skip, None))
    app.add_transform(MarkStudentStubs)
    app.connect("config-inited", configure)
    app.connect("doctree-resolved", write_notebook)
    app.connect("html-page-context", point_buttons_at_notebooks, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
