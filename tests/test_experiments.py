import pytest
import torch
from torch import nn

from mixerbook import experiments as ex
from mixerbook.data import load_fashion_mnist
from mixerbook.models import FlattenMLP


def test_resolve_budget(monkeypatch):
    monkeypatch.delenv("MIXERBOOK_BUDGET", raising=False)
    assert ex.resolve_budget("auto", "cpu") == "quick"
    assert ex.resolve_budget("full", "cpu") == "full"
    monkeypatch.setenv("MIXERBOOK_BUDGET", "full")
    assert ex.resolve_budget("auto", "cpu") == "full"
    with pytest.raises(ValueError, match="Unknown budget 'huge'"):
        ex.resolve_budget("huge")


def test_convolution_is_shift_equivariant_but_the_flat_vector_is_not():
    images = load_fashion_mnist("test").images[:64]
    torch.manual_seed(0)
    report = ex.shift_equivariance(images, nn.Conv2d(1, 4, 3, padding=1), dx=1)
    assert report["conv_equivariance_error"] < 1e-6
    assert report["flat_changed"] > 0.2
    assert report["flat_relative_change"] > 0.1
    with pytest.raises(ValueError, match="stride-1"):
        ex.shift_equivariance(images, nn.Conv2d(1, 4, 3, stride=2))


def test_shift_robustness_returns_one_accuracy_per_shift():
    test = load_fashion_mnist("test")
    accs = ex.shift_robustness(FlattenMLP(), test.images[:200], test.labels[:200], shifts=(0, 2))
    assert len(accs) == 2 and all(0 <= a <= 1 for a in accs)
    assert ex.shift_robustness(FlattenMLP(), test.images[:50], test.labels[:50], shifts=(0,), direction="up")
    with pytest.raises(ValueError, match="Unknown direction 'diagonal'"):
        ex.shift_robustness(FlattenMLP(), test.images[:5], test.labels[:5], direction="diagonal")


def test_shift_equivariance_leaves_the_callers_layer_alone():
    conv = nn.Conv2d(1, 2, 3, padding=1).double()
    ex.shift_equivariance(load_fashion_mnist("test").images[:4], conv)
    assert conv.weight.dtype == torch.float64


def test_build_model_is_seeded_and_validated():
    a, b = ex.build_model("Mixer", seed=1), ex.build_model("Mixer", seed=1)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert a(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert ex.build_model("Mixer", patch_size=4).num_patches == 49
    with pytest.raises(ValueError, match="Unknown model 'ViT'"):
        ex.build_model("ViT")
    assert ex.budget_settings("Mixer-tiny", "quick") == ex.BUDGETS["quick"]["mixer"]


def test_every_budget_table_has_every_budget():
    """Per-budget settings live in the package's tables, each with quick, full and smoke (MIXERBOOK_BUDGET=smoke)."""
    budgets = set(ex.BUDGETS)
    assert budgets == {"quick", "full", "smoke"}
    for table in (ex.GROWTH_TIME_LIMITS_S, ex.DATA_SCALING_BUDGETS, ex.THROUGHPUT_BUDGETS, ex.CANVAS_BUDGETS):
        assert set(table) == budgets
    for experiment, table in ex.EXPERIMENT_BUDGETS.items():
        assert set(table) <= budgets, experiment


def test_smoke_trains_on_a_few_images_only(monkeypatch, tmp_path):
    """The smoke budget checks that everything runs (tests, the Colab mirror): ten steps on 2560 images, not an epoch
    of 60,000; quick and full train on everything they are given."""
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    for name in ("MLP", "CNN", "Mixer", "Mixer-tiny"):
        assert ex.budget_settings(name, "smoke")["train_images"] == 2560
        assert "train_images" not in ex.budget_settings(name, "quick")
        assert "train_images" not in ex.budget_settings(name, "full")
    seen = []
    real_fit = ex.fit
    monkeypatch.setattr(ex, "fit", lambda model, images, labels, **kw: seen.append(len(labels)) or real_fit(
        model, images, labels, **kw))
    g = torch.Generator().manual_seed(0)
    split = type(load_fashion_mnist("test"))(torch.randint(0, 256, (3000, 28, 28), dtype=torch.uint8, generator=g),
                                             torch.randint(0, 10, (3000,), generator=g), "synthetic")
    test = type(split)(split.images[:100], split.labels[:100], "synthetic")
    for settings, want in ((ex.budget_settings("MLP", "smoke"), 2560), ({"epochs": 1, "batch_size": 256, "lr": 1e-3},
                                                                       3000)):
        ex.train_and_test("MLP", ex.build_model("MLP"), settings, split, test, device="cpu", progress=False)
        assert seen[-1] == want
