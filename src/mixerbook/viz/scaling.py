"""Scale (chapter 8): the paper's accuracy and throughput, pre-training and data scaling, relative
speed and the parameters of token mixing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..text import number
from ._common import _accuracy_axis, _mark_x
from .style import COLORS, FAMILY_MARKERS, FONT_SIZE, PAGE_WIDTH, PRETRAIN_COLORS, SMALL_SIZE, model_color, model_marker

__all__ = ["plot_accuracy_throughput", "plot_pretraining_scaling", "plot_data_scaling", "plot_relative_speed",
           "plot_token_mixing_params"]


_FAMILY_NAMES = {"Mixer": "MLP-Mixer", "ViT": "ViT", "BiT": "BiT (ResNet)", "other": "mô hình khác"}


def _short_model(row) -> str:
    """'Mixer-L/16' at 448 px -> 'L/16 448'; the family name is shown by the marker."""
    name = row.model.split("-", 1)[1] if row.family in ("Mixer", "ViT") else row.model
    name = f"{name} {row.resolution}" if row.resolution and row.resolution != 224 else name
    return f"{name} (bảng 2)" if "Table 2" in row.source else name


def _obstacle_boxes(ax) -> list:
    """Display-space boxes a label of ``ax`` should not cover: its scatter points, the markers of its
    lines, points along its lines and along the arrows of its empty annotations (drawn connectors)."""
    from matplotlib.collections import PathCollection
    from matplotlib.transforms import Bbox

    px_per_pt = ax.figure.dpi / 72
    boxes = []

    def along(points, r: float = 1.5) -> None:
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True):
            n = int(max(abs(x1 - x0), abs(y1 - y0)) // 3) + 2
            boxes.extend(Bbox.from_extents(x - r, y - r, x + r, y + r)
                         for x, y in zip(np.linspace(x0, x1, n), np.linspace(y0, y1, n), strict=True))

    for coll in ax.collections:
        if not isinstance(coll, PathCollection) or not coll.get_visible() or not len(coll.get_offsets()):
            continue
        sizes = coll.get_sizes() if len(coll.get_sizes()) else [36.0]
        for k, (x, y) in enumerate(coll.get_offset_transform().transform(coll.get_offsets())):
            r = np.sqrt(sizes[k % len(sizes)]) * px_per_pt / 2
            boxes.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    for line in ax.lines:
        if not line.get_visible():
            continue
        points = line.get_transform().transform(line.get_xydata())
        points = points[np.isfinite(points).all(axis=1)]
        if line.get_marker() not in (None, "", "None", " "):
            r = line.get_markersize() * px_per_pt / 2
            boxes.extend(Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in points)
        if line.get_linestyle() not in ("None", "", " ") and len(points) > 1:
            along(points)
    for t in ax.texts:
        if getattr(t, "arrow_patch", None) is not None and not t.get_text() and t.anncoords == "data":
            along(ax.transData.transform([t.xyann, t.xy]))
    return boxes


def _overlap_area(a, b, tol: float = 1.0) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0) - tol
    h = min(a.y1, b.y1) - max(a.y0, b.y0) - tol
    return w * h if w > 0 and h > 0 else 0.0


def _declutter(fig, labels: Sequence, max_rounds: int = 40) -> None:
    """Place annotations (text offset in points) where they cover no other label and no marker.

    First, label by label, the first of six places around its point (its own offset; above it;
    below it; the same three mirrored to the other side) that overlaps nothing already placed, no
    marker but its own, no line or connector (:func:`_obstacle_boxes`), and stays inside the axes;
    failing that, the place that overlaps least.
    Then, round by round, a label still overlapping an earlier one moves vertically, away from it,
    by the overlap plus a point. Only labels placed with ``textcoords="offset points"`` move.
    """
    labels = [t for t in labels if getattr(t, "get_anncoords", lambda: None)() == "offset points"]
    if not labels:
        return
    points_per_px = 72 / fig.dpi
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    markers = {id(ax): _obstacle_boxes(ax) for ax in {t.axes for t in labels}}
    placed = []
    for label in labels:
        ax = label.axes
        frame = ax.get_window_extent(renderer)
        anchor = ax.transData.transform(label.xy)
        others = [m for m in markers[id(ax)] if not m.contains(*anchor)]
        dx, dy = label.xyann
        step = 1.2 * label.get_fontsize()
        flip = {"left": "right", "right": "left"}.get(label.get_horizontalalignment(), "center")
        ha = label.get_horizontalalignment()
        candidates = [(dx, dy, ha), (dx, dy + step, ha), (dx, dy - step, ha),
                      (-dx, dy, flip), (-dx, dy + step, flip), (-dx, dy - step, flip)]
        best = None
        for x, y, align in candidates:
            label.xyann = (x, y)
            label.set_horizontalalignment(align)
            box = label.get_window_extent(renderer)
            cost = sum(_overlap_area(box, o) for o in placed + others)
            outside = box.x0 < frame.x0 or box.x1 > frame.x1 or box.y0 < frame.y0 or box.y1 > frame.y1
            cost += 1e6 if outside else 0.0
            if best is None or cost < best[0]:
                best = (cost, x, y, align)
            if cost == 0:
                break
        _, x, y, align = best
        label.xyann = (x, y)
        label.set_horizontalalignment(align)
        placed.append(label.get_window_extent(renderer))
    for _ in range(max_rounds):
        fig.canvas.draw()
        boxes = [t.get_window_extent(renderer) for t in labels]
        moved = False
        for j in range(1, len(labels)):
            for i in range(j):
                a, b = boxes[i], boxes[j]
                if _overlap_area(a, b):
                    up = b.y0 + b.y1 >= a.y0 + a.y1  # move away from the earlier label
                    shift = (a.y1 - b.y0 + 1) if up else -(b.y1 - a.y0 + 1)
                    dx, dy = labels[j].xyann
                    labels[j].xyann = (dx, dy + shift * points_per_px)
                    boxes[j] = b.translated(0, shift)
                    moved = True
        if not moved:
            return


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
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH - 0.1, 7.4))
    point_labels = []
    for r in rows:
        color = PRETRAIN_COLORS.get(r.pretrain, COLORS["report"])
        alpha = 1.0 if pretrain in (None, r.pretrain) else 0.15
        marker = FAMILY_MARKERS.get(r.family, "D")
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
                                            textcoords="offset points", fontsize=SMALL_SIZE, color="#333333"))
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
                                        textcoords="offset points", fontsize=SMALL_SIZE, color=COLORS["focus"]))
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
    handles += [Line2D([], [], ls="", marker=FAMILY_MARKERS.get(f, "D"), color="#555555", mfc="#555555",
                       label=_FAMILY_NAMES[f]) for f in ("Mixer", "ViT", "BiT", "other")]
    handles += [Line2D([], [], ls="", marker="o", color="#555555", mfc="#555555", label="tinh chỉnh ở 224 px"),
                Line2D([], [], ls="", marker="o", color="#555555", mfc="white", label="tinh chỉnh ở 448–518 px"),
                Line2D([], [], ls="", marker="o", color=COLORS["report"], mfc="white",
                       label="độ phân giải không nêu")]
    if drawn:
        handles += ax.get_legend_handles_labels()[0][:1]
    # below the axes, in two columns: beside them it would take half the column's width
    ax.legend(handles=handles, fontsize=SMALL_SIZE, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
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
    from ..paper import PRETRAIN_SETS

    if not series:
        raise ValueError("plot_pretraining_scaling needs at least one model.")
    unknown = {k for s in series.values() for k in s} - set(PRETRAIN_SETS)
    if unknown:
        raise ValueError(f"Unknown pre-training set(s) {sorted(unknown)}; expected {', '.join(PRETRAIN_SETS)}.")
    fig, ax = plt.subplots(figsize=(PAGE_WIDTH - 0.1, 5.2))
    colors = {}
    point_labels = []
    for name, values in series.items():
        xs = [PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS if s in values]
        ys = [values[s] for s in PRETRAIN_SETS if s in values]
        (line,) = ax.plot(xs, ys, marker=model_marker(name), color=model_color(name), label=name, lw=2)
        colors[name] = color = line.get_color()
        below = name.startswith("Mixer")
        for x, y in zip(xs, ys, strict=True):
            point_labels.append(ax.annotate(f"{y:.2f}", (x, y), xytext=(5, -11 if below else 4),
                                            textcoords="offset points", fontsize=SMALL_SIZE, color=color))
    for name, values in (report or {}).items():
        xs = [PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS if s in values]
        ys = [values[s] for s in PRETRAIN_SETS if s in values]
        ax.plot(xs, ys, ls="--", marker="x", color=colors.get(name, COLORS["report"]), alpha=0.6, lw=1.2,
                label=f"{name} (số liệu báo cáo)")
    ax.set_xscale("log")
    ax.set_xticks([PRETRAIN_SETS[s]["images"] for s in PRETRAIN_SETS],
                  [f"{s}\n(~{PRETRAIN_SETS[s]['images'] / 1e6:g} triệu ảnh)" for s in PRETRAIN_SETS])
    ax.minorticks_off()
    ax.set_xlim(0.8e6, 5e8)
    ax.set_xlabel("tập tiền huấn luyện (thang log theo số ảnh)")
    ax.margins(y=0.08)
    _accuracy_axis(ax, "độ chính xác top-1 trên ImageNet (%)")
    ax.grid(True, which="major", alpha=0.3)
    # below the axes, in two columns: beside them it would take a third of the column's width
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.24), ncol=2, fontsize=SMALL_SIZE)
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
    fig, axes = plt.subplots(1, 2 if train else 1, figsize=(8.25 if train else 6.4, 4), squeeze=False)
    ax = axes[0, 0]
    sizes = sorted({n for row in test.values() for n in row})
    for name, row in test.items():
        ns = sorted(row)
        ax.plot(ns, [100 * row[n] for n in ns], marker=model_marker(name), color=model_color(name), label=name,
                lw=2)
    ax.margins(y=0.1)
    _accuracy_axis(ax, "độ chính xác trên tập kiểm tra (%)")
    ax.set_title("Độ chính xác kiểm tra")
    if train:
        ax2 = axes[0, 1]
        for name, row in test.items():
            ns = sorted(n for n in row if n in train.get(name, {}))
            ax2.plot(ns, [100 * (train[name][n] - row[n]) for n in ns], marker=model_marker(name),
                     color=model_color(name), label=name, lw=2)
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
                        title: str = "Tốc độ so với Mixer-B/16 trên từng phần cứng", per_row: int = 4) -> Figure:
    """Grouped bars: throughput of every other model divided by that of ``base``, one group per source.

    At most ``per_row`` groups side by side: more sources go on further rows (one panel each, same
    value axis), so that the hardware names stay readable in the page's column.

    Args:
        sources: ``{source label: {model: images per second}}``; every source must contain ``base``.
        base: the model every ratio is relative to (a bar of height 1 would tie with it).
        per_row: groups (sources) per row of panels.
    """
    if not sources:
        raise ValueError("plot_relative_speed needs at least one source.")
    if per_row < 1:
        raise ValueError(f"per_row must be at least 1, got {per_row}.")
    missing = [label for label, v in sources.items() if base not in v]
    if missing:
        raise ValueError(f"Every source needs a value for {base!r}; missing in: {', '.join(missing)}.")
    others = [m for m in dict.fromkeys(m for v in sources.values() for m in v) if m != base]
    labels = list(sources)
    rows = (len(labels) + per_row - 1) // per_row
    lines = max(label.count("\n") + 1 for label in labels)
    fig, axes = plt.subplots(rows, 1, figsize=(PAGE_WIDTH - 0.2, rows * (2.3 + 0.17 * lines) + 0.7), sharey=True,
                             squeeze=False)
    ratios = [v[m] / v[base] for v in sources.values() for m in others if m in v]
    top = max([1.0, *ratios]) * 1.18  # room for the value labels
    width = 0.8 / max(1, len(others))
    for r, ax in enumerate(axes[:, 0]):
        chunk = labels[r * per_row:(r + 1) * per_row]
        x = np.arange(len(chunk))
        for k, model in enumerate(others):
            vals = [sources[lab][model] / sources[lab][base] if model in sources[lab] else np.nan for lab in chunk]
            bars = ax.bar(x + (k - (len(others) - 1) / 2) * width, vals, width, label=f"{model} / {base}",
                          color=model_color(model) or COLORS["report"])
            for text in ax.bar_label(bars, fmt="%.2f", fontsize=SMALL_SIZE, padding=2):
                text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.6})  # over the dashed line
        ax.axhline(1.0, color="#333333", lw=1, ls="--", label=f"nhanh bằng {base}", zorder=1)
        ax.set_xticks(x, chunk, fontsize=SMALL_SIZE)
        ax.set_xlim(-0.5, per_row - 0.5)  # the same group width on every row
        ax.set_ylim(0, top)
        ax.set_ylabel(f"so với {base}")
    fig.suptitle(title, fontsize=FONT_SIZE + 1)
    fig.supxlabel(f"chiều cao cột: thông lượng của mô hình chia cho thông lượng của {base} trên cùng phần cứng",
                  fontsize=SMALL_SIZE, color="#555555")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.42 / fig.get_figheight()))
    # named in the legend, just above the panels: a label on the line itself would cross the bars
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=SMALL_SIZE,
               bbox_to_anchor=(0.5, axes[0, 0].get_position().y1 + 0.05 / fig.get_figheight()))
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
    styles = {"gMLP": ":"}
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for name, values in series.items():
        # the dotted gMLP line lies exactly on ResMLP's (both S² per layer): drawn above it, it stays visible
        ax.plot(num_patches, values, marker=model_marker(name), ms=3, lw=2, ls=styles.get(name, "-"), label=name,
                color=model_color(name), zorder=3 if name in styles else 2)
    if highlight is not None:
        _mark_x(ax, highlight, f"S = {highlight}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("số patch S (thang log)")
    ax.set_ylabel("số tham số (thang log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig
