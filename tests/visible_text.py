"""The text a reader sees on a built page of the book, outputs included (used by tests/test_visible_text.py).

Reads a Sphinx / Jupyter Book HTML page with the standard library's ``html.parser``: the main article only (not the
theme's navigation), without ``<script>``, ``<style>``, ``<math>`` and MathJax spans, and without blocks that show
code (a code cell's input, a fenced code block, inline code literals). A cell's printed output is kept. Widgets are
drawn by JavaScript from the page's embedded widget state; the text they draw from it (the progress bars' labels and
values, an HTML or Label widget's value, any widget's ``description``) is read from that state. Alt texts of images
are read too: a screen reader reads them aloud.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Tags whose content is never visible text.
SKIP_TAGS = {"script", "style", "math", "svg", "template", "noscript", "head", "title"}
#: Class names of blocks that show code, not text: a cell's input, highlighted source, inline code.
CODE_CLASSES = {"cell_input", "literal", "sig", "highlight-python", "highlight-python3", "highlight-ipython3",
                "highlight-default", "highlight-bash", "highlight-shell", "highlight-text", "highlight-none",
                "highlight-json", "highlight-yaml", "highlight-js", "highlight-javascript", "math", "MathJax",
                "headerlink", "toggle-details__summary"}
#: Code-showing elements by tag (inline code).
CODE_TAGS = {"code", "kbd", "var"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "caption", "figcaption",
         "div", "section", "summary", "blockquote", "tr", "table", "ul", "ol", "dl", "details", "br", "label"}


@dataclass
class _Frame:
    tag: str
    skip: bool
    code: bool


@dataclass
class _Reader(HTMLParser):
    blocks: list[tuple[str, str]] = field(default_factory=list)
    widget_state: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[_Frame] = []
        self._buffer: list[str] = []
        self._in_article = 0
        self._state_script = False

    # -- helpers
    def _hidden(self) -> bool:
        return any(f.skip or f.code for f in self._stack)

    def _block_tag(self) -> str:
        return ">".join(f.tag for f in self._stack if f.tag in BLOCK) or "body"

    def _flush(self) -> None:
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(self._buffer)).strip()
        if text:
            self.blocks.append((self._block_tag(), text))
        self._buffer = []

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "script" and a.get("type") == "application/vnd.jupyter.widget-state+json":
            self._state_script = True
        if tag == "article" or "bd-article" in classes:
            self._in_article += 1
        if tag == "img" and self._in_article and not self._hidden() and a.get("alt"):
            self.blocks.append(("img", a["alt"].strip()))
        if tag in VOID:
            if tag == "br":
                self._buffer.append("\n")
            return
        if tag in BLOCK:
            self._flush()
        skip = tag in SKIP_TAGS or a.get("aria-hidden") == "true" or "MathJax" in " ".join(classes)
        code = tag in CODE_TAGS or bool(classes & CODE_CLASSES) or any(c.startswith("highlight-") and
                                                                      c != "highlight-myst-ansi" for c in classes)
        self._stack.append(_Frame(tag, skip, code))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        # pop to the matching tag (HTML in the wild is not always well nested)
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i].tag == tag:
                if tag in BLOCK:
                    self._flush()
                del self._stack[i:]
                break
        if tag == "article" and self._in_article:
            self._flush()
            self._in_article -= 1
        if tag == "script":
            self._state_script = False

    def handle_data(self, data: str) -> None:
        if self._state_script:
            self.widget_state.append(data)
            return
        if self._in_article and not self._hidden():
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


#: Widget models whose ``value`` a reader sees as text.
TEXT_MODELS = {"HTMLModel", "LabelModel", "HTMLMathModel", "TextModel", "TextareaModel"}


def _widget_texts(states: list[str]) -> list[str]:
    texts = []
    for raw in states:
        try:
            state = json.loads(raw)
        except json.JSONDecodeError:
            continue
        for model in state.get("state", {}).values():
            st = model.get("state", {})
            for key in ("description", "value") if model.get("model_name") in TEXT_MODELS else ("description",):
                value = st.get(key)
                if isinstance(value, str) and value.strip():
                    texts.append(html.unescape(re.sub(r"<[^>]+>", " ", value)).replace("\u2007", " ").strip())
    return [t for t in texts if t]


def visible_blocks(page_html: str) -> list[tuple[str, str]]:
    """The visible text blocks of a built page as ``(path, text)``: paragraphs, list items, table cells, glossary
    terms, printed output, image alt texts and the text widgets draw from the embedded widget state. ``path`` names
    the block elements around the text (``"section>table>tr>td>p"``), ``"img"`` for an alt text and ``"widget"``
    for a widget's text."""
    reader = _Reader()
    reader.feed(page_html)
    reader.close()
    return reader.blocks + [("widget", t) for t in _widget_texts(reader.widget_state)]


def visible_text(page_html: str) -> list[str]:
    """The texts of :func:`visible_blocks`."""
    return [text for _, text in visible_blocks(page_html)]
