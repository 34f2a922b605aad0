"""The expansion explorer: its JavaScript against mixerbook.models.mixer, its factory and its ``shows``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook import viz
from mixerbook.models.mixer import block_order, expand_token_mlp
from mixerbook.widgets import expansion
from mixerbook.widgets._base import from_f32

STATE = ("num_blocks", "grid", "hidden", "weights")


def _mixer(blocks: int = 2, image_size: int = 28, patch_size: int = 7, tokens_mlp_dim: int = 64):
    torch.manual_seed(0)
    return mb.models.MlpMixer(num_classes=10, num_blocks=blocks, patch_size=patch_size, hidden_dim=16,
                              tokens_mlp_dim=tokens_mlp_dim, channels_mlp_dim=32, image_size=image_size,
                              in_channels=1)


def test_block_order_matches_the_package():
    cases = [[g, k] for g in (1, 2, 3, 4, 7) for k in (1, 2, 3, 4)]
    assert ok(call_js("expansion.js", "blockOrder", cases)) == [block_order(g, k).tolist() for g, k in cases]
    for result in call_js("expansion.js", "blockOrder", [[2, 0], [0, 2], [2, 1.5]]):
        assert "error" in result


@pytest.mark.parametrize(("grid", "hidden"), [(1, 1), (2, 3), (3, 5), (4, 8)])
def test_expanded_weight_equals_expand_token_mlp_exactly(grid, hidden):
    torch.manual_seed(grid)
    mlp = mb.models.MlpBlock(grid * grid, hidden)
    w1 = mlp.fc1.weight.detach()
    calls = [[w1.reshape(-1).tolist(), hidden, grid, k] for k in (1, 2, 3, 4)]
    for k, got in zip((1, 2, 3, 4), ok(call_js("expansion.js", "expandTokenWeight", calls)), strict=True):
        want = expand_token_mlp(mlp, grid, k).fc1.weight.detach()
        assert len(got) == want.numel()
        np.testing.assert_array_equal(np.asarray(got, dtype=np.float32).reshape(want.shape), want.numpy())


def test_view_in_javascript_equals_shows():
    widget = expansion.example()
    state = {name: getattr(widget, name) for name in STATE}
    w = from_f32(widget.weights, (widget.num_blocks, widget.hidden, widget.grid ** 2))
    for block in range(widget.num_blocks):
        for k in (1, 2, 3, 4):
            expanded = ok(call_js("expansion.js", "expandTokenWeight",
                                  [[w[block].reshape(-1).tolist(), widget.hidden, widget.grid, k]]))[0]
            got = ok(call_js("expansion.js", "expansionView",
                             [[{"factor": k, "block": block}, expanded, widget.hidden, widget.grid]]))[0]
            assert got == expansion.shows({"factor": k, "block": block}, state)


def test_factory_ships_w1_once_and_shows_follow_the_model():
    model = _mixer(blocks=4)
    widget = mb.widgets.expansion_explorer(model, factor=2, block=0)
    assert (widget.num_blocks, widget.grid, widget.hidden) == (4, 4, 64)
    assert len(widget.weights) == 4 * 64 * 16 * 4
    state = {name: getattr(widget, name) for name in STATE}
    big = mb.models.mixer.expand_resolution(model, 3)
    want = big.blocks[1].token_mixing.fc1.weight.detach()
    got = expansion.shows({"factor": 3, "block": 1}, state)
    assert got["shape"] == list(want.shape) == [576, 144]
    assert got["nonzero"] == int((want != 0).sum()) == 9 * 64 * 16
    assert got["row0"] == torch.nonzero(want[0]).flatten().tolist()


def test_block_colours_are_the_books():
    got = ok(call_js("expansion.js", "blockOfToken", [[2, 1]]))[0]
    assert got == [0, 0, 0, 0]
    text = Path(expansion.__file__).with_suffix(".js").read_text(encoding="utf-8")
    for color in viz._BLOCK_COLORS:
        assert f'"{color}"' in text


@pytest.mark.parametrize(("model", "kwargs", "message"), [
    (torch.nn.Linear(2, 2), {}, "needs an MlpMixer"),
    (None, {"factor": 5}, "factor must be in 1..4"),
    (None, {"factor": 0}, "factor must be in 1..4"),
    (None, {"block": 2}, "block in 0..1"),
])
def test_factory_refuses_bad_input(model, kwargs, message):
    with pytest.raises(ValueError, match=message):
        mb.widgets.expansion_explorer(model if model is not None else _mixer(), **kwargs)
