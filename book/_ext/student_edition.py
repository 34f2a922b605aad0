"""The student edition of the site: every solution is removed from the pages.

Active when the environment variable ``MIXERBOOK_EDITION`` is ``student`` (set by
``python scripts/student_edition.py site``); otherwise it does nothing and the normal build shows
solutions folded (``:class: dropdown``).

sphinx-exercise's own ``hide_solutions`` option does not cover gated solutions
(``solution-start`` ... ``solution-end``): it drops the opening marker but leaves the code cells
in between on the page. This transform runs after sphinx-exercise has merged each gated block
into one ``solution_node`` and removes those nodes, gated or not, with everything inside them.

A page says what differs between the editions with a MyST substitution: ``{{ name }}`` shows the value of
``name`` in ``myst_substitutions`` (``_config.yml``), and in the student edition the value of ``name_student``
when there is one (the intro's sentence on folded solutions). The student edition also copies no page source
(``html_copy_source`` off, see ``notebook_edition.py``), and its notebooks have no solution.
"""

from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)


def student_edition() -> bool:
    return os.environ.get("MIXERBOOK_EDITION", "").strip().lower() == "student"


class RemoveSolutions(SphinxTransform):
    """Delete every sphinx-exercise solution node from the document."""

    default_priority = 20  # after sphinx-exercise's MergeGatedSolutions (priority 10)

    def apply(self, **kwargs: Any) -> None:
        if not student_edition():
            return
        from sphinx_exercise.nodes import solution_node

        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


STUDENT_SUFFIX = "_student"


def student_substitutions(substitutions: dict[str, Any]) -> dict[str, Any]:
    """``substitutions`` with every ``name`` replaced by ``name_student`` where that exists."""
    out = dict(substitutions)
    for key, value in substitutions.items():
        if key.endswith(STUDENT_SUFFIX) and key[: -len(STUDENT_SUFFIX)] in substitutions:
            out[key[: -len(STUDENT_SUFFIX)]] = value
    return out


def use_student_substitutions(app: Sphinx, config) -> None:
    if student_edition() and getattr(config, "myst_substitutions", None):
        config.myst_substitutions = student_substitutions(config.myst_substitutions)


def announce(app: Sphinx) -> None:
    if student_edition():
        logger.info("student_edition: building the student site (solutions removed)")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(RemoveSolutions)
    app.connect("config-inited", use_student_substitutions)
    app.connect("builder-inited", announce)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
