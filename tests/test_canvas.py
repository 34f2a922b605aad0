"""Chapter 9's canvas experiment: items placed at random on a larger canvas (place_on_canvas, canvas_experiment)."""

import json

import pytest
import torch

from mixerbook import experiments as ex
from mixerbook.data import canvas_offsets, place_on_canvas


def _images(n=5, h=4, w=3, dtype=torch.uint8):
    return (torch.arange(n * h * w) % 250 + 1).reshape(n, h, w).to(dtype)  # no zero pixel inside an image


def test_place_on_canvas_shapes_and_dtype():
    x = _images()
    out = place_on_canvas(x, 9, seed=0)
    assert out.shape == (5, 9, 9) and out.dtype == torch.uint8
    with_channels = place_on_canvas(torch.stack([x, 2 * x], dim=1), 9, seed=0)  # (N, 2, H, W)
    assert with_channels.shape == (5, 2, 9, 9)
    assert torch.equal(with_channels[:, 0], out) and torch.equal(with_channels[:, 1], place_on_canvas(2 * x, 9, 0))
    floats = place_on_canvas(x.float() / 255, 9, seed=0)
    assert floats.dtype == torch.float32 and torch.allclose(floats * 255, out.float())
    assert canvas_offsets(0, 4, 3, 9).shape == (0, 2)


def test_every_item_lies_whole_inside_the_canvas_at_its_offset():
    x = _images(n=200)
    out = place_on_canvas(x, 10, seed=3)
    offsets = canvas_offsets(200, 4, 3, 10, seed=3)
    assert (offsets >= 0).all() and (offsets[:, 0] <= 10 - 4).all() and (offsets[:, 1] <= 10 - 3).all()
    for i, (top, left) in enumerate(offsets.tolist()):
        assert torch.equal(out[i, top:top + 4, left:left + 3], x[i])
        rest = out[i].clone()
        rest[top:top + 4, left:left + 3] = 0
        assert not rest.any(), f"image {i} has pixels outside its item"
    # the draws cover the extreme positions, so "inside" is not satisfied by never reaching the border
    assert offsets[:, 0].min() == 0 and offsets[:, 0].max() == 6 and offsets[:, 1].max() == 7


def test_same_seed_same_placement_other_seed_other_placement():
    x = _images(n=50)
    assert torch.equal(place_on_canvas(x, 12, seed=1), place_on_canvas(x, 12, seed=1))
    assert not torch.equal(place_on_canvas(x, 12, seed=1), place_on_canvas(x, 12, seed=2))
    assert torch.equal(place_on_canvas(x, 12, seed=1)[:20], place_on_canvas(x[:20], 12, seed=1)), \
        "the first images' placements must not depend on how many images follow"
    assert torch.equal(place_on_canvas(torch.zeros(3, 4, 4), 4), torch.zeros(3, 4, 4))  # one position: unchanged
    x4 = _images(n=3, h=4, w=4)
    assert torch.equal(place_on_canvas(x4, 4, seed=5), x4)


def test_place_on_canvas_bad_input():
    with pytest.raises(ValueError, match=r"canvas \(3x3\) must be at least as large as the images \(4x3\)"):
        place_on_canvas(_images(), 3)
    with pytest.raises(ValueError, match=r"shape \(N, H, W\) or \(N, C, H, W\), got \(4, 3\)"):
        place_on_canvas(torch.zeros(4, 3), 8)
    with pytest.raises(TypeError, match="images must be a torch.Tensor"):
        place_on_canvas([[0, 1], [1, 0]], 8)
    with pytest.raises(TypeError, match="size must be an int"):
        place_on_canvas(_images(), 8.0)
    with pytest.raises(TypeError, match="seed must be an int"):
        place_on_canvas(_images(), 8, seed=None)
    with pytest.raises(ValueError, match="n must be >= 0"):
        canvas_offsets(-1, 4, 4, 8)


def test_canvas_budgets_have_every_budget_and_ten_smoke_steps():
    assert set(ex.CANVAS_BUDGETS) == set(ex.BUDGETS)
    for plan in ex.CANVAS_BUDGETS.values():
        assert plan["sizes"][0] == 28 and all(s % 28 == 0 for s in plan["sizes"])  # CNN: /4, Mixer: /7
    smoke = ex.CANVAS_BUDGETS["smoke"]
    assert smoke["epochs"] * -(-smoke["train_images"] // smoke["batch_size"]) == 10


def test_canvas_experiment_smoke_run(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    runs = ex.canvas_experiment("smoke", limit=256, device="cpu", progress=False)
    assert list(runs) == ["MLP/28", "MLP/56", "CNN/28", "CNN/56", "Mixer/28", "Mixer/56"]
    for key, r in runs.items():
        assert (r.base, r.canvas_size) == (key.split("/")[0], int(key.split("/")[1]))
        assert (r.train_size, r.test_size, r.epochs) == (256, ex.CANVAS_BUDGETS["smoke"]["test_images"], 1)
        assert 0 <= r.metrics.accuracy <= 1 and r.seconds_per_epoch > 0 and not r.history.cached
        assert r.history.test_accuracy == []  # tested once, at the end
        assert {"canvas_size", "seconds_per_epoch", "train_size"} <= set(r.row())
    # the flat MLP's first layer grows with the pixel count; the Mixer keeps its patch embedding (7x7 patches)
    first = {s: runs[f"MLP/{s}"].model.hidden[0].weight.numel() for s in (28, 56)}
    assert first[56] == 4 * first[28]
    assert runs["Mixer/56"].model.num_patches == 4 * runs["Mixer/28"].model.num_patches == 64
    assert runs["Mixer/56"].params < 1.2 * runs["Mixer/28"].params < runs["MLP/56"].params
    assert runs["CNN/56"].macs > 3.9 * runs["CNN/28"].macs
    again = ex.canvas_experiment("smoke", models=("MLP",), sizes=(56,), limit=256, device="cpu", progress=False)
    assert again["MLP/56"].history.cached and again["MLP/56"].metrics.accuracy == runs["MLP/56"].metrics.accuracy


def test_canvas_experiment_bad_input(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="'CNN-pyramid' has none"):
        ex.canvas_experiment("smoke", models=("CNN-pyramid",), device="cpu")
    with pytest.raises(ValueError, match="Canvas size 30 does not suit CNN"):
        ex.canvas_experiment("smoke", models=("CNN",), sizes=(30,), device="cpu")
    with pytest.raises(ValueError, match="Canvas size 32 does not suit Mixer"):
        ex.canvas_experiment("smoke", models=("Mixer",), sizes=(32,), device="cpu")
    with pytest.raises(ValueError, match="sizes must be ints of at least 28"):
        ex.canvas_experiment("smoke", sizes=(14,), device="cpu")
    with pytest.raises(ValueError, match="limit must be a positive int"):
        ex.canvas_experiment("smoke", limit=0, device="cpu")
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        ex.canvas_experiment("smoke", epochs=0, device="cpu")
    with pytest.raises(ValueError, match="Unknown model 'ViT'"):
        ex.canvas_experiment("smoke", models=("ViT",), device="cpu")


def test_canvas_experiment_runs_from_the_command_line(tmp_path, monkeypatch):
    from mixerbook.__main__ import main

    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    out = tmp_path / "canvas.json"
    assert main(["run", "canvas", "--budget", "smoke", "--models", "MLP", "--limit", "128", "--device", "cpu",
                 "--no-progress", "--out", str(out)]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert list(payload["runs"]) == ["MLP/28", "MLP/56"] and payload["runs"]["MLP/56"]["canvas_size"] == 56
