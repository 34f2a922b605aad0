"""Fixed pixel permutations for the shuffling experiment (Tolstikhin et al., 2021, Section 3.4, Figure 4).

The experiment needs ONE permutation, drawn once from a seed and applied identically to every
image (training and test): the model then sees consistently scrambled images and can learn from
them. A permutation drawn anew for each image would destroy the information itself.

Two modes, as in the paper:

- ``"patch"``: the order of the P x P patches is shuffled, and the pixels inside every patch are
  permuted by one permutation shared by all patches;
- ``"global"``: all H*W pixel positions are shuffled across the whole image.
"""

from __future__ import annotations

import torch

__all__ = ["PixelPermutation", "make_permutation", "MODES"]

MODES = ("none", "patch", "global")


class PixelPermutation:
    """A fixed rearrangement of the H*W pixel positions of an image, the same for every image and channel.

    ``out.flatten()[i] = image.flatten()[source[i]]`` for each position ``i`` (row-major order).

    Args:
        source: (H*W,) int64, a permutation of ``0 .. H*W - 1``.
        height, width: image size.
        mode: a name for display ("none", "patch", "global" or "custom").
        patch_order: for ``"patch"`` mode, the (S,) patch permutation; output patch j is input patch patch_order[j].
        pixel_order: for ``"patch"`` mode, the (P*P,) within-patch permutation shared by all patches.
    """

    def __init__(self, source: torch.Tensor, height: int, width: int, mode: str = "custom",
                 patch_order: torch.Tensor | None = None, pixel_order: torch.Tensor | None = None) -> None:
        source = torch.as_tensor(source, dtype=torch.long).flatten()
        if source.numel() != height * width:
            raise ValueError(f"source has {source.numel()} entries, expected height*width = {height * width}.")
        if not torch.equal(torch.sort(source).values, torch.arange(height * width)):
            raise ValueError("source is not a permutation of 0 .. height*width - 1.")
        self.source = source
        self.height, self.width = height, width
        self.mode = mode
        self.patch_order = patch_order
        self.pixel_order = pixel_order

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """Apply to images of shape (..., H, W); returns the same shape and dtype."""
        if images.shape[-2:] != (self.height, self.width):
            raise ValueError(
                f"This permutation is for {self.height}x{self.width} images, got images of shape {tuple(images.shape)}."
            )
        flat = images.reshape(*images.shape[:-2], self.height * self.width)  # (..., H*W)
        out = flat[..., self.source.to(images.device)]
        return out.reshape(images.shape)

    def inverse(self) -> PixelPermutation:
        """The permutation that undoes this one."""
        inv = torch.empty_like(self.source)
        inv[self.source] = torch.arange(self.source.numel())
        return PixelPermutation(inv, self.height, self.width, mode=f"inverse of {self.mode}")

    def __repr__(self) -> str:
        return f"PixelPermutation(mode={self.mode!r}, size={self.height}x{self.width})"


def make_permutation(mode: str, height: int, width: int, patch_size: int | None = None,
                     seed: int = 0) -> PixelPermutation:
    """Draw the fixed permutation of one experiment.

    Args:
        mode: "none" (identity), "patch" (patch order + shared within-patch order) or "global".
        height, width: image size.
        patch_size: P, required for "patch"; must divide height and width.
        seed: the same seed always gives the same permutation.

    Raises:
        ValueError: for an unknown mode, or a patch size that does not divide the image.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown shuffle mode {mode!r}; expected one of {', '.join(MODES)}.")
    if height <= 0 or width <= 0:
        raise ValueError(f"height and width must be positive, got {height}x{width}.")
    gen = torch.Generator().manual_seed(seed)
    n = height * width
    if mode == "none":
        return PixelPermutation(torch.arange(n), height, width, mode)
    if mode == "global":
        return PixelPermutation(torch.randperm(n, generator=gen), height, width, mode)
    if patch_size is None or patch_size <= 0 or height % patch_size or width % patch_size:
        raise ValueError(
            f"Mode 'patch' needs a patch_size that divides the image: image {height}x{width}, patch_size {patch_size}."
        )
    p = patch_size
    grid_h, grid_w = height // p, width // p
    patch_order = torch.randperm(grid_h * grid_w, generator=gen)  # (S,)
    pixel_order = torch.randperm(p * p, generator=gen)  # (P*P,)
    rows = torch.arange(height).repeat_interleave(width)  # row of each output position
    cols = torch.arange(width).repeat(height)
    j = (rows // p) * grid_w + cols // p  # output patch index
    q = (rows % p) * p + cols % p  # output position inside the patch
    k = patch_order[j]  # source patch
    q_src = pixel_order[q]  # source position inside the patch
    src_rows = (k // grid_w) * p + q_src // p
    src_cols = (k % grid_w) * p + q_src % p
    return PixelPermutation(src_rows * width + src_cols, height, width, mode, patch_order, pixel_order)
