"""Patch-grid explorer: the browser's patch geometry equals the package's, the factory and shows()."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from js_parity import call_js, ok

from mixerbook.data import sample_photo
from mixerbook.models.mixer import patchify
from mixerbook.widgets import patch_grid
from mixerbook.widgets._base import from_u8

OPTIONS = list(patch_grid.PATCH_CHOICES)


def test_follow_patch_matches_for_every_patch_and_pair_of_sizes():
    side = 224
    calls = [[k, old, new, side] for old, new in itertools.product(OPTIONS, OPTIONS)
             for k in range(0, max(1, side // old) ** 2, 3)]
    assert ok(call_js("patch_grid.js", "followPatch", calls)) == [patch_grid.follow_patch(*c) for c in calls]


def test_follow_patch_keeps_the_spot():
    side = 224
    for old, new in itertools.product([p for p in OPTIONS if side % p == 0], repeat=2):
        for k in range(0, (side // old) ** 2, 7):
            top, left, bottom, right = patch_grid.patch_box(k, old, side)
            centre = ((top + bottom) // 2, (left + right) // 2)
            t, lft, b, r = patch_grid.patch_box(patch_grid.follow_patch(k, old, new, side), new, side)
            assert t <= centre[0] < b and lft <= centre[1] < r


def test_messages_and_boxes_match():
    calls = [[side, p, OPTIONS] for side in (28, 56, 224) for p in OPTIONS]
    assert ok(call_js("patch_grid.js", "patchMessage", calls)) == [patch_grid.patch_message(*c) for c in calls]
    boxes = [[k, p, 224] for p in (8, 14, 16, 56) for k in range(0, (224 // p) ** 2, 5)]
    assert ok(call_js("patch_grid.js", "patchBox", boxes)) == [patch_grid.patch_box(*c) for c in boxes]


def test_patchify_row_matches_patchify():
    gen = torch.Generator().manual_seed(0)
    image = torch.randint(0, 256, (3, 24, 24), generator=gen, dtype=torch.uint8)
    pixels = image.flatten().tolist()
    for channels in (1, 3):
        img = image[:channels]
        flat = img.flatten().tolist()
        for p in (2, 3, 4, 6, 8, 12, 24):
            s = (24 // p) ** 2
            calls = [[flat if channels == 1 else pixels, channels, 24, p, k] for k in range(s)]
            want = patchify(img.unsqueeze(0).long(), p)[0].tolist()
            assert ok(call_js("patch_grid.js", "patchifyRow", calls)) == want


def test_view_matches_shows_on_the_photo():
    w = patch_grid.patch_grid_explorer()
    state = {"side": w.side, "channels": w.channels, "patch_options": w.patch_options, "image": w.image}
    pixels = list(w.image)
    values = [{"patch_size": p, "hidden_dim": c, "highlight": k}
              for p in OPTIONS for c in (256, 1280)
              for k in sorted({0, 5, (224 // p) ** 2 - 1} if 224 % p == 0 else {0, 3})]
    opts = {"side": w.side, "channels": w.channels, "options": w.patch_options, "pixels": pixels}
    got = ok(call_js("patch_grid.js", "patchView", [[v, opts] for v in values]))
    assert got == [patch_grid.shows(v, state) for v in values]
    assert any("message" in g for g in got) and any("row_sum" in g for g in got)


def test_factory_as_the_chapter_calls_it():
    photo = sample_photo()
    w = patch_grid.patch_grid_explorer(photo)
    assert w.values() == {"patch_size": 16, "hidden_dim": 768, "highlight": 7 * 14 + 7}
    assert np.array_equal(from_u8(w.image, (3, 224, 224)), photo.numpy())
    assert len(w.image) == 3 * 224 * 224
    s = patch_grid.shows(w.values(), {**w.get_state(), "image": w.image})
    assert (s["S"], s["grid"], s["box"], s["row_values"]) == (196, 14, [112, 112, 128, 128], 768)
    grey = patch_grid.patch_grid_explorer(photo[:1].numpy(), patch_size=28, hidden_dims=(64,))
    assert grey.channels == 1 and grey.hidden_options == [64, 768]


@pytest.mark.parametrize("kwargs", [
    {"image": torch.zeros(3, 10, 12, dtype=torch.uint8)},
    {"image": torch.zeros(3, 16, 16)},
    {"image": torch.zeros(2, 16, 16, dtype=torch.uint8)},
    {"patch_size": 12},
    {"hidden_dim": 0},
])
def test_factory_rejects_bad_values(kwargs):
    with pytest.raises(ValueError, match="patch_grid_explorer|patch_size"):
        patch_grid.patch_grid_explorer(**kwargs)
