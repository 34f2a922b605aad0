"""Inductive bias (chapter 3): shuffled images, shift equivariance, neighbour correlation and the
accuracy of each model on shuffled data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..permute import MODE_NAMES
from ._common import _legend_outside, _numpy_image
from .style import COLORS, FONT_SIZE, PAGE_WIDTH, SHUFFLE_COLORS, SMALL_SIZE

__all__ = ["SHUFFLE_LABELS", "plot_shuffle", "plot_equivariance", "plot_neighbour_correlation",
           "plot_permutation_results"]


SHUFFLE_LABELS = MODE_NAMES


"""Vietnamese names of the shuffle modes of :mod:`mixerbook.permute`."""


def _show(ax, img: torch.Tensor | np.ndarray, title: str) -> None:
    arr = _numpy_image(img)
    if arr.dtype == np.uint8:
        ax.imshow(arr, vmin=0, vmax=255, interpolation="nearest")
    else:
        ax.imshow(arr, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_shuffle(original: torch.Tensor, shuffled: torch.Tensor, restored: torch.Tensor,
                 patch_size: int | None = None, title: str | None = None) -> Figure:
    """An image, the same image shuffled, and the shuffled image put back by the inverse permutation.

    Args:
        original, shuffled, restored: (H, W) or (C, H, W) images of the same shape.
        patch_size: when given, the P x P patch grid is drawn on the first two panels.
        title: a line above the panels.
    """
    if not (original.shape == shuffled.shape == restored.shape):
        raise ValueError(f"plot_shuffle needs three images of the same shape, got {tuple(original.shape)}, "
                         f"{tuple(shuffled.shape)} and {tuple(restored.shape)}.")
    h, w = original.shape[-2:]
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.6))
    same = bool(torch.equal(restored, original))
    panels = [(original, "Ảnh gốc"), (shuffled, "Sau khi xáo trộn"),
              (restored, "Xáo ngược: " + ("khớp ảnh gốc ✓" if same else "KHÁC ảnh gốc"))]
    for ax, (img, name) in zip(axes, panels, strict=True):
        _show(ax, img, name)
    if patch_size and patch_size > 1 and max(h, w) // patch_size <= 32:
        for ax in axes[:2]:
            for r in range(patch_size, h, patch_size):
                ax.axhline(r - 0.5, color=COLORS["near"], lw=0.7)
            for c in range(patch_size, w, patch_size):
                ax.axvline(c - 0.5, color=COLORS["near"], lw=0.7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_equivariance(checks: Mapping[str, object], title: str = "Dịch ảnh rồi mới tính, hay tính rồi mới dịch?"
                      ) -> Figure:
    """One row per layer: F(x), F(Tx), T F(x) and |F(Tx) - T F(x)|.

    Args:
        checks: ``{layer label: mixerbook.experiments.EquivarianceCheck}`` (attributes ``fx``,
            ``ftx``, ``tfx`` (H, W) and ``error``).
    """
    if not checks:
        raise ValueError("plot_equivariance needs at least one layer to draw.")
    n = len(checks)
    fig, axes = plt.subplots(n, 4, figsize=(PAGE_WIDTH - 0.1, 1.75 * n + 0.7), squeeze=False, layout="constrained")
    heads = ["F(x):\nảnh gốc", "F(Tx):\nảnh đã dịch", "T F(x):\ndịch đầu ra", "|F(Tx) − T F(x)|"]
    for r, (row, (label, chk)) in enumerate(zip(axes, checks.items(), strict=True)):
        maps = [chk.fx, chk.ftx, chk.tfx]
        lim = float(max(m.abs().max() for m in maps)) or 1.0
        for ax, m in zip(row[:3], maps, strict=True):
            im = ax.imshow(m.detach().cpu().numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        fig.colorbar(im, ax=list(row[:3]), fraction=0.03, pad=0.02).ax.tick_params(labelsize=SMALL_SIZE)
        diff = (chk.ftx - chk.tfx).abs().detach().cpu().numpy()
        ax = row[3]
        im = ax.imshow(diff, cmap="magma_r", vmin=0, vmax=lim, interpolation="nearest")
        fig.colorbar(im, ax=ax, fraction=0.08, pad=0.04).ax.tick_params(labelsize=SMALL_SIZE)
        ax.set_xlabel(f"sai lệch ở giữa:\n{chk.error:.1e}", fontsize=SMALL_SIZE + 1)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
        if r == 0:  # the same four columns on every row
            for ax, head in zip(row, heads, strict=True):
                ax.set_title(head, fontsize=SMALL_SIZE + 1)
        row[0].set_ylabel(label, fontsize=SMALL_SIZE + 1)
    fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig


def plot_neighbour_correlation(curves: Mapping[str, Sequence[float]],
                               title: str = "Hai điểm ảnh cách nhau d cột tương quan với nhau đến đâu?") -> Figure:
    """Correlation of two pixels against their distance, one line per version of the data.

    Args:
        curves: ``{label: correlations for d = 1, 2, ...}`` (see
            :func:`mixerbook.experiments.neighbour_correlation`). A label that is a key of
            :data:`SHUFFLE_LABELS` gets its Vietnamese name and colour.
    """
    if not curves:
        raise ValueError("plot_neighbour_correlation needs at least one curve.")
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for key, values in curves.items():
        d = np.arange(1, len(values) + 1)
        ax.plot(d, values, marker="o", label=SHUFFLE_LABELS.get(key, key), color=SHUFFLE_COLORS.get(key))
    ax.set_xlabel("khoảng cách d (số cột)")
    ax.set_ylabel("hệ số tương quan")
    ax.set_ylim(min(0.0, min(min(v) for v in curves.values())) - 0.02, 1.0)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_permutation_results(grid: Mapping[str, Mapping[str, float]], labels: Mapping[str, str] | None = None,
                             title: str = "Độ chính xác trên tập kiểm tra khi ảnh bị xáo trộn") -> Figure:
    """Grouped bars: one group per model, one bar per shuffle mode.

    Args:
        grid: ``{model: {mode: accuracy in [0, 1]}}`` (see :func:`mixerbook.experiments.accuracy_grid`).
        labels: legend names by mode; defaults to :data:`SHUFFLE_LABELS`.
    """
    if not grid:
        raise ValueError("plot_permutation_results needs at least one model.")
    labels = {**SHUFFLE_LABELS, **(labels or {})}
    models = list(grid)
    modes = list(dict.fromkeys(m for accs in grid.values() for m in accs))
    width = 0.8 / len(modes)
    x = np.arange(len(models))
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    for k, mode in enumerate(modes):
        vals = [grid[name].get(mode, np.nan) for name in models]
        bars = ax.bar(x + (k - (len(modes) - 1) / 2) * width, [v * 100 for v in vals], width,
                      label=labels.get(mode, mode), color=SHUFFLE_COLORS.get(mode))
        ax.bar_label(bars, fmt="%.1f", fontsize=8)
    ax.set_xticks(x, models)
    ax.set_ylim(0, 108)  # from zero: bar heights compare as ratios; headroom for the value labels
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("độ chính xác (%)")
    ax.set_title(title)
    _legend_outside(ax)
    fig.tight_layout()
    return fig
