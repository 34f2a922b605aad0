"""MLP-Mixer (Tolstikhin et al., 2021, arXiv:2105.01601, Section 2 and Table 1).

Names follow the paper and the official Flax code: ``patch_size`` (P), ``num_patches`` (S),
``hidden_dim`` (C), ``tokens_mlp_dim`` (D_S), ``channels_mlp_dim`` (D_C), ``num_blocks``.
Activations inside the network are tables of shape (B, S, C): one row per patch (token),
one column per channel.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["PatchEmbedding", "MlpBlock", "MixerBlock", "MlpMixer", "PAPER_CONFIGS"]

PAPER_CONFIGS: dict[str, dict[str, int]] = {
    "S/32": dict(num_blocks=8, patch_size=32, hidden_dim=512, tokens_mlp_dim=256, channels_mlp_dim=2048),
    "S/16": dict(num_blocks=8, patch_size=16, hidden_dim=512, tokens_mlp_dim=256, channels_mlp_dim=2048),
    "B/32": dict(num_blocks=12, patch_size=32, hidden_dim=768, tokens_mlp_dim=384, channels_mlp_dim=3072),
    "B/16": dict(num_blocks=12, patch_size=16, hidden_dim=768, tokens_mlp_dim=384, channels_mlp_dim=3072),
    "L/32": dict(num_blocks=24, patch_size=32, hidden_dim=1024, tokens_mlp_dim=512, channels_mlp_dim=4096),
    "L/16": dict(num_blocks=24, patch_size=16, hidden_dim=1024, tokens_mlp_dim=512, channels_mlp_dim=4096),
    "H/14": dict(num_blocks=32, patch_size=14, hidden_dim=1280, tokens_mlp_dim=640, channels_mlp_dim=5120),
}
"""The configurations of Table 1 of the paper, by name."""


class PatchEmbedding(nn.Module):
    """Cut the image into non-overlapping P x P patches and project each to C channels.

    One linear map is shared by all patches; as a convolution with kernel and stride P it
    reads each patch exactly once.

    Args:
        image_size: side of the square input image; must be divisible by ``patch_size``.
        patch_size: side P of a patch.
        in_channels: channels of the image.
        hidden_dim: C, channels of each token.

    Shapes:
        ``(B, in_channels, H, W)`` -> ``(B, S, C)`` with ``S = (H / P) * (W / P)``.
    """

    def __init__(self, image_size: int, patch_size: int, in_channels: int, hidden_dim: int) -> None:
        super().__init__()
        if patch_size <= 0 or image_size % patch_size != 0:
            raise ValueError(
                f"image_size {image_size} is not divisible by patch_size {patch_size}; choose a patch size "
                f"that divides the image side (e.g. one of {_divisors(image_size)})."
            )
        self.image_size = image_size
        self.patch_size = patch_size
        self.in_channels = in_channels
        self.grid_size = image_size // patch_size
        self.num_patches = self.grid_size**2
        self.proj = nn.Conv2d(in_channels, hidden_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"PatchEmbedding expects (B, {self.in_channels}, H, W) input, got {tuple(x.shape)}.")
        h, w = x.shape[-2:]
        if h != self.image_size or w != self.image_size:
            raise ValueError(
                f"PatchEmbedding was built for {self.image_size}x{self.image_size} images with "
                f"patch_size {self.patch_size}, got {h}x{w}."
            )
        x = self.proj(x)  # (B, in_channels, H, W) -> (B, C, H/P, W/P)
        x = x.flatten(2)  # (B, C, H/P, W/P) -> (B, C, S)
        x = x.transpose(1, 2)  # (B, C, S) -> (B, S, C)
        return x


def _divisors(n: int) -> list[int]:
    return [d for d in range(2, n + 1) if n % d == 0][:8]


class MlpBlock(nn.Module):
    """Dense -> GELU -> Dense, applied to the last axis.

    Args:
        dim: size of the mixed axis (S for token-mixing, C for channel-mixing).
        mlp_dim: hidden width (D_S or D_C).

    Shapes:
        ``(..., dim)`` -> ``(..., dim)``.
    """

    def __init__(self, dim: int, mlp_dim: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(mlp_dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class MixerBlock(nn.Module):
    """One Mixer layer (Eq. 1 of the paper): token-mixing, then channel-mixing, each with a skip.

    Token-mixing works on each column of the (S, C) table (one channel across all patches),
    with weights shared by all columns; channel-mixing works on each row (one patch across all
    channels), with weights shared by all rows.

    Args:
        num_patches: S.
        hidden_dim: C.
        tokens_mlp_dim: D_S, hidden width of the token-mixing MLP.
        channels_mlp_dim: D_C, hidden width of the channel-mixing MLP.

    Shapes:
        ``(B, S, C)`` -> ``(B, S, C)``.
    """

    def __init__(self, num_patches: int, hidden_dim: int, tokens_mlp_dim: int, channels_mlp_dim: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(hidden_dim)
        self.token_mixing = MlpBlock(num_patches, tokens_mlp_dim)
        self.norm2 = nn.LayerNorm(hidden_dim)
        self.channel_mixing = MlpBlock(hidden_dim, channels_mlp_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm1(x)  # (B, S, C)
        y = y.transpose(1, 2)  # (B, S, C) -> (B, C, S)
        y = self.token_mixing(y)  # mixes the S patches of each channel
        y = y.transpose(1, 2)  # (B, C, S) -> (B, S, C)
        x = x + y
        y = self.norm2(x)  # (B, S, C)
        y = self.channel_mixing(y)  # mixes the C channels of each patch
        return x + y


class MlpMixer(nn.Module):
    """The full MLP-Mixer: patch embedding, ``num_blocks`` Mixer blocks, LayerNorm, average pool, head.

    Args:
        num_classes: logits of the head (0 for no head: the model returns pooled features).
        num_blocks: number of Mixer blocks.
        patch_size: P.
        hidden_dim: C.
        tokens_mlp_dim: D_S.
        channels_mlp_dim: D_C.
        image_size: side of the square input.
        in_channels: channels of the input image.

    Shapes:
        ``(B, in_channels, H, W)`` -> ``(B, num_classes)``.
    """

    def __init__(
        self,
        num_classes: int,
        num_blocks: int,
        patch_size: int,
        hidden_dim: int,
        tokens_mlp_dim: int,
        channels_mlp_dim: int,
        image_size: int = 224,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        self.stem = PatchEmbedding(image_size, patch_size, in_channels, hidden_dim)
        self.num_patches = self.stem.num_patches
        self.blocks = nn.Sequential(
            *[MixerBlock(self.num_patches, hidden_dim, tokens_mlp_dim, channels_mlp_dim) for _ in range(num_blocks)]
        )
        self.pre_head_norm = nn.LayerNorm(hidden_dim)
        self.head = nn.Linear(hidden_dim, num_classes) if num_classes > 0 else nn.Identity()
        if isinstance(self.head, nn.Linear):  # zero-initialised head, as in the paper's code
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    @classmethod
    def from_paper(cls, name: str, num_classes: int = 1000, image_size: int = 224, in_channels: int = 3) -> MlpMixer:
        """Build a configuration of Table 1 by name: "S/32", "S/16", "B/32", "B/16", "L/32", "L/16" or "H/14".

        Tip: build under ``with torch.device("meta"):`` to count the parameters of a large model
        without allocating its memory.
        """
        key = name.removeprefix("Mixer-")
        if key not in PAPER_CONFIGS:
            raise ValueError(f"Unknown Mixer configuration {name!r}; expected one of {', '.join(PAPER_CONFIGS)}.")
        return cls(num_classes=num_classes, image_size=image_size, in_channels=in_channels, **PAPER_CONFIGS[key])

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_channels, H, W) -> (B, S, C) table after the last block and LayerNorm."""
        x = self.stem(x)  # (B, S, C)
        x = self.blocks(x)  # (B, S, C)
        return self.pre_head_norm(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.forward_features(x)  # (B, S, C)
        x = x.mean(dim=1)  # global average pooling over patches: (B, S, C) -> (B, C)
        return self.head(x)  # (B, num_classes)
