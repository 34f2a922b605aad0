"""Trade-off explorer: the browser's filters equal mixerbook.paper's, the factory and shows()."""

from __future__ import annotations

import itertools

import pytest
from js_parity import call_js, ok

from mixerbook import paper
from mixerbook.widgets import tradeoff


def test_row_keys_are_unique():
    keys = [tradeoff.row_key(r) for r in paper.RESULTS]
    assert len(set(keys)) == len(keys)


def test_shipped_rows_are_the_papers():
    w = tradeoff.tradeoff_explorer()
    rows = [r for r in paper.RESULTS if r.throughput is not None]
    assert [r["key"] for r in w.rows] == [tradeoff.row_key(r) for r in rows]
    assert [(d["top1"], d["throughput"], d["resolution"]) for d in w.rows] == \
        [(r.top1, r.throughput, r.resolution) for r in rows]
    assert [c["model"] for c in w.claims if not c["paired"]] == ["Mixer-L/16", "ViT-L/16", "ViT-H/14"]
    keys = {d["key"] for d in w.rows}
    assert all(c["target"] in keys for c in w.claims)


def test_view_matches_shows_for_every_combination():
    w = tradeoff.tradeoff_explorer()
    combos = [{"pretrain": p, "tables": t, "show_report": s}
              for p, t, s in itertools.product(w.pretrain_options, w.table_options, (True, False))]
    got = ok(call_js("tradeoff.js", "tradeoffView", [[w.rows, w.claims, v] for v in combos]))
    want = [tradeoff.shows(v, {}) for v in combos]
    assert got == want
    assert any(v["highlighted"] and len(v["highlighted"]) < len(v["points"]) for v in want)


def test_factory_as_the_chapter_calls_it():
    w = tradeoff.tradeoff_explorer()
    assert w.values() == {"pretrain": "Tất cả", "tables": "Bảng 2 và 3", "show_report": True}
    s = tradeoff.shows(w.values(), {})
    assert len(s["points"]) == len(s["highlighted"]) == 35
    assert tradeoff.tradeoff_explorer("JFT-300M", "Bảng 3", False).values()["pretrain"] == "JFT-300M"


@pytest.mark.parametrize("kwargs", [{"pretrain": "ImageNet"}, {"tables": "Bảng 4"}])
def test_factory_rejects_bad_values(kwargs):
    with pytest.raises(ValueError, match="tradeoff_explorer"):
        tradeoff.tradeoff_explorer(**kwargs)
