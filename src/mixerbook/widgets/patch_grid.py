"""Patch-grid explorer (chapter 5): a photo cut into P x P patches, its flattened patch table and the S x C table.

Python ships the photo once (uint8 bytes); ``patch_grid.js`` cuts it, draws the grid, the table of
flattened patches (``patchifyRow`` there equals :func:`mixerbook.models.mixer.patchify`, row by
row) and a sketch of the S x C token table, as :func:`mixerbook.viz.plot_patch_grid` does. When P
changes, the chosen patch moves to the one covering the same spot (:func:`follow_patch`, whose
twin ``followPatch`` is held to it by a parity test).
"""

from __future__ import annotations

import numpy as np
import torch
import traitlets

from ._base import Explorer, from_u8, u8_bytes

__all__ = ["PatchGridExplorer", "patch_grid_explorer", "follow_patch", "patch_message", "patch_box", "shows",
           "PATCH_CHOICES", "HIDDEN_CHOICES"]

PATCH_CHOICES = (8, 12, 14, 16, 28, 32, 56)
HIDDEN_CHOICES = (256, 512, 768, 1024, 1280)


def follow_patch(index: int, old_p: int, new_p: int, side: int) -> int:
    """The patch for size ``new_p`` that covers the centre of patch ``index`` for size ``old_p``.

    Grids are ``side // P`` patches wide (a size that does not divide the side counts its whole
    patches only, at least one); the centre of the old patch, in pixels, is looked up in the new grid.
    """
    old_grid, new_grid = max(1, side // old_p), max(1, side // new_p)
    r, c = divmod(index, old_grid)
    y, x = r * old_p + old_p // 2, c * old_p + old_p // 2  # centre of the chosen patch, in pixels
    return min(y // new_p, new_grid - 1) * new_grid + min(x // new_p, new_grid - 1)


def patch_message(side: int, patch_size: int, options: list[int] | tuple[int, ...]) -> str | None:
    """The Vietnamese message shown instead of the picture when P does not divide the side (None when it does)."""
    if side % patch_size == 0:
        return None
    fits = [str(p) for p in options if side % p == 0]
    return (f"Cạnh ảnh {side} không chia hết cho cạnh patch P = {patch_size} ({side} = {side // patch_size}·"
            f"{patch_size} + {side % patch_size}): các patch phải phủ kín ảnh mà không chồng lên nhau. "
            f"Hãy chọn P trong {', '.join(fits)}.")


def patch_box(index: int, patch_size: int, side: int) -> list[int]:
    """Pixel box ``[top, left, bottom, right]`` (bottom and right excluded) of patch ``index``, row-major."""
    grid = side // patch_size
    r, c = divmod(index, grid)
    return [r * patch_size, c * patch_size, (r + 1) * patch_size, (c + 1) * patch_size]


class PatchGridExplorer(Explorer):
    """Patch size P, token width C and the chosen patch; the photo travels as uint8 bytes."""

    _kind = "patch_grid"
    control_names = ("patch_size", "hidden_dim", "highlight")
    patch_size = traitlets.Int(16).tag(sync=True)
    hidden_dim = traitlets.Int(768).tag(sync=True)
    highlight = traitlets.Int(0).tag(sync=True)
    patch_options = traitlets.List(traitlets.Int(), list(PATCH_CHOICES)).tag(sync=True)
    hidden_options = traitlets.List(traitlets.Int(), list(HIDDEN_CHOICES)).tag(sync=True)
    image = traitlets.Bytes(b"").tag(sync=True)
    channels = traitlets.Int(3).tag(sync=True)
    side = traitlets.Int(224).tag(sync=True)


def patch_grid_explorer(image: torch.Tensor | np.ndarray | None = None, patch_size: int = 16, hidden_dim: int = 768,
                        patch_sizes: tuple[int, ...] = PATCH_CHOICES,
                        hidden_dims: tuple[int, ...] = HIDDEN_CHOICES) -> PatchGridExplorer:
    """Choose a patch size, a token width C and a patch; see the grid on the photo and the S x C table.

    The picture is :func:`mixerbook.viz.plot_patch_grid`'s, drawn in the browser (the token table
    as a sketch of its shape). A patch size that does not divide the image side (12 for the 224 x 224
    photo is in the default list on purpose) shows a message instead of a picture. When the patch
    size changes, the chosen patch moves to the one that covers the same spot of the photo.

    Args:
        image: (C, H, W) uint8 square image, C = 1 or 3; :func:`mixerbook.data.sample_photo` by default.
        patch_size: initial P; must divide the side.
        hidden_dim: initial C.
        patch_sizes, hidden_dims: the choices offered (the initial values are added).

    Raises:
        ValueError: for an image that is not a square (1 or 3, H, W) uint8 array, or a bad size.
    """
    if image is None:
        from ..data import sample_photo

        image = sample_photo()
    array = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    if array.ndim != 3 or array.shape[0] not in (1, 3) or array.shape[1] != array.shape[2] or array.dtype != np.uint8:
        raise ValueError(f"patch_grid_explorer expects a square (C, H, W) uint8 image with C = 1 or 3, got shape "
                         f"{tuple(array.shape)} and dtype {array.dtype}.")
    side = int(array.shape[-1])
    sizes = [int(p) for p in patch_sizes] + [int(hidden_dim)] + [int(c) for c in hidden_dims]
    if patch_size <= 0 or any(v <= 0 for v in sizes) or any(p > side for p in patch_sizes):
        raise ValueError(f"patch_grid_explorer: patch sizes must be in 1..{side} and widths positive; got "
                         f"patch_sizes={patch_sizes}, hidden_dim={hidden_dim}, hidden_dims={hidden_dims}.")
    if side % patch_size:
        raise ValueError(f"The initial patch_size {patch_size} must divide the image side {side}; choose one of "
                         f"{[p for p in sorted(set(patch_sizes)) if side % p == 0]}.")
    grid = side // patch_size
    return PatchGridExplorer(
        patch_size=patch_size, hidden_dim=hidden_dim, highlight=(grid // 2) * grid + grid // 2,
        patch_options=sorted(set(patch_sizes) | {patch_size}), hidden_options=sorted(set(hidden_dims) | {hidden_dim}),
        image=u8_bytes(array), channels=int(array.shape[0]), side=side)


def shows(values: dict, state: dict) -> dict:
    """P, C, S, the chosen patch (row, col, pixel box) and the sum of its row of ``patchify``; or the message.

    S and the grid come from :class:`mixerbook.models.mixer.PatchEmbedding` (built on the meta
    device), the row from :func:`mixerbook.models.mixer.patchify` of the shipped photo.
    """
    from ..models.mixer import PatchEmbedding, patchify

    p, c, k = values["patch_size"], values["hidden_dim"], values["highlight"]
    side, channels = state["side"], state["channels"]
    message = patch_message(side, p, state["patch_options"])
    if message:
        return {"patch_size": p, "hidden_dim": c, "message": message}
    with torch.device("meta"):
        stem = PatchEmbedding(side, p, channels, c)
    image = torch.from_numpy(from_u8(state["image"], (channels, side, side)).astype(np.int64))
    row = patchify(image.unsqueeze(0), p)[0, k]
    r, col = divmod(k, stem.grid_size)
    return {"patch_size": p, "hidden_dim": c, "S": stem.num_patches, "grid": stem.grid_size, "highlight": k,
            "row": r, "col": col, "box": patch_box(k, p, side), "row_values": int(row.numel()),
            "row_sum": int(row.sum())}


def example() -> PatchGridExplorer:
    """A small instance for the gallery page of the tests: the book's photo."""
    return patch_grid_explorer()
