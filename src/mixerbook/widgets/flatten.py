"""Flatten explorer (chapter 1): a pixel of a small grid, its 2-D neighbours, and their places in the flat vector.

Everything is computed in the browser by ``flatten.js`` (``neighbours`` there equals
:func:`mixerbook.viz.neighbours`, checked by a parity test).
"""

from __future__ import annotations

import traitlets

from .. import viz
from ._base import Explorer

__all__ = ["FlattenExplorer", "flatten_explorer", "shows"]


class FlattenExplorer(Explorer):
    """Grid size, a pixel, and whether diagonal neighbours count."""

    _kind = "flatten"
    control_names = ("height", "width", "row", "col", "diagonal")
    height = traitlets.Int(5).tag(sync=True)
    width = traitlets.Int(5).tag(sync=True)
    row = traitlets.Int(2).tag(sync=True)
    col = traitlets.Int(2).tag(sync=True)
    diagonal = traitlets.Bool(True).tag(sync=True)


def flatten_explorer(height: int = 5, width: int = 5) -> FlattenExplorer:
    """Pick a pixel of a height x width grid (3 to 10 each); see its neighbours in the flat vector.

    Raises:
        ValueError: for a side outside 3..10.
    """
    if not (3 <= height <= 10 and 3 <= width <= 10):
        raise ValueError(f"flatten_explorer takes grid sides from 3 to 10, got {height}x{width}.")
    return FlattenExplorer(height=height, width=width, row=height // 2, col=width // 2)


def shows(values: dict, state: dict) -> dict:  # noqa: ARG001 - the grid is all in the values
    """What the explorer must show for ``values``, computed with :func:`mixerbook.viz.neighbours`."""
    near = viz.neighbours(values["row"], values["col"], values["height"], values["width"], values["diagonal"])
    return {"pixel": [values["row"], values["col"]], "neighbours": [list(p) for p in near],
            "flat": sorted(r * values["width"] + c for r, c in near)}


def example() -> FlattenExplorer:
    """A small instance for the gallery page of the tests."""
    return flatten_explorer(4, 6)
