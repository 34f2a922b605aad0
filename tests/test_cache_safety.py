"""The results cache cannot be turned against its reader, and concurrent writers never corrupt it.

A cache folder can be shared (``MIXERBOOK_CACHE_DIR`` on a classroom drive, torchrun ranks, two
builds at once). Each case below plants or races what such a folder could hold and checks that
:func:`mixerbook.cache.load` returns a whole, genuine record or None, and never runs code.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import pickle
import time
from pathlib import Path

import pytest
import torch

from mixerbook import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MIXERBOOK_CACHE", raising=False)
    return tmp_path


def _record(scale: float = 1.0) -> dict:
    return {"state_dict": {"fc.weight": torch.full((3, 2), scale), "fc.bias": torch.arange(3.0)},
            "history": {"train_loss": [0.5, 0.25], "test_accuracy": [], "epoch_seconds": [1.5, 1.25]},
            "metrics": {"accuracy": 0.9, "precision": 0.8, "recall": 0.7,
                        "confusion": torch.eye(3, dtype=torch.int64)}}


def _same(a: dict, b: dict) -> bool:
    return (torch.equal(a["state_dict"]["fc.weight"], b["state_dict"]["fc.weight"])
            and torch.equal(a["metrics"]["confusion"], b["metrics"]["confusion"])
            and a["history"] == b["history"] and a["metrics"]["accuracy"] == b["metrics"]["accuracy"])


class _Payload:
    """Unpickling this writes a marker file: what a planted cache file could do with weights_only=False."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_round_trip_keeps_tensors_and_plain_values_apart(folder):
    path = cache.save("k1", _record())
    assert path.name == "k1.json"
    meta = json.loads(path.read_text())
    assert meta["format"] == cache.FORMAT and meta["key"] == "k1"
    assert meta["record"]["metrics"]["confusion"] == {"__tensor__": "metrics.confusion"}
    assert (folder / meta["tensors"]).is_file() and meta["tensors"].startswith("k1-")
    assert _same(cache.load("k1"), _record())
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*"))


def test_rewriting_an_entry_leaves_one_tensor_file(folder):
    cache.save("k", _record(1.0))
    cache.save("k", _record(2.0))
    assert len(list(folder.glob("k-*.pt"))) == 1
    assert _same(cache.load("k"), _record(2.0))


@pytest.mark.parametrize("where", ["tensor file", "old-style .pt"])
def test_a_planted_pickle_never_runs(folder, where):
    marker = folder / "pwned"
    evil = pickle.dumps({"x": _Payload(str(marker))})
    if where == "tensor file":  # a JSON that names the planted file with its true digest
        (folder / "k-0000.pt").write_bytes(evil)
        meta = {"format": cache.FORMAT, "key": "k", "tensors": "k-0000.pt",
                "sha256": hashlib.sha256(evil).hexdigest(), "record": {"x": {"__tensor__": "x"}}}
        (folder / "k.json").write_text(json.dumps(meta))
    else:  # the previous format: one pickle per entry, loaded with weights_only=False
        (folder / "k.pt").write_bytes(evil)
    assert cache.load("k") is None
    assert not marker.exists(), "loading the cache ran code from a planted file"


def test_truncated_tampered_and_foreign_entries_are_absent(folder):
    cache.save("a", _record())
    meta = json.loads((folder / "a.json").read_text())
    tensors = folder / meta["tensors"]
    raw = tensors.read_bytes()

    tensors.write_bytes(raw[: len(raw) // 2])  # truncated
    assert cache.load("a") is None
    tensors.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # one bit flipped
    assert cache.load("a") is None
    tensors.write_bytes(raw)
    assert cache.load("a") is not None

    (folder / "b.json").write_text((folder / "a.json").read_text())  # an entry copied under another key
    assert cache.load("b") is None
    for bad in ["", "{", "[]", json.dumps({**meta, "format": "other"}),
                json.dumps({**meta, "tensors": "../a.json"}), json.dumps({**meta, "sha256": "0" * 64})]:
        (folder / "a.json").write_text(bad)
        assert cache.load("a") is None, bad


def test_records_with_objects_are_refused_when_saved(folder):
    with pytest.raises(TypeError, match="cache records hold tensors"):
        cache.save("k", {"model": torch.nn.Linear(2, 2)})


def _writer(folder: str, key: str, scale: float, rounds: int) -> None:
    os.environ["MIXERBOOK_CACHE_DIR"] = folder
    for _ in range(rounds):
        cache.save(key, _record(scale))


def _reader(folder: str, key: str, rounds: int, out) -> None:
    os.environ["MIXERBOOK_CACHE_DIR"] = folder
    seen = {"none": 0, "whole": 0, "broken": 0}
    # Start reading once a writer has saved (spawned writers import torch first, slowly on a loaded
    # machine; 300 reads of a missing entry would prove nothing).
    deadline = time.monotonic() + 120
    while not any(Path(folder).glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.01)
    for _ in range(rounds):
        rec = cache.load(key)
        if rec is None:
            seen["none"] += 1
        elif any(_same(rec, _record(s)) for s in (1.0, 2.0, 3.0)):
            seen["whole"] += 1
        else:
            seen["broken"] += 1
    out.put(seen)


def test_concurrent_writers_and_a_reader_never_see_a_broken_entry(folder):
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(str(folder), "race", s, 40)) for s in (1.0, 2.0, 3.0)]
    reader = ctx.Process(target=_reader, args=(str(folder), "race", 300, out))
    for p in [*writers, reader]:
        p.start()
    for p in [*writers, reader]:
        p.join(timeout=240)
        assert p.exitcode == 0
    seen = out.get(timeout=10)
    assert seen["broken"] == 0, seen
    assert seen["whole"] > 0, seen
    final = cache.load("race")
    assert final is not None and any(_same(final, _record(s)) for s in (1.0, 2.0, 3.0))
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*")), list(folder.iterdir())
