"""Mixing-table explorer (chapter 6): pick a cell of an S x C table and step through one Mixer layer.

Python runs the layer once (:func:`mixerbook.mixing.block_steps`) and ships the three tables X, U
and Y as float32 bytes; ``mixing_table.js`` draws them as heatmaps and works out in the browser
which cells feed the chosen cell (``mixingSources`` there equals
:func:`mixerbook.mixing.mixing_sources`, checked by a parity test).
"""

from __future__ import annotations

import numpy as np
import torch
import traitlets

from ._base import Explorer, f32_bytes, from_f32

__all__ = ["MixingTableExplorer", "mixing_table_explorer", "shows"]

#: step -> (table that holds the chosen cell, {table: step of mixing_sources marking the cells that feed it})
_PANELS = {
    "input": {},
    "token": {"X": "token"},
    "channel": {"U": "channel", "X": "block"},
}


class MixingTableExplorer(Explorer):
    """A cell (token j = ``row``, channel i = ``col``) and a step of one Mixer layer, over three shipped tables."""

    _kind = "mixing_table"
    control_names = ("row", "col", "step")
    row = traitlets.Int(0).tag(sync=True)
    col = traitlets.Int(0).tag(sync=True)
    step = traitlets.Unicode("token").tag(sync=True)
    num_patches = traitlets.Int(1).tag(sync=True)
    hidden_dim = traitlets.Int(1).tag(sync=True)
    #: (3, S, C) float32: X, U, Y
    tables = traitlets.Bytes(b"").tag(sync=True)


def mixing_table_explorer(block: torch.nn.Module, table: torch.Tensor, row: int = 0, col: int = 0,
                          step: str = "token") -> MixingTableExplorer:
    """Pick a cell of an S x C table and step through one Mixer layer: which cells feed it?

    The layer is run once (:func:`mixerbook.mixing.block_steps`); the browser draws X, U and Y
    like :func:`mixerbook.viz.plot_mixing_table` and reacts to the controls without a kernel.

    Args:
        block: a :class:`mixerbook.models.MixerBlock` whose S and C match ``table``.
        table: (S, C) input table X (e.g. the patch embedding of one image), on the block's device.
        row, col: initial cell (token j, channel i).
        step: initial step: "input", "token" or "channel".

    Raises:
        ValueError: for a table that is not (S, C), a block of another S or C, a cell outside the
            table or an unknown step.
    """
    from ..mixing import STEPS, block_steps

    if not isinstance(table, torch.Tensor) or table.dim() != 2:
        shape = tuple(table.shape) if hasattr(table, "shape") else type(table).__name__
        raise ValueError(f"mixing_table_explorer expects one (S, C) table, got shape {shape}.")
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}; expected one of {', '.join(STEPS)}.")
    s, c = table.shape
    token_mlp = getattr(getattr(block, "token_mixing", None), "fc1", None)
    norm = getattr(block, "norm1", None)
    if token_mlp is None or norm is None:
        raise ValueError(f"mixing_table_explorer needs a MixerBlock, got {type(block).__name__}.")
    if token_mlp.in_features != s or tuple(norm.normalized_shape) != (c,):
        raise ValueError(f"The block mixes {token_mlp.in_features} tokens of {tuple(norm.normalized_shape)[0]} "
                         f"channels, but the table is {s}x{c}.")
    if not (0 <= row < s and 0 <= col < c):
        raise ValueError(f"Cell ({row}, {col}) lies outside the {s}x{c} table (rows 0..{s - 1}, "
                         f"columns 0..{c - 1}).")
    steps = block_steps(block, table)
    data = torch.stack([steps.x, steps.u, steps.y])  # (3, S, C)
    return MixingTableExplorer(row=row, col=col, step=step, num_patches=s, hidden_dim=c, tables=f32_bytes(data))


def _span(mask: torch.Tensor) -> dict[str, list[int]]:
    """The rows and the columns that hold a True cell of an (S, C) mask."""
    return {"rows": torch.nonzero(mask.any(dim=1)).flatten().tolist(),
            "cols": torch.nonzero(mask.any(dim=0)).flatten().tolist()}


def shows(values: dict, state: dict) -> dict:
    """What the explorer must show for ``values``, computed with :func:`mixerbook.mixing.mixing_sources`.

    ``sources`` maps a table (``"X"``, ``"U"``) to the rows and columns of the cells marked in it as
    feeding the chosen cell; ``value`` is the chosen cell of the table at ``step`` (the float32
    value, exactly).
    """
    from ..mixing import STEPS, mixing_sources

    s, c = state["num_patches"], state["hidden_dim"]
    row, col, step = values["row"], values["col"], values["step"]
    sources = {name: _span(mixing_sources(s, c, row, col, how)) for name, how in _PANELS[step].items()}
    tables = from_f32(state["tables"], (3, s, c))
    value = float(np.float32(tables[STEPS.index(step), row, col]))
    return {"step": step, "cell": [row, col], "sources": sources, "value": value}


def example() -> MixingTableExplorer:
    """A small instance for the gallery page of the tests: an untrained block on a 4 x 6 table."""
    from ..models import MixerBlock

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        block = MixerBlock(num_patches=4, hidden_dim=6, tokens_mlp_dim=8, channels_mlp_dim=12).eval()
        table = torch.randn(4, 6)
    return mixing_table_explorer(block, table, row=1, col=2, step="token")
