"""Token-mixing and channel-mixing taken apart (Tolstikhin et al., 2021, arXiv:2105.01601, Section 2, Eq. 1).

Tools of the chapter "Trộn token và trộn kênh": one Mixer layer step by step, which inputs feed a
cell of the table, how a layer reacts to a permutation of the tokens (token-mixing MLP versus
self-attention), token-mixing written as a grouped 1-D convolution, and the learned token-mixing
weights laid out on the patch grid (the paper's Figure 5).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from .models.mixer import MixerBlock, MlpBlock

__all__ = [
    "MixingSteps",
    "block_steps",
    "token_mixing_sublayer",
    "mixing_sources",
    "STEPS",
    "permutation_error",
    "attention_layer",
    "TokenMixingAsConv",
    "token_weight_grids",
    "opposite_phase_partners",
]

STEPS = ("input", "token", "channel")
"""The stages of one Mixer layer: the input table X, after token-mixing (U), after channel-mixing (Y)."""


@dataclass
class MixingSteps:
    """The table of one image before and after each half of a Mixer layer.

    Attributes:
        x: (S, C) input table X.
        u: (S, C) after token-mixing with its skip connection, U = X + token-MLP.
        y: (S, C) after channel-mixing with its skip connection, Y = U + channel-MLP.
    """

    x: torch.Tensor
    u: torch.Tensor
    y: torch.Tensor

    def table(self, step: str) -> torch.Tensor:
        """The (S, C) table at ``step`` ("input", "token" or "channel")."""
        if step not in STEPS:
            raise ValueError(f"Unknown step {step!r}; expected one of {', '.join(STEPS)}.")
        return {"input": self.x, "token": self.u, "channel": self.y}[step]


def token_mixing_sublayer(block: MixerBlock, x: torch.Tensor) -> torch.Tensor:
    """The first half of a Mixer layer: U = X + W2 GELU(W1 LayerNorm(X)) column by column.

    Args:
        block: a :class:`mixerbook.models.MixerBlock` (its ``norm1`` and ``token_mixing``).
        x: (B, S, C) tables.

    Returns:
        (B, S, C) tables U.
    """
    y = block.norm1(x)  # (B, S, C)
    y = y.transpose(1, 2)  # (B, S, C) -> (B, C, S)
    y = block.token_mixing(y)  # one MLP for every channel column
    y = y.transpose(1, 2)  # (B, C, S) -> (B, S, C)
    return x + y


@torch.no_grad()
def block_steps(block: MixerBlock, x: torch.Tensor) -> MixingSteps:
    """Run one Mixer layer on one table and keep the table after each half.

    Args:
        block: a :class:`mixerbook.models.MixerBlock`.
        x: (S, C) or (1, S, C) table, on the block's device.

    Returns:
        :class:`MixingSteps` with (S, C) tables on the CPU; ``y`` equals ``block(x)``.
    """
    if x.dim() == 2:
        x = x.unsqueeze(0)  # (S, C) -> (1, S, C)
    if x.dim() != 3 or x.shape[0] != 1:
        raise ValueError(f"block_steps expects one (S, C) table, got shape {tuple(x.shape)}.")
    u = token_mixing_sublayer(block, x)  # (1, S, C)
    y = u + block.channel_mixing(block.norm2(u))  # (1, S, C): one MLP for every token row
    return MixingSteps(x[0].detach().cpu(), u[0].detach().cpu(), y[0].detach().cpu())


def mixing_sources(num_patches: int, hidden_dim: int, row: int, col: int, step: str) -> torch.Tensor:
    """Which cells of the table before ``step`` feed cell (row, col) of the table after it.

    * ``"token"``: U[row, col] is computed from column ``col`` of X (all S tokens of one channel);
    * ``"channel"``: Y[row, col] is computed from row ``row`` of U (all C channels of one token);
    * ``"block"``: through both halves, Y[row, col] depends on every cell of X.

    (LayerNorm looks along a row, so strictly U[row, col] also sees the rest of each row through the
    mean and variance it divides by; the mask shows the cells whose values are mixed.)

    Args:
        num_patches: S, rows of the table.
        hidden_dim: C, columns of the table.
        row, col: the cell.
        step: "token", "channel" or "block".

    Returns:
        (S, C) bool mask.
    """
    if not (0 <= row < num_patches and 0 <= col < hidden_dim):
        raise ValueError(f"Cell ({row}, {col}) lies outside a {num_patches}x{hidden_dim} table.")
    mask = torch.zeros(num_patches, hidden_dim, dtype=torch.bool)
    if step == "token":
        mask[:, col] = True
    elif step == "channel":
        mask[row, :] = True
    elif step == "block":
        mask[:] = True
    else:
        raise ValueError(f"Unknown step {step!r}; expected 'token', 'channel' or 'block'.")
    return mask


@torch.no_grad()
def permutation_error(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, perm: torch.Tensor) -> float:
    """How far ``f`` is from commuting with a reordering of the tokens: max |f(Px) - P f(x)|.

    Zero (up to rounding) for a permutation-equivariant layer, such as self-attention without
    position embeddings; large for a token-mixing MLP, whose weights belong to positions.

    Args:
        f: maps (B, S, C) tables to (B, S, C) tables.
        x: (B, S, C) tables.
        perm: (S,) permutation of the token indices; P x is ``x[:, perm]``.

    Returns:
        The largest absolute difference, a float.
    """
    if x.dim() != 3:
        raise ValueError(f"permutation_error expects (B, S, C) tables, got shape {tuple(x.shape)}.")
    perm = torch.as_tensor(perm, dtype=torch.long, device=x.device)
    if not torch.equal(torch.sort(perm).values, torch.arange(x.shape[1], device=x.device)):
        raise ValueError(f"perm must be a permutation of 0 .. {x.shape[1] - 1}, got {perm.tolist()[:12]}.")
    return float((f(x[:, perm]) - f(x)[:, perm]).abs().max())


def attention_layer(hidden_dim: int, num_heads: int = 4, seed: int = 0) -> Callable[[torch.Tensor], torch.Tensor]:
    """Self-attention over the tokens, without position embeddings: (B, S, C) -> (B, S, C).

    Built on ``torch.nn.MultiheadAttention`` (query = key = value = the tokens), with seeded weights.
    The returned function has the module as its attribute ``module``.

    Args:
        hidden_dim: C; must be divisible by ``num_heads``.
        num_heads: attention heads.
        seed: seeds the initial weights.
    """
    if hidden_dim % num_heads:
        raise ValueError(f"hidden_dim {hidden_dim} must be divisible by num_heads {num_heads}.")
    with torch.random.fork_rng(devices=[]):  # seeded weights, the caller's random stream untouched
        torch.manual_seed(seed)
        module = nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True).eval()

    def attend(x: torch.Tensor) -> torch.Tensor:
        return module(x, x, x, need_weights=False)[0]

    attend.module = module  # type: ignore[attr-defined]
    return attend


class TokenMixingAsConv(nn.Module):
    """A token-mixing MLP written as two grouped 1-D convolutions over the tokens (paper §2).

    The input is the transposed table (B, C, S): C channels, each a sequence of S tokens.

    * ``conv1 = Conv1d(C, C*D_S, kernel_size=S, groups=C)``: a depth-wise convolution whose kernel
      covers all S tokens (a full receptive field); group ``c`` reads only channel ``c`` and holds a
      copy of W1 (D_S x S), plus b1.
    * ``conv2 = Conv1d(C*D_S, C*S, kernel_size=1, groups=C)``: group ``c`` holds a copy of W2 (S x D_S),
      plus b2.

    With every group holding the same copy, the module computes exactly what the shared MLP computes.
    The convolution stores C copies, so it has C times the MLP's parameters: that count is what a
    Mixer whose channels did NOT share their token-mixing MLP would need.

    Args:
        mlp: the token-mixing :class:`mixerbook.models.MlpBlock` (``fc1``: S -> D_S, ``fc2``: D_S -> S).
        hidden_dim: C, the number of channel columns.

    Shapes:
        ``(B, C, S)`` -> ``(B, C, S)``, like ``mlp`` applied to the last axis.
    """

    def __init__(self, mlp: MlpBlock, hidden_dim: int) -> None:
        super().__init__()
        tokens_mlp_dim, num_patches = mlp.fc1.weight.shape  # W1: (D_S, S)
        c = hidden_dim
        self.num_patches, self.hidden_dim, self.tokens_mlp_dim = num_patches, c, tokens_mlp_dim
        self.conv1 = nn.Conv1d(c, c * tokens_mlp_dim, kernel_size=num_patches, groups=c)
        self.act = nn.GELU()
        self.conv2 = nn.Conv1d(c * tokens_mlp_dim, c * num_patches, kernel_size=1, groups=c)
        with torch.no_grad():
            # conv1.weight: (C*D_S, 1, S), group c = rows c*D_S ... (c+1)*D_S - 1
            self.conv1.weight.copy_(mlp.fc1.weight.repeat(c, 1).unsqueeze(1))
            self.conv1.bias.copy_(mlp.fc1.bias.repeat(c))
            # conv2.weight: (C*S, D_S, 1), group c = rows c*S ... (c+1)*S - 1
            self.conv2.weight.copy_(mlp.fc2.weight.repeat(c, 1).unsqueeze(2))
            self.conv2.bias.copy_(mlp.fc2.bias.repeat(c))

    def first_layer(self, x: torch.Tensor) -> torch.Tensor:
        """W1 y + b1 for every channel column: (B, C, S) -> (B, C, D_S)."""
        h = self.conv1(x)  # (B, C, S) -> (B, C*D_S, 1): one output position, the kernel spans all S
        return h.reshape(x.shape[0], self.hidden_dim, self.tokens_mlp_dim)  # -> (B, C, D_S)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[1:] != (self.hidden_dim, self.num_patches):
            raise ValueError(f"TokenMixingAsConv expects (B, {self.hidden_dim}, {self.num_patches}) input, "
                             f"got {tuple(x.shape)}.")
        h = self.act(self.conv1(x))  # (B, C, S) -> (B, C*D_S, 1)
        y = self.conv2(h)  # (B, C*D_S, 1) -> (B, C*S, 1)
        return y.reshape(x.shape[0], self.hidden_dim, self.num_patches)  # -> (B, C, S)


def token_weight_grids(block: MixerBlock) -> torch.Tensor:
    """The first-layer weights of a token-mixing MLP, one image per hidden unit, on the patch grid.

    Row ``k`` of W1 (D_S x S) holds hidden unit k's weight for each of the S patches; patches are
    numbered row by row, so the row reshapes to the sqrt(S) x sqrt(S) grid of the image (paper §3.5,
    Figure 5).

    Args:
        block: a :class:`mixerbook.models.MixerBlock` whose S is a square number.

    Returns:
        (D_S, sqrt(S), sqrt(S)) float tensor on the CPU.
    """
    w = block.token_mixing.fc1.weight.detach().float().cpu()  # (D_S, S)
    side = math.isqrt(w.shape[1])
    if side * side != w.shape[1]:
        raise ValueError(f"S = {w.shape[1]} tokens is not a square grid; token_weight_grids needs square images.")
    return w.reshape(w.shape[0], side, side)


def opposite_phase_partners(grids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each hidden unit, the other unit whose weights point most nearly the opposite way.

    Figure 5 of the paper shows many token-mixing units in pairs of opposite phase (one weight map
    close to the negative of the other). The cosine similarity of two flattened maps is -1 for an
    exact opposite pair, and about 0 for unrelated random maps.

    Args:
        grids: (D, ...) weight maps of D units (e.g. from :func:`token_weight_grids`).

    Returns:
        ``(partner, cosine)``: (D,) int64 index of each unit's partner and (D,) their cosine similarity.
    """
    if grids.dim() < 2 or grids.shape[0] < 2:
        raise ValueError(f"opposite_phase_partners needs at least two units, got shape {tuple(grids.shape)}.")
    w = grids.reshape(grids.shape[0], -1).float()
    w = w / w.norm(dim=1, keepdim=True).clamp_min(1e-12)
    cos = w @ w.T  # (D, D)
    cos.fill_diagonal_(float("inf"))
    cosine, partner = cos.min(dim=1)
    return partner, cosine
