"""The one input check of the book's models: a float (B, C, H, W) batch of the size the model was built for."""

from __future__ import annotations

import torch
from torch import nn

from ..text import explained_error

__all__ = ["check_input"]


def check_input(module: nn.Module, x: object, in_channels: int, image_size: int | None = None,
                built: str = "") -> None:
    """Raise a clear error unless ``x`` is a float (B, ``in_channels``, S, S) tensor, S = ``image_size``.

    Args:
        module: the model (its class name is used in the message).
        x: what ``forward`` was given.
        in_channels: C.
        image_size: S; None accepts any height and width.
        built: words appended to "built for SxS images" (e.g. " with patch_size 7").

    Raises:
        TypeError: when ``x`` is not a floating-point tensor (uint8 images need :func:`mixerbook.data.to_float`).
        ValueError: for another layout, channel count or image size; the message gives the accepted shape.
    """
    name = type(module).__name__
    side = f"{image_size}, {image_size}" if image_size is not None else "H, W"
    expected = f"(B, {in_channels}, {side})"
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = f"dtype {x.dtype}" if isinstance(x, torch.Tensor) else type(x).__name__
        raise TypeError(f"{name} expects a float tensor of shape {expected}, got {got}. Turn uint8 images into model "
                        f"input with mixerbook.data.to_float(images) (mixerbook.train.fit and predict do it for you).")
    if x.dim() != 4 or x.shape[1] != in_channels:
        hint = " Add the channel axis with x.unsqueeze(1)." if x.dim() == 3 and in_channels == 1 else ""
        raise ValueError(f"{name} expects input of shape {expected}, got {tuple(x.shape)}.{hint}")
    h, w = x.shape[-2:]
    if image_size is not None and (h, w) != (image_size, image_size):
        raise explained_error(
            f"{name} was built for {image_size}x{image_size} images{built}, got {h}x{w}. It expects input of shape "
            f"{expected}, got {tuple(x.shape)}; resize the images or build the model with "
            f"image_size={h if h == w else (h, w)}.",
            vi=f"{name} được dựng cho ảnh {image_size}×{image_size} nhưng nhận ảnh {h}×{w}: nó cần đầu vào hình dạng "
               f"{expected}. Hãy đổi cỡ ảnh, hoặc dựng lại mô hình với image_size={h if h == w else (h, w)}.")
