"""Fashion-MNIST in memory, and a real photo for 224x224 demonstrations.

Fashion-MNIST: Xiao, Rasul and Vollgraf (2017), arXiv:1708.07747; MIT licence, Zalando SE.

Where the files come from, in this order:

1. the folder named by the environment variable ``MIXERBOOK_DATA`` (torchvision's layout,
   ``<root>/FashionMNIST/raw/*-ubyte``), when it holds the data: no network is touched;
2. a download through ``torchvision.datasets.FashionMNIST`` into ``~/.cache/mixerbook``
   (torchvision skips the download when the files are already there);
3. otherwise one error that names both remedies.

Before a file is read its size, its idx header and its SHA-256 are checked against the published
data set (:data:`RAW_SHA256`), so a truncated or damaged copy ends in a :class:`CorruptDataError`
that names the file and the remedy instead of a stack trace from inside torchvision. Hashing the
four files takes a fraction of a second and is done once per file path, size and modification
time in a process.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "CLASS_NAMES",
    "CLASS_NAMES_VI",
    "DataUnavailableError",
    "CorruptDataError",
    "RAW_SHA256",
    "verify_raw_file",
    "ImageSplit",
    "load_fashion_mnist",
    "default_download_root",
    "to_float",
    "shift_images",
    "canvas_offsets",
    "place_on_canvas",
    "sample_photo",
]

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""English class names in label order (the data set's own names)."""

CLASS_NAMES_VI = (
    "Áo phông",
    "Quần dài",
    "Áo len chui đầu",
    "Váy liền",
    "Áo khoác",
    "Dép xăng-đan",
    "Áo sơ mi",
    "Giày thể thao",
    "Túi xách",
    "Bốt cổ ngắn",
)
"""Vietnamese class names in label order."""

_SPLITS = ("train", "test")
_RAW_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


RAW_SHA256 = {
    "train-images-idx3-ubyte": "b09825222cc864729d4706ee7a4c9f8bbd2486f0eae80efc3c231da7d8a1f91d",
    "train-labels-idx1-ubyte": "7cd88f551e93510030f93325e39e5d8112c932e2d6d2b1fde7ead816545ae184",
    "t10k-images-idx3-ubyte": "a7ab3ca6a510e6a4388cfb501c39a16accc115994da7af3a582c75aaacbf9ad1",
    "t10k-labels-idx1-ubyte": "59df6c6ad638dc43879f10a8c5b516aabdcef4f924ba14410bf8aec5e518b1c4",
}
"""SHA-256 of the four uncompressed Fashion-MNIST files (the ``.gz`` files torchvision downloads,
whose MD5s torchvision checks, unpacked)."""

_IDX_LAYOUT = {  # file -> (magic number, shape): the idx header is the magic, then one big-endian int per axis
    "train-images-idx3-ubyte": (2051, (60_000, 28, 28)),
    "train-labels-idx1-ubyte": (2049, (60_000,)),
    "t10k-images-idx3-ubyte": (2051, (10_000, 28, 28)),
    "t10k-labels-idx1-ubyte": (2049, (10_000,)),
}


class DataUnavailableError(RuntimeError):
    """Raised when Fashion-MNIST can be neither found locally nor downloaded."""


class CorruptDataError(DataUnavailableError):
    """Raised when a Fashion-MNIST file exists but is truncated or damaged (wrong size, header or checksum)."""


def _idx_size(shape: tuple[int, ...]) -> int:
    n = 1
    for side in shape:
        n *= side
    return 4 + 4 * len(shape) + n


def verify_raw_file(path: str | os.PathLike) -> None:
    """Check one raw Fashion-MNIST file (e.g. ``.../raw/train-images-idx3-ubyte``) against the published data.

    The size and the idx header are read first (cheap); then the SHA-256 of the whole file is
    compared with :data:`RAW_SHA256`. A file that passes is remembered by path, size and
    modification time, so loading it again in the same process costs one ``stat``.

    Raises:
        ValueError: for a file name that is not one of the four Fashion-MNIST files.
        CorruptDataError: when the file is truncated or damaged; the message names the file and the remedy.
    """
    path = Path(path)
    if path.name not in RAW_SHA256:
        raise ValueError(f"{path.name!r} is not a Fashion-MNIST raw file; expected one of {', '.join(RAW_SHA256)}.")
    stat = path.stat()
    _verify_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def _file_sha256(fh) -> str:
    """The SHA-256 of an open binary file, read in 1 MiB blocks (``hashlib.file_digest`` needs Python 3.11)."""
    digest = hashlib.sha256()
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _verify_cached(path: str, size: int, mtime_ns: int) -> None:
    name = Path(path).name
    magic, shape = _IDX_LAYOUT[name]
    want = _idx_size(shape)
    dims = " x ".join(f"{side:,}" for side in shape)  # vocabulary: allow (English exception text)
    problem = None
    if size != want:
        problem = (f"it has {size:,} bytes, but the complete file has {want:,} "  # vocabulary: allow
                   f"(an idx file of {dims} bytes plus its header){'; it looks truncated' if size < want else ''}")
    else:
        with open(path, "rb") as fh:
            header = fh.read(4 + 4 * len(shape))
            fh.seek(0)
            digest = _file_sha256(fh)
        got = tuple(int.from_bytes(header[i:i + 4], "big") for i in range(0, len(header), 4))
        if got != (magic, *shape):
            problem = f"its idx header reads {got}, expected {(magic, *shape)} (magic number, then the {dims} shape)"
        elif digest != RAW_SHA256[name]:
            problem = f"its SHA-256 is {digest}, expected {RAW_SHA256[name]} (the bytes are damaged)"
    if problem:
        raise CorruptDataError(
            f"The Fashion-MNIST file {path} is damaged: {problem}. Remedies: delete it (load_fashion_mnist then "
            f"downloads a fresh copy into {default_download_root()} when online), or set MIXERBOOK_DATA to a folder "
            f"with a good copy (torchvision's layout, FashionMNIST/raw/{name})."
        )


@dataclass(frozen=True)
class ImageSplit:
    """One split of an image data set, held in memory.

    Attributes:
        images: (N, H, W) uint8 grayscale images.
        labels: (N,) int64 class ids.
        source: where the files were read from (a folder path).
    """

    images: torch.Tensor
    labels: torch.Tensor
    source: str

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: slice) -> ImageSplit:
        """``split[:n]`` (any slice): the same split cut to those images and their labels, e.g.
        ``train[:20_000]`` for the first 20 000 training images."""
        if not isinstance(index, slice):
            raise TypeError(f"An ImageSplit can be sliced (e.g. split[:1000]), not indexed with "
                            f"{type(index).__name__}; for one image use split.images[i] and split.labels[i].")
        return ImageSplit(self.images[index], self.labels[index], self.source)


def default_download_root() -> Path:
    """The folder downloads go to: ``$XDG_CACHE_HOME/mixerbook`` or ``~/.cache/mixerbook``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mixerbook"


def _has_raw_files(root: Path, split: str) -> bool:
    raw = root / "FashionMNIST" / "raw"
    return all((raw / name).is_file() for name in _RAW_FILES[split])


def _verified(root: Path, split: str) -> bool:
    """Whether ``root`` holds the split's raw files; raises :class:`CorruptDataError` when they are damaged."""
    if not _has_raw_files(root, split):
        return False
    for name in _RAW_FILES[split]:
        verify_raw_file(root / "FashionMNIST" / "raw" / name)
    return True


def load_fashion_mnist(split: str = "train", root: str | os.PathLike | None = None,
                       download: bool = True) -> ImageSplit:
    """Load a whole Fashion-MNIST split as uint8 tensors (about 47 MB for the training set).

    Args:
        split: "train" (60,000 images) or "test" (10,000 images).
        root: a folder in torchvision's layout to read first; defaults to ``$MIXERBOOK_DATA``.
        download: whether a download may be tried when no local copy is found.

    Returns:
        An :class:`ImageSplit` with ``images`` (N, 28, 28) uint8 and ``labels`` (N,) int64.

    Raises:
        ValueError: for an unknown split.
        DataUnavailableError: when no local copy exists and the download fails or is disabled.
        CorruptDataError: when a file found (or downloaded) is truncated or damaged.
    """
    if split not in _SPLITS:
        raise ValueError(f"Unknown split {split!r}; expected 'train' or 'test'.")
    local = root if root is not None else os.environ.get("MIXERBOOK_DATA")
    return _load_cached(split, str(local) if local else "", bool(download))


@functools.lru_cache(maxsize=4)
def _load_cached(split: str, local: str, download: bool) -> ImageSplit:
    from torchvision.datasets import FashionMNIST

    train = split == "train"
    if local and _verified(Path(local), split):
        ds = FashionMNIST(root=local, train=train, download=False)
        return ImageSplit(ds.data.clone(), ds.targets.clone().long(), str(Path(local).resolve()))
    error: Exception | None = None
    if download:
        target = default_download_root()
        _verified(target, split)  # a damaged earlier download is reported, not silently reused
        try:  # torchvision checks the MD5 of each downloaded .gz file before unpacking it
            ds = FashionMNIST(root=str(target), train=train, download=True)
            return ImageSplit(ds.data.clone(), ds.targets.clone().long(), str(target))
        except Exception as exc:  # network errors come in many types (URLError, OSError, ...)
            error = exc
    where = f"MIXERBOOK_DATA={local!r} has no files {_RAW_FILES[split]}" if local else "MIXERBOOK_DATA is not set"
    tried = f"the download failed ({type(error).__name__}: {error})" if error else "downloading was disabled"
    raise DataUnavailableError(
        f"Fashion-MNIST ({split}) is not available: {where}, and {tried}. Remedies: (1) connect to the "
        "internet so torchvision can download it, or (2) set the environment variable MIXERBOOK_DATA to a "
        "folder that contains FashionMNIST/raw/ with the four *-ubyte files (torchvision's layout)."
    )


def to_float(images: torch.Tensor) -> torch.Tensor:
    """Turn uint8 images into float model input in [-1, 1] with a channel axis.

    Args:
        images: (N, H, W) or (N, C, H, W) uint8, or float already in [0, 1].

    Returns:
        (N, C, H, W) float32 tensor, on the same device.
    """
    if images.dim() == 3:
        images = images.unsqueeze(1)  # (N, H, W) -> (N, 1, H, W)
    if images.dim() != 4:
        raise ValueError(f"Expected images of shape (N, H, W) or (N, C, H, W), got {tuple(images.shape)}.")
    x = images.to(torch.float32, copy=True)  # a fresh tensor, so the next two steps can work in place
    scale = 2.0 / 255.0 if images.dtype == torch.uint8 else 2.0
    return x.mul_(scale).sub_(1.0)


def shift_images(images: torch.Tensor, dx: int = 0, dy: int = 0) -> torch.Tensor:
    """Translate images by whole pixels, filling the uncovered border with zeros.

    Args:
        images: (..., H, W) tensor of any dtype.
        dx: pixels to the right (negative: to the left).
        dy: pixels down (negative: up).

    Returns:
        Tensor of the same shape and dtype.
    """
    h, w = images.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"Shift ({dx}, {dy}) must be smaller than the image size ({h}, {w}).")
    out = torch.zeros_like(images)
    src_y = slice(max(0, -dy), h - max(0, dy))
    dst_y = slice(max(0, dy), h - max(0, -dy))
    src_x = slice(max(0, -dx), w - max(0, dx))
    dst_x = slice(max(0, dx), w - max(0, -dx))
    out[..., dst_y, dst_x] = images[..., src_y, src_x]
    return out


def canvas_offsets(n: int, height: int, width: int, size: int, seed: int = 0) -> torch.Tensor:
    """Where :func:`place_on_canvas` puts ``n`` images of ``height`` x ``width`` on a ``size`` x ``size`` canvas.

    Each (top, left) offset is drawn uniformly from the ``(size - height + 1) * (size - width + 1)``
    positions that keep the whole image inside the canvas, by a ``torch.Generator`` seeded with
    ``seed``: the offsets depend only on the arguments, so every model sees the same placements, and
    the first ``k`` offsets do not depend on ``n`` (a subset keeps its images' placements).

    Args:
        n: number of images (0 gives an empty result).
        height, width: the images' side lengths.
        size: the canvas side, at least ``max(height, width)``.
        seed: seeds the draws.

    Returns:
        (n, 2) int64 tensor of (top, left) offsets.

    Raises:
        ValueError: for a negative ``n``, a non-positive side, or a canvas smaller than the images.
    """
    for name, value in {"n": n, "height": height, "width": width, "size": size, "seed": seed}.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}.")
    if n < 0 or height <= 0 or width <= 0:
        raise ValueError(f"n must be >= 0 and height, width positive; got n={n}, height={height}, width={width}.")
    if size < max(height, width):
        raise ValueError(f"The canvas ({size}x{size}) must be at least as large as the images ({height}x{width}).")
    across = size - width + 1
    # one draw per image among all positions, so the first k images get the same offsets whatever n is
    where = torch.randint(0, (size - height + 1) * across, (n,), generator=torch.Generator().manual_seed(seed))
    return torch.stack([where // across, where % across], dim=1)


def place_on_canvas(images: torch.Tensor, size: int, seed: int = 0) -> torch.Tensor:
    """Put every image, whole and unchanged, at a random position on a larger blank (zero) canvas.

    The offsets are :func:`canvas_offsets` of ``seed``: the same images, size and seed always give
    the same placements, so every model trains and is tested on the same canvases. With
    ``size`` equal to the image side there is one position and the images come back unchanged.

    Args:
        images: (N, H, W) or (N, C, H, W) tensor of any dtype (e.g. Fashion-MNIST's uint8 images).
        size: the canvas side S, at least max(H, W).
        seed: seeds the placements.

    Returns:
        (N, S, S) or (N, C, S, S) tensor of the same dtype and device; zero outside each image.

    Raises:
        TypeError: when ``images`` is not a tensor.
        ValueError: for another shape, or a canvas smaller than the images.
    """
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor of shape (N, H, W) or (N, C, H, W), got "
                        f"{type(images).__name__}.")
    if images.dim() not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, C, H, W), got {tuple(images.shape)}.")
    n, (h, w) = images.shape[0], images.shape[-2:]
    offsets = canvas_offsets(n, h, w, size, seed)  # (N, 2): top, left
    out = images.new_zeros((*images.shape[:-2], size, size))
    # one scatter for the whole batch: canvas row top + r, column left + c receives image pixel (r, c)
    rows = offsets[:, 0, None] + torch.arange(h)  # (N, H)
    cols = offsets[:, 1, None] + torch.arange(w)  # (N, W)
    flat = (rows[:, :, None] * size + cols[:, None, :]).to(images.device)  # (N, H, W) indices into S*S
    if images.dim() == 4:
        flat = flat[:, None].expand(-1, images.shape[1], -1, -1)  # (N, C, H, W)
    out.flatten(-2).scatter_(-1, flat.flatten(-2), images.flatten(-2))
    return out


@functools.lru_cache(maxsize=4)
def sample_photo(size: int = 224) -> torch.Tensor:
    """A real colour photo, centre-cropped and resized to ``size`` x ``size``.

    The photo is Grace Hopper's portrait that matplotlib ships as sample data, so it is
    available offline wherever the book's dependencies are installed.

    Returns:
        (3, size, size) uint8 tensor.
    """
    if size <= 0:
        raise ValueError(f"size must be positive, got {size}.")
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        img = Image.open(fh).convert("RGB")
        w, h = img.size
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((size, size), Image.BICUBIC)
        arr = np.asarray(img, dtype=np.uint8).copy()
    return torch.from_numpy(arr).permute(2, 0, 1).contiguous()  # (H, W, 3) -> (3, H, W)
