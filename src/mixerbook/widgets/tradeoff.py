"""Trade-off explorer (chapter 8): ImageNet accuracy against throughput in the MLP-Mixer paper's Tables 2-3.

Python ships the rows of :data:`mixerbook.paper.RESULTS` and the report's lines
(:data:`mixerbook.paper.REPORT_TABLE`) once, as small lists of dicts; ``tradeoff.js`` filters them
by the controls and draws :func:`mixerbook.viz.plot_accuracy_throughput`'s picture in SVG.
:func:`shows` applies the same filters to :mod:`mixerbook.paper`'s own tables.
"""

from __future__ import annotations

import traitlets

from .. import paper, viz
from ._base import Explorer

__all__ = ["TradeoffExplorer", "tradeoff_explorer", "row_key", "shows", "ALL", "TABLE_CHOICES"]

ALL = "Tất cả"
#: the "which table's rows" choices, as the chapter names them
TABLE_CHOICES: dict[str, tuple[paper.PaperResult, ...]] = {
    "Bảng 2 và 3": paper.RESULTS, "Bảng 2": paper.TABLE2, "Bảng 3": paper.TABLE3,
}


def row_key(row: paper.PaperResult) -> str:
    """A key unique to each row of Tables 2-3, e.g. ``"B3 Mixer-L/16 JFT-300M 224px 14ep"``."""
    table = "B2" if "Table 2" in row.source else "B3"
    res = f"{row.resolution}px" if row.resolution else "?px"
    epochs = f" {row.pretrain_epochs}ep" if row.pretrain_epochs else ""
    return f"{table} {row.model} {row.pretrain} {res}{epochs}"


def _row(row: paper.PaperResult) -> dict:
    return {"key": row_key(row), "model": row.model, "family": row.family, "pretrain": row.pretrain,
            "resolution": row.resolution, "top1": row.top1, "throughput": row.throughput,
            "table": 2 if "Table 2" in row.source else 3, "label": viz._short_model(row)}


def _claim(claim: paper.ReportClaim) -> dict:
    return {"model": claim.model, "top1": claim.top1, "throughput": claim.throughput,
            "paired": claim.paired_correctly, "target": row_key(claim.accuracy_row)}


class TradeoffExplorer(Explorer):
    """Pre-training set to bring forward, which table's rows, and the report's wrongly paired lines."""

    _kind = "tradeoff"
    control_names = ("pretrain", "tables", "show_report")
    pretrain = traitlets.Unicode(ALL).tag(sync=True)
    tables = traitlets.Unicode("Bảng 2 và 3").tag(sync=True)
    show_report = traitlets.Bool(True).tag(sync=True)
    pretrain_options = traitlets.List(traitlets.Unicode(), [ALL, *paper.PRETRAIN_SETS]).tag(sync=True)
    table_options = traitlets.List(traitlets.Unicode(), list(TABLE_CHOICES)).tag(sync=True)
    rows = traitlets.List(traitlets.Dict(), []).tag(sync=True)
    claims = traitlets.List(traitlets.Dict(), []).tag(sync=True)


def tradeoff_explorer(pretrain: str = ALL, tables: str = "Bảng 2 và 3", show_report: bool = True) -> TradeoffExplorer:
    """Accuracy against throughput of the MLP-Mixer paper's Tables 2-3, with filters.

    Controls: the pre-training set to bring forward (the others fade), which table's rows to draw,
    and whether to draw the source report's wrongly paired lines (:data:`mixerbook.paper.REPORT_TABLE`)
    as crosses with an arrow to where their accuracy really belongs. The picture is
    :func:`mixerbook.viz.plot_accuracy_throughput`'s, drawn in the browser.

    Raises:
        ValueError: for a pre-training set or a table choice that is not offered.
    """
    sets = [ALL, *paper.PRETRAIN_SETS]
    if pretrain not in sets or tables not in TABLE_CHOICES:
        raise ValueError(f"tradeoff_explorer: pretrain must be one of {sets} and tables one of "
                         f"{list(TABLE_CHOICES)}; got {pretrain!r} and {tables!r}.")
    return TradeoffExplorer(pretrain=pretrain, tables=tables, show_report=bool(show_report),
                            rows=[_row(r) for r in paper.RESULTS if r.throughput is not None],
                            claims=[_claim(c) for c in paper.REPORT_TABLE])


def shows(values: dict, state: dict) -> dict:  # noqa: ARG001 - the rows come from mixerbook.paper itself
    """The points drawn, those at full strength, and the report lines drawn, from :mod:`mixerbook.paper`."""
    rows = [r for r in TABLE_CHOICES[values["tables"]] if r.throughput is not None]
    pretrain = values["pretrain"]
    return {"points": [row_key(r) for r in rows],
            "highlighted": [row_key(r) for r in rows if pretrain in (ALL, r.pretrain)],
            "report": [c.model for c in paper.REPORT_TABLE if not c.paired_correctly] if values["show_report"] else []}


def example() -> TradeoffExplorer:
    """A small instance for the gallery page of the tests."""
    return tradeoff_explorer()
