"""Expansion explorer (chapter 7): the token-mixing W1 of a Mixer block copied K² times for a K-times larger image.

Python ships each block's token-mixing ``fc1.weight`` (D_S x S) once, as float32 bytes;
``expansion.js`` builds the expanded W1' (K² D_S x K² S) in the browser for the chosen K and draws
it like :func:`mixerbook.viz.plot_token_blocks`. ``blockOrder`` and ``expandTokenWeight`` there equal
:func:`mixerbook.models.mixer.block_order` and the ``fc1.weight`` of
:func:`mixerbook.models.mixer.expand_token_mlp` (parity tests); :func:`shows` rebuilds the token
MLP from the shipped weights and expands it with the package's own function.
"""

from __future__ import annotations

import torch
import traitlets

from ._base import Explorer, f32_bytes, from_f32

__all__ = ["ExpansionExplorer", "expansion_explorer", "shows", "MAX_FACTOR"]

#: the largest K offered
MAX_FACTOR = 4


class ExpansionExplorer(Explorer):
    """K and a Mixer block, over every block's token-mixing W1."""

    _kind = "expansion"
    control_names = ("factor", "block")
    factor = traitlets.Int(2).tag(sync=True)
    block = traitlets.Int(0).tag(sync=True)
    num_blocks = traitlets.Int(1).tag(sync=True)
    #: g, the side of the original token grid (S = g**2)
    grid = traitlets.Int(1).tag(sync=True)
    #: D_S, hidden width of the token-mixing MLP
    hidden = traitlets.Int(1).tag(sync=True)
    #: (num_blocks, D_S, S) float32: each block's token_mixing.fc1.weight
    weights = traitlets.Bytes(b"").tag(sync=True)


def expansion_explorer(model: torch.nn.Module, factor: int = 2, block: int = 0) -> ExpansionExplorer:
    """Choose K and a Mixer block; see how its token-mixing W1 is copied block-diagonally for a K-times larger image.

    The picture follows :func:`mixerbook.viz.plot_token_blocks` for the ``fc1.weight`` that
    :func:`mixerbook.models.mixer.expand_token_mlp` makes of block ``block``'s token-mixing MLP.

    Args:
        model: an :class:`~mixerbook.models.MlpMixer` (trained or not).
        factor: initial K (1 to 4).
        block: initial Mixer block.

    Raises:
        ValueError: for a model that is not an MlpMixer, K outside 1..4 or a block out of range.
    """
    from ..models import MlpMixer

    if not isinstance(model, MlpMixer):
        raise ValueError(f"expansion_explorer needs an MlpMixer, got {type(model).__name__}.")
    num_blocks = len(model.blocks)
    if not (isinstance(factor, int) and 1 <= factor <= MAX_FACTOR) or not 0 <= block < num_blocks:
        raise ValueError(f"factor must be in 1..{MAX_FACTOR} and block in 0..{num_blocks - 1}; "
                         f"got {factor} and {block}.")
    grid = model.stem.grid_size
    weights = torch.stack([b.token_mixing.fc1.weight.detach().float().cpu() for b in model.blocks])  # (n, D_S, S)
    return ExpansionExplorer(factor=factor, block=block, num_blocks=num_blocks, grid=grid,
                             hidden=weights.shape[1], weights=f32_bytes(weights))


@torch.no_grad()
def expanded_weight(state: dict, block: int, factor: int) -> torch.Tensor:
    """W1' of ``block`` for K = ``factor``: the shipped W1 put into a token MLP, expanded by the package."""
    from ..models import MlpBlock
    from ..models.mixer import expand_token_mlp

    g, hidden = state["grid"], state["hidden"]
    w = from_f32(state["weights"], (state["num_blocks"], hidden, g * g))[block]
    with torch.random.fork_rng(devices=[]):  # the initial weights are overwritten; keep the caller's stream
        mlp = MlpBlock(g * g, hidden)
        mlp.fc1.weight.copy_(torch.from_numpy(w.copy()))
        return expand_token_mlp(mlp, g, factor).fc1.weight


def shows(values: dict, state: dict) -> dict:
    """What the explorer must show: the shape of W1', its nonzero count, the sum of the flat indices
    of its nonzero entries, and the tokens hidden unit 0 reads (row 0's nonzero columns)."""
    weight = expanded_weight(state, values["block"], values["factor"])
    nonzero = weight != 0
    return {"factor": values["factor"], "block": values["block"], "shape": list(weight.shape),
            "nonzero": int(nonzero.sum()), "checksum": int(torch.nonzero(nonzero.flatten()).sum()),
            "row0": torch.nonzero(nonzero[0]).flatten().tolist()}


def example() -> ExpansionExplorer:
    """A small instance for the gallery page: an untrained 2-block Mixer with a 3 x 3 token grid."""
    from ..models import MlpMixer

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = MlpMixer(num_classes=10, num_blocks=2, patch_size=4, hidden_dim=8, tokens_mlp_dim=6,
                         channels_mlp_dim=16, image_size=12, in_channels=1)
    return expansion_explorer(model, factor=2, block=0)
