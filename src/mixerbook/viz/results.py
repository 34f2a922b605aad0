"""Measured results of the book's trained models (chapters 1 and 4): metrics, confusion matrix, test
accuracy per epoch and accuracy under shifted test images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..data import CLASS_NAMES_VI
from ._common import _accuracy_axis, _legend_outside
from .style import model_color, model_marker

__all__ = ["plot_metrics", "plot_confusion", "plot_histories", "plot_shift_robustness"]


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
        bars = ax.bar(x + k * width, vals, width, label=f"{name} (lần chạy này)", color=model_color(name))
        ax.bar_label(bars, fmt="%.3f", fontsize=7)
        k += 1
        if reference and name in reference:
            vals = [reference[name][m] for m in metrics]
            bars = ax.bar(x + k * width, vals, width, label=f"{name} ({reference_label})", color="white",
                          edgecolor=model_color(name) or "black", hatch="//")
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
