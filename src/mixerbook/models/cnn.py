"""Convolutional networks: local 3x3 kernels, shared weights, pooling.

``SmallCNN`` is introduced in the chapter "Làm phẳng ảnh" (flattening) as the point of comparison;
``PyramidCNN`` (stages that halve the resolution, then global average pooling) in the chapter
"Cấu trúc phân cấp" (hierarchy).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._input import check_input

__all__ = ["SmallCNN", "PyramidCNN"]


class SmallCNN(nn.Module):
    """Stages of (3x3 conv, BatchNorm, ReLU, 2x2 max-pool), then a small fully connected head.

    Each stage halves the height and width and widens the channels, so deeper units see
    larger regions of the image (a pyramid).

    Args:
        image_size: side of the square input (must be divisible by 2 ** len(channels)).
        in_channels: number of input channels.
        channels: output channels of each stage.
        head_dim: width of the hidden fully connected layer.
        num_classes: number of output logits.
        dropout: dropout before the last layer.

    Shapes:
        input ``(B, in_channels, H, W)`` -> output ``(B, num_classes)``.
    """

    def __init__(
        self,
        image_size: int = 28,
        in_channels: int = 1,
        channels: Sequence[int] = (32, 64),
        head_dim: int = 128,
        num_classes: int = 10,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        factor = 2 ** len(channels)
        if image_size % factor != 0:
            raise ValueError(
                f"image_size {image_size} must be divisible by 2**{len(channels)} = {factor} "
                f"for {len(channels)} pooling stages."
            )
        self.image_size = image_size
        self.in_channels = in_channels
        stages: list[nn.Module] = []
        width = in_channels
        for out in channels:
            stages.append(
                nn.Sequential(
                    nn.Conv2d(width, out, kernel_size=3, padding=1, bias=False),
                    nn.BatchNorm2d(out),
                    nn.ReLU(),
                    nn.MaxPool2d(2),
                )
            )
            width = out
        self.features = nn.Sequential(*stages)
        side = image_size // factor
        self.flatten = nn.Flatten()
        self.head = nn.Sequential(
            nn.Linear(width * side * side, head_dim),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(head_dim, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x: (B, C, H, W) images. Returns: (B, num_classes) logits."""
        check_input(self, x, self.in_channels, self.image_size)
        x = self.features(x)  # (B, C, H, W) -> (B, channels[-1], H / 2**k, W / 2**k)
        x = self.flatten(x)  # -> (B, channels[-1] * side * side)
        return self.head(x)  # -> (B, num_classes)


class PyramidCNN(nn.Module):
    """A pyramid of stages, then global average pooling and one linear layer.

    Each stage is ``convs_per_stage`` x (3x3 conv, BatchNorm, ReLU) followed by a 2x2 max-pool
    with ``ceil_mode=True``, so the side goes 28 -> 14 -> 7 -> 4 while the channels widen. The
    head averages every position of the last feature map (as ResNet does), so the network has no
    layer tied to the image size and accepts any input of at least 1x1 pixels.

    Args:
        in_channels: channels of the input image.
        channels: output channels of each stage, first to last.
        convs_per_stage: 3x3 convolutions in each stage before its pooling.
        num_classes: number of output logits.

    Shapes:
        input ``(B, in_channels, H, W)`` -> stage k output ``(B, channels[k], ceil(H / 2**(k+1)), ...)``
        -> output ``(B, num_classes)``.

    Introduced in the chapter "Cấu trúc phân cấp" (hierarchy).
    """

    def __init__(
        self,
        in_channels: int = 1,
        channels: Sequence[int] = (16, 32, 64),
        convs_per_stage: int = 1,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if len(channels) == 0 or any(int(c) <= 0 for c in channels):
            raise ValueError(f"channels must be a non-empty sequence of positive ints, got {tuple(channels)}.")
        if convs_per_stage <= 0 or in_channels <= 0 or num_classes <= 0:
            raise ValueError(
                f"in_channels, convs_per_stage and num_classes must be positive; got {in_channels}, "
                f"{convs_per_stage}, {num_classes}."
            )
        self.in_channels = in_channels
        stages: list[nn.Module] = []
        width = in_channels
        for out in channels:
            layers: list[nn.Module] = []
            for _ in range(convs_per_stage):
                layers += [nn.Conv2d(width, int(out), kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(int(out)),
                           nn.ReLU()]
                width = int(out)
            layers.append(nn.MaxPool2d(2, ceil_mode=True))
            stages.append(nn.Sequential(*layers))
        self.features = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x: (B, C, H, W) images. Returns: (B, num_classes) logits."""
        check_input(self, x, self.in_channels)
        x = self.features(x)  # (B, C, H, W) -> (B, channels[-1], h, w), h = ceil(H / 2**len(channels))
        x = self.pool(x)  # (B, channels[-1], h, w) -> (B, channels[-1], 1, 1): the mean over all positions
        x = self.flatten(x)  # -> (B, channels[-1])
        return self.head(x)  # -> (B, num_classes)
