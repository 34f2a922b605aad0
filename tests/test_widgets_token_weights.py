"""The token-weights explorer: its JavaScript against mixerbook.mixing, its factory and its ``shows``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook.widgets import token_weights
from mixerbook.widgets._base import from_f32, from_u8

STATE = ("num_blocks", "units", "grid", "weights", "image", "image_height", "image_width")


def _mixer(blocks: int = 4, tokens_mlp_dim: int = 64) -> mb.models.MlpMixer:
    torch.manual_seed(0)
    return mb.models.MlpMixer(num_classes=10, num_blocks=blocks, patch_size=7, hidden_dim=32,
                              tokens_mlp_dim=tokens_mlp_dim, channels_mlp_dim=64, image_size=28, in_channels=1)


def test_partners_match_the_package():
    gen = torch.Generator().manual_seed(1)
    cases = [torch.randn(d, g, g, generator=gen) for d, g in [(2, 2), (8, 4), (64, 4), (12, 5)]]
    opposite = torch.randn(6, 3, 3, generator=gen)
    opposite[3] = -2 * opposite[1]  # an exact opposite pair
    cases.append(opposite)
    calls = [[grids.reshape(-1).tolist(), grids.shape[0], grids.shape[1] * grids.shape[2]] for grids in cases]
    got = ok(call_js("token_weights.js", "oppositePhasePartners", calls))
    for grids, result in zip(cases, got, strict=True):
        partner, cosine = mb.mixing.opposite_phase_partners(grids)
        assert result["partner"] == partner.tolist()
        np.testing.assert_allclose(result["cosine"], cosine.numpy(), atol=1e-6)
    assert got[-1]["partner"][1] == 3 and got[-1]["partner"][3] == 1


def test_factory_ships_every_block_and_shows_the_partner():
    model = _mixer()
    image = torch.randint(0, 256, (28, 28), dtype=torch.uint8)
    widget = mb.widgets.token_weights_explorer(model, block=0, unit=0, image=image)
    state = {name: getattr(widget, name) for name in STATE}
    grids = from_f32(widget.weights, (4, 64, 4, 4))
    np.testing.assert_array_equal(grids[2], mb.mixing.token_weight_grids(model.blocks[2]).numpy())
    np.testing.assert_array_equal(from_u8(widget.image, (28, 28)), image.numpy())
    partner, cosine = mb.mixing.opposite_phase_partners(mb.mixing.token_weight_grids(model.blocks[3]))
    for unit in (0, 17, 63):
        got = token_weights.shows({"block": 3, "unit": unit}, state)
        assert got == {"block": 3, "unit": unit, "partner": int(partner[unit]),
                       "cosine": round(float(cosine[unit]), token_weights.COSINE_DECIMALS)}
    assert len(widget.weights) + len(widget.image) < 20_000


def test_view_in_javascript_equals_shows():
    widget = token_weights.example()
    state = {name: getattr(widget, name) for name in STATE}
    grids = from_f32(widget.weights, (widget.num_blocks, widget.units, widget.grid, widget.grid))
    for block in range(widget.num_blocks):
        partners = ok(call_js("token_weights.js", "oppositePhasePartners",
                              [[grids[block].reshape(-1).tolist(), widget.units, widget.grid ** 2]]))[0]
        calls = [[{"block": block, "unit": u}, partners] for u in range(widget.units)]
        got = ok(call_js("token_weights.js", "tokenWeightsView", calls))
        assert got == [token_weights.shows(values, state) for values, _ in calls]


@pytest.mark.parametrize("image", [torch.rand(1, 28, 28), torch.rand(3, 28, 28), np.zeros((28, 28, 3), np.uint8)])
def test_images_become_grey_uint8(image):
    widget = mb.widgets.token_weights_explorer(_mixer(1, 4), image=image)
    assert (widget.image_height, widget.image_width) == (28, 28)
    assert len(widget.image) == 28 * 28


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"block": 4}, "block must be in 0..3"),
    ({"unit": 64}, "unit in 0..63"),
    ({"image": torch.zeros(2, 2, 2, 2)}, "image must be"),
])
def test_factory_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mb.widgets.token_weights_explorer(_mixer(), **kwargs)


def test_factory_refuses_a_model_without_blocks():
    with pytest.raises(ValueError, match="non-empty `blocks`"):
        mb.widgets.token_weights_explorer(torch.nn.Linear(2, 2))
