import math

import pytest
import torch
from torch import nn

import mixerbook as mb
from mixerbook import complexity as cx
from mixerbook import speed


def test_mlp_training_flop_is_three_forward_passes_less_the_first_input_gradient():
    # Forward: 2 FLOP per multiply-add. Backward: the weights' gradients (as much again) and the layer
    # inputs' gradients (as much again), except for the first layer, whose input is the image.
    model = mb.experiments.build_model("MLP")
    sizes = [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, nn.Linear)]
    assert sizes == [(784, 256), (256, 128), (128, 10)]
    macs = sum(cx.linear_macs(i, o) for i, o in sizes)
    assert cx.count_macs(model, (1, 28, 28)) == macs
    first = cx.linear_macs(*sizes[0])
    assert speed.train_flop_per_image(model) == 3 * (2 * macs) - 2 * first == 1_007_104


def test_mixer_training_flop_follows_the_layer_formulas():
    model = mb.experiments.build_model("Mixer")
    cfg = mb.experiments.MODELS["Mixer"][1]
    s = (cfg["image_size"] // cfg["patch_size"]) ** 2
    blocks = cfg["num_blocks"] * cx.mixer_block_macs(s, cfg["hidden_dim"], cfg["tokens_mlp_dim"],
                                                     cfg["channels_mlp_dim"])
    stem = s * cx.linear_macs(cfg["patch_size"] ** 2, cfg["hidden_dim"])  # no input gradient for the image
    head = cx.linear_macs(cfg["hidden_dim"], cfg["num_classes"])
    assert speed.train_flop_per_image(model) == 6 * (blocks + head) + 4 * stem


def test_counting_leaves_the_model_untouched():
    model = mb.experiments.build_model("CNN")
    before = {k: v.clone() for k, v in model.state_dict().items()}
    per_image = speed.train_flop_per_image(model, batch=4)
    assert per_image == speed.train_flop_per_image(model, batch=8)  # per image, whatever the batch
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_matmul_peak_is_a_positive_speed():
    peak = speed.matmul_peak_gflops(n=64, device="cpu", seconds=0.05)
    assert math.isfinite(peak) and peak > 0
    with pytest.raises(ValueError, match="n must be a positive int"):
        speed.matmul_peak_gflops(n=0)
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        speed.matmul_peak_gflops(seconds=0)


def test_r_is_the_sum_of_the_three_epochs(monkeypatch):
    calls = []

    def fake(name, *, images=None, device=None):
        calls.append((name, images))
        return {"MLP": 1.5, "CNN": 20.25, "Mixer": 40.0}[name]

    monkeypatch.setattr(speed, "epoch_seconds", fake)
    r = speed.measure_r(images=1000)
    assert r == {"MLP": 1.5, "CNN": 20.25, "Mixer": 40.0, "R": 61.75}
    assert calls == [("MLP", 1000), ("CNN", 1000), ("Mixer", 1000)]


def test_measured_r_on_a_few_images():
    r = speed.measure_r(images=256, device="cpu")
    assert list(r) == ["MLP", "CNN", "Mixer", "R"]
    assert all(r[k] > 0 for k in r)
    assert r["R"] == pytest.approx(r["MLP"] + r["CNN"] + r["Mixer"], rel=1e-12)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="expected one of MLP, CNN, CNN-pyramid, Mixer"):
        speed.epoch_seconds("ViT")
    with pytest.raises(ValueError, match="images must be an int from 1 to 60,000"):
        speed.epoch_seconds("MLP", images=0)
    with pytest.raises(ValueError, match="images must be an int from 1 to 60,000"):
        speed.epoch_seconds("MLP", images=60_001)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        speed.epoch_seconds("MLP", images=10, batch_size=0)
    with pytest.raises(ValueError, match="input_shape"):
        speed.train_flop_per_image(nn.Linear(3, 2), input_shape=(0,))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        speed.train_flop_per_image("MLP")


def test_chapter_times_reads_the_latest_execution_of_each_notebook(tmp_path):
    import nbformat

    pytest.importorskip("jupyter_cache", reason="chapter_times reads the book toolchain's jupyter-cache")
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path / "jc"))

    def record(name: str, seconds: float, source: str) -> None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(tmp_path / name), data={"execution_seconds": seconds}),
                                    check_validity=False, overwrite=True)

    record("01_a.ipynb", 12.5, "1")
    record("02_b.ipynb", 3.0, "2")
    record("01_a.ipynb", 7.25, "1 + 1")  # executed again after an edit: the newer time counts
    times = speed.chapter_times(tmp_path / "jc")
    assert times == {"02_b.ipynb": 3.0, "01_a.ipynb": 7.25}


def test_chapter_times_without_a_build_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="build the book first"):
        speed.chapter_times(tmp_path / "missing")


def test_command_line_speed_rejects_a_bad_image_count(capsys):
    from mixerbook.__main__ import main

    assert main(["speed", "--images", "0"]) == 2
    assert "images must be an int from 1 to" in capsys.readouterr().err
