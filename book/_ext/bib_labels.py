"""Bibliography labels: the alpha labels of pybtex ("[Ros58]"), except for an entry that gives its own.

The book cites one source without an author or a year, the report it was written from (``baocaogoc`` in
references.bib). pybtex's alpha style would label it from its placeholder author and year ("[Khuyetdanhăm]").
An entry may set ``shorthand`` (the biblatex field for exactly this) to choose its label; every other entry keeps
its alpha label. Registered as the pybtex formatting style ``mixerbook`` (``bibtex_default_style`` in _config.yml).
"""

from __future__ import annotations

from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels.alpha import LabelStyle as AlphaLabels


class ShorthandLabels(AlphaLabels):
    """Alpha labels, or the entry's ``shorthand`` field when it has one."""

    def format_labels(self, sorted_entries):
        for entry, label in zip(sorted_entries, super().format_labels(sorted_entries), strict=True):
            yield entry.fields.get("shorthand") or label


class Style(AlphaStyle):
    default_label_style = "mixerbook"


def setup(app: Any) -> dict[str, Any]:
    register_plugin("pybtex.style.labels", "mixerbook", ShorthandLabels)
    register_plugin("pybtex.style.formatting", "mixerbook", Style)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
