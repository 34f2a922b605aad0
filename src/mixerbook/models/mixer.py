"""MLP-Mixer (Tolstikhin et al., 2021, arXiv:2105.01601, Section 2 and Table 1).

Names follow the paper and the official Flax code: ``patch_size`` (P), ``num_patches`` (S),
``hidden_dim`` (C), ``tokens_mlp_dim`` (D_S), ``channels_mlp_dim`` (D_C), ``num_blocks``.
Activations inside the network are tables of shape (B, S, C): one row per patch (token),
one column per channel.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..text import explained_error
from ._input import check_input

__all__ = ["PatchEmbedding", "MlpBlock", "MixerBlock", "MlpMixer", "PAPER_CONFIGS", "patchify", "unpatchify"]

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
            raise explained_error(
                f"image_size {image_size} is not divisible by patch_size {patch_size}; choose a patch size "
                f"that divides the image side (e.g. one of {_divisors(image_size)}).",
                vi=f"Cạnh ảnh {image_size} không chia hết cho cạnh patch {patch_size}: hãy chọn cạnh patch là ước của "
                   f"cạnh ảnh (ví dụ một trong {_divisors(image_size)}).",
            )
        self.image_size = image_size
        self.patch_size = patch_size
        self.in_channels = in_channels
        self.grid_size = image_size // patch_size
        self.num_patches = self.grid_size**2
        self.proj = nn.Conv2d(in_channels, hidden_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(self, x, self.in_channels, self.image_size, f" with patch_size {self.patch_size}")
        x = self.proj(x)  # (B, in_channels, H, W) -> (B, C, H/P, W/P)
        x = x.flatten(2)  # (B, C, H/P, W/P) -> (B, C, S)
        x = x.transpose(1, 2)  # (B, C, S) -> (B, S, C)
        return x.contiguous()  # store the table row by row (free after a channels-last convolution)


def _divisors(n: int) -> list[int]:
    return [d for d in range(2, n + 1) if n % d == 0][:8]


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping P x P patches and lay each patch out as one row.

    Patches are numbered row by row over the (H/P) x (W/P) grid (the order of
    :class:`PatchEmbedding`'s tokens). Inside a row the entries come channel first, then the
    patch's rows, then its columns, the order of a ``Conv2d`` kernel ``(C_out, C_in, P, P)``:
    so ``patchify(x) @ W.T + b`` with ``W = proj.weight.reshape(C_out, -1)`` is the patch embedding.

    Args:
        images: (B, C_in, H, W) images; H and W must be divisible by ``patch_size``.
        patch_size: P.

    Returns:
        (B, S, C_in * P * P) with S = (H / P) * (W / P).

    Raises:
        ValueError: for a tensor that is not 4-D, or sides not divisible by P.
    """
    if images.dim() != 4:
        raise ValueError(f"patchify expects (B, C, H, W) images, got shape {tuple(images.shape)}.")
    b, c, h, w = images.shape
    if patch_size <= 0 or h % patch_size or w % patch_size:
        raise explained_error(f"Image size {h}x{w} is not divisible by patch_size {patch_size}; choose a patch size "
                             f"that divides both sides.",
                             vi=f"Ảnh {h}×{w} không chia hết cho cạnh patch {patch_size}: hãy chọn cạnh patch chia hết "
                                f"cả hai cạnh ảnh.")
    p = patch_size
    x = images.reshape(b, c, h // p, p, w // p, p)  # (B, C, H/P, P, W/P, P)
    x = x.permute(0, 2, 4, 1, 3, 5)  # -> (B, H/P, W/P, C, P, P): grid position first, then the patch
    return x.reshape(b, (h // p) * (w // p), c * p * p)  # -> (B, S, C*P*P)


def unpatchify(patches: torch.Tensor, patch_size: int, height: int, width: int) -> torch.Tensor:
    """The inverse of :func:`patchify`: put the rows back as P x P patches of an image.

    Args:
        patches: (B, S, C_in * P * P) with S = (height / P) * (width / P).
        patch_size: P.
        height, width: size of the image to rebuild.

    Returns:
        (B, C_in, height, width).
    """
    p = patch_size
    if patches.dim() != 3 or p <= 0 or height % p or width % p:
        raise ValueError(f"unpatchify expects (B, S, C*P*P) patches and sides divisible by P; got shape "
                         f"{tuple(patches.shape)}, patch_size {p}, image {height}x{width}.")
    b, s, d = patches.shape
    gh, gw = height // p, width // p
    if s != gh * gw or d % (p * p):
        raise ValueError(f"{s} patches of {d} values do not fit a {height}x{width} image cut into "
                         f"{p}x{p} patches ({gh * gw} patches of C*{p * p} values).")
    c = d // (p * p)
    x = patches.reshape(b, gh, gw, c, p, p)  # (B, H/P, W/P, C, P, P)
    x = x.permute(0, 3, 1, 4, 2, 5)  # -> (B, C, H/P, P, W/P, P)
    return x.reshape(b, c, height, width)


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
        self.image_size = image_size
        self.in_channels = in_channels
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
        check_input(self, x, self.stem.in_channels, self.stem.image_size, f" with patch_size {self.stem.patch_size}")
        x = self.stem(x)  # (B, S, C)
        x = self.blocks(x)  # (B, S, C)
        return self.pre_head_norm(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.forward_features(x)  # (B, S, C)
        x = x.mean(dim=1)  # global average pooling over patches: (B, S, C) -> (B, C)
        return self.head(x)  # (B, num_classes)


# --------------------------------------------------------------------------------------------------
# Fine-tuning at a higher resolution (paper Section 3 "Fine-tuning" and Appendix C): the token-mixing
# MLPs are the only parameters whose shapes depend on S; they are expanded block-diagonally.


def _check_factor(factor: int) -> None:
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
        raise ValueError(f"factor must be a positive int K (the image side is multiplied by K and S by K**2), "
                         f"got {factor!r}.")


def block_order(grid_size: int, factor: int) -> torch.Tensor:
    """The raster index of every token when a (K*g) x (K*g) token grid is read as K x K blocks.

    The patch embedding numbers the tokens of a (K*g) x (K*g) grid row by row (raster order).
    Appendix C of the paper orders them instead as K x K spatial blocks of g x g tokens: block
    after block (blocks row by row), and row by row inside each block, so that every block is a
    sequence of the original length S = g**2.

    Args:
        grid_size: g, the side of the ORIGINAL token grid (image_size / patch_size).
        factor: K, how many times the image side grows.

    Returns:
        ``order``: (K**2 * g**2,) int64; ``order[p]`` is the raster index of the token at position
        ``p`` of the block order. It is a permutation; ``tokens[:, order]`` puts a (B, K**2*S, C)
        table into block order.

    Raises:
        ValueError: for a grid size or factor below 1.
    """
    _check_factor(factor)
    if isinstance(grid_size, bool) or not isinstance(grid_size, int) or grid_size < 1:
        raise ValueError(f"grid_size must be a positive int g (tokens per side of the original grid), "
                         f"got {grid_size!r}.")
    side = factor * grid_size
    raster = torch.arange(side * side).reshape(factor, grid_size, factor, grid_size)  # (Kb_row, r, Kb_col, c)
    return raster.permute(0, 2, 1, 3).reshape(-1)  # (K, K, g, g) flattened: blocks, then tokens inside


def _grid_of(num_tokens: int, factor: int) -> int:
    per_block, rest = divmod(num_tokens, factor * factor)
    grid = math.isqrt(per_block)
    if rest or grid * grid != per_block:
        raise ValueError(f"{num_tokens} tokens cannot be split into {factor}x{factor} blocks of g x g tokens; "
                         f"the number of tokens must be K**2 * g**2 (e.g. {factor * factor * 16} for g = 4).")
    return grid


def tokens_to_blocks(x: torch.Tensor, factor: int) -> torch.Tensor:
    """Split a raster-ordered token table into its K x K spatial blocks.

    Args:
        x: (B, K**2 * S, C) tokens in raster order, as the patch embedding makes them, with
            S = g**2 the tokens of one block.
        factor: K.

    Returns:
        (B, K**2, S, C): ``out[:, b]`` holds block b (blocks counted row by row), its tokens in
        raster order inside the block, i.e. exactly the table the original model makes of the
        b-th g x g sub-image.
    """
    _check_factor(factor)
    if x.dim() != 3:
        raise ValueError(f"tokens_to_blocks expects a (B, S', C) token table, got shape {tuple(x.shape)}.")
    grid = _grid_of(x.shape[1], factor)
    order = block_order(grid, factor).to(x.device)
    x = x[:, order]  # (B, K^2*S, C) raster order -> block order
    return x.reshape(x.shape[0], factor * factor, grid * grid, x.shape[-1])  # -> (B, K^2, S, C)


def blocks_to_tokens(x: torch.Tensor) -> torch.Tensor:
    """The inverse of :func:`tokens_to_blocks`: (B, K**2, S, C) blocks -> (B, K**2 * S, C) in raster order."""
    if x.dim() != 4:
        raise ValueError(f"blocks_to_tokens expects (B, K**2, S, C) blocks, got shape {tuple(x.shape)}.")
    factor = math.isqrt(x.shape[1])
    if factor * factor != x.shape[1]:
        raise ValueError(f"The block axis must hold K**2 blocks (1, 4, 9, ...), got {x.shape[1]}.")
    grid = _grid_of(x.shape[1] * x.shape[2], factor)
    order = block_order(grid, factor).to(x.device)
    flat = x.reshape(x.shape[0], -1, x.shape[-1])  # (B, K^2, S, C) -> (B, K^2*S, C) in block order
    out = torch.empty_like(flat)
    out[:, order] = flat  # block order -> raster order
    return out


@torch.no_grad()
def expand_token_mlp(mlp: MlpBlock, grid_size: int, factor: int) -> MlpBlock:
    """Expand a token-mixing MLP from S = g**2 tokens to K**2 * S tokens, block-diagonally.

    In block order (see :func:`block_order`) the new weights are K**2 copies of the old ones
    on the diagonal and zeros elsewhere::

        W1' = diag(W1, ..., W1)  (K**2 D_S, K**2 S)     b1' = (b1, ..., b1)  (K**2 D_S,)
        W2' = diag(W2, ..., W2)  (K**2 S, K**2 D_S)     b2' = (b2, ..., b2)  (K**2 S,)

    The patch embedding of the larger model numbers its tokens in raster order, so the columns of
    W1' and the rows of W2' and b2' are stored at the raster positions of their tokens. This is
    the same map as reordering the tokens into blocks and using the block-diagonal matrices: each
    block of g x g tokens is mixed by the original MLP, and no block sees another.

    Args:
        mlp: the token-mixing ``MlpBlock(S, D_S)`` of one Mixer block.
        grid_size: g, with S = g**2.
        factor: K.

    Returns:
        A new ``MlpBlock(K**2 * S, K**2 * D_S)`` on the same device and dtype.
    """
    num_patches, hidden = mlp.fc1.in_features, mlp.fc1.out_features
    if grid_size * grid_size != num_patches:
        raise ValueError(f"grid_size {grid_size} does not match the MLP's {num_patches} tokens "
                         f"(need grid_size**2 == {num_patches}).")
    order = block_order(grid_size, factor)
    copies = factor * factor
    weight = mlp.fc1.weight
    with torch.device(weight.device):
        new = MlpBlock(copies * num_patches, copies * hidden)
    new.to(dtype=weight.dtype)
    order = order.to(weight.device)
    new.fc1.weight.zero_()
    new.fc1.weight[:, order] = torch.block_diag(*[mlp.fc1.weight] * copies)  # (K^2 D_S, K^2 S)
    new.fc1.bias.copy_(mlp.fc1.bias.repeat(copies))  # (K^2 D_S,)
    new.fc2.weight.zero_()
    new.fc2.weight[order, :] = torch.block_diag(*[mlp.fc2.weight] * copies)  # (K^2 S, K^2 D_S)
    new.fc2.bias[order] = mlp.fc2.bias.repeat(copies)  # (K^2 S,)
    new.train(mlp.training)
    return new


@torch.no_grad()
def expand_resolution(model: MlpMixer, factor: int) -> MlpMixer:
    """A copy of ``model`` for images K times larger per side, ready to fine-tune (paper Appendix C).

    The patch size stays the same, so the image of side K*R has S' = K**2 * S tokens. Everything
    whose shape does not depend on S is copied: patch embedding, LayerNorms, channel-mixing MLPs,
    the final LayerNorm and the head. The token-mixing MLPs are expanded block-diagonally by
    :func:`expand_token_mlp` (hidden width K**2 * D_S). At initialisation the new model therefore
    treats the large image as K x K independent sub-images of the original size: every block of
    tokens (see :func:`tokens_to_blocks`) equals, through every Mixer block, the table that
    ``model`` computes for that sub-image, and the logits are the mean of the sub-images' logits.

    Args:
        model: a trained :class:`MlpMixer` for ``image_size`` x ``image_size`` images.
        factor: K, a positive int.

    Returns:
        A new :class:`MlpMixer` with ``image_size * K``, ``num_patches * K**2`` and
        ``tokens_mlp_dim * K**2``, on the same device (``meta`` included) and in the same mode.

    Raises:
        ValueError: if ``model`` is not an :class:`MlpMixer` or ``factor`` is not a positive int.
    """
    if not isinstance(model, MlpMixer):
        raise ValueError(f"expand_resolution needs an MlpMixer, got {type(model).__name__}.")
    _check_factor(factor)
    stem, first = model.stem, model.blocks[0]
    weight = stem.proj.weight
    with torch.device(weight.device):
        new = MlpMixer(
            num_classes=model.head.out_features if isinstance(model.head, nn.Linear) else 0,
            num_blocks=len(model.blocks),
            patch_size=stem.patch_size,
            hidden_dim=stem.proj.out_channels,
            tokens_mlp_dim=factor * factor * first.token_mixing.fc1.out_features,
            channels_mlp_dim=first.channel_mixing.fc1.out_features,
            image_size=stem.image_size * factor,
            in_channels=stem.in_channels,
        )
    new.to(dtype=weight.dtype)
    new.stem.load_state_dict(model.stem.state_dict())
    for old_block, new_block in zip(model.blocks, new.blocks, strict=True):
        new_block.norm1.load_state_dict(old_block.norm1.state_dict())
        new_block.norm2.load_state_dict(old_block.norm2.state_dict())
        new_block.channel_mixing.load_state_dict(old_block.channel_mixing.state_dict())
        new_block.token_mixing = expand_token_mlp(old_block.token_mixing, stem.grid_size, factor)
    new.pre_head_norm.load_state_dict(model.pre_head_norm.state_dict())
    new.head.load_state_dict(model.head.state_dict())
    new.train(model.training)
    return new


__all__ += ["block_order", "tokens_to_blocks", "blocks_to_tokens", "expand_token_mlp", "expand_resolution"]


def tile_images(tiles: torch.Tensor) -> torch.Tensor:
    """Lay K**2 images out as one K x K mosaic, row by row (the image-space twin of :func:`blocks_to_tokens`).

    Args:
        tiles: (..., K**2, H, W) images of any dtype, e.g. (4, 28, 28) uint8 or (N, 4, 28, 28).

    Returns:
        (..., K*H, K*W): tile b sits in block row b // K, block column b % K.
    """
    if tiles.dim() < 3:
        raise ValueError(f"tile_images expects (..., K**2, H, W) tiles, got shape {tuple(tiles.shape)}.")
    *lead, n, h, w = tiles.shape
    factor = math.isqrt(n)
    if factor * factor != n:
        raise ValueError(f"tile_images needs K**2 tiles (1, 4, 9, ...) on axis -3, got {n}.")
    x = tiles.reshape(*lead, factor, factor, h, w)  # (..., K, K, H, W)
    x = x.transpose(-3, -2)  # (..., K, K, H, W) -> (..., K, H, K, W)
    return x.reshape(*lead, factor * h, factor * w)


__all__ += ["tile_images"]
