"""Shift explorer (chapter 1): move an image a few pixels and count the entries of its flat vector that change.

Python ships the images once (uint8 bytes); ``shift.js`` shifts them in the browser
(``shiftImage`` there equals :func:`mixerbook.data.shift_images`, checked by a parity test) and
draws the two images and the difference of the two flat vectors, as :func:`mixerbook.viz.plot_shift`.
"""

from __future__ import annotations

import torch
import traitlets

from ..data import CLASS_NAMES_VI, shift_images
from ._base import Explorer, from_u8, u8_bytes

__all__ = ["ShiftExplorer", "shift_explorer", "shows"]

#: most images the explorer ships (page weight)
MAX_IMAGES = 64


class ShiftExplorer(Explorer):
    """An image of the stack and a shift (dx to the right, dy down)."""

    _kind = "shift"
    control_names = ("index", "dx", "dy")
    index = traitlets.Int(0).tag(sync=True)
    dx = traitlets.Int(1).tag(sync=True)
    dy = traitlets.Int(0).tag(sync=True)
    # data
    images = traitlets.Bytes(b"").tag(sync=True)  # (count, height, width) uint8
    count = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(28).tag(sync=True)
    width = traitlets.Int(28).tag(sync=True)
    max_shift = traitlets.Int(4).tag(sync=True)
    labels = traitlets.List([]).tag(sync=True)
    class_names = traitlets.List([]).tag(sync=True)


def shift_explorer(images: torch.Tensor, labels: torch.Tensor | None = None, max_shift: int = 4) -> ShiftExplorer:
    """Choose an image and a shift; see how many entries of its flat vector change.

    Args:
        images: (N, H, W) uint8 images (a handful is enough; at most 64).
        labels: (N,) class ids, used in the title.
        max_shift: the largest shift offered in each direction (1 .. min(H, W) - 1).

    Raises:
        ValueError: for images that are not a non-empty (N, H, W) uint8 tensor, labels that do not
            match them, or a max_shift out of range.
    """
    images = torch.as_tensor(images)
    if images.dim() != 3 or len(images) == 0:
        raise ValueError(f"shift_explorer expects a non-empty (N, H, W) tensor, got {tuple(images.shape)}.")
    if images.dtype != torch.uint8:
        raise ValueError(f"shift_explorer expects uint8 images (0..255), got dtype {images.dtype}.")
    if len(images) > MAX_IMAGES:
        raise ValueError(f"shift_explorer ships every image to the page: pass at most {MAX_IMAGES}, got {len(images)}.")
    h, w = int(images.shape[1]), int(images.shape[2])
    if not (isinstance(max_shift, int) and 1 <= max_shift < min(h, w)):
        raise ValueError(f"max_shift must be an integer from 1 to {min(h, w) - 1} for {h}x{w} images, "
                         f"got {max_shift!r}.")
    if labels is None:
        label_list: list[int | None] = [None] * len(images)
    else:
        label_list = [int(v) for v in torch.as_tensor(labels).flatten().tolist()]
        if len(label_list) != len(images):
            raise ValueError(f"shift_explorer got {len(images)} images but {len(label_list)} labels.")
        if any(not 0 <= v < len(CLASS_NAMES_VI) for v in label_list):
            raise ValueError(f"shift_explorer expects labels in 0..{len(CLASS_NAMES_VI) - 1}, got {label_list}.")
    return ShiftExplorer(images=u8_bytes(images.contiguous()), count=len(images), height=h, width=w,
                         max_shift=max_shift, labels=label_list, class_names=list(CLASS_NAMES_VI),
                         dx=1, dy=0, index=0)


def shows(values: dict, state: dict) -> dict:
    """What the explorer must show for ``values``, computed with :func:`mixerbook.data.shift_images`."""
    h, w = int(state["height"]), int(state["width"])
    image = torch.from_numpy(from_u8(state["images"], (int(state["count"]), h, w))[int(values["index"])].copy())
    shifted = shift_images(image, int(values["dx"]), int(values["dy"]))
    return {"index": values["index"], "dx": values["dx"], "dy": values["dy"],
            "changed": int((shifted != image).sum()), "total": h * w}


def example() -> ShiftExplorer:
    """A small instance for the gallery page of the tests: four synthetic 28x28 images."""
    yy, xx = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    shapes = [((xx - 14) ** 2 + (yy - 13) ** 2 < 90), (xx > 8) & (xx < 20) & (yy > 3),
              ((xx - yy).abs() < 4) | ((xx + yy - 27).abs() < 4), (yy > 10) & (yy < 24) & (xx > 4) & (xx < 24)]
    images = torch.stack([(s.float() * (140 + 30 * k) + 4 * (yy % 5) * s).clamp(0, 255).to(torch.uint8)
                          for k, s in enumerate(shapes)])
    return shift_explorer(images, torch.tensor([0, 1, 8, 8]))
