"""Hierarchy (chapter 4): activation shapes layer by layer, receptive fields, gradient probes and
feature maps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..probe import display_name
from ._common import _mosaic, _numpy_image
from .style import COLORS, FONT_SIZE, PAGE_WIDTH, SMALL_SIZE, model_color

__all__ = ["plot_activation_shapes", "plot_receptive_fields", "plot_gradient_probes", "plot_feature_maps",
           "plot_feature_map_detail"]


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
        color = model_color(name) or COLORS["report"]
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
            ax.text(i, 0.52, display_name(r.name, r.type), ha="center", va="bottom", fontsize=9, rotation=20)
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
        labels: display names by layer name; other layers show :func:`mixerbook.probe.display_name`.
    """
    if not fields:
        raise ValueError("plot_receptive_fields needs at least one layer.")
    labels = labels or {}
    names = [labels.get(f.name, display_name(f.name, f.type)) for f in fields]
    sizes = [f.size for f in fields]
    cmap = plt.get_cmap("viridis")
    colors = [cmap(i / max(1, len(sizes) - 1)) for i in range(len(sizes))]  # one per layer, in both panels
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(PAGE_WIDTH - 0.1, 4.4), gridspec_kw={"width_ratios": [2.3, 1]})
    x = np.arange(len(fields))
    ax0.plot(x, sizes, color=COLORS["accent"], zorder=2)
    ax0.scatter(x, sizes, marker="s", s=30, c=colors, zorder=4)
    for xi, s in zip(x, sizes, strict=True):
        ax0.annotate(str(s), (xi, s), textcoords="offset points", xytext=(-7, 4), ha="right", fontsize=SMALL_SIZE)
    handles = [plt.Line2D([], [], color=COLORS["accent"], marker="s", mfc="#777777", mec="#777777",
                          label="công thức truy hồi")]
    if measured:
        mx = [i for i, f in enumerate(fields) if f.name in measured]
        handles.append(ax0.scatter(mx, [measured[fields[i].name] for i in mx], s=110, facecolors="none",
                                   edgecolors=COLORS["focus"], linewidths=1.5, label="đo bằng gradient", zorder=3))
    ax0.axhline(image_size, ls="--", color=COLORS["report"], lw=1)
    ax0.text(len(fields) - 1, image_size, f"cạnh ảnh = {image_size}", ha="right", va="bottom", fontsize=SMALL_SIZE,
             color="#555555")
    # "tầng 1\ntích chập": two short lines, so the Vietnamese layer names do not collide
    ax0.set_xticks(x, [n.replace(", ", "\n").replace("gộp cực đại", "gộp\ncực đại") for n in names],
                   fontsize=SMALL_SIZE)
    ax0.set_ylabel("cạnh trường tiếp nhận\n(điểm ảnh)")
    ax0.set_xlim(-0.6, len(fields) - 0.4)
    ax0.set_ylim(0, max(max(sizes), image_size) * 1.3)
    ax0.legend(handles=handles, loc="upper left", fontsize=SMALL_SIZE)
    ax0.set_title("Cạnh trường sau mỗi lớp", fontsize=FONT_SIZE)
    ax1.add_patch(Rectangle((0, 0), image_size, image_size, facecolor="#f4f4f4", edgecolor="black", lw=1))
    centre = image_size / 2
    for i, s in enumerate(sizes):
        side = min(s, image_size)
        ax1.add_patch(Rectangle((centre - side / 2, centre - side / 2), side, side, fill=False,
                                edgecolor=colors[i], lw=2, label=f"{names[i]}: {s}"))
    ax1.set_xlim(-1, image_size + 1)
    ax1.set_ylim(image_size + 1, -1)
    ax1.set_aspect("equal")
    ax1.set_xticks([])
    ax1.set_yticks([])
    for spine in ax1.spines.values():  # the image's own frame is drawn
        spine.set_visible(False)
    ax1.set_title(f"Trên ảnh {image_size}×{image_size} (quanh tâm)", fontsize=FONT_SIZE)
    # below the picture, in two columns, with the colours of the points on the left
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.03), ncol=2, fontsize=SMALL_SIZE, handlelength=1.2,
               columnspacing=0.8)
    fig.suptitle(title, fontsize=FONT_SIZE + 1)
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
    ncols = n if n <= 4 else (n + 1) // 2  # five probes: three over two, each panel a third of the column
    nrows = (n + ncols - 1) // ncols
    side = min(2.45, (PAGE_WIDTH - 0.1) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(side * ncols, (side + 0.45) * nrows + 0.4), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax, (label, probe) in zip(axes.flat, probes.items(), strict=False):
        grad = probe.grad.detach().cpu().numpy()
        if image is not None:
            ax.imshow(_numpy_image(image), cmap="gray", alpha=0.35)
        shown = np.ma.masked_where(grad <= 0, grad)
        ax.imshow(shown, cmap="magma_r", norm=PowerNorm(gamma=0.4, vmin=0, vmax=1), alpha=0.9)
        top, left, h, w = probe.box
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), w, h, fill=False, edgecolor=COLORS["accent"], lw=2))
        ax.set_title(f"{label}\nvùng {h}×{w} điểm ảnh", fontsize=SMALL_SIZE + 1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():  # the image's frame, also where no gradient is drawn
            spine.set_visible(True)
            spine.set_color("#999999")
    fig.suptitle(title, fontsize=FONT_SIZE + 1)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.1 / fig.get_figheight()), h_pad=1.5)
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
    # columns: the input image (1.6), the layer names (1.5), then one per channel; 0.62 inch per channel
    # keeps eight channels in the page's column with their titles in 8 pt
    units = 1.6 + 1.5 + num_channels
    tile = min(0.62, (PAGE_WIDTH - 0.2) / units)
    fig = plt.figure(figsize=(tile * units, (tile + 0.32) * rows + 0.45))
    grid = fig.add_gridspec(rows, num_channels + 2, width_ratios=[1.6, 1.5] + [1] * num_channels)
    ax_img = fig.add_subplot(grid[:, 0])
    ax_img.imshow(_numpy_image(image))
    ax_img.set_title("Ảnh đầu vào", fontsize=SMALL_SIZE)
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
                ax.set_title(f"kênh {order[c]}", fontsize=SMALL_SIZE, pad=3)
            if c == 0:
                ax.set_ylabel(f"{label}\n{'×'.join(str(d) for d in arr.shape)}", fontsize=SMALL_SIZE, rotation=0,
                              ha="right", va="center")
    fig.suptitle(title, fontsize=FONT_SIZE)
    fig.subplots_adjust(left=0.01, right=0.995, top=1 - 0.5 / fig.get_figheight(), bottom=0.02, wspace=0.12,
                        hspace=0.45)
    return fig


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
                            edgecolor=COLORS["focus"], lw=2))
    ax2.set_title(f"Cả {c} kênh của {label}")
    ax2.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
