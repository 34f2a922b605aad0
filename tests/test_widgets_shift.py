"""Shift explorer: the browser shifts images as mixerbook.data.shift_images and counts the same changes."""

from __future__ import annotations

import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook.data import shift_images
from mixerbook.widgets import shift


def _images(n: int = 4, h: int = 28, w: int = 28) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    images = torch.randint(0, 256, (n, h, w), generator=g, dtype=torch.uint8)
    images[:, :, : w // 3] = 0  # some flat areas, where a shift changes nothing
    return images


def test_shift_image_matches_shift_images():
    cases, want = [], []
    for h, w in [(28, 28), (5, 7), (9, 4)]:
        image = _images(1, h, w)[0]
        for dx in range(-3, 4):
            for dy in range(-3, 4):
                cases.append([image.flatten().tolist(), h, w, dx, dy])
                want.append(shift_images(image, dx, dy).flatten().tolist())
    assert ok(call_js("shift.js", "shiftImage", cases)) == want


def test_shift_image_refuses_too_large_shifts():
    res = call_js("shift.js", "shiftImage", [[[0] * 12, 3, 4, 4, 0], [[0] * 12, 3, 4, 0, -3]])
    assert all("must be smaller than the image size" in r["error"] for r in res)
    with pytest.raises(ValueError, match="must be smaller"):
        shift_images(torch.zeros(3, 4), 4, 0)


def test_changed_count_matches_python_for_every_value():
    widget = shift.shift_explorer(_images(3), torch.tensor([0, 5, 9]))
    state = widget.get_state()
    pixels = list(bytes(state["images"]))
    cases, values = [], []
    for index in range(3):
        for dx in range(-4, 5):
            for dy in range(-4, 5, 2):
                cases.append([pixels, 28, 28, index, dx, dy])
                values.append({"index": index, "dx": dx, "dy": dy})
    got = ok(call_js("shift.js", "shiftView", cases))
    for v, g in zip(values, got, strict=True):
        assert {"index": v["index"], "dx": v["dx"], "dy": v["dy"], "changed": g["changed"],
                "total": g["total"]} == shift.shows(v, state)
    assert shift.shows({"index": 0, "dx": 0, "dy": 0}, state)["changed"] == 0


def test_shift_words():
    got = ok(call_js("shift.js", "shiftWords", [[1, 0], [-2, 3], [0, -1], [0, 0]]))
    assert got == ["1 điểm ảnh sang phải", "2 điểm ảnh sang trái, 3 điểm ảnh xuống dưới", "1 điểm ảnh lên trên",
                   "không dịch"]


def test_factory_as_the_chapter_calls_it():
    images, labels = _images(16), torch.arange(16) % 10
    widget = mb.widgets.shift_explorer(images, labels)
    assert widget.values() == {"index": 0, "dx": 1, "dy": 0}
    assert (widget.count, widget.height, widget.width, widget.max_shift) == (16, 28, 28, 4)
    assert len(widget.images) == 16 * 784
    assert widget.class_names == list(mb.data.CLASS_NAMES_VI)
    with pytest.raises(ValueError, match="non-empty"):
        shift.shift_explorer(torch.zeros(28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="uint8"):
        shift.shift_explorer(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match="labels"):
        shift.shift_explorer(images, torch.arange(3))
    with pytest.raises(ValueError, match="max_shift"):
        shift.shift_explorer(images, labels, max_shift=28)
