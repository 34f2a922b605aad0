"""Accessibility fixes for the built site (WCAG 2.1 A/AA as checked by axe-core).

``tests/test_accessibility.py`` runs axe-core on every page in the light and the dark theme. What
this extension changes, and why:

* **Text alternatives of figures** (``image-alt``). MyST-NB writes each image output of a notebook
  to a file and gives it no ``alt``. The book's figures are matplotlib Figures whose PNG carries a
  Vietnamese description of the figure (its titles, axis labels and legends) in the PNG text
  chunk ``Description``, written by :mod:`mixerbook.a11y` when the notebook runs. At
  ``doctree-resolved`` every image without ``alt`` gets that description. An image without one
  gets a warning (``a11y.image_alt``; the book is built with ``-W``), naming the page, so a
  figure made some other way is noticed instead of shipped without a text alternative.
* **Hidden code cells** (``label-content-name-mismatch``). MyST-NB's ``<summary>`` for a cell
  tagged ``hide-input`` has ``aria-label="Toggle hidden content"`` while it shows "Show code cell
  source": the accessible name must contain the visible label, so the ``aria-label`` is dropped
  (the name is then the visible text) and MyST-NB's default English prompts are shown in
  Vietnamese.
* **Bibliography** (``aria-required-children``). docutils wraps citations in ``role="list"`` but
  gives each one ``role="doc-biblioentry"``, which axe does not accept as a list item
  (DPUB-ARIA 1.1 deprecates it); each citation becomes ``role="listitem"``.
* **Theme buttons** (``label-content-name-mismatch``): ``a11y/templates/`` overrides two
  pydata-sphinx-theme 0.17 components: the search field's ``aria-label`` ("Tìm Kiếm") left out
  its visible shortcut "Ctrl+K" (now the name is the visible text), and the colour-mode button's
  icons had titles ("Light"/"Dark") that differed from its name (now ``aria-hidden``, name in
  Vietnamese).
* **Colours** (``color-contrast``): ``a11y/static/a11y.css``, e.g. links in exercise boxes, whose tinted
  background lowered the contrast of the theme's link colour below 4.5:1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "a11y"
REPO_ROOT = HERE.parents[1]
CSS_FILE = "a11y.css"

#: MyST-NB's default summaries of hidden cells (``nb_code_prompt_show`` / ``_hide``), in Vietnamese.
PROMPTS_VI = {
    "Show code cell source": "Hiện mã nguồn của ô",
    "Hide code cell source": "Ẩn mã nguồn của ô",
    "Show code cell output": "Hiện kết quả của ô",
    "Hide code cell output": "Ẩn kết quả của ô",
    "Show code cell content": "Hiện nội dung của ô",
    "Hide code cell content": "Ẩn nội dung của ô",
}


def _png_description(path: Path) -> str:
    """The ``Description`` chunk of a PNG (see :func:`mixerbook.a11y.png_description`)."""
    try:
        from mixerbook.a11y import png_description
    except ImportError:  # the package is not importable: look next to this repository
        sys.path.insert(0, str(REPO_ROOT / "src"))
        from mixerbook.a11y import png_description
    return png_description(path)


def _image_path(app: Sphinx, node: nodes.image, docname: str) -> Path | None:
    candidates = node.get("candidates") or {}
    for uri in [*candidates.values(), node.get("uri", "")]:
        if not uri or "://" in uri or uri.startswith("data:"):
            continue
        for path in (Path(app.srcdir) / uri, Path(app.env.doc2path(docname)).parent / uri):
            if path.is_file():
                return path
    return None


def add_image_alt(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give every image without ``alt`` the description stored in its PNG, else warn."""
    for node in doctree.findall(nodes.image):
        if node.get("alt", "").strip():
            continue
        path = _image_path(app, node, docname)
        description = _png_description(path) if path is not None and path.suffix.lower() == ".png" else ""
        if description:
            node["alt"] = description
        else:
            logger.warning(
                "image without a text alternative (no alt, no PNG 'Description'): %s",
                node.get("uri"),
                location=node,
                type="a11y",
                subtype="image_alt",
            )


# --------------------------------------------------------------------------- HTML translators
def visit_hide_cell(self: Any, node: nodes.Element) -> None:
    from html import escape

    vietnamese = (self.config.language or "").startswith("vi")

    def prompt(text: str) -> str:
        return escape(PROMPTS_VI.get(text, text) if vietnamese else text)

    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{prompt(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{prompt(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hide_cell(self: Any, node: nodes.Element) -> None:
    self.body.append("</details>\n")


def _docutils_citation_handlers():
    from docutils.writers._html_base import HTMLTranslator

    return HTMLTranslator.visit_citation, HTMLTranslator.depart_citation


_DOCUTILS_VISIT_CITATION, _DOCUTILS_DEPART_CITATION = _docutils_citation_handlers()


def visit_citation(self: Any, node: nodes.citation) -> None:
    """docutils' ``visit_citation``, with ``role="listitem"`` instead of ``"doc-biblioentry"``."""
    start = len(self.body)
    _DOCUTILS_VISIT_CITATION(self, node)
    for i in range(start, len(self.body)):
        self.body[i] = self.body[i].replace('role="doc-biblioentry"', 'role="listitem"')


def depart_citation(self: Any, node: nodes.citation) -> None:
    _DOCUTILS_DEPART_CITATION(self, node)


# --------------------------------------------------------------------------- set-up
def add_assets(app: Sphinx, config: Any) -> None:
    """Templates first in ``templates_path``; the stylesheet's folder in ``html_static_path``."""
    templates = str(ASSETS / "templates")
    if templates not in config.templates_path:
        config.templates_path.insert(0, templates)
    static = str(ASSETS / "static")
    if static not in config.html_static_path:
        config.html_static_path.append(static)
    # pydata-sphinx-theme starts every page with `dataset.mode = localStorage.mode || "{{ default_mode }}"`
    # (a template variable from html_context); left empty, a first visit logs "Got invalid theme mode"
    # as a console error. "auto" follows the reader's system setting, which is what empty ends up meaning.
    if not config.html_context.get("default_mode"):
        config.html_context["default_mode"] = "auto"


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    from myst_nb.sphinx_ import HideCodeCellNode

    app.connect("config-inited", add_assets, priority=900)
    app.add_css_file(CSS_FILE, priority=900)  # after the theme's and the extensions' styles
    app.add_node(HideCodeCellNode, override=True, html=(visit_hide_cell, depart_hide_cell))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("doctree-resolved", add_image_alt)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
