"""Token-weights explorer (chapter 6): the first-layer weights of each token-mixing MLP, drawn on the patch grid.

Python ships every block's :func:`mixerbook.mixing.token_weight_grids` as float32 bytes (and an
optional grey image, uint8); ``token_weights.js`` draws the chosen hidden unit, finds its most
opposite unit in the browser (``oppositePhasePartners`` there equals
:func:`mixerbook.mixing.opposite_phase_partners`, checked by a parity test) and draws every unit of
the block as a mosaic, like :func:`mixerbook.viz.plot_token_weights`.
"""

from __future__ import annotations

import numpy as np
import torch
import traitlets

from ._base import Explorer, f32_bytes, from_f32, u8_bytes

__all__ = ["TokenWeightsExplorer", "token_weights_explorer", "shows"]

#: decimals of the cosine in ``data-shows`` (the browser computes it in float64, torch in float32)
COSINE_DECIMALS = 3


class TokenWeightsExplorer(Explorer):
    """A block and a hidden unit of its token-mixing MLP, over the shipped weight grids."""

    _kind = "token_weights"
    control_names = ("block", "unit")
    block = traitlets.Int(0).tag(sync=True)
    unit = traitlets.Int(0).tag(sync=True)
    num_blocks = traitlets.Int(1).tag(sync=True)
    units = traitlets.Int(2).tag(sync=True)
    grid = traitlets.Int(1).tag(sync=True)
    #: (num_blocks, units, grid, grid) float32
    weights = traitlets.Bytes(b"").tag(sync=True)
    #: (image_height, image_width) uint8 grey image drawn under the weights, or empty
    image = traitlets.Bytes(b"").tag(sync=True)
    image_height = traitlets.Int(0).tag(sync=True)
    image_width = traitlets.Int(0).tag(sync=True)


def _grey_u8(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """An (H, W), (1, H, W), (3, H, W) or (H, W, 3) image as (H, W) uint8 grey."""
    arr = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    shape = arr.shape
    is_u8 = arr.dtype == np.uint8
    arr = arr.astype(np.float64)
    if arr.ndim == 3 and shape[0] in (1, 3):
        arr = arr.mean(axis=0)
    elif arr.ndim == 3 and shape[2] in (1, 3):
        arr = arr.mean(axis=2)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"image must be (H, W), (1, H, W), (3, H, W) or (H, W, 3), got shape {tuple(shape)}.")
    if not is_u8 and arr.max() <= 1.0:  # floats in [0, 1]
        arr = arr * 255.0
    return np.clip(np.rint(arr), 0, 255).astype(np.uint8)


def token_weights_explorer(model: torch.nn.Module, block: int = 0, unit: int = 0,
                           image: torch.Tensor | None = None) -> TokenWeightsExplorer:
    """Browse the first-layer weights of every token-mixing MLP of a Mixer, drawn on the patch grid.

    For the chosen block and hidden unit the browser shows the unit's S weights as a
    sqrt(S) x sqrt(S) image, its most opposite unit (:func:`mixerbook.mixing.opposite_phase_partners`)
    and all units of the block, like :func:`mixerbook.viz.plot_token_weights`.

    Args:
        model: an :class:`~mixerbook.models.MlpMixer` on a square image.
        block: initial block.
        unit: initial hidden unit.
        image: optional (H, W) image (uint8, or floats in [0, 1]) drawn faintly under the weights.

    Raises:
        ValueError: for a model without Mixer blocks, a non-square token grid, fewer than two
            hidden units, a block or unit out of range, or an image that is not one grey or RGB image.
    """
    from ..mixing import token_weight_grids

    blocks = getattr(model, "blocks", None)
    if blocks is None or len(blocks) == 0:
        raise ValueError("token_weights_explorer needs an MLP-Mixer with a non-empty `blocks`.")
    grids = torch.stack([token_weight_grids(b) for b in blocks])  # (blocks, D_S, g, g)
    num_blocks, units, grid, _ = grids.shape
    if units < 2:
        raise ValueError(f"token_weights_explorer needs at least two hidden units per block, got {units}.")
    if not (0 <= block < num_blocks and 0 <= unit < units):
        raise ValueError(f"block must be in 0..{num_blocks - 1} and unit in 0..{units - 1}; got {block}, {unit}.")
    extra = {}
    if image is not None:
        grey = _grey_u8(image)
        extra = {"image": u8_bytes(grey), "image_height": grey.shape[0], "image_width": grey.shape[1]}
    return TokenWeightsExplorer(block=block, unit=unit, num_blocks=num_blocks, units=units, grid=grid,
                                weights=f32_bytes(grids), **extra)


def shows(values: dict, state: dict) -> dict:
    """What the explorer must show, computed with :func:`mixerbook.mixing.opposite_phase_partners`."""
    from ..mixing import opposite_phase_partners

    shape = (state["num_blocks"], state["units"], state["grid"], state["grid"])
    block, unit = values["block"], values["unit"]
    grids = torch.from_numpy(from_f32(state["weights"], shape)[block].copy())
    partner, cosine = opposite_phase_partners(grids)
    return {"block": block, "unit": unit, "partner": int(partner[unit]),
            "cosine": round(float(cosine[unit]), COSINE_DECIMALS)}


def example() -> TokenWeightsExplorer:
    """A small instance for the gallery page: an untrained 2-block Mixer on 16 x 16 images, 4 x 4 patches."""
    from ..models import MlpMixer

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = MlpMixer(num_classes=10, num_blocks=2, patch_size=4, hidden_dim=8, tokens_mlp_dim=12,
                         channels_mlp_dim=16, image_size=16, in_channels=1)
    yy, xx = np.mgrid[0:16, 0:16]
    disc = ((yy - 7.5) ** 2 + (xx - 7.5) ** 2 < 36).astype(np.uint8) * 200 + 30
    return token_weights_explorer(model, block=0, unit=0, image=torch.from_numpy(disc.astype(np.uint8)))
