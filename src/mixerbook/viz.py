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
from matplotlib.ticker import FuncFormatter, LogLocator

from .data import CLASS_NAMES_VI
from .text import number

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
    "GROWTH_LABELS",
    "plot_growth",
    "plot_measured_growth",
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

#: Said on an accuracy axis whose lower limit is above zero, so that nobody reads bar or line heights as ratios.
NOT_FROM_ZERO = "trục tung không bắt đầu từ 0"


def _accuracy_axis(ax, label: str, axis: str = "y") -> None:
    """Label an accuracy axis; when its lower limit (from the data) is above zero, the label says so."""
    lo = min(ax.get_ylim() if axis == "y" else ax.get_xlim())
    note = NOT_FROM_ZERO if axis == "y" else NOT_FROM_ZERO.replace("trục tung", "trục hoành")
    text = f"{label}\n({note})" if lo > 0 else label
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(text)


def _legend_outside(ax, **kwargs):
    """A legend to the right of the axes, where it cannot cover any data."""
    kwargs.setdefault("fontsize", 8)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def _declutter(fig, labels: Sequence, max_rounds: int = 40) -> None:
    """Move annotations (text offset in points) apart until no two of them overlap.

    Each round draws the figure, and every label that overlaps an earlier one moves vertically, away
    from it, by the overlap plus a point. Only labels placed with ``textcoords="offset points"`` move.
    """
    labels = [t for t in labels if getattr(t, "get_anncoords", lambda: None)() == "offset points"]
    if len(labels) < 2:
        return
    points_per_px = 72 / fig.dpi
    for _ in range(max_rounds):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in labels]
        moved = False
        for j in range(1, len(labels)):
            for i in range(j):
                a, b = boxes[i], boxes[j]
                if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1:
                    up = b.y0 + b.y1 >= a.y0 + a.y1  # move away from the earlier label
                    shift = (a.y1 - b.y0 + 1) if up else -(b.y1 - a.y0 + 1)
                    dx, dy = labels[j].xyann
                    labels[j].xyann = (dx, dy + shift * points_per_px)
                    boxes[j] = b.translated(0, shift)
                    moved = True
        if not moved:
            return


def _numpy_image(img: torch.Tensor | np.ndarray) -> np.ndarray:
    arr = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    if arr.ndim == 3 and arr.shape[0] in (1, 3):  # (C, H, W) -> (H, W, C)
        arr = np.transpose(arr, (1, 2, 0))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    return arr


def plot_images(images: torch.Tensor, labels: Sequence[int] | None = None,
                class_names: Sequence[str] = CLASS_NAMES_VI, ncols: int = 8, title: str | None = None,
                value_range: tuple[float, float] | None = None) -> Figure:
    """A grid of images with their class names.

    Args:
        images: (N, H, W) or (N, C, H, W) uint8 or float images.
        labels: N class ids, or None.
        value_range: (black, white) values shared by every grey image; None scales each image to
            its own minimum and maximum.
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
            vmin, vmax = value_range if value_range is not None else (None, None)
            ax.imshow(_numpy_image(images[i]), vmin=vmin, vmax=vmax)
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
    labels = {"accuracy": "độ chính xác", "precision": "độ chính xác dương (macro)", "recall": "độ phủ (macro)"}
    models = list(results)
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
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
    ax.set_ylim(0.0, 1.1)  # from zero: bar heights compare as ratios; headroom for the value labels
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("giá trị (0 đến 1)")
    _legend_outside(ax)
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
    ax.set_xticks(range(k), class_names[:k], rotation=90, fontsize=8)
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
    ax.margins(y=0.1)
    _accuracy_axis(ax, "độ chính xác")
    ax.set_title(title)
    _legend_outside(ax)
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
    ax.set_ylim(0.0, 1.0)  # from zero: how much of the accuracy a shift takes away reads off the heights
    ax.set_ylabel("độ chính xác")
    ax.set_title(title)
    _legend_outside(ax)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- growth with resolution (chapter 2)
GROWTH_LABELS = {
    "MLP": "MLP: lớp kết nối đầy đủ đầu tiên",
    "CNN": "CNN: lớp tích chập đầu tiên",
    "Mixer": "Mixer: một lớp Mixer",
}
"""Default legend entries of :func:`plot_growth`, by series name."""


def _log_ticks(ax, values: Sequence[int]) -> None:
    """Label a log x-axis at the powers of two inside the data's range (and 224, ImageNet's side)."""
    lo, hi = min(values), max(values)
    ticks = [t for t in (8, 16, 32, 64, 128, 224, 448, 896, 1792, 3584) if lo <= t <= hi]
    if len(ticks) < 2:
        ticks = sorted(set(int(v) for v in values))
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()


def plot_growth(
    resolutions: Sequence[int],
    series: Mapping[str, Mapping[str, Sequence[float]]],
    highlight: int | None = None,
    labels: Mapping[str, str] | None = None,
    note: str | None = None,
    title: str = "Số tham số và số phép nhân-cộng khi ảnh lớn dần",
) -> Figure:
    """Parameters (left) and multiply-adds per image (right) against the image side, on log-log axes.

    Args:
        resolutions: image sides R, one per entry of every series.
        series: ``{name: {"params": [...], "macs": [...]}}``, e.g. from
            ``mixerbook.complexity.growth_series``; names "MLP", "CNN", "Mixer" get the book's colours.
        highlight: one of ``resolutions`` to mark with a vertical line and dots.
        labels: legend entry per name (default :data:`GROWTH_LABELS`, else the name).
        note: a line of text printed under the plots (e.g. the counts at ``highlight``).

    On log-log axes a quantity proportional to R**2 is a straight line of slope 2, a constant is flat.
    """
    resolutions = list(resolutions)
    if not resolutions or not series:
        raise ValueError("plot_growth needs at least one resolution and one series.")
    for name, s in series.items():
        for key in ("params", "macs"):
            if key not in s or len(s[key]) != len(resolutions):
                raise ValueError(f"series {name!r} needs a {key!r} list with one value per resolution "
                                 f"({len(resolutions)}).")
    if highlight is not None and highlight not in resolutions:
        raise ValueError(f"highlight={highlight} is not one of the resolutions {resolutions}.")
    labels = {**GROWTH_LABELS, **(labels or {})}
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.8 if note else 4.2))
    panels = [("params", "số tham số"), ("macs", "MAC mỗi ảnh")]
    for ax, (key, ylabel) in zip(axes, panels, strict=True):
        for name, s in series.items():
            ax.plot(resolutions, s[key], marker="o", ms=3, label=labels.get(name, name), color=COLORS.get(name))
            if highlight is not None:
                ax.plot([highlight], [s[key][resolutions.index(highlight)]], "o", ms=7, color=COLORS.get(name),
                        markeredgecolor="black")
        if highlight is not None:
            ax.axvline(highlight, color="#777777", ls="--", lw=0.8)
            ax.annotate(f"R = {highlight}", (highlight, 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                        textcoords="offset points", va="top", fontsize=8, color="#555555")
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_ticks(ax, resolutions)
        ax.set_xlabel("cạnh ảnh R (điểm ảnh, thang log)")
        ax.set_ylabel(ylabel + " (thang log)")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title("Tham số")
    axes[1].set_title("Phép nhân-cộng")
    fig.suptitle(title)
    bottom = 0.2 if note else 0.12
    fig.tight_layout(rect=(0, bottom, 1, 1))
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8,
               bbox_to_anchor=(0.5, bottom - 0.08))
    if note:
        fig.text(0.5, 0.01, note, ha="center", va="bottom", fontsize=9)
    return fig


def plot_measured_growth(points: Sequence, device_name: str = "",
                         title: str = "Lớp đầu tiên của MLP đo trên thiết bị") -> Figure:
    """Weight memory (left) and forward latency (right) of a flatten-MLP's first layer against R.

    Args:
        points: the rows of ``mixerbook.complexity.measure_linear_growth``; each has ``resolution``,
            ``weight_bytes``, ``budget_bytes``, ``latency_ms`` (None when not measured) and ``status``.
        device_name: shown in the title, e.g. ``"cpu (2 luồng)"``.

    Points that were not measured appear hollow in the memory panel (what they would need), next
    to the memory budget of each point.
    """
    points = list(points)
    if not points:
        raise ValueError("plot_measured_growth needs at least one point.")
    res = [p.resolution for p in points]
    gb = np.array([p.weight_bytes for p in points]) / 1e9
    budget = np.array([p.budget_bytes for p in points]) / 1e9
    ok = np.array([p.latency_ms is not None for p in points])
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax0.plot(np.array(res)[ok], gb[ok], "o-", color=COLORS["MLP"], label="đã cấp phát và đo")
    if (~ok).any():
        ax0.plot(np.array(res)[~ok], gb[~ok], "o", mfc="white", color=COLORS["MLP"], label="không chạy (chỉ tính)")
    ax0.plot(res, budget, "--", color=COLORS["report"], label="ngân sách bộ nhớ")
    ax0.set_ylabel("bộ nhớ trọng số float32 (GB, thang log)")
    ax0.set_title("Bộ nhớ cho trọng số")
    ax0.legend(fontsize=8)
    measured = [(p.resolution, p.latency_ms) for p in points if p.latency_ms is not None]
    if measured:
        times = [t for _, t in measured]
        ax1.plot([r for r, _ in measured], times, "o-", color=COLORS["MLP"])
        ax1.set_ylim(min(times) / 2.5, max(times) * 2.5)  # room for the end markers and the note (log axis)
    stop = next((p for p in points if p.status != "ok"), None)
    if stop is not None:
        why = {"memory": "vượt ngân sách bộ nhớ", "time": "vượt giới hạn thời gian",
               "oom": "hết bộ nhớ khi cấp phát"}.get(stop.status, stop.status)
        ax1.text(0.97, 0.04, f"dừng ở R = {stop.resolution}: {why}", transform=ax1.transAxes, ha="right",
                 va="bottom", fontsize=9)
    ax1.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax1.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax1.set_ylabel("thời gian một lượt lan truyền tiến (ms, thang log)")
    ax1.set_title("Độ trễ của một lô ảnh")
    for ax in (ax0, ax1):
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_ticks(ax, res)
        ax.margins(x=0.06)
        ax.set_xlabel("cạnh ảnh R (điểm ảnh, thang log)")
        ax.grid(True, which="major", alpha=0.3)
    ax0.set_ylim(min(gb.min(), budget.min()) / 3, max(gb.max(), budget.max()) * 3)
    fig.suptitle(f"{title}: {device_name}" if device_name else title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- hierarchy (chapter 4)
def _model_color(name: str) -> str:
    for key in ("Mixer", "MLP", "CNN"):
        if key in name:
            return COLORS[key]
    return COLORS["CNN"]


def _hw(trace) -> tuple[float, float]:
    """(height, width) of one activation drawn as a grid: (H, W) of a map, a square of S tokens."""
    if len(trace.shape) == 4:
        return float(trace.shape[2]), float(trace.shape[3])
    side = float(np.sqrt(trace.shape[1]))
    return side, side


def _collapse_runs(rows: Sequence, collapse: int) -> list:
    """Rows, with each run of >= ``collapse`` identical (type, shape) rows cut to four entries.

    The four entries are the run's first row, its second row, a tuple (how many rows are left out,
    the first of them) drawn as "…", and its last row.
    """
    out: list = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and (rows[j + 1].type, rows[j + 1].shape) == (rows[i].type, rows[i].shape):
            j += 1
        run = rows[i : j + 1]
        out += [run[0], run[1], (len(run) - 3, run[2]), run[-1]] if len(run) >= max(collapse, 4) else list(run)
        i = j + 1
    return out


def plot_activation_shapes(traces: Mapping[str, Sequence], title: str = "Hình dạng của dữ liệu qua từng tầng",
                           collapse: int = 5) -> Figure:
    """One row per model: each spatial activation as a box, tall as its grid, wide as its channels (log scales).

    Args:
        traces: ``{model name: rows of mixerbook.probe.trace_shapes}``. Rows whose output is a
            (B, C, H, W) map or a (B, S, C) token table are drawn (S tokens as a sqrt(S) square);
            flat vectors are skipped.
        collapse: a run of at least this many identical layers (same type and shape) is drawn as
            its first two, a "…" that says how many are left out, and its last.
    """
    kept = {name: [r for r in rows if len(r.shape) in (3, 4)] for name, rows in traces.items()}
    kept = {name: _collapse_runs(rows, collapse) for name, rows in kept.items() if rows}
    if not kept:
        raise ValueError("plot_activation_shapes needs at least one (B, C, H, W) or (B, S, C) output to draw.")
    drawn = [r for rows in kept.values() for r in rows if not isinstance(r, tuple)]
    max_side = max(max(_hw(r)) for r in drawn)
    max_log_c = max(np.log2(max(r.channels, 2)) for r in drawn)
    longest = max(len(rows) for rows in kept.values())
    fig, axes = plt.subplots(len(kept), 1, figsize=(max(6.0, 0.95 * longest + 0.8), 2.6 * len(kept)),
                             squeeze=False)
    for ax, (name, rows) in zip(axes[:, 0], kept.items(), strict=True):
        color = _model_color(name)
        for i, r in enumerate(rows):
            if isinstance(r, tuple):  # (how many left out, one of them)
                ax.text(i, 0, f"…\n{r[0]} lớp\ngiống hệt\n…", ha="center", va="center", fontsize=9)
                continue
            h, _ = _hw(r)
            height = 0.12 + 0.83 * np.log2(h) / np.log2(max_side) if max_side > 1 else 0.95
            width = 0.12 + 0.6 * np.log2(max(r.channels, 2)) / max_log_c
            token_table = len(r.shape) == 3
            ax.add_patch(Rectangle((i - width / 2, -height / 2), width, height, facecolor=color,
                                   alpha=0.35 if r.name == "input" else 0.85, edgecolor="black", lw=0.6,
                                   hatch="///" if token_table else None))
            if token_table:
                label = f"{r.shape[1]}×{r.shape[2]}\n(S×C)"
            else:
                label = f"{r.shape[2]}×{r.shape[3]}\n{r.shape[1]} kênh"
            ax.text(i, -0.55, label, ha="center", va="top", fontsize=9)
            ax.text(i, 0.52, r.name, ha="center", va="bottom", fontsize=9, rotation=20)
        ax.set_xlim(-0.6, longest - 0.4)
        ax.set_ylim(-1.0, 0.9)
        ax.axis("off")
        ax.set_title(name, loc="left", color=color, fontweight="bold")
    fig.suptitle(title)
    fig.text(0.5, 0.005, "chiều cao hộp: cạnh lưới (H, hoặc √S với bảng token); bề rộng: số kênh; thang log; "
             "gạch chéo: bảng token S×C", ha="center", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    return fig


def plot_receptive_fields(fields: Sequence, image_size: int, measured: Mapping[str, int] | None = None,
                          labels: Mapping[str, str] | None = None,
                          title: str = "Trường tiếp nhận (receptive field) lớn dần theo độ sâu") -> Figure:
    """Receptive field side per layer (left) and the fields drawn as nested squares on the image (right).

    Args:
        fields: rows of :func:`mixerbook.probe.receptive_fields` (attributes ``name`` and ``size``).
        image_size: side of the input image, drawn as a dashed line.
        measured: ``{layer name: side measured by a gradient probe}``, drawn as open circles.
        labels: display names by layer name.
    """
    if not fields:
        raise ValueError("plot_receptive_fields needs at least one layer.")
    labels = labels or {}
    names = [labels.get(f.name, f.name) for f in fields]
    sizes = [f.size for f in fields]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    x = np.arange(len(fields))
    ax0.plot(x, sizes, marker="s", color=COLORS["CNN"], label="công thức truy hồi")
    for xi, s in zip(x, sizes, strict=True):
        ax0.annotate(str(s), (xi, s), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    if measured:
        mx = [i for i, f in enumerate(fields) if f.name in measured]
        ax0.scatter(mx, [measured[fields[i].name] for i in mx], s=140, facecolors="none", edgecolors=COLORS["MLP"],
                    linewidths=1.5, label="đo bằng gradient", zorder=3)
    ax0.axhline(image_size, ls="--", color=COLORS["report"], lw=1)
    ax0.text(len(fields) - 1, image_size, f"cạnh ảnh = {image_size}", ha="right", va="bottom", fontsize=8,
             color="#555555")
    ax0.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
    ax0.set_ylabel("cạnh trường tiếp nhận (điểm ảnh)")
    ax0.set_ylim(0, max(max(sizes), image_size) * 1.15)
    ax0.legend(loc="upper left", fontsize=8)
    ax0.set_title("Cạnh trường tiếp nhận sau mỗi lớp")
    cmap = plt.get_cmap("viridis")
    ax1.add_patch(Rectangle((0, 0), image_size, image_size, facecolor="#f4f4f4", edgecolor="black", lw=1))
    centre = image_size / 2
    for i, s in enumerate(sizes):
        side = min(s, image_size)
        ax1.add_patch(Rectangle((centre - side / 2, centre - side / 2), side, side, fill=False,
                                edgecolor=cmap(i / max(1, len(sizes) - 1)), lw=2, label=f"{names[i]}: {s}"))
    ax1.set_xlim(-1, image_size + 1)
    ax1.set_ylim(image_size + 1, -1)
    ax1.set_aspect("equal")
    ax1.set_xticks([])
    ax1.set_yticks([])
    ax1.set_title(f"Trên ảnh {image_size}×{image_size} (quanh tâm)")
    ax1.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_gradient_probes(probes: Mapping[str, object], image: torch.Tensor | None = None,
                         title: str = "Vùng ảnh có gradient khác 0 đối với một đơn vị ở giữa") -> Figure:
    """The input-gradient map of each probed unit, with the rectangle that holds every nonzero value.

    The colour scale is compressed (power 0.4), so small but nonzero gradients stay visible;
    pixels with exactly zero gradient are left uncoloured.

    Args:
        probes: ``{label: mixerbook.probe.GradientProbe}`` (attributes ``grad`` (H, W) and ``box``).
        image: optional (H, W) image drawn faintly underneath.
    """
    from matplotlib.colors import PowerNorm

    if not probes:
        raise ValueError("plot_gradient_probes needs at least one probe.")
    n = len(probes)
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n, 3.0), squeeze=False)
    for ax, (label, probe) in zip(axes[0], probes.items(), strict=True):
        grad = probe.grad.detach().cpu().numpy()
        if image is not None:
            ax.imshow(_numpy_image(image), cmap="gray", alpha=0.35)
        shown = np.ma.masked_where(grad <= 0, grad)
        ax.imshow(shown, cmap="magma_r", norm=PowerNorm(gamma=0.4, vmin=0, vmax=1), alpha=0.9)
        top, left, h, w = probe.box
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), w, h, fill=False, edgecolor=COLORS["CNN"], lw=2))
        ax.set_title(f"{label}\nvùng {h}×{w} điểm ảnh", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    return fig


def _chw(fmap: torch.Tensor) -> np.ndarray:
    arr = fmap.detach().float().cpu()
    if arr.dim() == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.dim() != 3:
        raise ValueError(f"A feature map must be (C, H, W) or (1, C, H, W), got shape {tuple(fmap.shape)}.")
    return arr.numpy()


def plot_feature_maps(image: torch.Tensor, maps: Mapping[str, torch.Tensor], num_channels: int = 8,
                      title: str = "Bản đồ đặc trưng qua từng tầng") -> Figure:
    """The input image, then one row per layer with its most active channels.

    Args:
        image: (H, W) or (C, H, W) input image.
        maps: ``{label: (C, H, W) or (1, C, H, W) feature map}``, first layer first.
        num_channels: channels shown per row: those with the largest mean |activation|.
    """
    if not maps:
        raise ValueError("plot_feature_maps needs at least one feature map.")
    if num_channels < 1:
        raise ValueError(f"num_channels must be at least 1, got {num_channels}.")
    arrays = {label: _chw(m) for label, m in maps.items()}
    rows = len(arrays)
    fig = plt.figure(figsize=(1.25 * (num_channels + 3), 1.45 * rows + 0.6))
    grid = fig.add_gridspec(rows, num_channels + 2, width_ratios=[1.8, 1.3] + [1] * num_channels)
    ax_img = fig.add_subplot(grid[:, 0])
    ax_img.imshow(_numpy_image(image))
    ax_img.set_title("Ảnh đầu vào", fontsize=9)
    ax_img.axis("off")
    for r, (label, arr) in enumerate(arrays.items()):
        order = np.argsort(-np.abs(arr).mean(axis=(1, 2)))[:num_channels]
        for c in range(num_channels):
            ax = fig.add_subplot(grid[r, c + 2])
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(order):
                ax.imshow(arr[order[c]], cmap="viridis", interpolation="nearest")
                ax.set_title(f"kênh {order[c]}", fontsize=7)
            if c == 0:
                ax.set_ylabel(f"{label}\n{'×'.join(str(d) for d in arr.shape)}", fontsize=8, rotation=0,
                              ha="right", va="center")
    fig.suptitle(title)
    fig.subplots_adjust(left=0.02, right=0.99, top=0.86, bottom=0.03, wspace=0.15, hspace=0.45)
    return fig


def _mosaic(arr: np.ndarray, ncols: int, signed: bool = False) -> np.ndarray:
    """Tiles of (D, h, w) maps in rows of ``ncols``, NaN between tiles, each tile scaled on its own.

    ``signed=False``: min..max of the tile to [0, 1]; ``signed=True``: divided by its max |value|,
    into [-1, 1], so that zero stays zero (for weights drawn with a diverging colour map).
    """
    d, h, w = arr.shape
    nrows = (d + ncols - 1) // ncols
    out = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan)
    for k in range(d):
        if signed:
            tile = arr[k] / (np.abs(arr[k]).max() or 1.0)
        else:
            lo, hi = arr[k].min(), arr[k].max()
            tile = (arr[k] - lo) / (hi - lo) if hi > lo else np.zeros_like(arr[k])
        r, q = divmod(k, ncols)
        out[r * (h + 1): r * (h + 1) + h, q * (w + 1): q * (w + 1) + w] = tile
    return out


def plot_feature_map_detail(image: torch.Tensor, fmap: torch.Tensor, channel: int, label: str = "",
                            title: str | None = None) -> Figure:
    """The input image, one channel of a feature map at full size, and every channel of that map.

    Args:
        image: (H, W) or (C, H, W) input image.
        fmap: (C, H', W') or (1, C, H', W') feature map of one layer.
        channel: the channel drawn large (0 ... C-1).
        label: name of the layer, for the titles.
    """
    arr = _chw(fmap)
    c, h, w = arr.shape
    if not 0 <= channel < c:
        raise ValueError(f"channel must be between 0 and {c - 1} for a map with {c} channels, got {channel}.")
    fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.2, 1.4]})
    ax0.imshow(_numpy_image(image))
    ax0.set_title("Ảnh đầu vào")
    ax0.axis("off")
    im = ax1.imshow(arr[channel], cmap="viridis", interpolation="nearest")
    if max(h, w) <= 16:
        for k in range(1, h):
            ax1.axhline(k - 0.5, color="white", lw=0.3)
        for k in range(1, w):
            ax1.axvline(k - 0.5, color="white", lw=0.3)
    ax1.set_title(f"{label} — kênh {channel} ({h}×{w})")
    ax1.set_xticks([])
    ax1.set_yticks([])
    fig.colorbar(im, ax=ax1, fraction=0.046)
    ncols = int(np.ceil(np.sqrt(c)))
    ax2.imshow(_mosaic(arr, ncols), cmap="viridis", interpolation="nearest")
    r, q = divmod(channel, ncols)
    ax2.add_patch(Rectangle((q * (w + 1) - 0.75, r * (h + 1) - 0.75), w + 0.5, h + 0.5, fill=False,
                            edgecolor=COLORS["MLP"], lw=2))
    ax2.set_title(f"Cả {c} kênh của {label}")
    ax2.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


__all__ += [
    "plot_activation_shapes",
    "plot_receptive_fields",
    "plot_gradient_probes",
    "plot_feature_maps",
    "plot_feature_map_detail",
]


# --------------------------------------------------------------------------- the Mixer (chapter 7)
_BLOCK_COLORS = ("#edae49", "#00798c", "#d1495b", "#66a182", "#8d96a3", "#2e4057", "#b5838d", "#6d597a",
                 "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#9c6644", "#7f5539", "#588157", "#a3b18a")


def plot_scoreboard(rows: Sequence[Mapping[str, object]], target: float | None = None,
                    title: str = "Bảng điểm trên Fashion-MNIST (mỗi mô hình theo số epoch riêng của ngân sách)",
                    ) -> Figure:
    """Four panels side by side: parameters, multiply-adds per image, seconds per epoch, test accuracy.

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
    panels = [("params", "Số tham số", number, False),
              ("macs", "MAC / ảnh (thang log)", number, True),
              ("seconds_per_epoch", "Giây / epoch", "{:.1f}".format, False),
              ("accuracy", "Độ chính xác kiểm tra", "{:.1%}".format, False)]
    fig, grid = plt.subplots(2, 2, figsize=(9, 1.2 * len(rows) + 2.6), sharey=True)
    axes = grid.flatten()
    y = np.arange(len(rows))
    for ax, (key, label, fmt, log) in zip(axes, panels, strict=True):
        vals = [float(r[key]) for r in rows]
        for i, (r, v) in enumerate(zip(rows, vals, strict=True)):
            ax.barh(i, v, color=_model_color(str(r["model"])), hatch="///" if r.get("cached") else None,
                    edgecolor="black" if r.get("cached") else "none", lw=0.5, height=0.6)
        if log:
            ax.set_xscale("log")
            ax.set_xlim(min(vals) / 3, max(vals) * 40)
        elif key == "accuracy":
            ax.set_xlim(0.0, 1.3)  # from zero; the value labels sit right of the bars
            ax.set_xticks(np.linspace(0, 1, 5))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0%}"))
            if target is not None:
                ax.axvline(target, color="#555555", ls="--", lw=1)
                ax.text(target, 1.0, f" mục tiêu {target:.0%}", color="#555555", fontsize=7, va="top",
                        transform=ax.get_xaxis_transform())
        else:
            ax.set_xlim(0, max(vals) * 1.45)
            if key == "params":
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{number(v / 1e3)}k" if v else "0"))
        for i, v in enumerate(vals):
            ax.text(v * (1.15 if log else 1.0), i, " " + fmt(v), va="center", fontsize=9)
        ax.set_title(label)
        ax.tick_params(axis="x", labelsize=8)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()  # shared by all four panels: first model on top
    fig.suptitle(title)
    if any(r.get("cached") for r in rows):
        fig.text(0.5, 0.005, "gạch chéo: kết quả nạp lại từ bộ nhớ đệm; thời gian là thời gian đo "
                 "lúc huấn luyện lần đó", ha="center", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
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

    from .models.mixer import block_order

    side = grid_size * factor
    if weight.dim() != 2 or weight.shape[1] != side * side:
        raise ValueError(f"weight must be (K**2 * D_S, {side * side}) for grid_size {grid_size} and factor "
                         f"{factor}, got shape {tuple(weight.shape)}.")
    order = block_order(grid_size, factor)
    block_of_token = torch.empty(side * side, dtype=torch.long)
    block_of_token[order] = torch.arange(side * side) // (grid_size * grid_size)
    colors = ListedColormap([_BLOCK_COLORS[k % len(_BLOCK_COLORS)] for k in range(factor * factor)])
    w = weight.detach().abs().float().cpu()
    fig = plt.figure(figsize=(10, 4.4))
    grid = fig.add_gridspec(2, 3, height_ratios=(1, 14), width_ratios=(1, 1.1, 1.1), hspace=0.04, wspace=0.35)
    ax = fig.add_subplot(grid[:, 0])
    ax.imshow(block_of_token.reshape(side, side).numpy(), cmap=colors, vmin=-0.5, vmax=factor * factor - 0.5)
    if side <= 12:
        for t in range(side * side):
            ax.text(t % side, t // side, str(t), ha="center", va="center", fontsize=7 if side > 8 else 8)
    for k in range(1, factor):
        ax.axhline(k * grid_size - 0.5, color="black", lw=2)
        ax.axvline(k * grid_size - 0.5, color="black", lw=2)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Lưới {side}×{side} token = {factor}×{factor} khối {grid_size}×{grid_size}", fontsize=10)
    vmax = float(w.max()) if w.numel() else 1.0
    for col, (matrix, strip, name) in enumerate([
        (w[:, order], block_of_token[order], "W1' theo thứ tự khối: khối chéo"),
        (w, block_of_token, "W1' như mô hình lưu: cột theo thứ tự hàng"),
    ], start=1):
        top = fig.add_subplot(grid[0, col])
        top.imshow(strip[None, :].numpy(), cmap=colors, vmin=-0.5, vmax=factor * factor - 0.5, aspect="auto")
        top.set_xticks([])
        top.set_yticks([])
        top.set_title(name, fontsize=10)
        axm = fig.add_subplot(grid[1, col])
        axm.imshow(matrix.numpy(), cmap="Greys", vmin=0, vmax=vmax, aspect="auto", interpolation="nearest")
        axm.set_xlabel(f"{side * side} token (cột)")
        axm.set_ylabel(f"{matrix.shape[0]} nơ-ron ẩn (hàng)")
        axm.tick_params(labelsize=7)
    if title:
        fig.suptitle(title)
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
    from .models.mixer import tile_images

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
        ax.axvline(pos - 0.5, color=COLORS["CNN"], lw=0.5, alpha=0.8)
    for pos in range(patch_size, mosaic.shape[-2], patch_size):
        ax.axhline(pos - 0.5, color=COLORS["CNN"], lw=0.5, alpha=0.8)
    for j in range(1, k):
        ax.axvline(j * w - 0.5, color=COLORS["Mixer"], lw=2.5)
        ax.axhline(j * h - 0.5, color=COLORS["Mixer"], lw=2.5)
    ax.set_xticks([])
    ax.set_yticks([])
    side = mosaic.shape[-1] // patch_size
    ax.set_title(f"Ảnh ghép {mosaic.shape[-2]}×{mosaic.shape[-1]}: {side}×{side} patch, {k}×{k} khối", fontsize=9)
    fig.suptitle(title)
    return fig


__all__ += ["plot_scoreboard", "plot_token_blocks", "plot_mosaic"]


# --------------------------------------------------------------------------- patches and mixing (chapters 5-6)
_STEP_TITLES = {
    "input": "X: bảng đầu vào",
    "token": "U = X + trộn token",
    "channel": "Y = U + trộn kênh",
}


def _random_patch_table(image: torch.Tensor, patch_size: int, hidden_dim: int, seed: int = 0) -> torch.Tensor:
    """(S, C) table of a (C_in, H, W) image through a seeded, untrained PatchEmbedding."""
    from .data import to_float
    from .models.mixer import PatchEmbedding

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
    from .models.mixer import patchify

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

    fig = plt.figure(figsize=(12.5, 4.6))
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
    from .mixing import STEPS, mixing_sources

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
        fig, axes = plt.subplots(3, 1, figsize=(11, 1.2 + 3 * max(1.3, 0.13 * s)))
    else:
        fig, axes = plt.subplots(1, 3, figsize=(11, 1.4 + max(1.8, 0.55 * s)))
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
            title = (f"U[{row}, {col}] (khung đen) được trộn từ cột {col} của X (khung vàng): {s} token của cùng "
                     f"kênh {col}")
        else:
            title = (f"Y[{row}, {col}] (khung đen) được trộn từ hàng {row} của U (khung vàng): {c} kênh của cùng token "
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
    fig, axes = plt.subplots(1, panels, figsize=(3.6 * panels + 1.2, 3.9),
                             gridspec_kw={"width_ratios": [1] * (panels - 1) + [1.35]})

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
                    ax.text(q, r, f"{arr[k, r, q]:+.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(arr[k, r, q]) > 0.6 * lim else "black")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(heading, fontsize=10)

    prefix = f"{label}, " if label else ""
    one(axes[0], unit, f"{prefix}nơ-ron ẩn {unit}\n{g * g} trọng số trên lưới {g}×{g} patch")
    if partner is not None:
        extra = f" (cosine {cosine:+.2f})" if cosine is not None else ""
        one(axes[1], partner, f"nơ-ron {partner}: ngược pha nhất{extra}")
    ncols = int(np.ceil(np.sqrt(d)))
    ax = axes[-1]
    ax.imshow(_mosaic(arr, ncols, signed=True), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    for k, color in ((unit, COLORS["focus"]), (partner, COLORS["CNN"])):
        if k is None:
            continue
        r, q = divmod(k, ncols)
        ax.add_patch(Rectangle((q * (g + 1) - 0.75, r * (g + 1) - 0.75), g + 0.5, g + 0.5, fill=False,
                               edgecolor=color, lw=2))
    ax.set_title(f"Cả {d} nơ-ron ẩn của {label or 'lớp'}", fontsize=10)
    ax.axis("off")
    fig.text(0.5, 0.01, "đỏ: trọng số dương, xanh: âm; mỗi ô vuông là một patch", ha="center", fontsize=8,
             color="#555555")
    fig.tight_layout(rect=(0, 0.04, 1, 0.96))
    return fig


__all__ += ["plot_patch_grid", "plot_mixing_table", "plot_token_weights"]


# --------------------------------------------------------------------------- scaling and results (chapter 8)
PRETRAIN_COLORS = {"ImageNet-1k": "#f4a261", "ImageNet-21k": "#2a9d8f", "JFT-300M": "#264653"}
"""Colour of each pre-training set in the chapter's figures (other sets are grey)."""

_FAMILY_MARKERS = {"Mixer": "o", "ViT": "s", "BiT": "^"}
_FAMILY_NAMES = {"Mixer": "MLP-Mixer", "ViT": "ViT", "BiT": "BiT (ResNet)", "other": "mô hình khác"}


def _short_model(row) -> str:
    """'Mixer-L/16' at 448 px -> 'L/16 448'; the family name is shown by the marker."""
    name = row.model.split("-", 1)[1] if row.family in ("Mixer", "ViT") else row.model
    name = f"{name} {row.resolution}" if row.resolution and row.resolution != 224 else name
    return f"{name} (bảng 2)" if "Table 2" in row.source else name


def plot_accuracy_throughput(rows: Sequence, pretrain: str | None = None, report: Sequence | None = None,
                             title: str = "Độ chính xác ImageNet và thông lượng (bài báo MLP-Mixer)") -> Figure:
    """ImageNet top-1 against throughput (img/sec per TPU-v3 core, log scale), one point per table row.

    Colour: pre-training set; marker: model family; filled = fine-tuned at 224 px, hollow = at a
    higher resolution (448/512/518 px), grey edge only = resolution not stated.

    Args:
        rows: :class:`mixerbook.paper.PaperResult` rows (rows without a throughput are skipped).
        pretrain: show this pre-training set in full and fade the others (None: all in full).
        report: :class:`mixerbook.paper.ReportClaim` lines to draw as red crosses, each with an arrow
            to the point where its accuracy really belongs (only lines paired wrongly are drawn).
    """
    rows = [r for r in rows if r.throughput is not None]
    if not rows:
        raise ValueError("plot_accuracy_throughput needs at least one row with a throughput.")
    fig, ax = plt.subplots(figsize=(10, 6.2))
    point_labels = []
    for r in rows:
        color = PRETRAIN_COLORS.get(r.pretrain, COLORS["report"])
        alpha = 1.0 if pretrain in (None, r.pretrain) else 0.15
        marker = _FAMILY_MARKERS.get(r.family, "D")
        if r.resolution == 224:
            face, edge = color, color
        elif r.resolution is None:
            face, edge = "white", COLORS["report"]
        else:
            face, edge = "white", color
        ax.scatter(r.throughput, r.top1, s=46, marker=marker, facecolors=face, edgecolors=edge, linewidths=1.6,
                   alpha=alpha, zorder=3)
        if r.family in ("Mixer", "ViT") and alpha == 1.0:
            point_labels.append(ax.annotate(_short_model(r), (r.throughput, r.top1), xytext=(5, -3),
                                            textcoords="offset points", fontsize=7, color="#333333"))
    drawn = False
    for claim in report or ():
        if claim.paired_correctly:
            continue
        true = claim.accuracy_row
        ax.scatter(claim.throughput, claim.top1, marker="x", s=60, color=COLORS["focus"], linewidths=2, zorder=4,
                   label=None if drawn else "báo cáo: độ chính xác ghép với thông lượng của dòng khác")
        ax.annotate("", xy=(true.throughput, true.top1), xytext=(claim.throughput, claim.top1),
                    arrowprops=dict(arrowstyle="->", color=COLORS["focus"], lw=1.2, ls="--"), zorder=2)
        point_labels.append(ax.annotate(f"{claim.model} (báo cáo)", (claim.throughput, claim.top1), xytext=(6, 6),
                                        textcoords="offset points", fontsize=7, color=COLORS["focus"]))
        drawn = True
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_xlabel("thông lượng (ảnh/giây trên một lõi TPU-v3, thang log)")
    ax.margins(y=0.06)
    _accuracy_axis(ax, "độ chính xác top-1 trên ImageNet (%)")
    ax.grid(True, which="major", alpha=0.3)
    ax.set_title(title)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="", marker="o", color=c, label=f"tiền huấn luyện: {name}")
               for name, c in PRETRAIN_COLORS.items()]
    handles += [Line2D([], [], ls="", marker=_FAMILY_MARKERS.get(f, "D"), color="#555555", mfc="#555555",
                       label=_FAMILY_NAMES[f]) for f in ("Mixer", "ViT", "BiT", "other")]
    handles += [Line2D([], [], ls="", marker="o", color="#555555", mfc="#555555", label="tinh chỉnh ở 224 px"),
                Line2D([], [], ls="", marker="o", color="#555555", mfc="white", label="tinh chỉnh ở 448–518 px"),
                Line2D([], [], ls="", marker="o", color=COLORS["report"], mfc="white",
                       label="độ phân giải không nêu")]
    if drawn:
        handles += ax.get_legend_handles_labels()[0][:1]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    _declutter(fig, point_labels)
    return fig


def plot_pretraining_scaling(series: Mapping[str, Mapping[str, float]],
                             report: Mapping[str, Mapping[str, float]] | None = None,
                             title: str = "Độ chính xác ImageNet theo tập tiền huấn luyện (224 px)") -> Figure:
    """Top-1 against the size of the pre-training set (log scale), one line per model.

    Args:
        series: ``{model: {pre-training set: top-1}}``, sets named as in
            :data:`mixerbook.paper.PRETRAIN_SETS` (which gives their sizes).
        report: the same layout for the source report's figures, drawn as grey dashed lines.
    """
    from .paper import PRETRAIN_SETS

    if not series:
        raise ValueError("plot_pretraining_scaling needs at least one model.")
    unknown = {k for s in series.values() for k in s} - set(PRETRAIN_SETS)
    if unknown:
        raise ValueError(f"Unknown pre-training set(s) {sorted(unknown)}; expected {', '.join(PRETRAIN_SETS)}.")
    fig, ax = plt.subplots(figsize=(8, 4.6))
    styles = {"Mixer": ("-", "o"), "ViT": ("-", "s")}
    palette = ["#edae49", "#d1495b", "#00798c", "#30638e", "#6a4c93", "#8ac926"]
    point_labels = []
    for k, (name, values) in enumerate(series.items()):
        ls, marker = styles.get(name.split("-")[0], ("-", "D"))
        xs = [PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS if s in values]
        ys = [values[s] for s in PRETRAIN_SETS if s in values]
        color = palette[k % len(palette)]
        ax.plot(xs, ys, ls=ls, marker=marker, color=color, label=name, lw=2)
        below = name.startswith("Mixer")
        for x, y in zip(xs, ys, strict=True):
            point_labels.append(ax.annotate(f"{y:.2f}", (x, y), xytext=(4, -11 if below else 4),
                                            textcoords="offset points", fontsize=7, color=color))
    names = list(series)
    for name, values in (report or {}).items():
        xs = [PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS if s in values]
        ys = [values[s] for s in PRETRAIN_SETS if s in values]
        color = palette[names.index(name) % len(palette)] if name in names else COLORS["report"]
        ax.plot(xs, ys, ls="--", marker="x", color=color, alpha=0.6, lw=1.2, label=f"{name} (số liệu báo cáo)")
    ax.set_xscale("log")
    ax.set_xticks([PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS],
                  [f"{s}\n(~{PRETRAIN_SETS[s]['images'] / 1e6:g} triệu ảnh)" for s in PRETRAIN_SETS])
    ax.minorticks_off()
    ax.set_xlim(0.8e6, 5e8)
    ax.set_xlabel("tập tiền huấn luyện (thang log theo số ảnh)")
    ax.margins(y=0.08)
    _accuracy_axis(ax, "độ chính xác top-1 trên ImageNet (%)")
    ax.grid(True, which="major", alpha=0.3)
    _legend_outside(ax)
    ax.set_title(title)
    fig.tight_layout()
    _declutter(fig, point_labels)
    return fig


def plot_data_scaling(test: Mapping[str, Mapping[int, float]], train: Mapping[str, Mapping[int, float]] | None = None,
                      title: str = "Thêm dữ liệu huấn luyện, cùng số bước tối ưu") -> Figure:
    """Test accuracy against the training-set size (log scale), and the train-test gap.

    Args:
        test: ``{model: {train_size: test accuracy in [0, 1]}}`` (e.g. from
            :func:`mixerbook.experiments.scaling_grid`).
        train: the same for accuracy on the training images; adds a right panel with the gap
            ``train - test`` in percentage points (how much each model overfits).
    """
    if not test:
        raise ValueError("plot_data_scaling needs at least one model.")
    fig, axes = plt.subplots(1, 2 if train else 1, figsize=(11 if train else 6.4, 4), squeeze=False)
    ax = axes[0, 0]
    sizes = sorted({n for row in test.values() for n in row})
    for name, row in test.items():
        ns = sorted(row)
        ax.plot(ns, [100 * row[n] for n in ns], marker="o", color=_model_color(name), label=name, lw=2)
    ax.margins(y=0.1)
    _accuracy_axis(ax, "độ chính xác trên tập kiểm tra (%)")
    ax.set_title("Độ chính xác kiểm tra")
    if train:
        ax2 = axes[0, 1]
        for name, row in test.items():
            ns = sorted(n for n in row if n in train.get(name, {}))
            ax2.plot(ns, [100 * (train[name][n] - row[n]) for n in ns], marker="o", color=_model_color(name),
                     label=name, lw=2)
        ax2.axhline(0, color="#777777", lw=0.8)
        ax2.set_ylabel("huấn luyện − kiểm tra (điểm %)")
        ax2.set_title("Khoảng cách huấn luyện − kiểm tra (quá khớp)")
    for a in axes.flat:
        a.set_xscale("log")
        a.set_xticks(sizes, [f"{number(n)}" for n in sizes])
        a.minorticks_off()
        a.set_xlabel("số ảnh huấn luyện (thang log)")
        a.grid(True, which="major", alpha=0.3)
        a.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_relative_speed(sources: Mapping[str, Mapping[str, float]], base: str = "Mixer-B/16",
                        title: str = "Tốc độ so với Mixer-B/16 trên từng phần cứng") -> Figure:
    """Grouped bars: throughput of every other model divided by that of ``base``, one group per source.

    Args:
        sources: ``{source label: {model: images per second}}``; every source must contain ``base``.
        base: the model every ratio is relative to (a bar of height 1 would tie with it).
    """
    if not sources:
        raise ValueError("plot_relative_speed needs at least one source.")
    missing = [label for label, v in sources.items() if base not in v]
    if missing:
        raise ValueError(f"Every source needs a value for {base!r}; missing in: {', '.join(missing)}.")
    others = [m for m in dict.fromkeys(m for v in sources.values() for m in v) if m != base]
    fig, ax = plt.subplots(figsize=(11, 4.6))
    x = np.arange(len(sources))
    width = 0.8 / max(1, len(others))
    colors = {"ViT-B/16": "#30638e", "ResNet-50": COLORS["CNN"]}
    for k, model in enumerate(others):
        vals = [v[model] / v[base] if model in v else np.nan for v in sources.values()]
        bars = ax.bar(x + (k - (len(others) - 1) / 2) * width, vals, width, label=f"{model} / {base}",
                      color=colors.get(model, COLORS["report"]))
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    # named in the legend: a label on the line itself would cross the bars of the last group
    ax.axhline(1.0, color="#333333", lw=1, ls="--", label=f"nhanh bằng {base}")
    ax.set_xticks(x, list(sources), fontsize=7)
    ax.set_ylabel(f"thông lượng / thông lượng {base}")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def plot_token_mixing_params(num_patches: Sequence[int], series: Mapping[str, Sequence[int]],
                             highlight: int | None = None,
                             title: str = "Tham số dùng để trộn token trong một lớp") -> Figure:
    """Parameters of one block's token-mixing step against the number of patches S, on log-log axes.

    Args:
        num_patches: the values of S.
        series: ``{design: [parameters for each S]}`` (e.g. from
            :func:`mixerbook.complexity.token_mixing_params`).
        highlight: one S to mark (e.g. 196, a 224-px image in 16x16 patches).
    """
    num_patches = list(num_patches)
    if not num_patches or not series:
        raise ValueError("plot_token_mixing_params needs at least one S and one design.")
    for name, values in series.items():
        if len(values) != len(num_patches):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(num_patches)} values of S.")
    palette = {"Mixer": COLORS["Mixer"], "ResMLP": "#6a4c93", "gMLP": "#30638e", "ConvMixer": COLORS["CNN"]}
    styles = {"gMLP": ":"}
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for name, values in series.items():
        # the dotted gMLP line lies exactly on ResMLP's (both S² per layer): drawn above it, it stays visible
        ax.plot(num_patches, values, marker="o", ms=3, lw=2, ls=styles.get(name, "-"), label=name,
                color=palette.get(name), zorder=3 if name in styles else 2)
    if highlight is not None:
        ax.axvline(highlight, color="#777777", ls="--", lw=0.8)
        ax.annotate(f"S = {highlight}", (highlight, 1), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", va="top", fontsize=8, color="#555555")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("số patch S (thang log)")
    ax.set_ylabel("số tham số (thang log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


__all__ += ["PRETRAIN_COLORS", "plot_accuracy_throughput", "plot_pretraining_scaling", "plot_data_scaling",
            "plot_relative_speed", "plot_token_mixing_params"]


# --------------------------------------------------------------------------- inductive bias (chapter 3)
SHUFFLE_LABELS = {"none": "ảnh gốc", "patch": "xáo patch + điểm ảnh", "global": "xáo toàn cục"}
"""Vietnamese names of the shuffle modes of :mod:`mixerbook.permute`."""

SHUFFLE_COLORS = {"none": "#30638e", "patch": "#8fb339", "global": "#c05746"}


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
    fig, axes = plt.subplots(n, 4, figsize=(10, 2.7 * n), squeeze=False)
    heads = ["F(x): ảnh gốc", "F(Tx): ảnh đã dịch", "T F(x): dịch đầu ra", "|F(Tx) − T F(x)|"]
    for row, (label, chk) in zip(axes, checks.items(), strict=True):
        maps = [chk.fx, chk.ftx, chk.tfx]
        lim = float(max(m.abs().max() for m in maps)) or 1.0
        for ax, m, head in zip(row[:3], maps, heads, strict=False):
            ax.imshow(m.detach().cpu().numpy(), cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
            ax.set_title(head, fontsize=9)
        diff = (chk.ftx - chk.tfx).abs().detach().cpu().numpy()
        ax = row[3]
        ax.imshow(diff, cmap="magma_r", vmin=0, vmax=lim, interpolation="nearest")
        ax.set_title(f"{heads[3]}\nsai lệch ở giữa: {chk.error:.1e}", fontsize=9)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(label, fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
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
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
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


__all__ += ["SHUFFLE_LABELS", "plot_shuffle", "plot_equivariance", "plot_neighbour_correlation",
            "plot_permutation_results"]


# --------------------------------------------------------------------------- pictures of the architectures
def _box(ax, x: float, y: float, w: float, h: float, text: str, color: str, fontsize: float = 9,
         text_color: str = "black", **kwargs) -> tuple[float, float, float, float]:
    """A rounded box centred at (x, y), w x h in data units, with centred text; returns its extents."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.0,rounding_size=0.8",
                                facecolor=color, edgecolor="#333333", lw=1.0, **kwargs))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=text_color, linespacing=1.25)
    return x - w / 2, x + w / 2, y - h / 2, y + h / 2


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], color: str = "#333333", **kwargs) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.3,
                                                      "shrinkA": 0, "shrinkB": 0, **kwargs})


def _polyline(ax, xs: Sequence[float], ys: Sequence[float], color: str = "#333333", lw: float = 1.3) -> None:
    """A connector drawn as a patch (not a data line, so the figure reads as a diagram)."""
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon(np.column_stack([xs, ys]), closed=False, fill=False, edgecolor=color, lw=lw))


def plot_mixer_overview(model=None, title: str = "MLP-Mixer trong một hình") -> Figure:
    """The MLP-Mixer at a glance, in the manner of the paper's Figure 1, with the sizes of ``model``.

    Top row: the image is cut into P x P patches and one shared linear projection turns each into
    C channels (the patch embedding), giving an S x C table. Middle: one Mixer block, repeated N
    times: LayerNorm, token-mixing MLP on every column (S -> D_S -> S), skip connection; LayerNorm,
    channel-mixing MLP on every row (C -> D_C -> C), skip connection. Bottom: LayerNorm, global
    average pooling over the S tokens, and the classification head.

    Args:
        model: a :class:`mixerbook.models.MlpMixer` whose sizes are written in the boxes; None uses
            the book's "Mixer" (:data:`mixerbook.experiments.MODELS`).

    The axes title names every stage in order, so the figure's text alternative
    (:func:`mixerbook.a11y.describe_figure`) reads as a description of the architecture.
    """
    from .models.mixer import MlpMixer

    if model is None:
        from .experiments import build_model

        model = build_model("Mixer")
    if not isinstance(model, MlpMixer):
        raise ValueError(f"plot_mixer_overview needs an MlpMixer, got {type(model).__name__}.")
    stem, block = model.stem, model.blocks[0]
    p, side, c_in, s = stem.patch_size, stem.image_size, stem.in_channels, model.num_patches
    c = model.pre_head_norm.normalized_shape[0]
    d_s, d_c = block.token_mixing.fc1.out_features, block.channel_mixing.fc1.out_features
    n = len(model.blocks)
    classes = getattr(model.head, "out_features", c)

    colors = {"stem": "#cfe3e8", "norm": "#eeeeee", "token": "#f6d9a0", "channel": "#f3b8c0", "pool": "#d6e6c8",
              "table": "#ffffff"}
    fig, ax = plt.subplots(figsize=(10.5, 6.4))
    ax.set_xlim(0, 105)
    ax.set_ylim(0, 64)
    ax.axis("off")

    # Row 1: image -> patch embedding -> table.
    y1 = 53
    ax.add_patch(Rectangle((3, y1 - 6), 12, 12, facecolor="#dddddd", edgecolor="#333333", lw=1))
    g = side // p
    lines = min(g, 8)
    for k in range(1, lines):
        _polyline(ax, [3 + 12 * k / lines] * 2, [y1 - 6, y1 + 6], color="white", lw=1.2)
        _polyline(ax, [3, 15], [y1 - 6 + 12 * k / lines] * 2, color="white", lw=1.2)
    ax.text(9, y1 + 6.6, f"ảnh {side}×{side}×{c_in}: {g}×{g} patch {p}×{p}", ha="center", va="bottom", fontsize=8.5)
    _arrow(ax, (16, y1), (22, y1))
    _box(ax, 38, y1, 32, 11, f"Nhúng patch (patch embedding)\nmột phép chiếu tuyến tính dùng chung:\n"
         f"mỗi patch {c_in}·{p}·{p} giá trị → {c} kênh", colors["stem"])
    _arrow(ax, (54, y1), (60, y1))
    ax.add_patch(Rectangle((61, y1 - 5), 16, 10, facecolor=colors["table"], edgecolor="#333333", lw=1))
    for k in range(1, 5):
        _polyline(ax, [61, 77], [y1 - 5 + 2 * k] * 2, color="#bbbbbb", lw=0.6)
        _polyline(ax, [61 + 16 * k / 5] * 2, [y1 - 5, y1 + 5], color="#bbbbbb", lw=0.6)
    ax.text(69, y1 + 5.6, f"bảng S × C = {s} × {c}", ha="center", va="bottom", fontsize=9)
    ax.text(79, y1, "hàng: một token (patch)\ncột: một kênh", ha="left", va="center", fontsize=8, color="#555555")

    # Row 2: one Mixer block, repeated N times; the table comes in on the left.
    y2 = 27
    ax.add_patch(Rectangle((2, y2 - 12), 100, 25, facecolor="none", edgecolor="#555555", lw=1.2, ls="--"))
    ax.text(3, y2 + 13.6, f"Lớp Mixer, lặp lại N = {n} lần (cùng cấu trúc, trọng số riêng); vào và ra đều là "
            f"bảng {s} × {c}", ha="left", va="bottom", fontsize=9.5, fontweight="bold")
    _polyline(ax, [69, 69, 0.8, 0.8], [y1 - 5, y2 + 18, y2 + 18, y2], color="#333333", lw=1.3)
    _arrow(ax, (0.8, y2), (7.5, y2))
    # each half of the block: LayerNorm -> MLP -> "+", the first starting at x = 0, the second at x = 49
    halves = [(f"Trộn token\nMLP trên từng cột\n{s} → {d_s} → {s}\n(dùng chung cho {c} cột)", colors["token"]),
              (f"Trộn kênh\nMLP trên từng hàng\n{c} → {d_c} → {c}\n(dùng chung cho {s} hàng)", colors["channel"])]
    for x, (label, color) in zip((0, 49), halves, strict=True):
        _box(ax, x + 13, y2, 11, 6, "LayerNorm", colors["norm"], fontsize=8.5)
        _arrow(ax, (x + 18.5, y2), (x + 22.5, y2))
        _box(ax, x + 33, y2, 21, 10, label, color, fontsize=8.5)
        _arrow(ax, (x + 43.5, y2), (x + 47.2, y2))
        ax.add_patch(plt.Circle((x + 49, y2), 1.8, facecolor="white", edgecolor="#333333", lw=1.2))
        ax.text(x + 49, y2, "+", ha="center", va="center", fontsize=11)
    _arrow(ax, (50.8, y2), (55.5, y2))
    # skip connections: from before each LayerNorm to the matching "+"
    for x0, x1 in ((5, 49), (53, 98)):
        _polyline(ax, [x0, x0, x1], [y2, y2 - 9, y2 - 9], color=COLORS["CNN"], lw=1.4)
        _arrow(ax, (x1, y2 - 9), (x1, y2 - 1.8), color=COLORS["CNN"])
        ax.text((x0 + x1) / 2, y2 - 9.6, "kết nối tắt (skip connection): cộng đầu vào vào kết quả", ha="center",
                va="top", fontsize=8, color=COLORS["CNN"])

    # Row 3: the table after the last block -> LayerNorm -> pooling -> head.
    y3 = 4
    _polyline(ax, [99.8, 104, 104, 13], [y2, y2, y3 + 8, y3 + 8], color="#333333", lw=1.3)
    _arrow(ax, (13, y3 + 8), (13, y3 + 3))
    ax.text(64, y3 + 7.5, f"bảng {s} × {c} sau lớp Mixer thứ {n}", ha="center", va="top", fontsize=8, color="#555555")
    _box(ax, 13, y3, 17, 6, "LayerNorm", colors["norm"], fontsize=8.5)
    _arrow(ax, (21.5, y3), (27, y3))
    _box(ax, 44, y3, 34, 7, f"Gộp trung bình toàn cục\n(trung bình {s} token → vector {c} kênh)", colors["pool"],
         fontsize=8.5)
    _arrow(ax, (61, y3), (66, y3))
    _box(ax, 80, y3, 28, 7, f"Đầu phân loại\nlớp kết nối đầy đủ {c} → {classes}", colors["pool"], fontsize=8.5)

    ax.set_title(f"ảnh → nhúng patch → bảng {s} × {c} → {n} lớp Mixer (LayerNorm, trộn token, kết nối tắt; "
                 f"LayerNorm, trộn kênh, kết nối tắt) → LayerNorm → gộp trung bình toàn cục → đầu phân loại "
                 f"({classes} lớp)", fontsize=8.5, color="#333333", wrap=True)
    fig.suptitle(title, fontsize=12)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.01)
    return fig


def plot_convolution(image: torch.Tensor | np.ndarray, kernel: torch.Tensor | np.ndarray | None = None,
                     positions: Sequence[tuple[int, int]] | None = None, crop: tuple[int, int, int] | None = None,
                     title: str = "Một bộ lọc 3×3 trượt trên ảnh") -> Figure:
    """A 3 x 3 filter sliding over an image: the window at a few positions, the filter, the feature map.

    Left: a crop of the image with its pixel values and the 3 x 3 window drawn at each of
    ``positions``. Middle: the filter weights. Right: the feature map of the crop (the convolution,
    no padding), the cell each window produces outlined in the window's colour, with its value and
    the sum that gives it written underneath. Every number is computed from ``image`` and ``kernel``.

    Args:
        image: (H, W) grey image (uint8 or float).
        kernel: (3, 3) filter weights; default a vertical-edge filter (-1 0 1 in every row).
        positions: top-left (row, col) of the window inside the crop, up to 3; default three steps
            to the right along one row.
        crop: (top, left, side) of the square crop drawn; default the 8 x 8 centre of the image.
    """
    arr = _numpy_image(image).astype(float)
    if arr.ndim != 2:
        raise ValueError(f"plot_convolution expects a single-channel (H, W) image, got shape {arr.shape}.")
    w = np.array([[-1.0, 0.0, 1.0]] * 3) if kernel is None else np.asarray(
        kernel.detach().cpu() if isinstance(kernel, torch.Tensor) else kernel, dtype=float)
    if w.shape != (3, 3):
        raise ValueError(f"kernel must be 3x3, got shape {w.shape}.")
    h_img, w_img = arr.shape
    top, left, side = crop if crop is not None else ((h_img - 8) // 2, (w_img - 8) // 2, 8)
    if side < 3 or top < 0 or left < 0 or top + side > h_img or left + side > w_img:
        raise ValueError(f"crop (top={top}, left={left}, side={side}) must lie inside the {h_img}x{w_img} image "
                         "and be at least 3 pixels wide.")
    patch = arr[top:top + side, left:left + side]
    out_side = side - 2
    positions = list(positions) if positions is not None else [(2, 0), (2, 2), (2, 4)]
    if not 1 <= len(positions) <= 3:
        raise ValueError(f"positions must hold 1 to 3 window positions, got {len(positions)}.")
    for r, q in positions:
        if not (0 <= r < out_side and 0 <= q < out_side):
            raise ValueError(f"window position ({r}, {q}) must lie between 0 and {out_side - 1} for a {side}x{side} "
                             "crop.")
    # the convolution (cross-correlation, as nn.Conv2d) of the crop with the filter, no padding
    fmap = torch.nn.functional.conv2d(torch.tensor(patch)[None, None], torch.tensor(w)[None, None])[0, 0].numpy()
    window_colors = [COLORS["MLP"], COLORS["CNN"], "#6a4c93"]

    fig = plt.figure(figsize=(11, 4.9))
    grid = fig.add_gridspec(1, 3, width_ratios=(side, 3.6, out_side + 0.6), wspace=0.25)
    ax0 = fig.add_subplot(grid[0])
    ax0.imshow(patch, cmap="gray", vmin=0, vmax=max(255.0, patch.max()), interpolation="nearest")
    for r in range(side):
        for q in range(side):
            ax0.text(q, r, f"{patch[r, q]:.0f}", ha="center", va="center", fontsize=7,
                     color="black" if patch[r, q] > 110 else "white")
    for (r, q), color in zip(positions, window_colors, strict=False):
        ax0.add_patch(Rectangle((q - 0.5, r - 0.5), 3, 3, fill=False, edgecolor=color, lw=3))
    ax0.set_xticks([])
    ax0.set_yticks([])
    ax0.set_title(f"Ảnh: ô {side}×{side} ở hàng {top}–{top + side - 1}, cột {left}–{left + side - 1};\n"
                  f"cửa sổ 3×3 ở {len(positions)} trong {out_side * out_side} vị trí (bước 1)", fontsize=9.5)

    ax1 = fig.add_subplot(grid[1])
    lim = float(np.abs(w).max()) or 1.0
    ax1.imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
    for r in range(3):
        for q in range(3):
            ax1.text(q, r, f"{w[r, q]:g}".replace("-", "−"), ha="center", va="center", fontsize=11,
                     color="white" if abs(w[r, q]) > 0.6 * lim else "black")
    ax1.set_xticks([])
    ax1.set_yticks([])
    ax1.set_title("Bộ lọc 3×3\n(9 trọng số dùng chung\ncho mọi vị trí)", fontsize=9.5)

    ax2 = fig.add_subplot(grid[2])
    flim = float(np.abs(fmap).max()) or 1.0
    ax2.imshow(fmap, cmap="RdBu_r", vmin=-flim, vmax=flim, interpolation="nearest")
    chosen = {tuple(pos) for pos in positions}
    for r in range(out_side):
        for q in range(out_side):
            ax2.text(q, r, f"{fmap[r, q]:.0f}".replace("-", "−"), ha="center", va="center",
                     fontsize=8 if (r, q) in chosen else 7, fontweight="bold" if (r, q) in chosen else "normal",
                     color="white" if abs(fmap[r, q]) > 0.6 * flim else "black")
    for (r, q), color in zip(positions, window_colors, strict=False):
        ax2.add_patch(Rectangle((q - 0.5, r - 0.5), 1, 1, fill=False, edgecolor=color, lw=3))
    ax2.set_xticks([])
    ax2.set_yticks([])
    ax2.set_title(f"Bản đồ đặc trưng {out_side}×{out_side}\n(mỗi ô: tổng 9 tích điểm ảnh × trọng số)",
                  fontsize=9.5)

    lines = []
    for k, ((r, q), color) in enumerate(zip(positions, window_colors, strict=False)):
        win = patch[r:r + 3, q:q + 3]
        terms = " + ".join(f"{v:.0f}·{wt:g}" if wt >= 0 else f"{v:.0f}·({wt:g})"
                           for v, wt in zip(win.flatten(), w.flatten(), strict=True) if wt != 0)
        total = f"{float((win * w).sum()):.0f}"
        note = " (các trọng số 0 bỏ qua)" if (w == 0).any() and k == 0 else ""
        lines.append((f"vị trí {k + 1}: {terms} = {total}{note}".replace("-", "−"), color))
    for k, (text, color) in enumerate(lines):
        fig.text(0.02, 0.12 - 0.045 * k, text, ha="left", va="top", fontsize=8.5, color=color)
    fig.suptitle(title)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.8, bottom=0.16)
    return fig


__all__ += ["plot_mixer_overview", "plot_convolution"]
