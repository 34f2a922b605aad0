"""Shuffle explorer (chapter 3): an image, the image under a fixed pixel permutation, and the image put back.

Python ships the Fashion-MNIST images and the 224x224 photo once (uint8 bytes); ``shuffle.js``
draws the permutation for any seed in the browser exactly as :func:`mixerbook.permute.make_permutation`
does with torch's CPU generator (``mt19937``, ``randperm`` and ``patchSourceIndex`` there are held
to ``torch.randperm`` and :func:`mixerbook.permute.patch_source_index` by parity tests).
"""

from __future__ import annotations

import torch
import traitlets

from ..data import CLASS_NAMES_VI, sample_photo
from ..permute import MODES, make_permutation
from ._base import Explorer, from_u8, u8_bytes

__all__ = ["ShuffleExplorer", "shuffle_explorer", "shows", "divisors", "patch_size_message", "checksum"]

#: the photo's side (mixerbook.data.sample_photo)
PHOTO_SIDE = 224
#: modulus of the permutation checksum shown by the explorer (same rule in shuffle.js)
CHECKSUM_MODULUS = 1_000_000_007
#: most images the explorer ships (page weight)
MAX_IMAGES = 64
SOURCES = ("fashion", "photo")


class ShuffleExplorer(Explorer):
    """Image source and number, shuffle mode, seed and patch size."""

    _kind = "shuffle"
    control_names = ("source", "index", "mode", "seed", "patch_size")
    source = traitlets.Unicode("fashion").tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    mode = traitlets.Unicode("patch").tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    patch_size = traitlets.Int(7).tag(sync=True)
    # data
    images = traitlets.Bytes(b"").tag(sync=True)  # (count, side, side) uint8
    count = traitlets.Int(0).tag(sync=True)
    side = traitlets.Int(28).tag(sync=True)
    labels = traitlets.List([]).tag(sync=True)
    class_names = traitlets.List([]).tag(sync=True)
    photo = traitlets.Bytes(b"").tag(sync=True)  # (3, photo_side, photo_side) uint8
    photo_side = traitlets.Int(PHOTO_SIDE).tag(sync=True)
    patch_sizes = traitlets.List([]).tag(sync=True)


def divisors(n: int) -> list[int]:
    """The divisors of ``n``, in increasing order."""
    return [d for d in range(1, n + 1) if n % d == 0]


def patch_size_message(side: int, patch_size: int) -> str:
    """The explorer's status line when P does not divide the image side ("" when it does)."""
    if side % patch_size == 0:
        return ""
    return (f"Cạnh ảnh {side} không chia hết cho cạnh patch P = {patch_size}: với ảnh này, hãy chọn P "
            f"trong {', '.join(map(str, divisors(side)))}.")


def checksum(source: torch.Tensor) -> int:
    """Sum over i of (i + 1) * source[i], modulo 1e9+7 (exact in int64 for any image of the book)."""
    source = torch.as_tensor(source, dtype=torch.long).flatten()
    return int(((torch.arange(1, source.numel() + 1) * source).sum() % CHECKSUM_MODULUS).item())


def shuffle_explorer(images: torch.Tensor, labels: torch.Tensor | None = None,
                     patch_sizes: tuple[int, ...] = (2, 4, 7, 8, 14, 16, 28, 32, 56)) -> ShuffleExplorer:
    """Choose an image, a shuffle mode, a seed and a patch size; see the image shuffled and put back.

    Args:
        images: (N, S, S) uint8 images, e.g. Fashion-MNIST (a handful; at most 64); the other
            source is the 224x224 photo :func:`mixerbook.data.sample_photo`.
        labels: (N,) class ids, used in the title.
        patch_sizes: the choices offered for P; a P that does not divide the chosen image gives a
            message instead of a shuffled picture.

    Raises:
        ValueError: for images that are not a non-empty (N, S, S) uint8 tensor, labels that do not
            match them, or patch sizes that are not positive integers.
    """
    images = torch.as_tensor(images)
    if images.dim() != 3 or len(images) == 0:
        raise ValueError(f"shuffle_explorer expects a non-empty (N, H, W) tensor, got {tuple(images.shape)}.")
    if images.shape[1] != images.shape[2]:
        raise ValueError(f"shuffle_explorer expects square images, got {images.shape[1]}x{images.shape[2]}.")
    if images.dtype != torch.uint8:
        raise ValueError(f"shuffle_explorer expects uint8 images (0..255), got dtype {images.dtype}.")
    if len(images) > MAX_IMAGES:
        raise ValueError(f"shuffle_explorer ships every image to the page: pass at most {MAX_IMAGES}, "
                         f"got {len(images)}.")
    label_list = _labels(labels, len(images), "shuffle_explorer")
    sizes = [int(p) for p in patch_sizes]
    if not sizes or any(p <= 0 for p in sizes) or len(set(sizes)) != len(sizes):
        raise ValueError(f"patch_sizes must be distinct positive integers, got {tuple(patch_sizes)}.")
    photo = sample_photo(PHOTO_SIDE)
    return ShuffleExplorer(
        images=u8_bytes(images.contiguous()), count=len(images), side=int(images.shape[-1]), labels=label_list,
        class_names=list(CLASS_NAMES_VI), photo=u8_bytes(photo.contiguous()), photo_side=PHOTO_SIDE,
        patch_sizes=sizes, patch_size=7 if 7 in sizes else sizes[0],
    )


def _labels(labels, n: int, who: str) -> list[int | None]:
    if labels is None:
        return [None] * n
    values = [int(v) for v in torch.as_tensor(labels).flatten().tolist()]
    if len(values) != n:
        raise ValueError(f"{who} got {n} images but {len(values)} labels.")
    if any(not 0 <= v < len(CLASS_NAMES_VI) for v in values):
        raise ValueError(f"{who} expects labels in 0..{len(CLASS_NAMES_VI) - 1}, got {values}.")
    return values


def shows(values: dict, state: dict) -> dict:
    """What the explorer must show for ``values``, computed with :func:`mixerbook.permute.make_permutation`."""
    fashion = values["source"] != "photo"
    mode, p, seed = values["mode"], int(values["patch_size"]), int(values["seed"])
    if mode not in MODES:
        raise ValueError(f"Unknown shuffle mode {mode!r}.")
    out = {"source": values["source"], "index": values["index"] if fashion else None, "mode": mode,
           "patch_size": p, "seed": seed}
    if fashion:
        side = int(state["side"])
        image = from_u8(state["images"], (int(state["count"]), side, side))[int(values["index"])]
    else:
        side = int(state["photo_side"])
        image = from_u8(state["photo"], (3, side, side))
    if mode == "patch" and side % p:
        out["message"] = patch_size_message(side, p)
        return out
    perm = make_permutation(mode, side, side, p, seed=seed)
    original = torch.from_numpy(image.copy())
    restored = perm.inverse()(perm(original))
    out.update(head=perm.source[:12].tolist(), checksum=checksum(perm.source),
               restored_equal=bool(torch.equal(restored, original)))
    return out


def example() -> ShuffleExplorer:
    """A small instance for the gallery page of the tests: four synthetic 28x28 images."""
    g = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    shapes = [((xx - 14) ** 2 + (yy - 14) ** 2 < 100), (xx // 7 + yy // 7) % 2 == 0, (yy > 6) & (yy < 22) & (xx > 9),
              torch.rand(28, 28, generator=g) > 0.5]
    images = torch.stack([(s.float() * (120 + 40 * k) + 60 * (xx / 27)).clamp(0, 255).to(torch.uint8)
                          for k, s in enumerate(shapes)])
    return shuffle_explorer(images, torch.tensor([0, 3, 8, 9]))
