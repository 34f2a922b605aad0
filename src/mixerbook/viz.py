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
        device_name: shown in the title, e.g. ``"cpu (2 threads)"``.

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
        ax1.plot([r for r, _ in measured], [t for _, t in measured], "o-", color=COLORS["MLP"])
    stop = next((p for p in points if p.status != "ok"), None)
    if stop is not None:
        why = {"memory": "vượt ngân sách bộ nhớ", "time": "vượt giới hạn thời gian",
               "oom": "hết bộ nhớ khi cấp phát"}.get(stop.status, stop.status)
        ax1.text(0.97, 0.04, f"dừng ở R = {stop.resolution}: {why}", transform=ax1.transAxes, ha="right",
                 va="bottom", fontsize=9)
    ax1.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax1.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax1.set_ylabel("thời gian một lượt tiến (ms, thang log)")
    ax1.set_title("Độ trễ của một lô ảnh")
    for ax in (ax0, ax1):
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_ticks(ax, res)
        ax.set_xlabel("cạnh ảnh R (điểm ảnh, thang log)")
        ax.grid(True, which="major", alpha=0.3)
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


def plot_activation_shapes(traces: Mapping[str, Sequence], title: str = "Hình dạng của dữ liệu qua từng tầng"
                           ) -> Figure:
    """One row per model: each spatial activation as a box, tall as its grid, wide as its channels (log scales).

    Args:
        traces: ``{model name: rows of mixerbook.probe.trace_shapes}``. Rows whose output is a
            (B, C, H, W) map or a (B, S, C) token table are drawn (S tokens as a sqrt(S) square);
            flat vectors are skipped.
    """
    kept = {name: [r for r in rows if len(r.shape) in (3, 4)] for name, rows in traces.items()}
    kept = {name: rows for name, rows in kept.items() if rows}
    if not kept:
        raise ValueError("plot_activation_shapes needs at least one (B, C, H, W) or (B, S, C) output to draw.")
    max_side = max(max(_hw(r)) for rows in kept.values() for r in rows)
    max_log_c = max(np.log2(max(r.channels, 2)) for rows in kept.values() for r in rows)
    longest = max(len(rows) for rows in kept.values())
    fig, axes = plt.subplots(len(kept), 1, figsize=(max(8.0, 0.72 * longest + 1.5), 2.5 * len(kept)),
                             squeeze=False)
    for ax, (name, rows) in zip(axes[:, 0], kept.items(), strict=True):
        color = _model_color(name)
        for i, r in enumerate(rows):
            h, _ = _hw(r)
            height = 0.12 + 0.83 * np.log2(h) / np.log2(max_side) if max_side > 1 else 0.95
            width = 0.12 + 0.6 * np.log2(max(r.channels, 2)) / max_log_c
            token_table = len(r.shape) == 3
            ax.add_patch(Rectangle((i - width / 2, -height / 2), width, height, facecolor=color,
                                   alpha=0.35 if r.name == "input" else 0.85, edgecolor="black", lw=0.6,
                                   hatch="///" if token_table else None))
            label = f"{r.shape[1]}×{r.shape[2]}" if token_table else f"{r.shape[2]}×{r.shape[3]}\n{r.shape[1]} kênh"
            if token_table:
                label += "\n(S×C)"
            ax.text(i, -0.55, label, ha="center", va="top", fontsize=7)
            ax.text(i, 0.52, r.name, ha="center", va="bottom", fontsize=7, rotation=25)
        ax.set_xlim(-0.6, longest - 0.4)
        ax.set_ylim(-0.95, 0.85)
        ax.axis("off")
        ax.set_title(name, loc="left", color=color, fontweight="bold")
    fig.suptitle(title)
    fig.text(0.5, 0.005, "chiều cao hộp: cạnh lưới (H, hoặc √S với bảng token), bề rộng: số kênh, "
             "cả hai theo thang log; gạch chéo: bảng token S×C",
             ha="center", fontsize=8, color="#555555")
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


def _mosaic(arr: np.ndarray, ncols: int) -> np.ndarray:
    c, h, w = arr.shape
    nrows = (c + ncols - 1) // ncols
    out = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan)
    for k in range(c):
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
