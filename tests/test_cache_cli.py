"""The results cache, and `python -m mixerbook` (also under torchrun with two CPU processes)."""

import json
import os
import subprocess
import sys

import pytest
import torch

from mixerbook import cache
from mixerbook import experiments as ex
from mixerbook.data import ImageSplit, load_fashion_mnist


@pytest.fixture
def tiny():
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    return (ImageSplit(train.images[:1024], train.labels[:1024], train.source),
            ImageSplit(test.images[:512], test.labels[:512], test.source))


SETTINGS = {"epochs": 1, "batch_size": 128, "lr": 2e-3}


def test_a_finished_run_is_reused_and_a_changed_one_is_not(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MIXERBOOK_CACHE", raising=False)
    first = ex.train_and_test("MLP", ex.build_model("MLP"), SETTINGS, *tiny, device="cpu", progress=False)
    assert not first.history.cached and len(list(tmp_path.glob("*.pt"))) == 1 == len(list(tmp_path.glob("*.json")))
    again = ex.train_and_test("MLP", ex.build_model("MLP"), SETTINGS, *tiny, device="cpu", progress=False)
    assert again.history.cached
    assert again.metrics.accuracy == first.metrics.accuracy
    assert torch.equal(again.metrics.confusion, first.metrics.confusion)
    for a, b in zip(again.model.parameters(), first.model.parameters(), strict=True):
        assert torch.equal(a, b)
    # a different learning rate, seed, architecture or data set is a different run
    changed = [
        ({**SETTINGS, "lr": 1e-3}, ex.build_model("MLP"), 0, tiny[0]),
        (SETTINGS, ex.build_model("MLP", seed=1), 1, tiny[0]),
        (SETTINGS, ex.build_model("MLP", hidden_dims=(64,)), 0, tiny[0]),
        (SETTINGS, ex.build_model("MLP"), 0, ImageSplit(tiny[0].images[:512], tiny[0].labels[:512], "x")),
    ]
    for settings, model, seed, train in changed:
        run = ex.train_and_test("MLP", model, settings, train, tiny[1], device="cpu", seed=seed, progress=False)
        assert not run.history.cached
    assert len(list(tmp_path.glob("*.pt"))) == 5


def test_the_cache_can_be_switched_off(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("MIXERBOOK_CACHE", "0")
    assert not cache.enabled()
    ex.train_and_test("MLP", ex.build_model("MLP"), SETTINGS, *tiny, device="cpu", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_entry_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    (tmp_path / "abc.json").write_bytes(b"not a cache entry")
    (tmp_path / "abc.pt").write_bytes(b"not a torch file")
    assert cache.load("abc") is None


def _cli(args, tmp_path, launcher=None):
    env = {**os.environ, "MIXERBOOK_CACHE": "0", "OMP_NUM_THREADS": "1"}
    cmd = launcher or [sys.executable, "-m", "mixerbook"]
    return subprocess.run([*cmd, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def test_cli_lists_and_rejects_unknown_experiments(tmp_path):
    listed = _cli(["list"], tmp_path)
    assert listed.returncode == 0 and "mlp_vs_cnn" in listed.stdout
    bad = _cli(["run", "no_such_thing"], tmp_path)
    assert bad.returncode != 0 and "unknown experiment 'no_such_thing'" in bad.stderr


def test_cli_under_torchrun_matches_a_single_process(tmp_path):
    args = ["run", "mlp_vs_cnn", "--budget", "smoke", "--models", "MLP", "--limit", "4096", "--no-progress"]
    single = _cli([*args, "--out", "single.json"], tmp_path)
    assert single.returncode == 0, single.stderr
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
                "-m", "mixerbook"]
    ddp = _cli([*args, "--out", "ddp.json"], tmp_path, launcher=torchrun)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    one = json.loads((tmp_path / "single.json").read_text())
    two = json.loads((tmp_path / "ddp.json").read_text())
    assert one["world_size"] == 1 and two["world_size"] == 2
    assert two["runs"]["MLP"]["train_loss"] == pytest.approx(one["runs"]["MLP"]["train_loss"], rel=1e-4)
    assert abs(two["runs"]["MLP"]["accuracy"] - one["runs"]["MLP"]["accuracy"]) < 0.005
    assert one["runs"]["MLP"]["accuracy"] > 0.5  # far above chance (0.1)
