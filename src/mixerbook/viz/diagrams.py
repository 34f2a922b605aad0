"""Pictures of the architectures: the MLP-Mixer at a glance and a 3 x 3 filter sliding over an image."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ._common import _numpy_image
from .style import COLORS, FONT_SIZE, SMALL_SIZE

__all__ = ["plot_mixer_overview", "plot_convolution"]


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
    from ..models.mixer import MlpMixer

    if model is None:
        from ..experiments import build_model

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
    box_font = SMALL_SIZE + 0.5
    # One data unit is 0.1 inch on both axes (so circles stay round and sizes read in inches): the
    # diagram is as wide as the page's column and laid out top to bottom, the two halves of a Mixer
    # layer on two rows, so that every text keeps SMALL_SIZE or more inside its box.
    width, height = 69, 59
    description = (f"ảnh → nhúng patch → bảng {s} × {c} → {n} lớp Mixer (LayerNorm, trộn token, kết nối tắt; "
                   f"LayerNorm, trộn kênh, kết nối tắt) → LayerNorm → gộp trung bình toàn cục → đầu phân loại "
                   f"({classes} lớp)")
    description = textwrap.fill(description, 100)
    top_in = 0.45 + 0.17 * (description.count("\n") + 1)  # the figure title and the description above the axes
    fig = plt.figure(figsize=(width / 10, height / 10 + top_in))
    ax = fig.add_axes((0, 0, 1, height / 10 / fig.get_figheight()))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")

    # Row 1: image -> patch embedding -> table.
    y1 = height - 8.5
    ax.add_patch(Rectangle((1.5, y1 - 4), 8, 8, facecolor="#dddddd", edgecolor="#333333", lw=1))
    g = side // p
    lines = min(g, 8)
    for k in range(1, lines):
        _polyline(ax, [1.5 + 8 * k / lines] * 2, [y1 - 4, y1 + 4], color="white", lw=1.2)
        _polyline(ax, [1.5, 9.5], [y1 - 4 + 8 * k / lines] * 2, color="white", lw=1.2)
    ax.text(0.3, y1 + 4.5, f"ảnh {side}×{side}×{c_in}:\n{g}×{g} patch {p}×{p}", ha="left", va="bottom",
            fontsize=box_font, linespacing=1.2)
    _arrow(ax, (10.5, y1), (14, y1))
    _box(ax, 28.5, y1, 28, 7, f"Nhúng patch (patch embedding)\nmột phép chiếu tuyến tính dùng chung:\n"
         f"mỗi patch {c_in}·{p}·{p} giá trị → {c} kênh", colors["stem"], fontsize=box_font)
    _arrow(ax, (43, y1), (46.5, y1))
    ax.add_patch(Rectangle((47, y1 - 3.5), 11, 7, facecolor=colors["table"], edgecolor="#333333", lw=1))
    for k in range(1, 5):
        _polyline(ax, [47, 58], [y1 - 3.5 + 7 * k / 5] * 2, color="#bbbbbb", lw=0.6)
        _polyline(ax, [47 + 11 * k / 5] * 2, [y1 - 3.5, y1 + 3.5], color="#bbbbbb", lw=0.6)
    ax.text(52.5, y1 + 4.2, f"bảng S × C\n= {s} × {c}", ha="center", va="bottom", fontsize=box_font,
            linespacing=1.2)
    ax.text(59, y1, "hàng: một token\n(một patch);\ncột: một kênh", ha="left", va="center", fontsize=SMALL_SIZE,
            color="#555555", linespacing=1.2)

    # Rows 2 and 3: one Mixer layer, repeated N times, its two halves one under the other; the table
    # comes in on the left of each half, and a skip connection runs under it to its "+".
    frame_top, frame_bottom = height - 15, height - 46.5
    ax.add_patch(Rectangle((0.3, frame_bottom), 66.2, frame_top - frame_bottom, facecolor="none",
                           edgecolor="#555555", lw=1.2, ls="--"))
    ax.text(1.5, frame_top - 0.6, f"Lớp Mixer, lặp lại N = {n} lần (cùng cấu trúc, trọng số riêng);\n"
            f"vào và ra đều là bảng {s} × {c}", ha="left", va="top", fontsize=box_font, fontweight="bold",
            linespacing=1.2)
    halves = [(height - 24, f"Trộn token: MLP trên từng cột\n{s} → {d_s} → {s}\n(dùng chung cho {c} cột)",
               colors["token"]),
              (height - 38, f"Trộn kênh: MLP trên từng hàng\n{c} → {d_c} → {c}\n(dùng chung cho {s} hàng)",
               colors["channel"])]
    entry = [(52.5, y1 - 3.5), (52.5, frame_top + 1), (0.9, frame_top + 1)]  # from the table
    for y, label, color in halves:
        _polyline(ax, *zip(*entry, (0.9, y), strict=True), color="#333333", lw=1.3)
        _arrow(ax, (0.9, y), (4, y))
        _box(ax, 8.5, y, 9, 4.5, "LayerNorm", colors["norm"], fontsize=box_font)
        _arrow(ax, (13, y), (16.5, y))
        _box(ax, 30.5, y, 28, 7, label, color, fontsize=box_font)
        _arrow(ax, (44.5, y), (47.4, y))
        ax.add_patch(plt.Circle((49, y), 1.6, facecolor="white", edgecolor="#333333", lw=1.2))
        ax.text(49, y, "+", ha="center", va="center", fontsize=FONT_SIZE + 1)
        _polyline(ax, [2.6, 2.6, 49], [y, y - 5.5, y - 5.5], color=COLORS["accent"], lw=1.4)
        _arrow(ax, (49, y - 5.5), (49, y - 1.6), color=COLORS["accent"])
        ax.text(25.8, y - 6.0, "kết nối tắt (skip connection): cộng đầu vào vào kết quả", ha="center", va="top",
                fontsize=SMALL_SIZE, color=COLORS["accent"])
        entry = [(50.6, y), (54, y), (54, y - 8.3), (0.9, y - 8.3)]  # on to the next half

    # Row 4: the table after the last layer -> LayerNorm -> pooling -> head.
    y4 = 4.2
    y_out = halves[-1][0]
    _polyline(ax, [50.6, 68, 68, 8.5], [y_out, y_out, y4 + 5, y4 + 5], color="#333333", lw=1.3)
    _arrow(ax, (8.5, y4 + 5), (8.5, y4 + 2.25))
    ax.text(38, y4 + 4.4, f"bảng {s} × {c} sau lớp Mixer thứ {n}", ha="center", va="top", fontsize=SMALL_SIZE,
            color="#555555")
    _box(ax, 8.5, y4, 11, 4.5, "LayerNorm", colors["norm"], fontsize=box_font)
    _arrow(ax, (14, y4), (17, y4))
    _box(ax, 29.5, y4, 25, 5.5, f"Gộp trung bình toàn cục\n{s} token → vector {c} kênh", colors["pool"],
         fontsize=box_font)
    _arrow(ax, (42, y4), (45, y4))
    _box(ax, 56.5, y4, 23, 5.5, f"Đầu phân loại: lớp\nkết nối đầy đủ {c} → {classes}", colors["pool"],
         fontsize=box_font)

    ax.set_title(description, fontsize=box_font, color="#333333", pad=6)
    fig.suptitle(title, fontsize=FONT_SIZE + 2, y=1 - 0.06 / fig.get_figheight(), va="top")
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
    window_colors = [COLORS["focus"], COLORS["accent"], COLORS["third"]]

    fig = plt.figure(figsize=(7.15, 4.9))
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
