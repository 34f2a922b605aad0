"""Chapter "Cấu trúc phân cấp": forward-hook probes, receptive fields, PyramidCNN, figures and widget."""

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import probe, viz  # noqa: E402
from mixerbook.models import MixerBlock, MlpMixer, PatchEmbedding, PyramidCNN  # noqa: E402


# --------------------------------------------------------------------------- PyramidCNN
def test_pyramid_cnn_exact_parameter_count_and_shapes():
    net = PyramidCNN(in_channels=1, channels=(16, 32, 64), convs_per_stage=1, num_classes=10)
    expected = (9 * 1 * 16 + 2 * 16) + (9 * 16 * 32 + 2 * 32) + (9 * 32 * 64 + 2 * 64) + (64 * 10 + 10)
    assert expected == 24_058
    assert mb.complexity.count_params(net) == expected
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    # no layer is tied to the image size: any side works
    assert net(torch.zeros(2, 1, 56, 40)).shape == (2, 10)


def test_pyramid_cnn_two_convs_per_stage_parameter_count():
    net = PyramidCNN(in_channels=3, channels=(8, 16), convs_per_stage=2, num_classes=5)
    expected = (9 * 3 * 8 + 16) + (9 * 8 * 8 + 16) + (9 * 8 * 16 + 32) + (9 * 16 * 16 + 32) + (16 * 5 + 5)
    assert mb.complexity.count_params(net) == expected


def test_pyramid_cnn_is_registered_and_validates():
    net = mb.experiments.build_model("CNN-pyramid")
    assert isinstance(net, PyramidCNN)
    assert mb.experiments.budget_settings("CNN-pyramid", "quick") == mb.experiments.budget_settings("CNN", "quick")
    with pytest.raises(ValueError, match=r"expects input of shape \(B, 1, H, W\)"):
        net(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match="channels"):
        PyramidCNN(channels=())


def test_pyramid_cnn_every_parameter_gets_a_gradient():
    torch.manual_seed(0)
    net = PyramidCNN()
    net(torch.randn(4, 1, 28, 28)).logsumexp(1).mean().backward()
    for name, p in net.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


# --------------------------------------------------------------------------- trace_shapes
def test_trace_shapes_reads_the_pyramid_from_hooks():
    cnn = mb.experiments.build_model("CNN")
    rows = probe.trace_shapes(cnn, torch.zeros(1, 1, 28, 28), max_depth=2)
    by_name = {r.name: r for r in rows}
    assert rows[0].name == "input" and rows[0].shape == (1, 1, 28, 28)
    assert by_name["features.0"].shape == (1, 16, 14, 14)
    assert by_name["features.1"].shape == (1, 32, 7, 7)
    assert by_name["features.1"].positions == 49 and by_name["features.1"].channels == 32
    assert by_name["head.3"].shape == (1, 10)
    assert sum(r.params for r in rows) == mb.complexity.count_params(cnn)
    assert cnn.training  # put back in its previous mode


def test_trace_shapes_leaf_types_and_execution_order():
    mixer = mb.experiments.build_model("Mixer")
    rows = probe.trace_shapes(mixer, torch.zeros(2, 1, 28, 28), leaf_types=(PatchEmbedding, MixerBlock))
    names = [r.name for r in rows]
    assert names == ["input", "stem", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "pre_head_norm", "head"]
    for r in rows[1:-1]:
        assert r.shape == (2, 16, 128) and r.layout == "16×128" and r.positions == 16 and r.channels == 128
    leaves = probe.trace_shapes(mixer, torch.zeros(1, 1, 28, 28), include_input=False)
    assert all(not list(dict(mixer.named_modules())[r.name].children()) for r in leaves)


def test_trace_shapes_on_the_meta_device_for_large_models():
    with torch.device("meta"):
        b16 = MlpMixer.from_paper("B/16")
    rows = probe.trace_shapes(b16, torch.zeros(1, 3, 224, 224), leaf_types=(PatchEmbedding, MixerBlock))
    tables = [r for r in rows if r.name.startswith("blocks.")]
    assert len(tables) == 12 and {r.shape for r in tables} == {(1, 196, 768)}


def test_trace_shapes_resnet18_pyramid():
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):
        r18 = torchvision.models.resnet18(weights=None)
    rows = {r.name: r for r in probe.trace_shapes(r18, torch.zeros(1, 3, 224, 224), max_depth=1)}
    sides = [rows[n].shape[-1] for n in ("conv1", "maxpool", "layer1", "layer2", "layer3", "layer4")]
    assert sides == [112, 56, 56, 28, 14, 7]
    assert [rows[n].channels for n in ("layer1", "layer2", "layer3", "layer4")] == [64, 128, 256, 512]


def test_trace_shapes_validates_and_formats():
    cnn = mb.experiments.build_model("CNN")
    with pytest.raises(ValueError, match="max_depth"):
        probe.trace_shapes(cnn, torch.zeros(1, 1, 28, 28), max_depth=0)
    with pytest.raises(ValueError, match="tensor"):
        probe.trace_shapes(cnn, [1, 2, 3])
    table = probe.trace_markdown(probe.trace_shapes(cnn, torch.zeros(1, 1, 28, 28), max_depth=2),
                                 names={"features.0": "tầng 1"})
    assert "| tầng 1 | tầng | 16×14×14 | 196 | 16 | 176 |" in table


# --------------------------------------------------------------------------- feature maps
def test_feature_maps_returns_hooked_outputs_in_order():
    cnn = mb.experiments.build_model("CNN")
    images = torch.randint(0, 256, (3, 28, 28), dtype=torch.uint8)
    maps = probe.feature_maps(cnn, images, ["features.1.2", "features.0.2"])
    assert list(maps) == ["features.1.2", "features.0.2"]
    assert maps["features.0.2"].shape == (3, 16, 28, 28) and maps["features.1.2"].shape == (3, 32, 14, 14)
    assert (maps["features.0.2"] >= 0).all()  # after ReLU
    direct = cnn.eval().features[0][:3](mb.data.to_float(images))
    assert torch.allclose(maps["features.0.2"], direct, atol=1e-6)
    one = probe.feature_maps(cnn, images[0], ["features.0.0"])
    assert one["features.0.0"].shape == (1, 16, 28, 28)
    with pytest.raises(ValueError, match="Unknown layer"):
        probe.feature_maps(cnn, images, ["features.9"])


# --------------------------------------------------------------------------- receptive fields
def test_recurrence_known_values():
    assert probe.receptive_field_recurrence([3, 3, 3], [1, 1, 1]) == [(3, 1), (5, 1), (7, 1)]
    # ResNet stem: 7x7 stride 2, then 3x3 max-pool stride 2
    assert probe.receptive_field_recurrence([7, 3], [2, 2]) == [(7, 2), (11, 4)]
    assert probe.receptive_field_recurrence([3], [1], dilations=[2]) == [(5, 1)]
    with pytest.raises(ValueError, match="same length"):
        probe.receptive_field_recurrence([3, 3], [1])
    with pytest.raises(ValueError, match="positive"):
        probe.receptive_field_recurrence([0], [1])


def test_receptive_fields_of_the_book_cnns():
    sizes = [f.size for f in probe.receptive_fields(mb.experiments.build_model("CNN"))]
    assert sizes == [3, 4, 8, 10]
    rows = probe.receptive_fields(mb.experiments.build_model("CNN-pyramid"))
    assert [f.size for f in rows] == [3, 4, 8, 10, 18, 22]
    assert [f.jump for f in rows] == [1, 2, 2, 4, 4, 8]
    with pytest.raises(ValueError, match="no Conv2d"):
        probe.receptive_fields(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="square"):
        probe.receptive_fields(nn.Conv2d(1, 1, (3, 5)))


@pytest.mark.parametrize("name", ["CNN", "CNN-pyramid"])
def test_gradient_probe_agrees_with_the_recurrence(name):
    model = mb.experiments.build_model(name)
    size = 28 if name == "CNN" else 64  # the pyramid accepts a larger image, so no field reaches the border
    for field in probe.receptive_fields(model):
        measured = probe.gradient_receptive_field(model, (1, size, size), layer=field.name)
        assert measured.height == measured.width == field.size, field


def test_gradient_probe_mixer_is_global_after_one_block():
    mixer = mb.experiments.build_model("Mixer")
    patch = probe.gradient_receptive_field(mixer, (1, 28, 28), layer="stem")
    assert (patch.height, patch.width) == (7, 7) and patch.covered == pytest.approx(1 / 16)
    block = probe.gradient_receptive_field(mixer, (1, 28, 28), layer="blocks.0")
    assert block.box == (0, 0, 28, 28) and block.covered == 1.0
    assert block.grad.shape == (28, 28) and block.grad.max() == 1.0
    assert mixer.training  # mode restored
    with pytest.raises(ValueError, match="Unknown layer"):
        probe.gradient_receptive_field(mixer, (1, 28, 28), layer="blocks.9")
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        probe.gradient_receptive_field(mixer, (28, 28))


def test_gradient_probe_leaves_parameter_gradients_alone():
    cnn = mb.experiments.build_model("CNN")
    probe.gradient_receptive_field(cnn, (1, 28, 28), layer="features.1.0", unit=(0, 3, 3))
    assert all(p.grad is None for p in cnn.parameters())


# --------------------------------------------------------------------------- figures and widget
def test_hierarchy_figures():
    cnn = mb.experiments.build_model("CNN")
    mixer = mb.experiments.build_model("Mixer")
    traces = {
        "CNN": probe.trace_shapes(cnn, torch.zeros(1, 1, 28, 28), max_depth=2),
        "Mixer": probe.trace_shapes(mixer, torch.zeros(1, 1, 28, 28), leaf_types=(PatchEmbedding, MixerBlock)),
    }
    fields = probe.receptive_fields(cnn)
    image = torch.randint(0, 256, (28, 28), dtype=torch.uint8)
    maps = probe.feature_maps(cnn, image, ["features.0.2", "features.1.2"])
    figs = [
        viz.plot_activation_shapes(traces),
        viz.plot_receptive_fields(fields, 28, measured={"features.1.0": 8}, labels={"features.0.0": "conv 1"}),
        viz.plot_gradient_probes({"lớp 1": probe.gradient_receptive_field(mixer, (1, 28, 28), layer="blocks.0")},
                                 image=image),
        viz.plot_feature_maps(image, {"tầng 1": maps["features.0.2"], "tầng 2": maps["features.1.2"]}, 4),
        viz.plot_feature_map_detail(image, maps["features.1.2"][0], 5, "tầng 2"),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and fig.axes
        matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="between 0 and 31"):
        viz.plot_feature_map_detail(image, maps["features.1.2"][0], 32)
    with pytest.raises(ValueError, match="at least one"):
        viz.plot_activation_shapes({"MLP": probe.trace_shapes(mb.experiments.build_model("MLP"),
                                                              torch.zeros(1, 1, 28, 28), include_input=False)})


def test_activation_shapes_collapses_runs_of_identical_blocks():
    with torch.device("meta"):
        b16 = MlpMixer.from_paper("B/16")
    rows = probe.trace_shapes(b16, torch.zeros(1, 3, 224, 224), leaf_types=(PatchEmbedding, MixerBlock))
    kept = viz._collapse_runs([r for r in rows if len(r.shape) in (3, 4)], 5)
    names = [r[1].name if isinstance(r, tuple) else r.name for r in kept]
    assert names == ["input", "stem", "blocks.0", "blocks.1", "blocks.2", "blocks.11", "pre_head_norm"]
    assert kept[4][0] == 9  # blocks 2 ... 10 left out
    fig = viz.plot_activation_shapes({"Mixer-B/16": rows})
    assert isinstance(fig, Figure)
    matplotlib.pyplot.close(fig)


def test_display_names_are_vietnamese_for_every_module_of_the_books_models():
    """Tables and figure labels name layers for readers: no raw module path (``blocks.0``, ``features.1.0``,
    ``pre_head_norm``, ``stem``) and no class name (``Tensor``, ``Conv2d``) may reach them."""
    import torchvision

    from mixerbook.probe import TYPE_NAMES, display_name, trace_markdown, trace_shapes

    models = {name: mb.experiments.build_model(name) for name in ("CNN", "CNN-pyramid", "MLP", "Mixer", "Mixer-tiny")}
    with torch.device("meta"):
        models["ResNet-18"] = torchvision.models.resnet18(weights=None)
        models["Mixer-B/16"] = mb.models.MlpMixer.from_paper("B/16")
    big = torch.zeros(1, 3, 224, 224)
    for model_name, model in models.items():
        x = big if model_name in ("ResNet-18", "Mixer-B/16") else torch.zeros(1, 1, 28, 28)
        for name, module in [("input", None), *model.named_modules()]:
            if not name:
                continue
            shown = display_name(name, type(module).__name__ if module is not None else "Tensor")
            assert shown != name and "_" not in shown and not re.search(r"\w\.\d", shown), (model_name, name, shown)
        table = trace_markdown(trace_shapes(model, x, max_depth=2))
        for english in ("input", "Tensor", "stem", "blocks.", "features.", "pre_head_norm", "layer1"):
            assert english not in table, f"{model_name}: {english!r} in\n{table}"
    assert display_name("blocks.0") == "lớp Mixer 1" and display_name("features.1.0", "Conv2d") == "tầng 2, tích chập"
    assert display_name("unknown", "Conv2d") == TYPE_NAMES["Conv2d"] and display_name("unknown") == "unknown"
