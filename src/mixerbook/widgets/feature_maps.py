"""Feature-map explorer (chapter 4): an image, a stage of a CNN and one of its channels.

Python runs the model once with forward hooks (:func:`mixerbook.probe.feature_maps`) for every
image and every chosen layer, and ships the maps quantised to uint8, each (image, layer, channel)
map with its own min and max (:func:`quantise`; the min/max travel as float32). ``feature_maps.js``
draws the input image, the chosen channel with a colour bar, and a mosaic of every channel of
the stage; it decodes a map with ``dequantise`` and finds where it is brightest with
``mapStats``, the twins of :func:`dequantise` and :func:`map_stats` here (parity tests).

Shipped layout (``maps``): for each layer in order, its (N, C, H', W') uint8 block, row-major;
``ranges``: for each layer in order, its (N, C, 2) float32 block of (min, max).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import torch
import traitlets

from ..data import CLASS_NAMES_VI
from ._base import Explorer, f32_bytes, from_f32, from_u8, u8_bytes

__all__ = ["FeatureMapExplorer", "feature_map_explorer", "quantise", "dequantise", "map_stats", "round4", "shows"]

#: Most uint8 map values one explorer ships (2 MB raw, about 2.7 MB in the page as base64).
MAX_MAP_BYTES = 2_000_000


def quantise(maps: torch.Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantise each (H, W) map of ``maps`` (..., H, W) to uint8 with its own min and max.

    ``q = round((x - lo) / (hi - lo) * 255)``; a constant map (hi == lo) gives all zeros.

    Returns:
        ``(q, lo, hi)``: uint8 of the shape of ``maps``, and float32 min and max of shape ``maps.shape[:-2]``.
    """
    arr = maps.detach().float().cpu().numpy() if isinstance(maps, torch.Tensor) else np.asarray(maps, np.float32)
    if arr.ndim < 2:
        raise ValueError(f"quantise expects maps (..., H, W), got shape {arr.shape}.")
    arr = arr.astype(np.float32)
    lo = arr.min(axis=(-2, -1))
    hi = arr.max(axis=(-2, -1))
    span = (hi.astype(np.float64) - lo)[..., None, None]
    scaled = np.where(span > 0, (arr - lo[..., None, None].astype(np.float64)) / np.where(span > 0, span, 1.0), 0.0)
    q = np.clip(np.rint(scaled * 255.0), 0, 255).astype(np.uint8)
    return q, lo.astype(np.float32), hi.astype(np.float32)


def dequantise(q: np.ndarray, lo: np.ndarray | float, hi: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`quantise` (float64): ``lo + (hi - lo) * (q / 255)`` per map."""
    q = np.asarray(q, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if lo.ndim:
        lo, hi = lo[..., None, None], hi[..., None, None]
    return lo + (hi - lo) * (q / 255.0)


def round4(value: float) -> float:
    """Round to 4 decimals exactly like the JavaScript ``Math.round(v * 1e4) / 1e4`` (halves go up)."""
    scaled = float(value) * 1e4
    whole = math.floor(scaled)
    return float(whole + 1 if scaled - whole >= 0.5 else whole) / 1e4


def map_stats(q: np.ndarray, lo: float, hi: float) -> dict:
    """Where one quantised (H, W) map is brightest (first maximum, row-major) and its decoded min and max."""
    q = np.asarray(q)
    values = dequantise(q, float(lo), float(hi))
    row, col = divmod(int(np.argmax(q)), q.shape[1])
    return {"argmax": [row, col], "min": round4(values.min()), "max": round4(values.max())}


class FeatureMapExplorer(Explorer):
    """An image, a layer (module name) and a channel; the quantised maps of every image and layer."""

    _kind = "feature_maps"
    control_names = ("index", "layer", "channel")
    index = traitlets.Int(0).tag(sync=True)
    layer = traitlets.Unicode("").tag(sync=True)
    channel = traitlets.Int(0).tag(sync=True)
    # data, shipped once
    images = traitlets.Bytes(b"").tag(sync=True)  # (N, H, W) uint8
    image_shape = traitlets.List(traitlets.Int(), [0, 0, 0]).tag(sync=True)
    titles = traitlets.List(traitlets.Unicode(), []).tag(sync=True)  # class name of each image, or empty
    layer_names = traitlets.List(traitlets.Unicode(), []).tag(sync=True)
    layer_labels = traitlets.List(traitlets.Unicode(), []).tag(sync=True)
    layer_shapes = traitlets.List(traitlets.List(traitlets.Int()), []).tag(sync=True)  # [C, H', W'] per layer
    maps = traitlets.Bytes(b"").tag(sync=True)  # per layer (N, C, H', W') uint8, concatenated
    ranges = traitlets.Bytes(b"").tag(sync=True)  # per layer (N, C, 2) float32 (min, max), concatenated

    @traitlets.validate("layer")
    def _known_layer(self, proposal):
        if self.layer_names and proposal["value"] not in self.layer_names:
            raise traitlets.TraitError(f"layer must be one of {self.layer_names}, got {proposal['value']!r}.")
        return proposal["value"]

    @traitlets.observe("layer")
    def _keep_channel(self, change) -> None:  # keep the channel inside the chosen layer, as the browser does
        if self.layer_shapes and change["new"] in self.layer_names:
            channels = self.layer_shapes[self.layer_names.index(change["new"])][0]
            self.channel = min(self.channel, channels - 1)


def feature_map_explorer(model: torch.nn.Module, images: torch.Tensor, layers: Mapping[str, str],
                         labels: torch.Tensor | None = None) -> FeatureMapExplorer:
    """Browse the feature maps of a CNN: choose an image, a stage and a channel.

    The maps are read once with forward hooks (:func:`mixerbook.probe.feature_maps`) for every
    image and layer and shipped quantised to uint8 (:func:`quantise`); the browser draws them.

    Args:
        model: the network.
        images: (N, H, W) uint8 images (a handful is enough).
        layers: ``{display label: module name}``, first stage first, e.g. ``{"tầng 1": "features.0.2"}``;
            each module must output a (N, C, H', W') map.
        labels: (N,) class ids, used in the titles.

    Raises:
        ValueError: for images that are not a non-empty (N, H, W) uint8 tensor, no layers, a layer
            whose output is not a (N, C, H', W') map, labels of the wrong length, or too much data.
    """
    from .. import probe

    if not isinstance(images, torch.Tensor) or images.dim() != 3 or len(images) == 0 or images.dtype != torch.uint8:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"feature_map_explorer expects a non-empty (N, H, W) uint8 tensor of images, got {shape}.")
    if not layers:
        raise ValueError("feature_map_explorer needs at least one layer, as {label: module name}.")
    names = [str(v) for v in layers.values()]
    if len(set(names)) != len(names):
        raise ValueError(f"feature_map_explorer needs a different module for each label, got {list(layers.values())}.")
    n = len(images)
    titles: list[str] = []
    if labels is not None:
        labels = torch.as_tensor(labels).flatten()
        if len(labels) != n:
            raise ValueError(f"labels must give one class id per image ({n}), got {len(labels)}.")
        if not all(0 <= int(t) < len(CLASS_NAMES_VI) for t in labels):
            raise ValueError(f"labels must be class ids from 0 to {len(CLASS_NAMES_VI) - 1}, got {labels.tolist()}.")
        titles = [CLASS_NAMES_VI[int(t)] for t in labels]
    found = probe.feature_maps(model, images, names)
    blocks, ranges, shapes = [], [], []
    for label, name in layers.items():
        fmap = found.get(name)
        if fmap is None or fmap.dim() != 4:
            got = "no tensor" if fmap is None else f"shape {tuple(fmap.shape)}"
            raise ValueError(f"Layer {label!r} ({name}) must output a (N, C, H', W') feature map, got {got}.")
        q, lo, hi = quantise(fmap)
        blocks.append(q)
        ranges.append(np.stack([lo, hi], axis=-1))
        shapes.append([int(s) for s in fmap.shape[1:]])
    size = sum(b.size for b in blocks)
    if size > MAX_MAP_BYTES:
        raise ValueError(f"The feature maps of {n} images take {size:,} bytes, more than {MAX_MAP_BYTES:,}; "
                         "pass fewer images or layers.")
    return FeatureMapExplorer(
        index=0, layer=names[0], channel=0,
        images=u8_bytes(images), image_shape=[int(s) for s in images.shape], titles=titles,
        layer_names=names, layer_labels=[str(k) for k in layers], layer_shapes=shapes,
        maps=b"".join(u8_bytes(b) for b in blocks), ranges=b"".join(f32_bytes(r) for r in ranges),
    )


def _locate(state: dict, layer: int) -> tuple[int, int]:
    """Byte offset of ``layer``'s block in ``maps`` and float offset of its block in ``ranges``."""
    n = state["image_shape"][0]
    maps_at = ranges_at = 0
    for c, h, w in state["layer_shapes"][:layer]:
        maps_at += n * c * h * w
        ranges_at += n * c * 2
    return maps_at, ranges_at


def shows(values: dict, state: dict) -> dict:
    """What the explorer shows for ``values``, decoded from the shipped maps with :func:`dequantise`."""
    layer = state["layer_names"].index(values["layer"])
    c, h, w = state["layer_shapes"][layer]
    n = state["image_shape"][0]
    index, channel = values["index"], values["channel"]
    maps_at, ranges_at = _locate(state, layer)
    block = from_u8(bytes(state["maps"])[maps_at: maps_at + n * c * h * w], (n, c, h, w))
    lo, hi = from_f32(bytes(state["ranges"])[4 * ranges_at: 4 * (ranges_at + n * c * 2)], (n, c, 2))[index, channel]
    return {"index": index, "layer": values["layer"], "channel": channel, "shape": [h, w],
            **map_stats(block[index, channel], lo, hi)}


def example() -> FeatureMapExplorer:
    """A small instance for the gallery page: an untrained SmallCNN on synthetic 28x28 shapes."""
    from ..models import SmallCNN

    torch.manual_seed(0)
    model = SmallCNN(image_size=28, in_channels=1, channels=(8, 16), head_dim=32)
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    shapes = [((yy - 14) ** 2 + (xx - 12) ** 2 < 64),  # disc
              ((yy > 6) & (yy < 22) & (xx > 9) & (xx < 18)),  # bar
              ((yy - xx).abs() < 3),  # diagonal
              (((yy // 7) + (xx // 7)) % 2 == 0)]  # checkers
    images = torch.stack([(s.float() * 220 + 20).to(torch.uint8) for s in shapes])
    layers = {"tầng 1 (ReLU)": "features.0.2", "tầng 1 (gộp)": "features.0.3",
              "tầng 2 (ReLU)": "features.1.2", "tầng 2 (gộp)": "features.1.3"}
    return feature_map_explorer(model, images, layers, torch.tensor([0, 1, 8, 6]))
