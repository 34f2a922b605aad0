"""The book models shipped with the package (mixerbook.book_models): storage, loading, fallback, and the check that
they are what this machine trains."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import torch

import mixerbook as mb
from mixerbook import book_models


def test_manifest_lists_the_three_models_with_recipe_checksum_and_accuracy():
    data = book_models.manifest()
    assert list(data["models"]) == list(book_models.NAMES)
    for name, entry in data["models"].items():
        raw = (book_models.WEIGHTS_DIR / entry["file"]).read_bytes()
        assert len(raw) == entry["bytes"]
        assert hashlib.sha256(raw).hexdigest() == entry["sha256"]
        assert entry["recipe"]["budget"] == "quick" and entry["recipe"]["seed"] == 0
        assert entry["recipe"]["settings"] == mb.experiments.budget_settings(name, "quick", "cpu")
        assert 0.85 < entry["test_accuracy"] < 1
        assert len(entry["history"]["test_accuracy"]) == entry["recipe"]["settings"]["epochs"]


@pytest.mark.parametrize("name", book_models.NAMES)
def test_state_dict_fits_the_architecture_and_is_read_without_pickle(name, monkeypatch):
    def no_unpickling(*args, **kwargs):
        raise AssertionError("the shipped weights must load without torch.load / pickle")

    monkeypatch.setattr(torch, "load", no_unpickling)
    state = book_models.load_state_dict(name)
    model = mb.experiments.build_model(name)
    reference = model.state_dict()
    assert list(state) == list(reference)
    for key, tensor in state.items():
        assert tensor.shape == reference[key].shape and tensor.dtype == reference[key].dtype, key
    model.load_state_dict(state)  # strict


def test_a_changed_weight_file_is_refused_with_the_command_that_rewrites_it(tmp_path, monkeypatch):
    shutil.copytree(book_models.WEIGHTS_DIR, tmp_path / "weights")
    monkeypatch.setattr(book_models, "WEIGHTS_DIR", tmp_path / "weights")
    path = tmp_path / "weights" / "mlp.bin"
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="checksum.*book-models --write"):
        book_models.load_state_dict("MLP")


def test_missing_weights_and_unknown_names_get_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="ships MLP, CNN, Mixer"):
        book_models.load_state_dict("Mixer-tiny")
    monkeypatch.setattr(book_models, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="book-models --write"):
        book_models.manifest()


def test_load_falls_back_to_the_shipped_weights_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    run = book_models.load("MLP", "quick", device="cpu")
    line = capsys.readouterr().out
    assert run.source == "shipped" and run.history.cached
    assert "nạp trọng số huấn luyện sẵn kèm theo gói" in line and f"{run.metrics.accuracy:.2%}" in line
    assert abs(run.metrics.accuracy - book_models.manifest()["models"]["MLP"]["test_accuracy"]) < 1e-6


def test_load_takes_the_run_cache_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    trained = mb.experiments.trained("MLP", "smoke", device="cpu", progress=False)
    run = book_models.load("MLP", "smoke", device="cpu")
    assert run.source == "cache" and "bộ nhớ đệm" in capsys.readouterr().out
    for key, tensor in trained.model.state_dict().items():
        assert torch.equal(run.model.state_dict()[key].cpu(), tensor.cpu()), key
    assert run.metrics.accuracy == trained.metrics.accuracy


def test_compare_runs_checks_only_runs_of_the_recipe(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    smoke = mb.experiments.trained("MLP", "smoke", device="cpu", progress=False)
    assert book_models.compare_runs({"MLP": smoke}, "smoke") == []
    agreement = book_models.compare(smoke, "MLP")  # ten steps of training cannot match the shipped model
    assert not agreement.ok
    with pytest.raises(AssertionError, match="book-models --write"):
        book_models.verify(smoke, "MLP")


def test_write_produces_files_that_load_back_exactly(tmp_path, monkeypatch):
    """Writing through the real path (a stand-in run replaces training, so the test is quick)."""
    model = mb.experiments.build_model("CNN", seed=3)
    fake = mb.experiments.RunResult("CNN", model, 0, 0, mb.train.History([1.0], [0.5], [2.0]),
                                    mb.train.Metrics(0.5, 0.5, 0.5, torch.zeros(10, 10, dtype=torch.int64)))
    monkeypatch.setattr(book_models, "trained", lambda *a, **k: fake)
    path = book_models.write(("CNN",), folder=tmp_path, progress=False)
    assert json.loads(path.read_text())["models"]["CNN"]["history"]["epoch_seconds"] == [2.0]
    monkeypatch.setattr(book_models, "WEIGHTS_DIR", tmp_path)
    state = book_models.load_state_dict("CNN")
    for key, tensor in model.state_dict().items():
        assert torch.equal(state[key], tensor), key
    blob = np.frombuffer((tmp_path / "cnn.bin").read_bytes(), dtype="<f4")
    assert blob.size == sum(t.numel() for t in model.state_dict().values())


@pytest.mark.book
@pytest.mark.parametrize("name", book_models.NAMES)
def test_shipped_weights_match_what_this_machine_trains(name):
    """The build's check for all three models (chapter 1's hidden guard checks the MLP and the CNN it trains): train
    the recipe here (or take it from the run cache, e.g. the book build's) and compare on the 10,000 test images."""
    run = mb.experiments.trained(name, "quick", device="cpu", progress=False)
    agreement = book_models.compare(run)
    print(agreement.describe())
    assert agreement.ok, (f"{agreement.describe()}; write the weights again with "
                          f"`{book_models.REGENERATE_COMMAND}`")


def test_scoreboard_times_a_shipped_model_here_and_leaves_the_random_streams(tmp_path, monkeypatch):
    import random

    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    run = book_models.load("MLP", "quick", device="cpu", progress=False)
    mb.set_seed(7)
    expected = (random.random(), float(np.random.rand()), float(torch.rand(())))
    mb.set_seed(7)
    (row,) = mb.experiments.scoreboard({"MLP": run}, device="cpu", timing_images=512)
    assert (random.random(), float(np.random.rand()), float(torch.rand(()))) == expected
    assert row["timed_now"] and row["source"] == "shipped" and row["epochs"] == 10
    assert row["seconds_per_epoch"] > 0 and row["train_seconds"] == pytest.approx(10 * row["seconds_per_epoch"])
    shipped_history = book_models.manifest()["models"]["MLP"]["history"]["epoch_seconds"]
    assert row["seconds_per_epoch"] not in shipped_history


def test_the_permutation_experiments_original_cnn_run_is_the_book_model(tmp_path, monkeypatch):
    """Chapter 3's CNN on original images is chapter 1's run: run alone, it is loaded, not trained again."""
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))

    def no_training(*args, **kwargs):
        raise AssertionError("the original CNN run must not be trained again")

    monkeypatch.setattr(mb.experiments, "fit", no_training)
    runs = mb.experiments.permutation_experiment("quick", models=("CNN",), modes=("none",), device="cpu",
                                                 progress=False)
    run = runs["CNN/none"]
    assert run.source == "shipped" and run.base == "CNN" and run.mode == "none"
    assert run.metrics.accuracy == pytest.approx(book_models.manifest()["models"]["CNN"]["test_accuracy"], abs=1e-6)
