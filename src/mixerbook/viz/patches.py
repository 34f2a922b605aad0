"""Patches (chapter 5): an image cut into patches, its raw patch table and its token table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..text import number
from ._common import _numpy_image
from .style import COLORS

__all__ = ["plot_patch_grid"]


def _random_patch_table(image: torch.Tensor, patch_size: int, hidden_dim: int, seed: int = 0) -> torch.Tensor:
    """(S, C) table of a (C_in, H, W) image through a seeded, untrained PatchEmbedding."""
    from ..data import to_float
    from ..models.mixer import PatchEmbedding

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        stem = PatchEmbedding(image.shape[-1], patch_size, image.shape[0], hidden_dim)
    with torch.no_grad():
        return stem(to_float(image.unsqueeze(0)))[0]


def plot_patch_grid(image: torch.Tensor, patch_size: int = 16, hidden_dim: int = 768, highlight: int | None = None,
                    seed: int = 0) -> Figure:
    """A photo cut into P x P patches, its raw patch table and its S x C token table.

    Left: the photo with the patch grid; patch ``highlight`` is outlined, and on a small grid every
    patch carries its index (row-major, the order of the tokens). Middle: ``patchify`` of the photo,
    one row of C_in*P*P raw values per patch. Right: the (S, C) table after a linear projection
    (a seeded ``PatchEmbedding`` with untrained weights: the shape is what matters).

    Args:
        image: (C_in, H, W) uint8 square image, e.g. :func:`mixerbook.data.sample_photo`.
        patch_size: P; must divide the image side.
        hidden_dim: C, channels of each token.
        highlight: index of the outlined patch (default: the patch at the centre).
        seed: seeds the projection.

    Raises:
        ValueError: for a patch size that does not divide the image side, or a bad ``highlight``.
    """
    from ..models.mixer import patchify

    if image.dim() != 3 or image.shape[-1] != image.shape[-2]:
        raise ValueError(f"plot_patch_grid expects a square (C_in, H, W) image, got shape {tuple(image.shape)}.")
    c_in, side = image.shape[0], image.shape[-1]
    if patch_size <= 0 or side % patch_size:
        raise ValueError(f"Image side {side} is not divisible by patch_size {patch_size}; choose one of "
                         f"{[d for d in range(2, side) if side % d == 0]}.")
    p, g = patch_size, side // patch_size
    s = g * g
    if highlight is None:
        highlight = (g // 2) * g + g // 2
    if not 0 <= highlight < s:
        raise ValueError(f"highlight must be a patch index between 0 and {s - 1}, got {highlight}.")
    raw = patchify(image.unsqueeze(0).float(), p)[0].numpy()  # (S, C_in*P*P)
    table = _random_patch_table(image, p, hidden_dim, seed).numpy()  # (S, C)
    hr, hc = divmod(highlight, g)

    fig = plt.figure(figsize=(8.1, 4.6))
    grid = fig.add_gridspec(1, 3, width_ratios=(1.15, 1, 1), wspace=0.3)
    ax0 = fig.add_subplot(grid[0])
    ax0.imshow(_numpy_image(image))
    for k in range(1, g):
        ax0.axhline(k * p - 0.5, color="white", lw=0.8 if g <= 16 else 0.4, alpha=0.9)
        ax0.axvline(k * p - 0.5, color="white", lw=0.8 if g <= 16 else 0.4, alpha=0.9)
    if g <= 8:
        for k in range(s):
            r, c = divmod(k, g)
            ax0.text(c * p + p / 2, r * p + p / 2, str(k), ha="center", va="center", fontsize=8,
                     color="black", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.7, "lw": 0})
    ax0.add_patch(Rectangle((hc * p - 0.5, hr * p - 0.5), p, p, facecolor=(1, 1, 1, 0.3), edgecolor=COLORS["focus"],
                            lw=3.5))
    ax0.set_xticks([])
    ax0.set_yticks([])
    ax0.set_title(f"Ảnh {side}×{side}, patch {p}×{p}\nlưới {g}×{g} → S = {s} patch", fontsize=10)

    def table_axes(ax, values, cmap, title, xlabel, vmin=None, vmax=None):
        ax.imshow(values, aspect="auto", interpolation="nearest", cmap=cmap, vmin=vmin, vmax=vmax)
        n_rows, n_cols = values.shape
        ax.add_patch(Rectangle((-0.5, highlight - 0.5), n_cols, 1, fill=False, edgecolor=COLORS["focus"],
                               lw=2, clip_on=False))
        ax.annotate("", xy=(-0.5, highlight), xytext=(-0.09 * n_cols, highlight),
                    arrowprops={"arrowstyle": "->", "color": COLORS["focus"], "lw": 1.5}, annotation_clip=False)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"patch (token) 0 … {n_rows - 1}")

    ax1 = fig.add_subplot(grid[1])
    table_axes(ax1, raw, "gray", f"Patch làm phẳng: {s} × {c_in * p * p}\n(mỗi hàng {c_in}·{p}·{p} giá trị)",
               "giá trị điểm ảnh của patch" + (" (R | G | B)" if c_in == 3 else ""), 0, 255)
    for k in range(1, c_in):
        ax1.axvline(k * p * p - 0.5, color=COLORS["near"], lw=1)
    ax2 = fig.add_subplot(grid[2])
    lim = float(np.abs(table).max()) or 1.0
    table_axes(ax2, table, "RdBu_r", f"Bảng S × C = {s} × {hidden_dim}\n(sau phép chiếu tuyến tính dùng chung)",
               f"kênh 0 … {hidden_dim - 1}", -lim, lim)
    params = p * p * c_in * hidden_dim + hidden_dim
    fig.suptitle(f"Patch số {highlight} (khung đỏ) thành hàng số {highlight} của cả hai bảng; "
                 f"phép chiếu có {p}·{p}·{c_in}·{hidden_dim} + {hidden_dim} = {number(params)} tham số", fontsize=10)
    fig.text(0.99, 0.005, "bảng bên phải: trọng số chiếu ngẫu nhiên, chưa huấn luyện", ha="right", fontsize=8,
             color="#555555")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.8, bottom=0.15)
    return fig
