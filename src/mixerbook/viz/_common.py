"""Helpers shared by several modules of :mod:`mixerbook.viz`."""

from __future__ import annotations

import numpy as np
import torch

from .style import SMALL_SIZE

#: Said on an accuracy axis whose lower limit is above zero, so that nobody reads bar or line heights as ratios.
NOT_FROM_ZERO = "trục tung không bắt đầu từ 0"


def _accuracy_axis(ax, label: str, axis: str = "y") -> None:
    """Label an accuracy axis; when its lower limit (from the data) is above zero, the label says so."""
    lo = min(ax.get_ylim() if axis == "y" else ax.get_xlim())
    note = NOT_FROM_ZERO if axis == "y" else NOT_FROM_ZERO.replace("trục tung", "trục hoành")
    text = f"{label}\n({note})" if lo > 0 else label
    (ax.set_ylabel if axis == "y" else ax.set_xlabel)(text)


def _zoomed_limits(values, step: float = 0.05, floor: float = 0.02, room: float = 0.0) -> tuple[float, float]:
    """Axis limits that zoom on ``values`` (e.g. accuracies in [0, 1] that differ by a few points).

    The lower limit is at least ``floor`` below the smallest value, rounded down to a multiple of ``step``
    (never below 0); the upper limit leaves ``room`` (a share of the span) above the largest value for labels.
    """
    lo_value, hi_value = min(values), max(values)
    lo = max(0.0, np.floor((lo_value - floor) / step + 1e-9) * step)
    hi = hi_value + room * (hi_value - lo) + 1e-9
    return float(lo), float(hi)


def _axis_break(ax, axis: str = "y") -> None:
    """Two short slanted strokes across the low end of an axis: it is cut, it does not start at zero."""
    kwargs = {"transform": ax.transAxes, "color": "#333333", "lw": 1.0, "clip_on": False}
    for off in (0.03, 0.055):
        if axis == "y":
            ax.plot((-0.012, 0.012), (off - 0.012, off + 0.012), **kwargs)
        else:
            ax.plot((off - 0.008, off + 0.008), (-0.03, 0.03), **kwargs)


def _legend_outside(ax, **kwargs):
    """A legend to the right of the axes, where it cannot cover any data."""
    kwargs.setdefault("fontsize", SMALL_SIZE)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def _mark_x(ax, x: float, text: str) -> None:
    """A dashed vertical line at ``x`` with ``text`` at its top (a value the chapter singles out)."""
    ax.axvline(x, color="#777777", ls="--", lw=0.8)
    ax.annotate(text, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                va="top", fontsize=SMALL_SIZE, color="#555555")


def _numpy_image(img: torch.Tensor | np.ndarray) -> np.ndarray:
    arr = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    if arr.ndim == 3 and arr.shape[0] in (1, 3):  # (C, H, W) -> (H, W, C)
        arr = np.transpose(arr, (1, 2, 0))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    return arr


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
