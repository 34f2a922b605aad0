"""Parameter and multiply-add counts: analytic formulas and the same quantities measured on a model.

A multiply-add (MAC) is one multiplication followed by one addition; 1 MAC = 2 FLOPs. The
formulas count the weights' multiply-adds per image and leave out bias additions, which is also
what ``torch.utils.flop_counter.FlopCounterMode`` counts (it reports FLOPs = 2 x MACs for matrix
multiplications and convolutions).
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "linear_params",
    "linear_macs",
    "conv2d_params",
    "conv2d_macs",
    "flatten_first_layer",
    "count_params",
    "count_macs",
]


def _positive(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Parameters of ``nn.Linear(in_features, out_features)``: weights ``in*out`` plus ``out`` biases."""
    _positive(in_features=in_features, out_features=out_features)
    return in_features * out_features + (out_features if bias else 0)


def linear_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of one ``nn.Linear`` per input vector: every weight is used once."""
    _positive(in_features=in_features, out_features=out_features)
    return in_features * out_features


def conv2d_params(in_channels: int, out_channels: int, kernel_size: int, bias: bool = True) -> int:
    """Parameters of a square ``nn.Conv2d``: ``k*k*in*out`` weights plus ``out`` biases.

    Note that the image size does not appear: the same kernel is reused at every position.
    """
    _positive(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size)
    return kernel_size * kernel_size * in_channels * out_channels + (out_channels if bias else 0)


def conv2d_macs(in_channels: int, out_channels: int, kernel_size: int, out_height: int, out_width: int) -> int:
    """Multiply-adds of a square ``nn.Conv2d`` per image: ``H_out*W_out*k*k*in*out``."""
    _positive(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel_size,
              out_height=out_height, out_width=out_width)
    return out_height * out_width * kernel_size * kernel_size * in_channels * out_channels


def flatten_first_layer(height: int, width: int, channels: int, hidden: int) -> dict[str, int]:
    """The first layer of a flatten-MLP on an (H, W, C) image.

    Returns:
        ``{"inputs": H*W*C, "params": H*W*C*hidden + hidden, "macs": H*W*C*hidden}``.
    """
    _positive(height=height, width=width, channels=channels, hidden=hidden)
    inputs = height * width * channels
    return {"inputs": inputs, "params": linear_params(inputs, hidden), "macs": linear_macs(inputs, hidden)}


def count_params(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``module`` (shared tensors counted once)."""
    seen: set[int] = set()
    total = 0
    for p in module.parameters():
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return total


@torch.no_grad()
def count_macs(module: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one forward pass per image, measured with ``FlopCounterMode``.

    Args:
        module: the model; it is run once in eval mode on zeros on its own device.
        input_shape: shape of ONE input without the batch axis, e.g. ``(1, 28, 28)``.

    Returns:
        MACs per image (FLOPs counted by PyTorch divided by 2), an int.
    """
    from torch.utils.flop_counter import FlopCounterMode

    try:
        device = next(module.parameters()).device
    except StopIteration:
        device = torch.device("cpu")
    was_training = module.training
    module.eval()
    x = torch.zeros((1, *input_shape), device=device)
    counter = FlopCounterMode(display=False)
    with counter:
        module(x)
    module.train(was_training)
    return counter.get_total_flops() // 2
