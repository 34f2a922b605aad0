"""Fixed pixel permutations for the shuffling experiment (Tolstikhin et al., 2021, Section 3.4, Figure 4).

The experiment needs ONE permutation, drawn once from a seed and applied identically to every
image (training and test): the model then sees consistently scrambled images and can learn from
them. A permutation drawn anew for each image would destroy the information itself
(:func:`shuffle_each` does exactly that, to show it).

Two modes, as in the paper:

- ``"patch"``: the order of the P x P patches is shuffled, and the pixels inside every patch are
  permuted by one permutation shared by all patches;
- ``"global"``: all H*W pixel positions are shuffled across the whole image.

Some models do not care which fixed permutation was used, because their weights can be
rearranged to undo it exactly: :func:`rewire` builds that rearranged copy for a flatten-MLP (any
permutation) and for an MLP-Mixer (a patch+pixel shuffle with the model's patch size). The
functions read the models' attributes and never import :mod:`mixerbook.models` (data flows
data -> permute -> models).

Introduced in the chapter "Thiên kiến quy nạp" (inductive bias).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from .text import explained_error

__all__ = [
    "PixelPermutation",
    "make_permutation",
    "MODES",
    "invert_permutation",
    "patch_source_index",
    "factor_patch_shuffle",
    "shuffle_each",
    "neighbour_distance",
    "rewire_flatten_mlp",
    "rewire_mixer",
    "rewire",
    "MODE_NAMES",
]

MODES = ("none", "patch", "global")
#: What a reader sees for each mode (progress bars, printed lines, figures): the modes themselves stay English keys.
MODE_NAMES = {"none": "ảnh gốc", "patch": "xáo patch + điểm ảnh", "global": "xáo toàn cục"}


def invert_permutation(perm: torch.Tensor) -> torch.Tensor:
    """The inverse of a permutation: ``inv[perm[i]] = i``.

    Args:
        perm: (n,) int64, a permutation of ``0 .. n - 1``.

    Returns:
        (n,) int64 ``inv`` with ``perm[inv] == inv[perm] == arange(n)``.

    Raises:
        ValueError: when ``perm`` is not a permutation of ``0 .. n - 1``.
    """
    perm = torch.as_tensor(perm, dtype=torch.long).flatten()
    if not torch.equal(torch.sort(perm).values, torch.arange(perm.numel())):
        raise ValueError(f"Not a permutation of 0 .. {perm.numel() - 1}: {perm.tolist()[:12]}...")
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(perm.numel())
    return inv


class PixelPermutation:
    """A fixed rearrangement of the H*W pixel positions of an image, the same for every image and channel.

    ``out.flatten()[i] = image.flatten()[source[i]]`` for each position ``i`` (row-major order).

    Args:
        source: (H*W,) int64, a permutation of ``0 .. H*W - 1``.
        height, width: image size.
        mode: a name for display ("none", "patch", "global" or "custom").
        patch_order: for ``"patch"`` mode, the (S,) patch permutation; output patch j is input patch patch_order[j].
        pixel_order: for ``"patch"`` mode, the (P*P,) within-patch permutation shared by all patches.
        patch_size: for ``"patch"`` mode, P.
    """

    def __init__(self, source: torch.Tensor, height: int, width: int, mode: str = "custom",
                 patch_order: torch.Tensor | None = None, pixel_order: torch.Tensor | None = None,
                 patch_size: int | None = None) -> None:
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
        self.patch_size = patch_size

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
        return PixelPermutation(invert_permutation(self.source), self.height, self.width,
                                mode=f"inverse of {self.mode}")

    def __repr__(self) -> str:
        size = f", patch_size={self.patch_size}" if self.patch_size else ""
        return f"PixelPermutation(mode={self.mode!r}, size={self.height}x{self.width}{size})"


def _check_patch_grid(height: int, width: int, patch_size: int | None) -> int:
    if patch_size is None or patch_size <= 0 or height % patch_size or width % patch_size:
        raise ValueError(
            f"Mode 'patch' needs a patch_size that divides the image: image {height}x{width}, patch_size {patch_size}."
        )
    return patch_size


def patch_source_index(height: int, width: int, patch_size: int, patch_order: torch.Tensor,
                       pixel_order: torch.Tensor) -> torch.Tensor:
    """Where each output pixel of a patch+pixel shuffle comes from.

    Patches are numbered row by row over the (H/P) x (W/P) grid, and the positions inside a patch
    row by row too. Output patch ``j`` is input patch ``patch_order[j]``, and position ``q`` inside
    every output patch holds position ``pixel_order[q]`` of that input patch.

    Args:
        height, width: image size; ``patch_size`` must divide both.
        patch_size: P.
        patch_order: (..., S) int64 with S = (H/P)(W/P); leading axes give one permutation per image.
        pixel_order: (..., P*P) int64, leading axes as ``patch_order``.

    Returns:
        (..., H*W) int64 ``source`` with ``out.flatten()[i] = image.flatten()[source[i]]``.
    """
    p = _check_patch_grid(height, width, patch_size)
    grid_w = width // p
    rows = torch.arange(height).repeat_interleave(width)  # row of each output position
    cols = torch.arange(width).repeat(height)  # column of each output position
    j = (rows // p) * grid_w + cols // p  # output patch index, (H*W,)
    q = (rows % p) * p + cols % p  # output position inside the patch, (H*W,)
    k = torch.as_tensor(patch_order, dtype=torch.long)[..., j]  # source patch, (..., H*W)
    q_src = torch.as_tensor(pixel_order, dtype=torch.long)[..., q]  # source position inside the patch
    src_rows = (k // grid_w) * p + q_src // p
    src_cols = (k % grid_w) * p + q_src % p
    return src_rows * width + src_cols


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
    p = _check_patch_grid(height, width, patch_size)
    patch_order = torch.randperm((height // p) * (width // p), generator=gen)  # (S,)
    pixel_order = torch.randperm(p * p, generator=gen)  # (P*P,)
    source = patch_source_index(height, width, p, patch_order, pixel_order)
    return PixelPermutation(source, height, width, mode, patch_order, pixel_order, p)


def factor_patch_shuffle(perm: PixelPermutation, patch_size: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Write ``perm`` as a patch+pixel shuffle with patches of side ``patch_size``, if it is one.

    A permutation is a patch+pixel shuffle for P when every output patch is filled from ONE input
    patch, and the within-patch order is the SAME for every patch. Global shuffles are usually
    not (except with P = 1, where every "patch" is a single pixel).

    Args:
        perm: a :class:`PixelPermutation`.
        patch_size: P; must divide the image's height and width.

    Returns:
        ``(patch_order, pixel_order)``, (S,) and (P*P,) int64, such that
        ``patch_source_index(H, W, P, patch_order, pixel_order)`` equals ``perm.source``; or None.
    """
    h, w = perm.height, perm.width
    p = _check_patch_grid(h, w, patch_size)
    grid_h, grid_w = h // p, w // p
    src = perm.source.reshape(grid_h, p, grid_w, p).permute(0, 2, 1, 3).reshape(grid_h * grid_w, p * p)  # (S, P*P)
    src_rows, src_cols = src // w, src % w
    src_patch = (src_rows // p) * grid_w + src_cols // p  # (S, P*P): input patch of each output pixel
    src_pos = (src_rows % p) * p + src_cols % p  # (S, P*P): position inside that patch
    if not torch.equal(src_patch, src_patch[:, :1].expand_as(src_patch)):
        return None
    if not torch.equal(src_pos, src_pos[:1].expand_as(src_pos)):
        return None
    return src_patch[:, 0].clone(), src_pos[0].clone()


def shuffle_each(images: torch.Tensor, mode: str = "global", patch_size: int | None = None,
                 seed: int = 0) -> torch.Tensor:
    """Shuffle every image with a permutation of its OWN (the mistake the experiment must avoid).

    This is what happens when a function that calls ``torch.randperm`` inside is used as a
    per-image transform: position i no longer holds the same pixel from one image to the next.

    Args:
        images: (N, H, W) or (N, C, H, W); channels of one image share its permutation.
        mode: "global" or "patch".
        patch_size: P for "patch".
        seed: seeds the N permutations.

    Returns:
        Tensor of the same shape and dtype.
    """
    if images.dim() not in (3, 4):
        raise ValueError(f"shuffle_each expects (N, H, W) or (N, C, H, W) images, got {tuple(images.shape)}.")
    if mode not in ("global", "patch"):
        raise ValueError(f"shuffle_each draws 'global' or 'patch' permutations, got mode {mode!r}.")
    n, (h, w) = images.shape[0], images.shape[-2:]
    gen = torch.Generator().manual_seed(seed)
    if mode == "global":
        source = torch.rand(n, h * w, generator=gen).argsort(dim=1)  # (N, H*W): one permutation per image
    else:
        p = _check_patch_grid(h, w, patch_size)
        patch_order = torch.rand(n, (h // p) * (w // p), generator=gen).argsort(dim=1)  # (N, S)
        pixel_order = torch.rand(n, p * p, generator=gen).argsort(dim=1)  # (N, P*P)
        source = patch_source_index(h, w, p, patch_order, pixel_order)  # (N, H*W)
    flat = images.reshape(n, -1, h * w)  # (N, C, H*W), C = 1 for (N, H, W)
    index = source.to(images.device).unsqueeze(1).expand_as(flat)
    return flat.gather(2, index).reshape(images.shape)


def neighbour_distance(perm: PixelPermutation) -> float:
    """How far apart two neighbouring pixels end up: the mean distance after ``perm``.

    Averages, over every pair of pixels that touch in the original image (left-right or
    up-down), the Euclidean distance in pixels between the places they are moved to. It is 1
    for the identity and about 0.52 * side for a random global shuffle of a square image.
    """
    h, w = perm.height, perm.width
    where = invert_permutation(perm.source)  # where[s] = output position of input pixel s
    rows, cols = (where // w).reshape(h, w).double(), (where % w).reshape(h, w).double()
    dists = []
    if w > 1:
        dists.append(torch.hypot(rows[:, 1:] - rows[:, :-1], cols[:, 1:] - cols[:, :-1]).flatten())
    if h > 1:
        dists.append(torch.hypot(rows[1:] - rows[:-1], cols[1:] - cols[:-1]).flatten())
    if not dists:
        raise ValueError("A 1x1 image has no neighbouring pixels.")
    return float(torch.cat(dists).mean())


_NO_REWIRING = (
    "rewire does not rearrange convolutional networks. For a pixel permutation that separates neighbours no such "
    "copy exists: each kernel reads only a small neighbourhood and is shared by every position, so no rearrangement "
    "of its weights brings the scattered neighbours back under one kernel. (Flips and rotations of the whole image "
    "keep neighbours together and could be undone by flipping the kernels; rewire does not do that either.)"
)
_NO_REWIRING_VI = (
    "Hàm rewire không hoán vị lại trọng số của mạng tích chập. Với một phép xáo tách rời các điểm ảnh láng giềng, "
    "cách hoán vị ấy không tồn tại: mỗi bộ lọc chỉ đọc một vùng lân cận nhỏ và dùng chung cho mọi vị trí, nên không "
    "cách sắp xếp lại trọng số nào đưa được các láng giềng đã bị rải đi trở về dưới cùng một bộ lọc. (Lật hay xoay "
    "cả bức ảnh thì giữ láng giềng bên nhau, và lật, xoay bộ lọc sẽ bù được; hàm rewire cũng không làm việc đó.)"
)


def rewire_flatten_mlp(model: nn.Module, perm: PixelPermutation) -> nn.Module:
    """A copy of a flatten-MLP whose first-layer columns are permuted, so that ``copy(perm(x)) == model(x)``.

    The first fully connected layer gives each input position its own column of weights. Moving
    column ``source[i]`` to place ``i`` follows the pixel that ``perm`` moved there:
    ``W'[:, i] = W[:, source[i]]`` (per channel), and ``W' perm(x) = W x``.

    Args:
        model: a module that flattens (B, C, H, W) images and starts with an ``nn.Linear`` of
            C*H*W inputs (e.g. :class:`mixerbook.models.FlattenMLP`), with no convolution.
        perm: a :class:`PixelPermutation` for H x W images (any mode).

    Returns:
        A rewired deep copy; ``model`` is left unchanged.

    Raises:
        ValueError: for a model with convolutions, without a linear layer, or whose first linear
            layer does not take C*H*W inputs.
    """
    if any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules()):
        raise ValueError(f"rewire_flatten_mlp needs a flatten-MLP, got a model with convolutions. {_NO_REWIRING}")
    new = copy.deepcopy(model)
    first = next((m for m in new.modules() if isinstance(m, nn.Linear)), None)
    if first is None:
        raise ValueError("rewire_flatten_mlp found no nn.Linear layer in the model.")
    hw = perm.height * perm.width
    if first.in_features % hw:
        raise ValueError(f"The first linear layer takes {first.in_features} inputs, which is not C*H*W for "
                         f"{perm.height}x{perm.width} images.")
    out_features, channels = first.out_features, first.in_features // hw
    with torch.no_grad():
        weight = first.weight.reshape(out_features, channels, hw)  # (out, C*H*W) -> (out, C, H*W)
        weight = weight[:, :, perm.source.to(weight.device)]  # column i <- column source[i], in every channel
        first.weight.copy_(weight.reshape(out_features, channels * hw))
    return new


def rewire_mixer(model: nn.Module, perm: PixelPermutation) -> nn.Module:
    """A copy of an MLP-Mixer rearranged so that ``copy(perm(x)) == model(x)`` for a patch+pixel shuffle.

    Two rearrangements, one per kind of order the shuffle changes:

    - within-patch pixel order: the patch-embedding kernel (C, in_channels, P, P) is permuted by
      ``pixel_order``, so every token gets exactly its old value;
    - patch order: the tokens then come in the order ``patch_order``; each token-mixing MLP gets
      ``fc1.weight[:, patch_order]`` (columns), ``fc2.weight[patch_order]`` and
      ``fc2.bias[patch_order]`` (rows), so its output follows the tokens. Channel-mixing,
      LayerNorm and the average pool treat every token alike and need no change.

    Args:
        model: an MLP-Mixer with ``stem.proj`` (Conv2d of kernel and stride P), ``stem.patch_size``
            and ``blocks`` whose items have ``token_mixing.fc1`` and ``token_mixing.fc2``
            (e.g. :class:`mixerbook.models.MlpMixer`).
        perm: a :class:`PixelPermutation` that is a patch+pixel shuffle for the model's patch size.

    Returns:
        A rewired deep copy; ``model`` is left unchanged.

    Raises:
        ValueError: when the model lacks these attributes, or ``perm`` is not a patch+pixel shuffle
            with the model's patch size (a global shuffle, or another patch size).
    """
    stem = getattr(model, "stem", None)
    if stem is None or not hasattr(stem, "proj") or not hasattr(stem, "patch_size") or not hasattr(model, "blocks"):
        raise ValueError("rewire_mixer needs an MLP-Mixer with attributes stem.proj, stem.patch_size and blocks.")
    p = int(stem.patch_size)
    if perm.height % p or perm.width % p:
        raise ValueError(f"The model's patch size {p} does not divide the {perm.height}x{perm.width} permutation.")
    factors = factor_patch_shuffle(perm, p)
    if factors is None:
        raise explained_error(
            f"This permutation ({perm.mode}) is not a patch+pixel shuffle with the model's patch size {p}, so no "
            "rearrangement of a Mixer's weights undoes it: a patch would mix pixels of several input patches, or "
            "patches would use different pixel orders.",
            vi=f"Phép xáo này không phải một phép xáo patch + điểm ảnh với cạnh patch {p} của mô hình, nên không có "
               "cách hoán vị lại trọng số nào của Mixer bù được nó: một patch sẽ gom điểm ảnh của nhiều patch đầu "
               "vào, hoặc các patch dùng những thứ tự điểm ảnh khác nhau.",
        )
    patch_order, pixel_order = factors
    new = copy.deepcopy(model)
    with torch.no_grad():
        kernel = new.stem.proj.weight  # (C, in_channels, P, P)
        flat = kernel.reshape(*kernel.shape[:2], p * p)[..., pixel_order.to(kernel.device)]
        kernel.copy_(flat.reshape(kernel.shape))
        for block in new.blocks:
            order = patch_order.to(block.token_mixing.fc1.weight.device)
            fc1, fc2 = block.token_mixing.fc1, block.token_mixing.fc2
            fc1.weight.copy_(fc1.weight[:, order])  # (D_S, S): column j <- column patch_order[j]
            fc2.weight.copy_(fc2.weight[order])  # (S, D_S): row j <- row patch_order[j]
            fc2.bias.copy_(fc2.bias[order])  # (S,)
    return new


def rewire(model: nn.Module, perm: PixelPermutation) -> nn.Module:
    """The copy of ``model`` that sees ``perm``-shuffled images exactly as ``model`` sees the originals.

    The identity gives a plain copy of any model. Otherwise it dispatches on the model's structure:
    an MLP-Mixer (``stem`` and ``blocks``) goes to :func:`rewire_mixer`, a model without
    convolutions to :func:`rewire_flatten_mlp`.

    Raises:
        ValueError: for a convolutional network and any permutation other than the identity (no such
            copy exists for a permutation that separates neighbouring pixels; the flips and rotations
            that keep neighbours together are not handled), or when the permutation does not suit the model.
    """
    if torch.equal(perm.source, torch.arange(perm.source.numel())):
        return copy.deepcopy(model)  # the identity needs no rewiring, whatever the model
    if hasattr(model, "stem") and hasattr(model, "blocks"):
        return rewire_mixer(model, perm)
    if any(isinstance(m, nn.modules.conv._ConvNd) for m in model.modules()):
        raise explained_error(f"No rewiring for {type(model).__name__}. {_NO_REWIRING}",
                             vi=f"{type(model).__name__}: {_NO_REWIRING_VI}")
    return rewire_flatten_mlp(model, perm)
