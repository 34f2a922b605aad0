"""Mixing (chapter 6): which cells of the table feed a cell at each step of a Mixer layer, and the
learned token-mixing weights on the patch grid."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._common import _mosaic, _numpy_image
from .style import COLORS, PAGE_WIDTH, SMALL_SIZE

__all__ = ["plot_mixing_table", "plot_token_weights"]


_STEP_TITLES = {
    "input": "X: bảng đầu vào",
    "token": "U = X + trộn token",
    "channel": "Y = U + trộn kênh",
}


def plot_mixing_table(steps, row: int = 0, col: int = 0, step: str = "token",
                      title: str | None = None) -> Figure:
    """One Mixer layer on one table: which cells feed cell (row, col) at each step.

    Three tables are drawn: X (input), U (after token-mixing), Y (after channel-mixing).
    ``step="input"`` marks the cell in X; ``"token"`` tints column ``col`` of X, the cells that
    token-mixing combines into U[row, col]; ``"channel"`` tints row ``row`` of U, the cells that
    channel-mixing combines into Y[row, col], and faintly all of X, on which Y[row, col] depends
    after both steps. Tables not computed yet at ``step`` are greyed out.

    Args:
        steps: a :class:`mixerbook.mixing.MixingSteps` (attributes ``x``, ``u``, ``y``, each (S, C)).
        row: token index j (0 … S-1).
        col: channel index i (0 … C-1).
        step: "input", "token" or "channel".
        title: figure title (default: a sentence saying what feeds the cell).
    """
    from ..mixing import STEPS, mixing_sources

    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}; expected one of {', '.join(STEPS)}.")
    s, c = steps.x.shape
    if not (0 <= row < s and 0 <= col < c):
        raise ValueError(f"Cell ({row}, {col}) lies outside the {s}x{c} table (rows 0 … {s - 1}, "
                         f"columns 0 … {c - 1}).")
    level = STEPS.index(step)
    annotate = s * c <= 60
    wide = c > 2 * s
    if wide:
        fig, axes = plt.subplots(3, 1, figsize=(7.15, 1.2 + 3 * max(1.3, 0.13 * s)))
    else:
        fig, axes = plt.subplots(1, 3, figsize=(7.15, 1.4 + max(1.8, 0.55 * s)))
    sources: dict[int, tuple[torch.Tensor, bool]] = {}  # panel -> (cells that feed the target, whole table?)
    if level == 1:
        sources[0] = (mixing_sources(s, c, row, col, "token"), False)
    if level == 2:
        sources[1] = (mixing_sources(s, c, row, col, "channel"), False)
        sources[0] = (mixing_sources(s, c, row, col, "block"), True)
    for k, (ax, key) in enumerate(zip(axes, STEPS, strict=True)):
        values = steps.table(key).numpy()
        ax.set_xticks(range(c) if c <= 16 else sorted({0, c // 4, c // 2, 3 * c // 4, c - 1}))
        ax.set_yticks(range(s) if s <= 16 else [0, s - 1])
        ax.set_xlabel("kênh i", fontsize=8, labelpad=1)
        ax.set_ylabel("token j", fontsize=8)
        ax.tick_params(labelsize=7)
        for spine in ax.spines.values():
            spine.set_visible(True)
        if k > level:
            ax.imshow(np.zeros_like(values), cmap="Greys", vmin=0, vmax=4, aspect="auto")
            ax.text((c - 1) / 2, (s - 1) / 2, "chưa tính", ha="center", va="center", color="#777777")
            ax.set_title(_STEP_TITLES[key], fontsize=10, color="#999999")
            continue
        lim = float(np.abs(values).max()) or 1.0
        ax.imshow(values, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest")
        if k in sources:  # the mask is a whole column, a whole row or the whole table: outline its box
            mask, whole = sources[k]
            rows_, cols_ = np.nonzero(mask.numpy())
            r0, r1, c0, c1 = rows_.min(), rows_.max(), cols_.min(), cols_.max()
            ax.add_patch(Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False,
                                   edgecolor=COLORS["near"], lw=2 if whole or not annotate else 4,
                                   hatch="//" if whole else None, ls="--" if whole else "-"))
        if annotate:
            for r in range(s):
                for q in range(c):
                    ax.text(q, r, f"{values[r, q]:.2f}", ha="center", va="center", fontsize=8,
                            color="white" if abs(values[r, q]) > 0.6 * lim else "black")
        if k == level:
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="black", lw=3))
        ax.set_title(_STEP_TITLES[key], fontsize=10)
    if title is None:
        if level == 0:
            title = f"Ô ({row}, {col}) của X: token {row}, kênh {col}"
        elif level == 1:
            title = (f"U[{row}, {col}] (khung đậm) được trộn từ cột {col} của X (khung vàng): {s} token của cùng "
                     f"kênh {col}")
        else:
            title = (f"Y[{row}, {col}] (khung đậm) được trộn từ hàng {row} của U (khung vàng): {c} kênh của cùng token "
                     f"{row};\nqua cả hai bước, nó phụ thuộc vào mọi ô của X (gạch chéo)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_token_weights(grids: torch.Tensor, unit: int = 0, label: str = "", partner: int | None = None,
                       cosine: float | None = None, image: torch.Tensor | None = None) -> Figure:
    """Learned token-mixing weights drawn on the patch grid, in the manner of the paper's Figure 5.

    Left: hidden unit ``unit``'s weights, one per patch, on the sqrt(S) x sqrt(S) grid (red positive,
    blue negative), over a faint copy of ``image`` when given. Middle: its most opposite unit
    ``partner`` (when given). Right: every unit of the layer, each scaled to its own range, the chosen
    one outlined.

    Args:
        grids: (D_S, g, g) weight maps (:func:`mixerbook.mixing.token_weight_grids`).
        unit: the hidden unit shown large.
        label: name of the layer, for the titles (e.g. "lớp Mixer 0").
        partner: index of the unit drawn in the middle, or None.
        cosine: cosine similarity between ``unit`` and ``partner``, shown in the title.
        image: optional (H, W) image whose patch grid matches, drawn underneath.
    """
    d, g, _ = grids.shape
    if not 0 <= unit < d:
        raise ValueError(f"unit must be between 0 and {d - 1}, got {unit}.")
    if partner is not None and not 0 <= partner < d:
        raise ValueError(f"partner must be between 0 and {d - 1}, got {partner}.")
    arr = grids.detach().float().cpu().numpy()
    panels = 3 if partner is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(PAGE_WIDTH - 0.2 if panels == 3 else 4.9, 2.95),
                             gridspec_kw={"width_ratios": [1] * (panels - 1) + [1.1]})

    def one(ax, k, heading):
        lim = float(np.abs(arr[k]).max()) or 1.0
        extent = (-0.5, g - 0.5, g - 0.5, -0.5)
        if image is not None:
            ax.imshow(_numpy_image(image), cmap="gray", extent=extent, alpha=0.5)
        ax.imshow(arr[k], cmap="RdBu_r", vmin=-lim, vmax=lim, extent=extent, interpolation="nearest",
                  alpha=0.75 if image is not None else 1.0)
        for q in range(1, g):
            ax.axhline(q - 0.5, color="white", lw=0.6)
            ax.axvline(q - 0.5, color="white", lw=0.6)
        if g <= 8:
            for r in range(g):
                for q in range(g):
                    ax.text(q, r, f"{arr[k, r, q]:+.2f}", ha="center", va="center", fontsize=SMALL_SIZE,
                            color="white" if abs(arr[k, r, q]) > 0.6 * lim else "black")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(heading, fontsize=SMALL_SIZE + 1)

    where = f" ({label})" if label else ""
    one(axes[0], unit, f"nơ-ron ẩn {unit}{where}:\n{g * g} trọng số, lưới {g}×{g} patch")
    if partner is not None:
        extra = f"\n(cosine {cosine:+.2f})" if cosine is not None else ""
        one(axes[1], partner, f"nơ-ron {partner}: ngược pha nhất{extra}")
    ncols = int(np.ceil(np.sqrt(d)))
    ax = axes[-1]
    ax.imshow(_mosaic(arr, ncols, signed=True), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    for k, color in ((unit, COLORS["focus"]), (partner, COLORS["accent"])):
        if k is None:
            continue
        r, q = divmod(k, ncols)
        ax.add_patch(Rectangle((q * (g + 1) - 0.75, r * (g + 1) - 0.75), g + 0.5, g + 0.5, fill=False,
                               edgecolor=color, lw=2, clip_on=False))
    ax.set_title(f"Cả {d} nơ-ron ẩn\ncủa {label or 'lớp'}", fontsize=SMALL_SIZE + 1)
    ax.axis("off")
    fig.text(0.5, 0.01, "đỏ: trọng số dương, xanh: âm; mỗi ô vuông là một patch", ha="center", fontsize=SMALL_SIZE,
             color="#555555")
    fig.tight_layout(rect=(0, 0.05, 1, 1), w_pad=0.6)
    return fig
