"""Chapter 3 (inductive bias): permutations beyond the basics, exact rewiring, the experiment, plots, widget."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import experiments as ex  # noqa: E402
from mixerbook import permute as pm  # noqa: E402
from mixerbook.data import load_fashion_mnist  # noqa: E402


@st.composite
def image_and_patch(draw):
    p = draw(st.integers(1, 5))
    return draw(st.integers(1, 5)) * p, draw(st.integers(1, 5)) * p, p


# --------------------------------------------------------------------------- permutations
@settings(max_examples=50, deadline=None)
@given(st.integers(1, 200), st.integers(0, 2**16))
def test_invert_permutation_undoes_it_on_both_sides(n, seed):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    inv = pm.invert_permutation(perm)
    assert torch.equal(perm[inv], torch.arange(n)) and torch.equal(inv[perm], torch.arange(n))


def test_invert_permutation_rejects_non_permutations():
    with pytest.raises(ValueError, match="Not a permutation"):
        pm.invert_permutation(torch.tensor([0, 0, 1]))


@settings(max_examples=60, deadline=None)
@given(image_and_patch(), st.integers(0, 2**16))
def test_patch_shuffles_factor_back_into_their_orders(shape, seed):
    h, w, p = shape
    perm = pm.make_permutation("patch", h, w, patch_size=p, seed=seed)
    patch_order, pixel_order = pm.factor_patch_shuffle(perm, p)
    assert torch.equal(patch_order, perm.patch_order) and torch.equal(pixel_order, perm.pixel_order)
    assert torch.equal(pm.patch_source_index(h, w, p, patch_order, pixel_order), perm.source)


def test_global_shuffle_is_no_patch_shuffle_except_with_one_pixel_patches():
    perm = pm.make_permutation("global", 28, 28, seed=0)
    assert pm.factor_patch_shuffle(perm, 7) is None
    assert pm.factor_patch_shuffle(perm, 1) is not None  # every "patch" is one pixel
    # a patch shuffle with P = 14 is not one with P = 7
    assert pm.factor_patch_shuffle(pm.make_permutation("patch", 28, 28, 14, seed=0), 7) is None
    # rotating the image by 90 degrees moves whole patches and turns every patch the same way
    rot = pm.PixelPermutation(torch.arange(784).reshape(28, 28).rot90().flatten(), 28, 28)
    assert pm.factor_patch_shuffle(rot, 7) is not None


def test_batched_patch_source_index_matches_one_at_a_time():
    gen = torch.Generator().manual_seed(0)
    po = torch.rand(5, 16, generator=gen).argsort(1)
    qo = torch.rand(5, 9, generator=gen).argsort(1)
    batched = pm.patch_source_index(12, 12, 3, po, qo)
    for k in range(5):
        assert torch.equal(batched[k], pm.patch_source_index(12, 12, 3, po[k], qo[k]))


@pytest.mark.parametrize("mode", ["global", "patch"])
def test_shuffle_each_gives_every_image_its_own_permutation(mode):
    img = torch.arange(28 * 28).reshape(1, 28, 28).repeat(6, 1, 1)  # six copies of one image, distinct values
    out = pm.shuffle_each(img, mode, patch_size=7, seed=0)
    assert out.shape == img.shape
    for k in range(6):
        assert torch.equal(out[k].flatten().sort().values, img[k].flatten())  # a rearrangement of the same pixels
    assert len({tuple(o.flatten().tolist()) for o in out}) == 6  # six different rearrangements
    if mode == "patch":  # each is a patch shuffle with P = 7
        for k in range(6):
            assert pm.factor_patch_shuffle(pm.PixelPermutation(out[k].flatten(), 28, 28), 7) is not None
    multi = pm.shuffle_each(torch.randint(0, 255, (3, 2, 28, 28)), mode, patch_size=7)
    assert multi.shape == (3, 2, 28, 28)
    with pytest.raises(ValueError, match="'global' or 'patch'"):
        pm.shuffle_each(img, "none")


def test_neighbour_distance():
    assert pm.neighbour_distance(pm.make_permutation("none", 28, 28)) == 1.0
    d_patch = pm.neighbour_distance(pm.make_permutation("patch", 28, 28, 7, seed=0))
    d_global = pm.neighbour_distance(pm.make_permutation("global", 28, 28, seed=0))
    assert 1.0 < d_patch < d_global
    assert 12 < d_global < 17  # about 0.52 * 28 for random pairs


# --------------------------------------------------------------------------- exact rewiring
def _random_head(model: nn.Module) -> nn.Module:
    if hasattr(model, "head") and isinstance(model.head, nn.Linear):
        torch.manual_seed(1)
        nn.init.normal_(model.head.weight)  # the Mixer's head starts at zero: outputs would all be 0
    return model


@pytest.mark.parametrize("mode", ["none", "patch", "global"])
def test_rewired_mlp_sees_shuffled_images_as_the_original_sees_originals(mode):
    x = torch.randn(8, 1, 28, 28)
    perm = pm.make_permutation(mode, 28, 28, 7, seed=3)
    mlp = ex.build_model("MLP")
    rewired = pm.rewire(mlp, perm)
    with torch.no_grad():
        assert (rewired(perm(x)) - mlp(x)).abs().max() < 1e-5
    assert any(not torch.equal(a, b) for a, b in zip(mlp.parameters(), rewired.parameters(), strict=True)) or (
        mode == "none")


def test_rewired_mixer_is_exact_for_its_patch_size_only():
    x = torch.randn(8, 1, 28, 28)
    mixer = _random_head(ex.build_model("Mixer-tiny"))
    perm = pm.make_permutation("patch", 28, 28, 7, seed=3)
    with torch.no_grad():
        out = mixer(x)
        assert out.abs().max() > 0.1
        assert (pm.rewire(mixer, perm)(perm(x)) - out).abs().max() < 1e-5
    for bad in (pm.make_permutation("global", 28, 28, seed=0), pm.make_permutation("patch", 28, 28, 14, seed=0)):
        with pytest.raises(ValueError, match="not a patch\\+pixel shuffle with the model's patch size 7"):
            pm.rewire(mixer, bad)


def test_rewired_mixer_on_a_colour_photo():
    photo = mb.data.sample_photo(224)
    mixer = _random_head(mb.models.MlpMixer(10, 2, 32, 16, 8, 32, image_size=224, in_channels=3))
    perm = pm.make_permutation("patch", 224, 224, 32, seed=1)
    with torch.no_grad():
        a = mixer(mb.data.to_float(photo[None]))
        b = pm.rewire(mixer, perm)(mb.data.to_float(perm(photo)[None]))
    assert (a - b).abs().max() < 1e-5


def test_no_rewiring_for_a_cnn_and_its_output_changes():
    cnn = ex.build_model("CNN").eval()
    perm = pm.make_permutation("global", 28, 28, seed=0)
    with pytest.raises(ValueError, match="does not rearrange convolutional networks"):
        pm.rewire(cnn, perm)
    # A rotation keeps neighbours together (a CNN could undo it by rotating its kernels), but rewire does not try:
    # chapter 3 says so in its prose instead of printing a verdict that the package decided in advance.
    rot = pm.PixelPermutation(torch.arange(28 * 28).reshape(28, 28).rot90().flatten(), 28, 28)
    with pytest.raises(ValueError, match="Flips and rotations"):
        pm.rewire(cnn, rot)
    with pytest.raises(ValueError, match="convolutions"):
        pm.rewire_flatten_mlp(cnn, perm)
    assert isinstance(pm.rewire(cnn, pm.make_permutation("none", 28, 28)), type(cnn))  # identity: a copy
    x = mb.data.to_float(load_fashion_mnist("test").images[:16])
    with torch.no_grad():
        assert (cnn(perm(x)) - cnn(x)).abs().max() > 1e-3


def test_rewire_leaves_the_model_alone_and_checks_sizes():
    mlp = ex.build_model("MLP")
    before = [p.clone() for p in mlp.parameters()]
    pm.rewire(mlp, pm.make_permutation("global", 28, 28, seed=0))
    assert all(torch.equal(a, b) for a, b in zip(before, mlp.parameters(), strict=True))
    with pytest.raises(ValueError, match="not C\\*H\\*W"):
        pm.rewire(mlp, pm.make_permutation("global", 5, 5, seed=0))
    with pytest.raises(ValueError, match="stem.proj"):
        pm.rewire_mixer(mlp, pm.make_permutation("patch", 28, 28, 7))


# --------------------------------------------------------------------------- experiments
def test_equivariance_check_conv_vs_dense():
    images = load_fashion_mnist("test").images[:8]
    torch.manual_seed(0)
    conv = ex.equivariance_check(nn.Conv2d(1, 4, 3, padding=1), images, dx=1)
    dense = ex.equivariance_check(nn.Sequential(nn.Flatten(), nn.Linear(784, 784), nn.Unflatten(1, (1, 28, 28))),
                                  images, dx=1)
    assert conv.error < 1e-5 and dense.error > 0.1
    assert conv.change > 0.05 and conv.fx.shape == (28, 28)
    with pytest.raises(ValueError, match="margin"):
        ex.equivariance_check(nn.Conv2d(1, 1, 3, padding=1), images, dx=3, margin=2)


def test_neighbour_correlation_decays_and_vanishes_when_shuffled():
    images = load_fashion_mnist("test").images[:500]
    orig = ex.neighbour_correlation(images, 6)
    shuffled = ex.neighbour_correlation(pm.make_permutation("global", 28, 28, seed=0)(images), 6)
    assert len(orig) == 6 and orig[0] > 0.8 and orig[0] > orig[-1]
    assert orig[0] - shuffled[0] > 0.3
    with pytest.raises(ValueError, match="max_distance"):
        ex.neighbour_correlation(images, 28)


def test_budget_settings_per_experiment():
    quick = ex.budget_settings("CNN", "quick", experiment="permutation")
    assert quick == ex.EXPERIMENT_BUDGETS["permutation"]["quick"]["cnn"]
    assert ex.budget_settings("CNN", "full", experiment="permutation") == ex.BUDGETS["full"]["cnn"]
    with pytest.raises(ValueError, match="Unknown experiment 'nope'"):
        ex.budget_settings("CNN", "quick", experiment="nope")


def test_permutation_experiment_runs_are_the_same_function_of_the_data(monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE", "0")
    runs = ex.permutation_experiment("smoke", models=("MLP", "Mixer-tiny"), limit=512, device="cpu",
                                     progress=False)
    assert list(runs) == ["MLP/none", "MLP/patch", "MLP/global", "Mixer-tiny/none", "Mixer-tiny/patch",
                          "Mixer-tiny/global"]
    assert [r.init for r in runs.values()] == ["same", "permuted", "permuted", "same", "permuted", "same"]
    grid = ex.accuracy_grid(runs)
    assert abs(grid["MLP"]["global"] - grid["MLP"]["none"]) < 0.01
    assert abs(grid["Mixer-tiny"]["patch"] - grid["Mixer-tiny"]["none"]) < 0.01
    test = load_fashion_mnist("test")
    perm = pm.make_permutation("global", 28, 28, seed=0)
    a = mb.train.predict(runs["MLP/none"].model, test.images[:200], device="cpu")
    b = mb.train.predict(runs["MLP/global"].model, perm(test.images[:200]), device="cpu")
    assert (a - b).abs().max() < 1e-3
    indep = ex.permutation_experiment("smoke", models=("MLP",), modes=("global",), init="independent", limit=256,
                                      device="cpu", progress=False)
    assert indep["MLP/global"].init == "independent"
    with pytest.raises(ValueError, match="Unknown init"):
        ex.permutation_experiment("smoke", init="fresh")
    with pytest.raises(ValueError, match="Unknown shuffle mode"):
        ex.permutation_experiment("smoke", modes=("pixel",))
    assert ex.EXPERIMENTS["permutation"] is ex.permutation_experiment


# --------------------------------------------------------------------------- plots and widget
def test_plots_return_figures():
    img = torch.randint(0, 256, (28, 28), dtype=torch.uint8)
    perm = pm.make_permutation("patch", 28, 28, 7)
    chk = ex.equivariance_check(nn.Conv2d(1, 1, 3, padding=1), img[None])
    figs = [
        mb.viz.plot_shuffle(img, perm(img), perm.inverse()(perm(img)), patch_size=7, title="t"),
        mb.viz.plot_shuffle(mb.data.sample_photo(64), mb.data.sample_photo(64), mb.data.sample_photo(64)),
        mb.viz.plot_equivariance({"conv": chk, "again": chk}),
        mb.viz.plot_neighbour_correlation({"none": [0.9, 0.8], "global": [0.3, 0.3], "other": [0.1, 0.1]}),
        mb.viz.plot_permutation_results({"MLP": {"none": 0.89, "patch": 0.89, "global": 0.89},
                                         "CNN": {"none": 0.9, "global": 0.85}}),
        mb.viz.plot_images(torch.full((2, 28, 28), 100.0), [0, 1], value_range=(0, 255)),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and fig.axes
        matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="same shape"):
        mb.viz.plot_shuffle(img, img[:5], img)
    with pytest.raises(ValueError, match="at least one model"):
        mb.viz.plot_permutation_results({})




def test_the_run_on_original_images_is_chapter_ones_run_from_the_cache(tmp_path, monkeypatch):
    """With the same settings, permutation_experiment's "none" run is the run trained() made: a cache hit."""
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("MIXERBOOK_CACHE", raising=False)
    first = ex.trained("CNN", "smoke", device="cpu", progress=False, limit=512)
    assert not first.history.cached
    runs = ex.permutation_experiment("smoke", models=("CNN",), modes=("none",), limit=512, device="cpu",
                                     progress=False)
    again = runs["CNN/none"]
    assert again.history.cached
    assert again.metrics.accuracy == first.metrics.accuracy
    for a, b in zip(first.model.state_dict().values(), again.model.state_dict().values(), strict=True):
        assert torch.equal(a.cpu(), b.cpu())
    # ... and it is the same computation: trained afresh, the permutation's run gives the same weights
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path / "empty"))
    fresh = ex.permutation_experiment("smoke", models=("CNN",), modes=("none",), limit=512, device="cpu",
                                      progress=False)["CNN/none"]
    assert not fresh.history.cached
    for a, b in zip(first.model.state_dict().values(), fresh.model.state_dict().values(), strict=True):
        assert torch.equal(a.cpu(), b.cpu())
