"""Growth explorer: the JavaScript counts equal mixerbook.complexity's, the factory and shows()."""

from __future__ import annotations

import itertools

import pytest
from js_parity import call_js, ok

from mixerbook import complexity
from mixerbook.widgets import growth

CASES = [(r, h, c, p) for r, h, c, p in itertools.product(range(32, 1025, 8), (256, 1024, 4096), (1, 3, 4),
                                                         (8, 14, 16, 32)) if r % p == 0]


def test_series_match_growth_series():
    calls, want = [], []
    for h, c, p in itertools.product((256, 512, 1024, 2048, 4096), (1, 3, 4), (8, 14, 16, 32)):
        sides = growth.growth_sides(p * 8, p)
        calls.append([sides, {"hidden": h, "channels": c, "patchSize": p}])
        want.append(complexity.growth_series(sides, hidden=h, channels=c, patch_size=p))
    assert ok(call_js("growth.js", "growthSeries", calls)) == want


def test_counts_at_every_slider_side_match_and_are_exact():
    calls = [[r, {"hidden": h, "channels": c, "patchSize": p}] for r, h, c, p in CASES]
    got = ok(call_js("growth.js", "growthAt", calls))
    for (r, h, c, p), at in zip(CASES, got, strict=True):
        series = complexity.growth_series([r], hidden=h, channels=c, patch_size=p)
        assert at["layers"] == {n: {"params": s["params"][0], "macs": s["macs"][0]} for n, s in series.items()}
        assert at["S"] == (r // p) ** 2 and at["inputs"] == r * r * c


def test_large_sides_stay_exact():
    calls = [[r, {"hidden": 4096, "channels": 4, "patchSize": 8, "convChannels": 256, "kernelSize": 7}]
             for r in (2048, 4096, 8192)]
    got = ok(call_js("growth.js", "growthAt", calls))
    for (r, _), at in zip(calls, got, strict=True):
        s = complexity.growth_series([r], hidden=4096, channels=4, patch_size=8, conv_channels=256, kernel_size=7)
        assert [at["layers"][n]["macs"] for n in s] == [s[n]["macs"][0] for n in s]
        assert [at["layers"][n]["params"] for n in s] == [s[n]["params"][0] for n in s]


def test_non_divisible_sides_are_refused_by_both():
    got = call_js("growth.js", "growthAt", [[232, {"patchSize": 16}]])
    assert "error" in got[0]
    with pytest.raises(ValueError):
        complexity.growth_series([232], patch_size=16)


def test_sides_and_messages_match():
    pairs = [[r, p] for r in range(32, 1025, 8) for p in (8, 14, 16, 32)]
    assert ok(call_js("growth.js", "growthSides", pairs)) == [growth.growth_sides(r, p) for r, p in pairs]
    assert ok(call_js("growth.js", "growthMessage", pairs)) == [growth.growth_message(r, p) for r, p in pairs]


def test_view_matches_shows():
    values = [{"resolution": r, "hidden": h, "channels": c, "patch_size": p}
              for r, h, c, p in itertools.product((32, 224, 232, 504, 1024), (256, 4096), (1, 3), (8, 14, 16, 32))]
    got = ok(call_js("growth.js", "growthView", [[v] for v in values]))
    assert got == [growth.shows(v, {}) for v in values]


def test_factory_as_the_chapter_calls_it():
    w = growth.growth_explorer()
    assert w.values() == {"resolution": 224, "hidden": 1024, "channels": 3, "patch_size": 16}
    assert growth.shows(w.values(), {})["layers"]["MLP"]["params"] == 154_141_696
    w = growth.growth_explorer(resolution=96, hidden=300, patch_size=12)
    assert 300 in w.hidden_options and 12 in w.patch_options
    assert "message" not in growth.shows(w.values(), {})
    assert "message" in growth.shows({**w.values(), "patch_size": 14}, {})


@pytest.mark.parametrize("kwargs", [{"resolution": 20}, {"resolution": 230}, {"resolution": 2048}, {"hidden": 0},
                                    {"channels": 2.5}, {"patch_size": -1}])
def test_factory_rejects_bad_values(kwargs):
    with pytest.raises(ValueError, match="growth_explorer"):
        growth.growth_explorer(**kwargs)
