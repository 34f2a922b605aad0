"""Plotting functions of the book. Each takes plain arguments and returns a matplotlib Figure.

Titles and labels are Vietnamese, like the book. Widgets (``mixerbook.widgets``) draw with these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .data import CLASS_NAMES_VI

__all__ = [
    "STYLE",
    "use_style",
    "plot_images",
    "plot_image_as_vector",
    "plot_flatten_neighbours",
    "neighbours",
    "plot_shift",
    "plot_metrics",
    "plot_confusion",
    "plot_histories",
    "plot_shift_robustness",
]

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.autolayout": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "font.size": 10,
    "legend.frameon": False,
    "image.cmap": "gray",
}
"""The book's matplotlib rcParams, so figures look the same on the website and in Colab."""

COLORS = {"MLP": "#d1495b", "CNN": "#00798c", "Mixer": "#edae49", "report": "#9a9a9a", "focus": "#d1495b",
          "near": "#edae49"}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global rcParams."""
    plt.rcParams.update(STYLE)


use_style()


def _numpy_image(img: torch.Tensor | np.ndarray) -> np.ndarray:
    arr = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    if arr.ndim == 3 and arr.shape[0] in (1, 3):  # (C, H, W) -> (H, W, C)
        arr = np.transpose(arr, (1, 2, 0))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    return arr


def plot_images(images: torch.Tensor, labels: Sequence[int] | None = None,
                class_names: Sequence[str] = CLASS_NAMES_VI, ncols: int = 8, title: str | None = None) -> Figure:
    """A grid of images with their class names.

    Args:
        images: (N, H, W) or (N, C, H, W) uint8 or float images.
        labels: N class ids, or None.
    """
    n = len(images)
    if n == 0:
        raise ValueError("plot_images needs at least one image.")
    ncols = min(ncols, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.4 * ncols, 1.6 * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(_numpy_image(images[i]))
            if labels is not None:
                ax.set_title(class_names[int(labels[i])], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
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
    fig = plt.figure(figsize=(10, 5.2))
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
    ax.bar(np.arange(diff.size), diff, width=1.0, color=np.where(diff > 0, COLORS["CNN"], COLORS["MLP"]))
    changed = float((np.abs(diff) > 0).mean())
    ax.set_title(f"Hiệu hai vector phẳng: {changed:.0%} vị trí đổi giá trị")
    ax.set_xlabel("vị trí trong vector")
    ax.set_ylabel("thay đổi (tỉ lệ)")
    if title:
        fig.suptitle(title)
    return fig


def plot_metrics(
    results: Mapping[str, Mapping[str, float]],
    reference: Mapping[str, Mapping[str, float]] | None = None,
    reference_label: str = "báo cáo (chưa kiểm chứng)",
    title: str = "Kết quả trên tập kiểm tra",
) -> Figure:
    """Grouped bars of accuracy, macro precision and macro recall per model.

    Args:
        results: ``{model: {"accuracy": a, "precision": p, "recall": r}}`` measured by this run.
        reference: the same layout for figures quoted from elsewhere, drawn hatched in grey.
    """
    metrics = ["accuracy", "precision", "recall"]
    labels = {"accuracy": "độ chính xác", "precision": "precision (macro)", "recall": "recall (macro)"}
    models = list(results)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    groups = len(models) * (2 if reference else 1)
    width = 0.8 / groups
    x = np.arange(len(metrics))
    k = 0
    for name in models:
        vals = [results[name][m] for m in metrics]
        bars = ax.bar(x + k * width, vals, width, label=f"{name} (lần chạy này)", color=COLORS.get(name, None))
        ax.bar_label(bars, fmt="%.3f", fontsize=7)
        k += 1
        if reference and name in reference:
            vals = [reference[name][m] for m in metrics]
            bars = ax.bar(x + k * width, vals, width, label=f"{name} ({reference_label})", color="white",
                          edgecolor=COLORS.get(name, "black"), hatch="//")
            ax.bar_label(bars, fmt="%.3f", fontsize=7)
            k += 1
    ax.set_xticks(x + width * (k - 1) / 2, [labels[m] for m in metrics])
    lo = min(min(r[m] for m in metrics) for r in results.values())
    ax.set_ylim(max(0.0, lo - 0.08), 1.0)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_confusion(confusion: torch.Tensor, class_names: Sequence[str] = CLASS_NAMES_VI,
                   title: str = "Ma trận nhầm lẫn (tỉ lệ theo hàng)") -> Figure:
    """A confusion matrix normalised by row: entry [i, j] is the share of class i predicted as j."""
    conf = confusion.double()
    rates = (conf / conf.sum(1, keepdim=True).clamp(min=1)).numpy()
    k = rates.shape[0]
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            if rates[i, j] >= 0.01:
                ax.text(j, i, f"{rates[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if rates[i, j] > 0.6 else "black")
    ax.set_xticks(range(k), class_names[:k], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(k), class_names[:k], fontsize=8)
    ax.set_xlabel("lớp dự đoán")
    ax.set_ylabel("lớp thật")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def plot_histories(accuracies: Mapping[str, Sequence[float]], title: str = "Độ chính xác trên tập kiểm tra theo epoch"
                   ) -> Figure:
    """Test accuracy after every epoch, one line per model."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for name, accs in accuracies.items():
        ax.plot(range(1, len(accs) + 1), accs, marker="o", label=name, color=COLORS.get(name))
    ax.set_xlabel("epoch")
    ax.set_ylabel("độ chính xác")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_shift_robustness(shifts: Sequence[int], accuracies: Mapping[str, Sequence[float]],
                          title: str = "Độ chính xác khi dịch ảnh kiểm tra sang phải") -> Figure:
    """Accuracy against the number of pixels the test images were moved, one line per model."""
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for name, accs in accuracies.items():
        ax.plot(list(shifts), accs, marker="o", label=name, color=COLORS.get(name))
    ax.set_xticks(list(shifts))
    ax.set_xlabel("số điểm ảnh dịch chuyển")
    ax.set_ylabel("độ chính xác")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig
