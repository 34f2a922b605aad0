"""Measured results of the book's trained models (chapters 1 and 4): metrics, confusion matrix, test
accuracy per epoch and accuracy under shifted test images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..data import CLASS_NAMES_VI
from ._common import _accuracy_axis, _axis_break, _legend_outside, _zoomed_limits
from .style import PAGE_WIDTH, SMALL_SIZE, model_color, model_marker

__all__ = ["plot_metrics", "plot_confusion", "plot_histories", "plot_shift_robustness"]


def plot_metrics(
    results: Mapping[str, Mapping[str, float]],
    reference: Mapping[str, Mapping[str, float]] | None = None,
    reference_label: str = "báo cáo (chưa kiểm chứng)",
    title: str = "Kết quả trên tập kiểm tra",
) -> Figure:
    """Grouped bars of accuracy, macro precision and macro recall per model, each with its value.

    The value axis is zoomed on the values (they differ by a few points): it does not start at zero,
    which the axis label says and a break mark on the axis shows.

    Args:
        results: ``{model: {"accuracy": a, "precision": p, "recall": r}}`` measured by this run.
        reference: the same layout for figures quoted from elsewhere, drawn hatched in the model's colour.
    """
    metrics = ["accuracy", "precision", "recall"]
    labels = {"accuracy": "độ chính xác", "precision": "độ chính xác dương\n(macro)", "recall": "độ phủ\n(macro)"}
    models = list(results)
    if not models:
        raise ValueError("plot_metrics needs at least one model.")
    series = [(name, results[name], f"{name} (lần chạy này)", False) for name in models]
    if reference:
        series = [s for name in models for s in (
            (name, results[name], f"{name} (lần chạy này)", False),
            *([(name, reference[name], f"{name} ({reference_label})", True)] if name in reference else []))]
    values = [float(v[m]) for _, v, _, _ in series for m in metrics]
    # zoomed: the values differ by a few thousandths; room above the bars for their rotated labels
    lo, hi = _zoomed_limits(values, room=0.5)
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH - 0.2, 3.9))
    width = 0.8 / len(series)
    x = np.arange(len(metrics))
    for k, (name, vals, label, quoted) in enumerate(series):
        heights = [float(vals[m]) for m in metrics]
        color = model_color(name)
        style = ({"color": "white", "edgecolor": color or "black", "hatch": "//"} if quoted else {"color": color})
        # each bar starts where the axis is cut
        bars = ax.bar(x + k * width, [h - lo for h in heights], width, bottom=lo, label=label, **style)
        ax.bar_label(bars, labels=[f"{h:.3f}" for h in heights], fontsize=SMALL_SIZE, rotation=90, padding=3)
    ax.set_xticks(x + width * (len(series) - 1) / 2, [labels[m] for m in metrics])
    ax.tick_params(axis="x", length=0)
    ax.set_ylim(lo, hi)
    _accuracy_axis(ax, "giá trị")
    if ax.get_ylim()[0] > 0:
        _axis_break(ax)
    ax.set_title(title)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=SMALL_SIZE,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.055 * ((len(series) + 1) // 2), 1, 1))
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
        ax.plot(range(1, len(accs) + 1), accs, marker=model_marker(name), label=name, color=model_color(name))
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
        ax.plot(list(shifts), accs, marker=model_marker(name), label=name, color=model_color(name))
    ax.set_xticks(list(shifts))
    ax.set_xlabel("số điểm ảnh dịch chuyển")
    ax.set_ylim(0.0, 1.0)  # from zero: how much of the accuracy a shift takes away reads off the heights
    ax.set_ylabel("độ chính xác")
    ax.set_title(title)
    _legend_outside(ax)
    fig.tight_layout()
    return fig
