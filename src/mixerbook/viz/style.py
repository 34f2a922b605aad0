"""The book's one visual style: the colour and marker of every model, the other palettes, fonts and sizes.

Every figure of :mod:`mixerbook.viz` takes its colours from here, so that a model has the same colour
and marker in every chapter: :func:`model_color` and :func:`model_marker` resolve a model's name (or a
label that starts with it, e.g. ``"Mixer (bảng S×C)"``) to :data:`MODEL_STYLES`.

Sizes: the book's pages show a figure in a column about :data:`PAGE_WIDTH_PX` pixels wide, and the
inline backend renders it at :data:`DPI`. A figure wider than the column is shown scaled down, so its
text must be large enough to stay at least :data:`MIN_TEXT_PX` pixels tall after scaling
(:func:`display_text_px`; ``tests/test_figure_style.py`` checks every figure).
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib.pyplot as plt
from cycler import cycler

__all__ = [
    "DPI", "PAGE_WIDTH_PX", "PAGE_WIDTH", "MIN_TEXT_PX", "FONT_SIZE", "TITLE_SIZE", "SMALL_SIZE",
    "ModelStyle", "MODEL_STYLES", "MODEL_ALIASES", "model_key", "model_style", "model_color", "model_marker",
    "COLORS", "OTHER_COLORS", "PRETRAIN_COLORS", "FAMILY_MARKERS", "SHUFFLE_COLORS", "BLOCK_COLORS",
    "STYLE", "use_style", "display_text_px",
]

#: Resolution at which the book renders figures (the inline backend's PNGs, and ``savefig``).
DPI = 100
#: Width of the page's text column, in pixels: a wider figure is shown scaled down to it.
PAGE_WIDTH_PX = 700
#: The widest figure, in inches, that is shown at its own size in the column.
PAGE_WIDTH = PAGE_WIDTH_PX / DPI
#: Smallest height of text, in pixels on the page, that a reader can read.
MIN_TEXT_PX = 9

#: Font sizes in points: body text (axis labels, ticks), titles, and small text (legends, notes).
FONT_SIZE = 10
TITLE_SIZE = 11
SMALL_SIZE = 8


class ModelStyle(NamedTuple):
    """How one model is drawn in every figure: line and bar colour, and marker."""

    color: str
    marker: str


MODEL_STYLES: dict[str, ModelStyle] = {
    # the book's Fashion-MNIST models (mixerbook.experiments.MODELS)
    "MLP": ModelStyle("#d1495b", "D"),
    "CNN": ModelStyle("#00798c", "^"),
    "CNN-pyramid": ModelStyle("#6a4c93", "v"),
    "Mixer": ModelStyle("#edae49", "o"),
    "Mixer-tiny": ModelStyle("#bc6c25", "h"),
    # models of the paper and of the reference measurements (chapters 7-8); markers by family, as in
    # the accuracy-throughput chart (FAMILY_MARKERS)
    "Mixer-B/16": ModelStyle("#f28f3b", "o"),
    "Mixer-L/16": ModelStyle("#8c510a", "o"),
    "ViT-B/16": ModelStyle("#30638e", "s"),
    "ViT-L/16": ModelStyle("#1d3557", "s"),
    "ResNet-50": ModelStyle("#2b9348", "^"),
    # token-mixing designs of chapter 8 ("Mixer" above is the Mixer's)
    "ResMLP": ModelStyle("#b5838d", "P"),
    "gMLP": ModelStyle("#577590", "X"),
    "ConvMixer": ModelStyle("#43aa8b", "p"),
}
"""Colour and marker of every model the book draws, by its name in the code."""

MODEL_ALIASES: dict[str, str] = {"CNN hình tháp": "CNN-pyramid"}
"""Vietnamese display names that name one of :data:`MODEL_STYLES` (a label may start with one)."""

#: Colours of things that are not models, by role: the pixel or cell in focus and its neighbours, an
#: outline or connector, the sign of a change, a second mark (block edges), a figure quoted from
#: elsewhere. None of them stands for a model; models take :func:`model_color`.
COLORS = {"focus": "#d1495b", "near": "#edae49", "accent": "#00798c", "positive": "#00798c", "negative": "#d1495b",
          "mark": "#edae49", "third": "#6a4c93", "report": "#9a9a9a"}

#: Colours matplotlib cycles through for a series that is not a model of :data:`MODEL_STYLES`; none of
#: them is a model's colour, so an unknown series never looks like one of the book's models.
OTHER_COLORS = ("#2e4057", "#66a182", "#8d96a3", "#e07a5f", "#3d405b", "#81b29a", "#9c6644", "#f2cc8f")

PRETRAIN_COLORS = {"ImageNet-1k": "#f4a261", "ImageNet-21k": "#2a9d8f", "JFT-300M": "#264653"}
"""Colour of each pre-training set in chapter 8's figures (other sets are grey)."""

#: Marker of each model family of the paper's tables (``mixerbook.paper.PaperResult.family``).
FAMILY_MARKERS = {"Mixer": "o", "ViT": "s", "BiT": "^", "other": "D"}

#: Colour of each shuffle mode of :mod:`mixerbook.permute` (chapter 3).
SHUFFLE_COLORS = {"none": "#30638e", "patch": "#8fb339", "global": "#c05746"}

#: Colours of the K x K blocks of a mosaic (chapter 7; the expansion explorer's ES module has the same list).
BLOCK_COLORS = ("#edae49", "#00798c", "#d1495b", "#66a182", "#8d96a3", "#2e4057", "#b5838d", "#6d597a",
                "#e07a5f", "#81b29a", "#f2cc8f", "#3d405b", "#9c6644", "#7f5539", "#588157", "#a3b18a")


def model_key(name: str) -> str | None:
    """The key of :data:`MODEL_STYLES` that ``name`` names, or None.

    ``name`` is a key of :data:`MODEL_STYLES` or :data:`MODEL_ALIASES`, or starts with one followed by
    a space, a colon or a parenthesis (``"Mixer (bảng S×C)"``, ``"MLP: lớp kết nối đầy đủ đầu tiên"``).
    """
    if not isinstance(name, str):
        raise TypeError(f"A model name must be a string, got {type(name).__name__}.")
    names = {**{k: k for k in MODEL_STYLES}, **MODEL_ALIASES}
    for key in sorted(names, key=len, reverse=True):
        if name == key or name.startswith((key + " ", key + ":", key + "(")):
            return names[key]
    return None


def model_style(name: str) -> ModelStyle | None:
    """The style of the model ``name`` names (:func:`model_key`), or None for a series that is no model.

    A name that :func:`model_key` does not resolve takes the style of the first of "Mixer", "MLP", "CNN"
    it contains (``"ResNet-18 (CNN hình tháp)"`` is drawn as a CNN).
    """
    key = model_key(name)
    if key is not None:
        return MODEL_STYLES[key]
    for family in ("Mixer", "MLP", "CNN"):
        if family in name:
            return MODEL_STYLES[family]
    return None


def model_color(name: str) -> str | None:
    """The colour of the model ``name`` names (:func:`model_style`); None lets matplotlib choose one
    of :data:`OTHER_COLORS`."""
    style = model_style(name)
    return style.color if style else None


def model_marker(name: str) -> str:
    """The marker of the model ``name`` names (:func:`model_style`); a plain dot for any other series."""
    style = model_style(name)
    return style.marker if style else "o"


STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.autolayout": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": FONT_SIZE,
    "axes.prop_cycle": cycler(color=list(OTHER_COLORS)),
    "font.size": FONT_SIZE,
    "legend.frameon": False,
    "image.cmap": "gray",
}
"""The book's matplotlib rcParams, so figures look the same on the website and in Colab."""


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global rcParams."""
    plt.rcParams.update(STYLE)


def display_text_px(points: float, figure_width_px: float) -> float:
    """Height in page pixels of text of ``points`` in a figure ``figure_width_px`` wide (rendered at :data:`DPI`),
    shown in the page's column: scaled down to :data:`PAGE_WIDTH_PX` when wider."""
    if points <= 0 or figure_width_px <= 0:
        raise ValueError(f"Font size and figure width must be positive, got {points} pt and {figure_width_px} px.")
    return points * DPI / 72 * min(1.0, PAGE_WIDTH_PX / figure_width_px)


use_style()
