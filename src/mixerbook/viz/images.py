"""Images as the MLP sees them (chapter 1): a grid of images, an image laid out as a vector, where
neighbouring pixels land once flattened, and what a shift does to the flat vector."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..data import CLASS_NAMES_VI
from ._common import _numpy_image
from .style import COLORS, PAGE_WIDTH, SMALL_SIZE

__all__ = ["plot_images", "plot_image_as_vector", "neighbours", "plot_flatten_neighbours", "plot_shift"]


def _wrap_name(name: str, max_chars: int) -> str:
    """``name`` on two lines, broken at the space nearest its middle, when it is longer than ``max_chars``."""
    if len(name) <= max_chars or " " not in name:
        return name
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "\n" + name[cut + 1:]


def plot_images(images: torch.Tensor, labels: Sequence[int] | None = None,
                class_names: Sequence[str] = CLASS_NAMES_VI, ncols: int = 8, title: str | None = None,
                value_range: tuple[float, float] | None = None) -> Figure:
    """A grid of images with their class names, as wide as the page's column at most.

    With many columns each image gets a narrow cell; class names that do not fit on one line of the
    cell are broken onto two, so that they stay at the book's font size without running into each other.

    Args:
        images: (N, H, W) or (N, C, H, W) uint8 or float images.
        labels: N class ids, or None.
        ncols: images per row (the grid keeps it, so rows keep their meaning).
        value_range: (black, white) values shared by every grey image; None scales each image to
            its own minimum and maximum.
    """
    n = len(images)
    if n == 0:
        raise ValueError("plot_images needs at least one image.")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}.")
    ncols = min(ncols, n)
    nrows = (n + ncols - 1) // ncols
    cell = min(1.4, (PAGE_WIDTH - 0.2) / ncols)  # inches per image; the saved margins take the rest
    # about 0.6 em per character: how many characters of SMALL_SIZE text one cell holds
    max_chars = max(4, int(cell * 72 / (0.6 * SMALL_SIZE)))
    names = [_wrap_name(class_names[int(lab)], max_chars) for lab in labels] if labels is not None else []
    lines = max((name.count("\n") + 1 for name in names), default=0)
    # laid out by hand, in inches: each row is the names' lines, the title pad, the image and a gap
    gap = 0.06
    title_h = (lines * SMALL_SIZE * 1.25 + 6) / 72 if names else 0.0
    row_h = title_h + cell - gap + 0.1
    top = 0.45 if title else 0.02
    width, height = cell * ncols, row_h * nrows + top
    fig = plt.figure(figsize=(width, height))
    vmin, vmax = value_range if value_range is not None else (None, None)
    for i in range(n):
        r, c = divmod(i, ncols)
        bottom = height - top - r * row_h - title_h - (cell - gap)
        ax = fig.add_axes([(c * cell + gap / 2) / width, bottom / height, (cell - gap) / width,
                           (cell - gap) / height])
        ax.axis("off")
        ax.imshow(_numpy_image(images[i]), vmin=vmin, vmax=vmax)
        if names:
            ax.set_title(names[i], fontsize=SMALL_SIZE, linespacing=1.1)
    if title:
        fig.suptitle(title, y=1 - 0.08 / height, va="top")
    return fig


def plot_image_as_vector(image: torch.Tensor, title: str = "Ảnh 2-D và vector 1-D của nó") -> Figure:
    """An (H, W) image beside the same pixels laid out as one long row (row-major order).

    Args:
        image: (H, W) uint8 or float image.
    """
    arr = _numpy_image(image)
    if arr.ndim != 2:
        raise ValueError(f"plot_image_as_vector expects a single-channel (H, W) image, got shape {arr.shape}.")
    h, w = arr.shape
    fig = plt.figure(figsize=(10, 3.2))
    ax0 = fig.add_axes([0.02, 0.25, 0.22, 0.65])
    ax0.imshow(arr)
    ax0.set_title(f"Ảnh {h}×{w}")
    ax0.set_xticks([])
    ax0.set_yticks([])
    for r in range(0, h, max(1, h // 4)):
        ax0.axhline(r - 0.5, color=COLORS["near"], lw=0.6)
    ax1 = fig.add_axes([0.3, 0.45, 0.68, 0.25])
    ax1.imshow(arr.reshape(1, -1), aspect="auto", interpolation="nearest")
    ax1.set_yticks([])
    ax1.set_xlabel(f"vị trí trong vector (0 … {h * w - 1})")
    ax1.set_title(f"Vector {h * w} phần tử: các hàng của ảnh nối đuôi nhau")
    for r in range(0, h, max(1, h // 4)):
        ax1.axvline(r * w - 0.5, color=COLORS["near"], lw=0.6)
    fig.suptitle(title)
    return fig


def neighbours(row: int, col: int, height: int, width: int, diagonal: bool = True) -> list[tuple[int, int]]:
    """The pixels next to (row, col) inside an height x width grid (4- or 8-neighbourhood)."""
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"Pixel ({row}, {col}) lies outside a {height}x{width} grid.")
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps += [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    return [(row + dr, col + dc) for dr, dc in steps if 0 <= row + dr < height and 0 <= col + dc < width]


def plot_flatten_neighbours(height: int = 5, width: int = 5, row: int = 2, col: int = 2,
                            diagonal: bool = True) -> Figure:
    """Where a pixel and its 2-D neighbours land once the grid is flattened row by row.

    Top: the grid, each cell labelled with its index in the flat vector. Bottom: the flat vector,
    with the chosen pixel and its neighbours in the same colours and their distance along the vector.
    """
    if height < 2 or width < 2 or height > 16 or width > 16:
        raise ValueError(f"Grid sides must be between 2 and 16, got {height}x{width}.")
    near = neighbours(row, col, height, width, diagonal)
    focus = row * width + col
    near_idx = sorted(r * width + c for r, c in near)
    n = height * width
    fig = plt.figure(figsize=(7.5, 5.2))
    ax0 = fig.add_axes([0.3, 0.36, 0.4, 0.58])
    for r in range(height):
        for c in range(width):
            idx = r * width + c
            color = COLORS["focus"] if idx == focus else COLORS["near"] if idx in near_idx else "#f2f2f2"
            ax0.add_patch(Rectangle((c, r), 1, 1, facecolor=color, edgecolor="white", lw=2))
            ax0.text(c + 0.5, r + 0.5, str(idx), ha="center", va="center", fontsize=9)
    ax0.set_xlim(0, width)
    ax0.set_ylim(height, 0)
    ax0.set_aspect("equal")
    ax0.set_xticks(np.arange(width) + 0.5, [str(c) for c in range(width)])
    ax0.set_yticks(np.arange(height) + 0.5, [str(r) for r in range(height)])
    ax0.set_xlabel("cột")
    ax0.set_ylabel("hàng")
    kind = "8 láng giềng" if diagonal else "4 láng giềng"
    ax0.set_title(f"Ảnh {height}×{width}: điểm ảnh ({row}, {col}) và {kind} của nó")
    ax1 = fig.add_axes([0.03, 0.08, 0.94, 0.12])
    for idx in range(n):
        color = COLORS["focus"] if idx == focus else COLORS["near"] if idx in near_idx else "#f2f2f2"
        ax1.add_patch(Rectangle((idx, 0), 1, 1, facecolor=color, edgecolor="white", lw=1))
        if n <= 64 or idx == focus or idx in near_idx:
            ax1.text(idx + 0.5, 0.5, str(idx), ha="center", va="center", fontsize=7 if n > 36 else 8)
    ax1.set_xlim(0, n)
    ax1.set_ylim(0, 1)
    ax1.axis("off")
    far = max(abs(i - focus) for i in near_idx) if near_idx else 0
    ax1.set_title(f"Vector sau khi làm phẳng: láng giềng xa nhất cách {far} vị trí "
                  f"(láng giềng trên/dưới luôn cách đúng {width})", fontsize=10)
    return fig


def plot_shift(image: torch.Tensor, shifted: torch.Tensor, title: str | None = None) -> Figure:
    """An image, the same image moved, and how the flat vector changed position by position.

    Args:
        image, shifted: (H, W) images of the same shape.
    """
    a, b = _numpy_image(image).astype(float), _numpy_image(shifted).astype(float)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"plot_shift expects two (H, W) images of the same shape, got {a.shape} and {b.shape}.")
    scale = max(a.max(), 1.0)
    diff = (b - a).reshape(-1) / scale
    fig = plt.figure(figsize=(10, 3.6))
    for i, (arr, name) in enumerate([(a, "Ảnh gốc"), (b, "Ảnh dịch chuyển")]):
        ax = fig.add_axes([0.01 + 0.16 * i, 0.2, 0.14, 0.65])
        ax.imshow(arr)
        ax.set_title(name)
        ax.axis("off")
    ax = fig.add_axes([0.37, 0.2, 0.6, 0.6])
    ax.bar(np.arange(diff.size), diff, width=1.0, color=np.where(diff > 0, COLORS["positive"], COLORS["negative"]))
    changed = float((np.abs(diff) > 0).mean())
    ax.set_title(f"Hiệu hai vector phẳng: {changed:.0%} vị trí đổi giá trị")
    ax.set_xlabel("vị trí trong vector")
    ax.set_ylabel("thay đổi (tỉ lệ)")
    if title:
        fig.suptitle(title)
    return fig
