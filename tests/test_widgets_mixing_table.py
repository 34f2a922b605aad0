"""The mixing-table explorer: its JavaScript against mixerbook.mixing, its factory and its ``shows``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook.widgets import mixing_table
from mixerbook.widgets._base import from_f32


def _state(widget) -> dict:
    return {name: getattr(widget, name) for name in ("num_patches", "hidden_dim", "tables")}


def test_mixing_sources_match_the_package():
    cases = [[s, c, r, q, step] for s, c in [(1, 1), (4, 3), (4, 6), (16, 128)]
             for r, q in itertools.product(sorted({0, s // 2, s - 1}), sorted({0, c // 3, c - 1}))
             for step in ("token", "channel", "block")]
    got = ok(call_js("mixing_table.js", "mixingSources", cases))
    assert got == [mb.mixing.mixing_sources(*case).tolist() for case in cases]


def test_bad_cells_and_steps_fail_in_both_languages():
    cases = [[4, 3, 4, 0, "token"], [4, 3, 0, 3, "channel"], [4, 3, -1, 0, "block"], [4, 3, 0, 0, "input"]]
    for case, result in zip(cases, call_js("mixing_table.js", "mixingSources", cases), strict=True):
        assert "error" in result
        with pytest.raises(ValueError):
            mb.mixing.mixing_sources(*case)


def test_step_sources_follow_the_plot():
    """What the explorer marks at each step ("input" marks nothing) equals ``shows``' use of the package."""
    widget = mixing_table.example()
    state = _state(widget)
    calls, wants = [], []
    for r, q, step in itertools.product(range(4), range(6), mb.mixing.STEPS):
        calls.append([4, 6, r, q, step])
        wants.append(mixing_table.shows({"row": r, "col": q, "step": step}, state)["sources"])
    assert ok(call_js("mixing_table.js", "stepSources", calls)) == wants


def test_factory_ships_the_layer_and_shows_the_cell():
    torch.manual_seed(0)
    block = mb.models.MixerBlock(num_patches=4, hidden_dim=3, tokens_mlp_dim=8, channels_mlp_dim=12).eval()
    x = torch.randn(4, 3)
    widget = mb.widgets.mixing_table_explorer(block, x, row=1, col=2, step="token")
    assert widget.values() == {"row": 1, "col": 2, "step": "token"}
    tables = from_f32(widget.tables, (3, 4, 3))
    steps = mb.mixing.block_steps(block, x)
    np.testing.assert_array_equal(tables[2], steps.y.numpy())
    got = mixing_table.shows(widget.values(), _state(widget))
    assert got == {"step": "token", "cell": [1, 2], "sources": {"X": {"rows": [0, 1, 2, 3], "cols": [2]}},
                   "value": float(np.float32(steps.u[1, 2]))}
    assert mixing_table.shows({"row": 0, "col": 0, "step": "input"}, _state(widget))["sources"] == {}


def test_real_size_table():
    torch.manual_seed(0)
    model = mb.models.MlpMixer(num_classes=10, num_blocks=2, patch_size=7, hidden_dim=128, tokens_mlp_dim=64,
                               channels_mlp_dim=256, image_size=28, in_channels=1).eval()
    with torch.no_grad():
        x = model.stem(torch.rand(1, 1, 28, 28))[0]
    widget = mb.widgets.mixing_table_explorer(model.blocks[0], x, row=5, col=40, step="token")
    assert len(widget.tables) == 3 * 16 * 128 * 4
    got = mixing_table.shows({"row": 5, "col": 40, "step": "channel"}, _state(widget))
    assert got["sources"]["U"] == {"rows": [5], "cols": list(range(128))}


@pytest.mark.parametrize(("args", "message"), [
    ((torch.zeros(2, 4, 3),), "one \\(S, C\\) table"),
    ((torch.zeros(5, 3),), "mixes 4 tokens"),
    ((torch.zeros(4, 3), 4, 0), "outside the 4x3 table"),
    ((torch.zeros(4, 3), 0, 0, "block"), "Unknown step"),
])
def test_factory_refuses_bad_input(args, message):
    block = mb.models.MixerBlock(num_patches=4, hidden_dim=3, tokens_mlp_dim=8, channels_mlp_dim=12)
    with pytest.raises(ValueError, match=message):
        mb.widgets.mixing_table_explorer(block, *args)
