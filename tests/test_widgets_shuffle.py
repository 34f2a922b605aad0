"""Shuffle explorer: the permutation drawn in the browser is torch's, for every seed, side, mode and P."""

from __future__ import annotations

import random

import pytest
import torch
from js_parity import call_js, ok

import mixerbook as mb
from mixerbook.permute import make_permutation, patch_source_index
from mixerbook.widgets import shuffle

SIDES = (28, 224)
PATCH_SIZES = (2, 4, 7, 8, 14, 16, 28, 32, 56)


def _summary(values: torch.Tensor | None) -> dict | None:
    """What shuffle.js's ``summary`` returns: length, first and last 12 entries, checksum."""
    if values is None:
        return None
    values = values.flatten()
    return {"length": values.numel(), "head": values[:12].tolist(), "tail": values[-12:].tolist(),
            "checksum": shuffle.checksum(values)}


def test_randperm_matches_torch_for_many_n_and_seeds():
    rng = random.Random(0)
    sizes = [1, 2, 3, 5, 16, 49, 64, 196, 784, 1024, 3136, 12544, 50176] + [rng.randint(2, 50176) for _ in range(12)]
    seeds = [*range(21), 12345, 2**31 - 1, 2**32 - 1, 2**32 + 5]
    cases = [[n, s] for s in seeds for n in sizes]
    got = ok(call_js("shuffle.js", "randpermSummary", cases))
    want = [_summary(torch.randperm(n, generator=torch.Generator().manual_seed(s))) for n, s in cases]
    assert got == want
    # whole permutations for small n
    small = [[n, s] for s in range(21) for n in (2, 3, 10, 49, 784)]
    got = ok(call_js("shuffle.js", "randperm", small))
    assert got == [torch.randperm(n, generator=torch.Generator().manual_seed(s)).tolist() for n, s in small]


def _all_cases():
    cases = []
    for side in SIDES:
        for seed in range(21):
            cases.append(["global", side, side, 7, seed])
            cases.append(["none", side, side, 7, seed])
            cases += [["patch", side, side, p, seed] for p in shuffle.divisors(side) if p in PATCH_SIZES or p == 1]
    return cases


def test_make_permutation_matches_package():
    cases = _all_cases()
    got = ok(call_js("shuffle.js", "permutationSummary", cases))
    want = []
    for mode, h, w, p, seed in cases:
        perm = make_permutation(mode, h, w, p, seed=seed)
        want.append({"source": _summary(perm.source), "patchOrder": _summary(perm.patch_order),
                     "pixelOrder": _summary(perm.pixel_order)})
    assert got == want
    # whole permutations for the 28x28 images
    small = [c for c in cases if c[1] == 28 and c[4] in (0, 7, 20)]
    got = [g["source"] for g in ok(call_js("shuffle.js", "makePermutation", small))]
    assert got == [make_permutation(m, h, w, p, seed=s).source.tolist() for m, h, w, p, s in small]


def test_patch_source_index_matches_package():
    g = torch.Generator().manual_seed(3)
    cases = []
    for h, w, p in [(28, 28, 7), (28, 28, 4), (8, 12, 4), (6, 4, 2), (224, 224, 56), (5, 5, 1)]:
        s = (h // p) * (w // p)
        cases.append([h, w, p, torch.randperm(s, generator=g).tolist(), torch.randperm(p * p, generator=g).tolist()])
    got = ok(call_js("shuffle.js", "patchSourceIndex", cases))
    want = [patch_source_index(h, w, p, torch.tensor(a), torch.tensor(b)).tolist() for h, w, p, a, b in cases]
    assert got == want


def test_invalid_values_are_refused_in_js():
    res = call_js("shuffle.js", "makePermutation", [["patch", 28, 28, 8, 0], ["diagonal", 28, 28, 7, 0]])
    assert "divides the image" in res[0]["error"]
    assert "Unknown shuffle mode" in res[1]["error"]


def test_message_and_checksum_match_python():
    got = ok(call_js("shuffle.js", "patchSizeMessage", [[28, 8], [28, 7], [224, 3], [224, 56]]))
    assert got == [shuffle.patch_size_message(28, 8), "", shuffle.patch_size_message(224, 3), ""]
    assert got[0] == ("Cạnh ảnh 28 không chia hết cho cạnh patch P = 8: với ảnh này, hãy chọn P trong "
                      "1, 2, 4, 7, 14, 28.")
    perm = make_permutation("global", 224, 224, seed=5).source
    assert ok(call_js("shuffle.js", "checksum", [[perm.tolist()]])) == [shuffle.checksum(perm)]


def test_shuffle_view_matches_shows():
    widget = shuffle.example()
    state = widget.get_state()
    state = {k: (bytes(v) if isinstance(v, memoryview | bytearray) else v) for k, v in state.items()}
    pixels = list(state["images"])
    photo = list(state["photo"])
    cases, values = [], []
    for source, index, mode, seed, p in [("fashion", 0, "patch", 0, 7), ("fashion", 2, "global", 20, 7),
                                         ("fashion", 1, "none", 3, 8), ("fashion", 3, "patch", 4, 8),
                                         ("photo", 0, "patch", 7, 8), ("photo", 0, "global", 1, 2),
                                         ("photo", 0, "patch", 2, 3)]:
        values.append({"source": source, "index": index, "mode": mode, "seed": seed, "patch_size": p})
        if source == "fashion":
            cases.append([{"side": 28, "channels": 1, "mode": mode, "patchSize": p, "seed": seed}, pixels,
                          index * 784])
        else:
            cases.append([{"side": 224, "channels": 3, "mode": mode, "patchSize": p, "seed": seed}, photo, 0])
    got = ok(call_js("shuffle.js", "shuffleView", cases))
    for v, g in zip(values, got, strict=True):
        want = shuffle.shows(v, state)
        if "message" in want:
            assert g == {"message": want["message"]}
        else:
            assert [g["head"], g["checksum"], g["restoredEqual"]] == [want["head"], want["checksum"], True]


def test_factory_validates_and_ships_compact_data():
    images = torch.zeros(16, 28, 28, dtype=torch.uint8)
    widget = shuffle.shuffle_explorer(images, torch.arange(16) % 10)
    assert widget.values() == {"source": "fashion", "index": 0, "mode": "patch", "seed": 0, "patch_size": 7}
    assert len(widget.images) == 16 * 784 and len(widget.photo) == 3 * 224 * 224
    assert torch.equal(torch.frombuffer(bytearray(widget.photo), dtype=torch.uint8).reshape(3, 224, 224),
                       mb.data.sample_photo(224))
    with pytest.raises(ValueError, match="non-empty"):
        shuffle.shuffle_explorer(torch.zeros(0, 28, 28, dtype=torch.uint8))
    with pytest.raises(ValueError, match="uint8"):
        shuffle.shuffle_explorer(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match="labels"):
        shuffle.shuffle_explorer(images, torch.arange(3))
    with pytest.raises(ValueError, match="patch_sizes"):
        shuffle.shuffle_explorer(images, patch_sizes=(0, 7))
    assert mb.widgets.shuffle_explorer is shuffle.shuffle_explorer


def test_shows_for_several_values():
    state = shuffle.example().get_state()
    base = {"source": "fashion", "index": 1, "mode": "patch", "seed": 0, "patch_size": 7}
    s = shuffle.shows(base, state)
    perm = make_permutation("patch", 28, 28, 7, seed=0)
    assert s["head"] == perm.source[:12].tolist() and s["restored_equal"] is True
    assert shuffle.shows({**base, "mode": "none"}, state)["head"] == list(range(12))
    assert "message" in shuffle.shows({**base, "patch_size": 8}, state)
    assert "message" not in shuffle.shows({**base, "patch_size": 8, "source": "photo"}, state)
