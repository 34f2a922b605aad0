"""How the cost of each design grows with the image side (chapter 2): counted and measured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator

from ._common import _mark_x
from .style import COLORS, PAGE_WIDTH, SMALL_SIZE, model_color, model_marker

__all__ = ["GROWTH_LABELS", "plot_growth", "plot_measured_growth"]


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
    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH - 0.1, 4.9 if note else 4.3))
    panels = [("params", "số tham số"), ("macs", "MAC mỗi ảnh")]
    for ax, (key, ylabel) in zip(axes, panels, strict=True):
        for name, s in series.items():
            ax.plot(resolutions, s[key], marker=model_marker(name), ms=3, label=labels.get(name, name),
                    color=model_color(name))
            if highlight is not None:
                ax.plot([highlight], [s[key][resolutions.index(highlight)]], ls="", marker=model_marker(name), ms=7,
                        color=model_color(name),
                        markeredgecolor="black")
        if highlight is not None:
            _mark_x(ax, highlight, f"R = {highlight}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_ticks(ax, resolutions)
        ax.set_xlabel("cạnh ảnh R\n(điểm ảnh, thang log)")
        ax.set_ylabel(ylabel + " (thang log)")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_title("Tham số")
    axes[1].set_title("Phép nhân-cộng")
    fig.suptitle(title)
    bottom = 0.2 if note else 0.12
    fig.tight_layout(rect=(0, bottom, 1, 1))
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=2 if len(names) > 2 else len(names), fontsize=SMALL_SIZE,
               bbox_to_anchor=(0.5, bottom - 0.1))
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
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(PAGE_WIDTH - 0.1, 3.9))
    ax0.plot(np.array(res)[ok], gb[ok], marker=model_marker("MLP"), color=model_color("MLP"),
             label="đã cấp phát và đo")
    if (~ok).any():
        ax0.plot(np.array(res)[~ok], gb[~ok], ls="", marker=model_marker("MLP"), mfc="white", color=model_color("MLP"),
                 label="không chạy (chỉ tính)")
    ax0.plot(res, budget, "--", color=COLORS["report"], label="ngân sách bộ nhớ")
    ax0.set_ylabel("bộ nhớ trọng số float32\n(GB, thang log)")
    ax0.set_title("Bộ nhớ cho trọng số")
    ax0.legend(fontsize=SMALL_SIZE)
    measured = [(p.resolution, p.latency_ms) for p in points if p.latency_ms is not None]
    if measured:
        times = [t for _, t in measured]
        ax1.plot([r for r, _ in measured], times, marker=model_marker("MLP"), color=model_color("MLP"))
        ax1.set_ylim(min(times) / 2.5, max(times) * 2.5)  # room for the end markers and the note (log axis)
    stop = next((p for p in points if p.status != "ok"), None)
    if stop is not None:
        why = {"memory": "vượt ngân sách bộ nhớ", "time": "vượt giới hạn thời gian",
               "oom": "hết bộ nhớ khi cấp phát"}.get(stop.status, stop.status)
        ax1.text(0.97, 0.04, f"dừng ở R = {stop.resolution}:\n{why}", transform=ax1.transAxes, ha="right",
                 va="bottom", fontsize=SMALL_SIZE + 1)
    ax1.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax1.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax1.set_ylabel("thời gian lan truyền tiến\n(ms, thang log)")
    ax1.set_title("Độ trễ của một lô ảnh")
    for ax in (ax0, ax1):
        ax.set_xscale("log")
        ax.set_yscale("log")
        _log_ticks(ax, res)
        ax.margins(x=0.06)
        ax.set_xlabel("cạnh ảnh R\n(điểm ảnh, thang log)")
        ax.tick_params(axis="x", labelsize=SMALL_SIZE)  # up to nine sides on a half-column panel
        ax.grid(True, which="major", alpha=0.3)
    ax0.set_ylim(min(gb.min(), budget.min()) / 3, max(gb.max(), budget.max()) * 3)
    fig.suptitle(f"{title}: {device_name}" if device_name else title)
    fig.tight_layout()
    return fig
