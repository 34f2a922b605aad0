"""Growth explorer (chapter 2): parameters and multiply-adds of three first layers as the image grows.

The browser recomputes the counts with ``growth.js`` (``growthSeries`` and ``growthAt`` there equal
:func:`mixerbook.complexity.growth_series`, ``growthSides`` and ``growthMessage`` equal
:func:`growth_sides` and :func:`growth_message` here; parity tests hold them together) and draws
the two log-log panels of :func:`mixerbook.viz.plot_growth` in SVG.
"""

from __future__ import annotations

import math

import traitlets

from .. import complexity
from ._base import Explorer

__all__ = ["GrowthExplorer", "growth_explorer", "growth_sides", "growth_message", "shows",
           "HIDDEN_CHOICES", "CHANNEL_CHOICES", "PATCH_CHOICES"]

#: choices offered by the selects (a factory argument outside them is added)
HIDDEN_CHOICES = (256, 512, 1024, 2048, 4096)
CHANNEL_CHOICES = (1, 3, 4)
PATCH_CHOICES = (8, 14, 16, 32)
#: the image-side slider
R_MIN, R_MAX, R_STEP = 32, 1024, 8
#: the plotted sides are P times these factors (between 32 and 2048), plus the chosen side
SIDE_FACTORS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


def growth_sides(resolution: int, patch_size: int) -> list[int]:
    """The image sides drawn for a patch size: multiples of P from 32 to 2048 px, and ``resolution``."""
    return sorted({patch_size * k for k in SIDE_FACTORS if 32 <= patch_size * k <= 2048} | {resolution})


def growth_message(resolution: int, patch_size: int) -> str | None:
    """The Vietnamese message shown instead of the picture when P does not divide R (None when it does).

    It names the nearest sides the slider can reach (multiples of 8 from 32 to 1024) that P divides.
    """
    if resolution % patch_size == 0:
        return None
    step = math.lcm(patch_size, R_STEP)
    below = resolution // step * step
    above = below + step
    picks = [str(v) for v in (below, above) if R_MIN <= v <= R_MAX]
    return (f"Cạnh ảnh R = {resolution} không chia hết cho cạnh patch P = {patch_size}: Mixer cắt ảnh thành các "
            f"patch {patch_size}×{patch_size} nguyên vẹn. Hãy chọn R là bội của {patch_size}, ví dụ "
            f"{' hoặc '.join(picks)}, hoặc chọn P khác.")


class GrowthExplorer(Explorer):
    """Image side R, the MLP's hidden width, the image channels and the Mixer's patch size."""

    _kind = "growth"
    control_names = ("resolution", "hidden", "channels", "patch_size")
    resolution = traitlets.Int(224).tag(sync=True)
    hidden = traitlets.Int(1024).tag(sync=True)
    channels = traitlets.Int(3).tag(sync=True)
    patch_size = traitlets.Int(16).tag(sync=True)
    hidden_options = traitlets.List(traitlets.Int(), list(HIDDEN_CHOICES)).tag(sync=True)
    channel_options = traitlets.List(traitlets.Int(), list(CHANNEL_CHOICES)).tag(sync=True)
    patch_options = traitlets.List(traitlets.Int(), list(PATCH_CHOICES)).tag(sync=True)


def _options(choices: tuple[int, ...], value: int) -> list[int]:
    return sorted(set(choices) | {value})


def growth_explorer(resolution: int = 224, hidden: int = 1024, channels: int = 3,
                    patch_size: int = 16) -> GrowthExplorer:
    """Controls for the image side, the MLP's hidden width, the image channels and the Mixer's patch size.

    The picture is :func:`mixerbook.viz.plot_growth`'s, drawn in the browser: a flatten-MLP's
    first layer, a first 3x3 convolution (64 filters) and one Mixer-B/16-sized layer (C=768,
    D_S=384, D_C=3072), with the chosen side marked and the counts at that side printed under
    the plots. A side that the patch size does not divide shows a message (which sides to choose)
    in the status line, and the picture leaves the Mixer out.

    Raises:
        ValueError: for a side outside 32..1024 or not a multiple of 8, or a size that is not a positive int.
    """
    for name, value in (("resolution", resolution), ("hidden", hidden), ("channels", channels),
                        ("patch_size", patch_size)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"growth_explorer: {name} must be a positive int, got {value!r}.")
    if not (R_MIN <= resolution <= R_MAX and resolution % R_STEP == 0):
        raise ValueError(f"growth_explorer: resolution must be a multiple of {R_STEP} from {R_MIN} to {R_MAX} "
                         f"(the slider's values), got {resolution}.")
    if patch_size > R_MAX:
        raise ValueError(f"growth_explorer: patch_size must be at most {R_MAX}, got {patch_size}.")
    return GrowthExplorer(resolution=resolution, hidden=hidden, channels=channels, patch_size=patch_size,
                          hidden_options=_options(HIDDEN_CHOICES, hidden),
                          channel_options=_options(CHANNEL_CHOICES, channels),
                          patch_options=_options(PATCH_CHOICES, patch_size))


def shows(values: dict, state: dict) -> dict:  # noqa: ARG001 - everything is in the values
    """What the explorer shows for ``values``, from :func:`mixerbook.complexity.growth_series`.

    When P does not divide R: the message, and the flatten-MLP's and the convolution's counts
    (which do not depend on P; the picture leaves the Mixer out).
    """
    r, p, h, c = values["resolution"], values["patch_size"], values["hidden"], values["channels"]
    message = growth_message(r, p)
    if message:
        mlp = complexity.flatten_first_layer(r, r, c, h)
        conv = {"params": complexity.conv2d_params(c, 64, 3), "macs": complexity.conv2d_macs(c, 64, 3, r, r)}
        return {"message": message, "resolution": r, "inputs": mlp["inputs"],
                "layers": {"MLP": {"params": mlp["params"], "macs": mlp["macs"]}, "CNN": conv}}
    series = complexity.growth_series([r], hidden=h, channels=c, patch_size=p)
    return {"resolution": r, "S": (r // p) ** 2, "inputs": r * r * c,
            "layers": {name: {"params": s["params"][0], "macs": s["macs"][0]} for name, s in series.items()}}


def example() -> GrowthExplorer:
    """A small instance for the gallery page of the tests."""
    return growth_explorer()
