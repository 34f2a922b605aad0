"""The Mixer against the MLP and the CNN (chapter 7): the scoreboard, and the token-mixing MLP of a
K-times larger image (the mosaic and its block-diagonal weights)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from ..data import CLASS_NAMES_VI
from ..text import number
from ._common import NOT_FROM_ZERO, _axis_break, _numpy_image, _zoomed_limits
from .style import BLOCK_COLORS, COLORS, FONT_SIZE, PAGE_WIDTH, SMALL_SIZE, model_color

__all__ = ["plot_scoreboard", "plot_token_blocks", "plot_mosaic"]


def plot_scoreboard(rows: Sequence[Mapping[str, object]], target: float | None = None,
                    title: str = "Bảng điểm trên Fashion-MNIST (mỗi mô hình theo số epoch riêng của ngân sách)",
                    ) -> Figure:
    """Four panels: parameters, multiply-adds per image, seconds per epoch, test accuracy.

    The accuracy panel zooms on the accuracies (they differ by a few points) and says that its axis
    does not start at zero; its values are printed with two decimals, in percent.

    Args:
        rows: one mapping per model with keys ``model``, ``params``, ``macs``, ``seconds_per_epoch``,
            ``accuracy`` (in [0, 1]) and ``cached`` (True when the run was loaded from the cache:
            its bars are hatched, and its time is the one measured when it was trained), as
            :func:`mixerbook.experiments.scoreboard` returns them.
        target: an accuracy to mark with a dashed line (e.g. 0.89), or None.
    """
    if not rows:
        raise ValueError("plot_scoreboard needs at least one row.")
    names = [str(r["model"]) for r in rows]
    panels = [("params", "Số tham số (nghìn)", number, False),
              ("macs", "MAC / ảnh (thang log)", number, True),
              ("seconds_per_epoch", "Giây / epoch", "{:.1f}".format, False),
              ("accuracy", f"Độ chính xác kiểm tra\n({NOT_FROM_ZERO.replace('trục tung', 'trục')})",
               lambda v: f"{100 * v:.2f}%", False)]
    fig, grid = plt.subplots(2, 2, figsize=(PAGE_WIDTH - 0.1, 1.2 * len(rows) + 2.9), sharey=True)
    axes = grid.flatten()
    y = np.arange(len(rows))
    for ax, (key, label, fmt, log) in zip(axes, panels, strict=True):
        vals = [float(r[key]) for r in rows]
        start = 0.0
        if log:
            ax.set_xscale("log")
            ax.set_xlim(min(vals) / 3, max(vals) * 40)
        elif key == "accuracy":
            # zoomed on the accuracies; each bar starts where the axis is cut, its label sits to its right
            start, hi = _zoomed_limits(vals + ([target] if target is not None else []), room=0.45)
            ax.set_xlim(start, hi)
            ax.xaxis.set_major_locator(MultipleLocator(0.02 if hi - start <= 0.2 else 0.1))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * v:.0f}%"))
            _axis_break(ax, "x")
            if target is not None:
                ax.axvline(target, color="#555555", ls="--", lw=1)
                ax.text(target, 1.0, f" mục tiêu {100 * target:.0f}%", color="#555555", fontsize=SMALL_SIZE,
                        va="bottom", transform=ax.get_xaxis_transform())
        else:
            ax.set_xlim(0, max(vals) * 1.6)
            if key == "params":
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v / 1e3)))
        for i, (r, v) in enumerate(zip(rows, vals, strict=True)):
            ax.barh(i, v - start, left=start, color=model_color(str(r["model"])) or COLORS["report"],
                    hatch="///" if r.get("cached") else None, edgecolor="black" if r.get("cached") else "none",
                    lw=0.5, height=0.6)
            ax.text(v * (1.15 if log else 1.0), i, " " + fmt(v), va="center", fontsize=9)
        ax.set_title(label, fontsize=FONT_SIZE, pad=14 if key == "accuracy" and target is not None else 6)
        ax.tick_params(axis="x", labelsize=SMALL_SIZE)
        if key in ("params", "seconds_per_epoch"):
            ax.xaxis.set_major_locator(MaxNLocator(4))
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()  # shared by all four panels: first model on top
    fig.suptitle(title, fontsize=FONT_SIZE)
    if any(r.get("cached") for r in rows):
        fig.text(0.5, 0.005, "gạch chéo: kết quả nạp lại từ bộ nhớ đệm; thời gian là thời gian đo\n"
                 "lúc huấn luyện lần đó", ha="center", va="bottom", fontsize=SMALL_SIZE, color="#555555")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def plot_token_blocks(weight: torch.Tensor, grid_size: int, factor: int, title: str | None = None) -> Figure:
    """The token grid of a K-times larger image, cut into K x K blocks, and the expanded W1' in two orders.

    Left: the (K*g) x (K*g) grid of tokens, coloured by block, with each token's raster index
    (the order of the patch embedding). Middle: |W1'| with its columns in block order, where it is
    block-diagonal. Right: |W1'| as the model stores it, columns in raster order. A colour strip
    above each matrix shows which block each column (token) belongs to.

    Args:
        weight: (K**2 * D_S, K**2 * g**2) the ``fc1.weight`` of an expanded token-mixing MLP
            (:func:`mixerbook.models.mixer.expand_token_mlp`), columns in raster order.
        grid_size: g, the side of the original token grid.
        factor: K.
    """
    from matplotlib.colors import ListedColormap

    from ..models.mixer import block_order

    side = grid_size * factor
    if weight.dim() != 2 or weight.shape[1] != side * side:
        raise ValueError(f"weight must be (K**2 * D_S, {side * side}) for grid_size {grid_size} and factor "
                         f"{factor}, got shape {tuple(weight.shape)}.")
    order = block_order(grid_size, factor)
    block_of_token = torch.empty(side * side, dtype=torch.long)
    block_of_token[order] = torch.arange(side * side) // (grid_size * grid_size)
    colors = ListedColormap([BLOCK_COLORS[k % len(BLOCK_COLORS)] for k in range(factor * factor)])
    w = weight.detach().abs().float().cpu()
    fig = plt.figure(figsize=(PAGE_WIDTH - 0.1, 3.9))
    # columns: the token grid, room for the matrices' row label and ticks, the two matrices
    grid = fig.add_gridspec(2, 4, height_ratios=(1, 14), width_ratios=(1, 0.2, 0.9, 0.9), hspace=0.04, wspace=0.1)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(block_of_token.reshape(side, side).numpy(), cmap=colors, vmin=-0.5, vmax=factor * factor - 0.5)
    if side <= 12:
        for t in range(side * side):
            ax.text(t % side, t // side, str(t), ha="center", va="center", fontsize=SMALL_SIZE if side <= 8 else 7)
    for k in range(1, factor):
        ax.axhline(k * grid_size - 0.5, color="black", lw=2)
        ax.axvline(k * grid_size - 0.5, color="black", lw=2)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Lưới {side}×{side} token\n= {factor}×{factor} khối {grid_size}×{grid_size}", fontsize=FONT_SIZE - 1)
    vmax = float(w.max()) if w.numel() else 1.0
    for col, (matrix, strip, name) in enumerate([
        (w[:, order], block_of_token[order], "W1' theo thứ tự khối:\nkhối chéo"),
        (w, block_of_token, "W1' như mô hình lưu:\ncột theo thứ tự hàng"),
    ], start=2):
        top = fig.add_subplot(grid[0, col])
        top.imshow(strip[None, :].numpy(), cmap=colors, vmin=-0.5, vmax=factor * factor - 0.5, aspect="auto")
        top.set_xticks([])
        top.set_yticks([])
        top.set_title(name, fontsize=FONT_SIZE - 1)
        axm = fig.add_subplot(grid[1, col])
        axm.imshow(matrix.numpy(), cmap="Greys", vmin=0, vmax=vmax, aspect="auto", interpolation="nearest")
        axm.set_xlabel(f"{side * side} token (cột)", fontsize=SMALL_SIZE + 1)
        axm.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        axm.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        axm.tick_params(labelsize=SMALL_SIZE)
        if col == 2:
            axm.set_ylabel(f"{matrix.shape[0]} nơ-ron ẩn (hàng)", fontsize=SMALL_SIZE + 1)
        else:  # the same rows as the matrix on its left
            axm.tick_params(labelleft=False)
    if title:
        fig.suptitle(title)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.13, top=0.84)
    return fig


def plot_mosaic(tiles: torch.Tensor, patch_size: int, labels: Sequence[int] | None = None,
                class_names: Sequence[str] = CLASS_NAMES_VI,
                title: str = "K² ảnh nhỏ ghép thành một ảnh lớn") -> Figure:
    """K**2 small images (left) and the mosaic made of them (right), with its patch grid and blocks drawn.

    Args:
        tiles: (K**2, H, W) images, laid out row by row as in
            :func:`mixerbook.models.mixer.tile_images`.
        patch_size: P; thin lines mark the P x P patches (tokens) of the mosaic, thick lines the
            K x K blocks.
        labels: K**2 class ids, shown above the small images, or None.
    """
    from ..models.mixer import tile_images

    if tiles.dim() != 3:
        raise ValueError(f"plot_mosaic expects (K**2, H, W) tiles, got shape {tuple(tiles.shape)}.")
    mosaic = tile_images(tiles)
    k = int(round(len(tiles) ** 0.5))
    h, w = tiles.shape[-2:]
    fig = plt.figure(figsize=(8.5, 4.2))
    grid = fig.add_gridspec(k, 2 * k, wspace=0.15, hspace=0.3)
    for b in range(len(tiles)):
        ax = fig.add_subplot(grid[b // k, b % k])
        ax.imshow(_numpy_image(tiles[b]))
        ax.axis("off")
        name = class_names[int(labels[b])] if labels is not None else ""
        ax.set_title(f"ảnh {b}" + (f": {name}" if name else ""), fontsize=8)
    ax = fig.add_subplot(grid[:, k:])
    ax.imshow(_numpy_image(mosaic))
    for pos in range(patch_size, mosaic.shape[-1], patch_size):
        ax.axvline(pos - 0.5, color=COLORS["accent"], lw=0.5, alpha=0.8)
    for pos in range(patch_size, mosaic.shape[-2], patch_size):
        ax.axhline(pos - 0.5, color=COLORS["accent"], lw=0.5, alpha=0.8)
    for j in range(1, k):
        ax.axvline(j * w - 0.5, color=COLORS["mark"], lw=2.5)
        ax.axhline(j * h - 0.5, color=COLORS["mark"], lw=2.5)
    ax.set_xticks([])
    ax.set_yticks([])
    side = mosaic.shape[-1] // patch_size
    ax.set_title(f"Ảnh ghép {mosaic.shape[-2]}×{mosaic.shape[-1]}: {side}×{side} patch, {k}×{k} khối", fontsize=9)
    fig.suptitle(title)
    return fig
