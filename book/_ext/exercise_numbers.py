"""Number exercises per chapter: "Bài tập 6.2" is the second exercise of chapter 6.

sphinx-exercise numbers exercises through Sphinx's numfig. The book's toctree is not numbered (chapter titles
carry no "1." prefix and the parts would restart the count), so Sphinx counts exercises through the whole
book ("Bài tập 16" ... "Bài tập 32"). After Sphinx has assigned its numbers, this extension replaces each
exercise's number by ``(chapter, k)``: the chapter is the leading number of the page's file name
(``06_mixing`` -> 6) and ``k`` the exercise's position on that page. Titles, ``{ref}`` links (which
sphinx-exercise turns into numbered references) and solution titles all read these numbers.

The label of every exercise must say the same number, ``ex-06-2`` for "Bài tập 6.2", so that the text, the
stubs and the checkers (which name exercises by number) can be checked against the page: a label that
disagrees is a build warning, an error under ``-W``.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

CHAPTER = re.compile(r"(?:^|/)(\d+)_[^/]*$")
LABEL = re.compile(r"^ex-(\d+)-(\d+)$")


def chapter_of(docname: str) -> int | None:
    """The chapter number of a page (``book/06_mixing`` -> 6), or None for a page that is not a chapter."""
    m = CHAPTER.search(docname)
    return int(m.group(1)) if m else None


def renumber(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Give every chapter's exercises the numbers (chapter, k), k = 1, 2, ... in page order."""
    changed = []
    for docname, fignumbers in env.toc_fignumbers.items():
        exercises = fignumbers.get("exercise")
        chapter = chapter_of(docname)
        if not exercises or chapter is None:
            continue
        in_order = sorted(exercises, key=lambda ident: exercises[ident])  # Sphinx numbers them in page order
        for k, ident in enumerate(in_order, start=1):
            exercises[ident] = (chapter, k)
            m = LABEL.match(ident)
            if m and (int(m.group(1)), int(m.group(2))) != (chapter, k):
                logger.warning("exercise label %r is exercise %d.%d on this page; rename it ex-%02d-%d",
                               ident, chapter, k, chapter, k, location=docname)
        changed.append(docname)
    return changed


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's TocTreeCollector (priority 500), which assigns the book-wide numbers on the same event.
    app.connect("env-get-updated", renumber, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
