"""The flatten-MLP: the plain multi-layer perceptron that sees an image as one long vector.

Introduced in the chapter "Làm phẳng ảnh" (flattening).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._input import check_input

__all__ = ["FlattenMLP"]


class FlattenMLP(nn.Module):
    """Flatten the image, then a stack of fully connected layers with ReLU.

    Args:
        image_size: side of the square input image (H = W).
        in_channels: number of colour channels C.
        hidden_dims: widths of the hidden layers, first to last; empty means a linear classifier.
        num_classes: number of output logits.
        dropout: dropout probability after each hidden layer (0 disables it).

    Shapes:
        input ``(B, C, H, W)`` float -> output ``(B, num_classes)`` logits.
    """

    def __init__(
        self,
        image_size: int = 28,
        in_channels: int = 1,
        hidden_dims: Sequence[int] = (256, 128),
        num_classes: int = 10,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if image_size <= 0 or in_channels <= 0 or num_classes <= 0:
            raise ValueError(
                f"image_size, in_channels and num_classes must be positive; got {image_size}, "
                f"{in_channels}, {num_classes}."
            )
        if any(int(h) <= 0 for h in hidden_dims):
            raise ValueError(f"hidden_dims must all be positive, got {tuple(hidden_dims)}.")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
        self.image_size = image_size
        self.in_channels = in_channels
        self.input_dim = image_size * image_size * in_channels
        self.flatten = nn.Flatten()
        layers: list[nn.Module] = []
        width = self.input_dim
        for hidden in hidden_dims:
            layers.append(nn.Linear(width, int(hidden)))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = int(hidden)
        self.hidden = nn.Sequential(*layers)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Args: x: (B, C, H, W) images. Returns: (B, num_classes) logits."""
        check_input(self, x, self.in_channels, self.image_size)
        x = self.flatten(x)  # (B, C, H, W) -> (B, C*H*W)
        x = self.hidden(x)  # (B, C*H*W) -> (B, hidden_dims[-1])
        return self.head(x)  # -> (B, num_classes)
