"""Feature-map explorer: quantisation against the hooks' maps, the JavaScript twins, the factory."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook.widgets import feature_maps as fm
from mixerbook.widgets._base import from_f32, from_u8

LAYERS = {"tầng 1 (ReLU)": "features.0.2", "tầng 1 (gộp)": "features.0.3",
          "tầng 2 (ReLU)": "features.1.2", "tầng 2 (gộp)": "features.1.3"}


def _model_and_images(n: int = 3):
    model = mb.experiments.build_model("CNN", seed=0)  # the chapter's SmallCNN, untrained
    images = torch.randint(0, 256, (n, 28, 28), generator=torch.Generator().manual_seed(1), dtype=torch.uint8)
    return model, images


def _layer_block(state: dict, layer: int) -> tuple[np.ndarray, np.ndarray]:
    n = state["image_shape"][0]
    maps_at, ranges_at = fm._locate(state, layer)
    c, h, w = state["layer_shapes"][layer]
    q = from_u8(state["maps"][maps_at: maps_at + n * c * h * w], (n, c, h, w))
    r = from_f32(state["ranges"][4 * ranges_at: 4 * (ranges_at + n * c * 2)], (n, c, 2))
    return q, r


def _state(widget) -> dict:
    return {name: getattr(widget, name) for name in widget.trait_names() if widget.trait_metadata(name, "sync")}


def test_quantised_maps_are_within_one_step_of_the_hooks_maps():
    model, images = _model_and_images()
    widget = fm.feature_map_explorer(model, images, LAYERS, torch.tensor([0, 3, 9]))
    state = _state(widget)
    want = mb.probe.feature_maps(model, images, list(LAYERS.values()))
    for layer, name in enumerate(LAYERS.values()):
        q, r = _layer_block(state, layer)
        x = want[name].numpy().astype(np.float64)
        assert q.shape == x.shape
        lo, hi = r[..., 0], r[..., 1]
        np.testing.assert_array_equal(lo, x.min(axis=(2, 3)).astype(np.float32))
        np.testing.assert_array_equal(hi, x.max(axis=(2, 3)).astype(np.float32))
        span = (hi - lo).astype(np.float64)[..., None, None]
        err = np.abs(fm.dequantise(q, lo, hi) - x)
        assert np.all(err <= span / 255 + 1e-6), f"{name}: error {err.max()} beyond 1/255 of the range"


def test_quantise_constant_maps_and_round_trip():
    maps = np.stack([np.zeros((3, 4)), np.arange(12.0).reshape(3, 4)]).astype(np.float32)
    q, lo, hi = fm.quantise(maps)
    assert q.dtype == np.uint8 and q[0].max() == 0 and q[1].max() == 255 and q[1].min() == 0
    np.testing.assert_allclose(fm.dequantise(q, lo, hi), maps, atol=11 / 255)
    assert fm.dequantise(q, lo, hi)[0].max() == 0


def test_js_dequantise_and_map_stats_match_python():
    rng = np.random.default_rng(0)
    cases = []
    for h, w in [(1, 1), (2, 3), (7, 7), (14, 14)]:
        for _ in range(4):
            q = rng.integers(0, 256, (h, w)).astype(np.uint8)
            lo, hi = np.sort(rng.normal(size=2).astype(np.float32) * 3)
            cases.append((q, float(lo), float(hi)))
    cases.append((np.zeros((3, 3), np.uint8), 0.0, 0.0))
    got = ok(call_js("feature_maps.js", "dequantise", [[q.flatten().tolist(), lo, hi] for q, lo, hi in cases]))
    for (q, lo, hi), values in zip(cases, got, strict=True):
        assert values == fm.dequantise(q, lo, hi).flatten().tolist()  # bit for bit (float64 both)
    got = ok(call_js("feature_maps.js", "mapStats", [[q.flatten().tolist(), *q.shape, lo, hi] for q, lo, hi in cases]))
    assert got == [json.loads(json.dumps(fm.map_stats(q, lo, hi))) for q, lo, hi in cases]


def test_js_round4_matches_python():
    values = [0.12345, 0.00005, -0.00005, 1.23455, 2.5e-5, 123.45678, -7.77775, 0.49999999999999994]
    assert ok(call_js("feature_maps.js", "round4", [[v] for v in values])) == [fm.round4(v) for v in values]


def test_shows_matches_the_hooks_maps():
    model, images = _model_and_images()
    widget = fm.feature_map_explorer(model, images, LAYERS)
    state = _state(widget)
    want = mb.probe.feature_maps(model, images, list(LAYERS.values()))
    for index, name, channel in [(0, "features.0.2", 0), (2, "features.1.3", 31), (1, "features.0.3", 7)]:
        got = fm.shows({"index": index, "layer": name, "channel": channel}, state)
        x = want[name][index, channel].numpy()
        assert got["shape"] == list(x.shape)
        assert got["min"] == pytest.approx(float(x.min()), abs=1e-4)
        assert got["max"] == pytest.approx(float(x.max()), abs=1e-4)
        r, c = got["argmax"]
        assert x[r, c] >= x.max() - (x.max() - x.min()) / 255 - 1e-6  # brightest up to one quantisation step


def test_chapter_call_ships_under_half_a_megabyte():
    from ipywidgets.embed import dependency_state, embed_data

    model, images = _model_and_images(12)
    widget = fm.feature_map_explorer(model, images, LAYERS, torch.arange(12) % 10)
    assert widget.values() == {"index": 0, "layer": "features.0.2", "channel": 0}
    state = dependency_state([widget], drop_defaults=False)  # this widget only, not others alive in the process
    size = len(json.dumps(embed_data(views=[widget], state=state, drop_defaults=False)))
    assert size < 500_000, size  # about 430 kB: 282,240 map bytes as base64, ranges, images, the module


@pytest.mark.parametrize(("args", "message"), [
    ((torch.zeros(2, 1, 28, 28, dtype=torch.uint8), LAYERS), "uint8 tensor of images"),
    ((torch.zeros(2, 28, 28), LAYERS), "uint8 tensor of images"),
    ((torch.zeros(0, 28, 28, dtype=torch.uint8), LAYERS), "non-empty"),
    ((torch.zeros(2, 28, 28, dtype=torch.uint8), {}), "at least one layer"),
    ((torch.zeros(2, 28, 28, dtype=torch.uint8), {"a": "nope"}), "Unknown layer"),
    ((torch.zeros(2, 28, 28, dtype=torch.uint8), {"a": "head.0"}), "feature map"),
    ((torch.zeros(2, 28, 28, dtype=torch.uint8), {"a": "features.0.2", "b": "features.0.2"}), "different module"),
])
def test_factory_refuses_bad_input(args, message):
    model, _ = _model_and_images()
    with pytest.raises(ValueError, match=message):
        fm.feature_map_explorer(model, *args)


def test_factory_refuses_labels_of_the_wrong_length():
    model, images = _model_and_images()
    with pytest.raises(ValueError, match="one class id per image"):
        fm.feature_map_explorer(model, images, LAYERS, torch.tensor([1, 2]))


def test_example_builds_and_its_shows_work():
    widget = fm.example()
    state = _state(widget)
    for name, (c, _, _) in zip(state["layer_names"], state["layer_shapes"], strict=True):
        for channel in (0, c - 1):
            got = fm.shows({"index": len(widget.titles) - 1, "layer": name, "channel": channel}, state)
            assert got["min"] <= got["max"]


def test_python_side_keeps_layer_and_channel_valid():
    model, images = _model_and_images(2)
    widget = fm.feature_map_explorer(model, images, LAYERS)
    widget.layer = "features.1.2"
    widget.channel = 31
    widget.layer = "features.0.3"
    assert widget.channel == 15
    with pytest.raises(Exception, match="layer must be one of"):
        widget.layer = "head.0"
