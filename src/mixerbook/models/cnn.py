"""A small convolutional network: local 3x3 kernels, shared weights, pooling.

Introduced in the chapter "Làm phẳng ảnh" (flattening) as the point of comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["SmallCNN"]


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
        if x.dim() != 4 or x.shape[1] != self.in_channels or x.shape[-1] != self.image_size:
            raise ValueError(
                f"SmallCNN expects input of shape (B, {self.in_channels}, {self.image_size}, "
                f"{self.image_size}), got {tuple(x.shape)}."
            )
        x = self.features(x)  # (B, C, H, W) -> (B, channels[-1], H / 2**k, W / 2**k)
        x = self.flatten(x)  # -> (B, channels[-1] * side * side)
        return self.head(x)  # -> (B, num_classes)
