"""Every plotting function of mixerbook.viz, drawn with realistic data, passes tests/figure_checks.py.

The data have the ranges a `quick` build on a CPU prints (Fashion-MNIST accuracies around 0.87-0.92,
chapter 2's latencies, the paper's tables), so that the figures are checked as readers see them.

Run as a script to render every case to a folder and print the problems found:
``python tests/test_figures.py /tmp/figures``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figure_checks import figure_problems  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import viz  # noqa: E402


def _images(n: int = 20) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST-like images without the data set: blurred random blobs (the checks need shapes only)."""
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, 1, 28, 28, generator=g)
    x = torch.nn.functional.avg_pool2d(x, 5, stride=1, padding=2)
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    mask = (((yy - 14) / 11) ** 2 + ((xx - 14) / 8) ** 2 < 1).float()
    imgs = (x[:, 0] * mask * 255 * 1.8).clamp(0, 255).to(torch.uint8)
    return imgs, torch.arange(n) % 10


# ----------------------------------------------------------------------------- realistic data per chapter
METRICS = {"MLP": {"accuracy": 0.8871, "precision": 0.8880, "recall": 0.8871},
           "CNN": {"accuracy": 0.9134, "precision": 0.9139, "recall": 0.9134}}
REPORT = {"CNN": {"accuracy": 0.915, "precision": 0.915, "recall": 0.915},
          "MLP": {"accuracy": 0.880, "precision": 0.880, "recall": 0.880}}


def _confusion() -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    conf = torch.randint(0, 40, (10, 10), generator=g) + torch.diag(torch.full((10,), 880))
    conf[6, 0], conf[0, 6], conf[4, 2] = 150, 90, 110
    return conf


def _growth_points() -> list:
    """Chapter 2's sweep on a 2-core CPU: measured up to R = 448 (6.8x the time of 224), stopped at 896."""
    rows = []
    latency = {32: 0.05, 64: 0.2, 128: 0.8, 224: 4.4, 448: 29.9}
    for r in (32, 64, 128, 224, 448, 896, 1344, 1792, 2240):
        inputs = r * r * 3
        params = inputs * 1024 + 1024
        status = "ok" if r in latency else ("memory" if r == 896 else "not run")
        rows.append(mb.complexity.GrowthPoint(r, inputs, params, params * 4, params * 4 + 8 * inputs * 4,
                                              int(3.2e9), latency.get(r), status, ""))
    return rows


def _scoreboard() -> list[dict]:
    return [
        {"model": "MLP", "params": 235_146, "macs": 234_752, "seconds_per_epoch": 3.0, "accuracy": 0.8914,
         "cached": False},
        {"model": "CNN", "params": 206_922, "macs": 2_495_232, "seconds_per_epoch": 26.3, "accuracy": 0.9134,
         "cached": True},
        {"model": "Mixer", "params": 282_186, "macs": 2_772_992, "seconds_per_epoch": 63.9, "accuracy": 0.8931,
         "cached": False},
    ]


def _b16():
    with torch.device("meta"):
        return mb.models.MlpMixer.from_paper("B/16")


def _photo() -> torch.Tensor:
    return mb.data.sample_photo(224)


def _mixing_steps():
    mb.set_seed(0)
    block = mb.models.MixerBlock(num_patches=4, hidden_dim=3, tokens_mlp_dim=8, channels_mlp_dim=12).eval()
    return mb.mixing.block_steps(block, torch.randn(4, 3))


def _token_grids():
    mixer = mb.experiments.build_model("Mixer")
    return mb.mixing.token_weight_grids(mixer.blocks[0])


def _expanded_weight():
    mixer = mb.experiments.build_model("Mixer-tiny")
    big = mb.models.mixer.expand_token_mlp(mixer.blocks[0].token_mixing, grid_size=4, factor=2)
    return big.fc1.weight


def _equivariance():
    imgs, _ = _images(8)
    mb.set_seed(0)
    layers = {"Tích chập 3×3": torch.nn.Conv2d(1, 8, kernel_size=3, padding=1),
              "Kết nối đầy đủ": torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 784),
                                                    torch.nn.Unflatten(1, (1, 28, 28)))}
    return {name: mb.experiments.equivariance_check(layer, imgs, dx=1) for name, layer in layers.items()}


def _gradient_probes():
    probes = {}
    for layers in (1, 2, 3):
        mb.set_seed(layers)
        stack = torch.nn.Sequential(*[torch.nn.Conv2d(1, 1, 3, padding=1) for _ in range(layers)])
        probes[f"{layers} lớp tích chập 3×3"] = mb.probe.gradient_receptive_field(stack, (1, 15, 15))
    dense = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(225, 225), torch.nn.Unflatten(1, (1, 15, 15)))
    probes["1 lớp kết nối đầy đủ"] = mb.probe.gradient_receptive_field(dense, (1, 15, 15))
    return probes


def _traces():
    x = torch.zeros(1, 1, 28, 28)
    return {
        "CNN (hình tháp)": mb.probe.trace_shapes(mb.experiments.build_model("CNN"), x, max_depth=2),
        "Mixer (đẳng hướng)": mb.probe.trace_shapes(mb.experiments.build_model("Mixer"), x,
                                                    leaf_types=(mb.models.PatchEmbedding, mb.models.MixerBlock)),
    }


def _receptive_fields():
    pyramid = mb.experiments.build_model("CNN-pyramid")
    fields = mb.probe.receptive_fields(pyramid)
    return fields, {f.name: f.size for f in fields}


def _feature_maps():
    imgs, _ = _images(1)
    cnn = mb.experiments.build_model("CNN")
    maps = mb.probe.feature_maps(cnn, imgs[0], ["features.0.2", "features.0.3", "features.1.2", "features.1.3"])
    return imgs[0], {f"tầng {k}": v for k, v in zip(("1 (ReLU)", "1 (gộp)", "2 (ReLU)", "2 (gộp)"), maps.values(),
                                                   strict=True)}


def _shuffle():
    imgs, _ = _images(1)
    perm = mb.permute.make_permutation("patch", 28, 28, patch_size=7, seed=0)
    shuffled = perm(imgs[:1])[0]
    return imgs[0], shuffled, imgs[0]


def _pretraining():
    models = ("Mixer-B/16", "ViT-B/16", "Mixer-L/16", "ViT-L/16")
    series = {m: {k: r.top1 for k, r in mb.paper.pretraining_series(m).items()} for m in models}
    return series, {m: v["report"] for m, v in mb.paper.REPORT_PRETRAINING.items()}


def _speed_sources():
    paper = mb.paper.PAPER_THROUGHPUT
    sources = {f"Bài báo\n{paper.hardware}": paper.images_per_second}
    sources.update({f"timm\n{b.label}": b.images_per_second for b in mb.paper.TIMM_BENCHMARKS})
    sources["Lần chạy này\ncpu (2 luồng)"] = {"Mixer-B/16": 11.2, "ViT-B/16": 9.8, "ResNet-50": 35.6}
    return sources


DATA_TEST = {"MLP": {1000: 0.781, 4000: 0.832, 16000: 0.861, 60000: 0.885},
             "CNN": {1000: 0.806, 4000: 0.861, 16000: 0.894, 60000: 0.912},
             "Mixer-tiny": {1000: 0.735, 4000: 0.797, 16000: 0.851, 60000: 0.873}}
DATA_TRAIN = {name: {n: min(1.0, a + 0.18 * (1000 / n) ** 0.5 + 0.01) for n, a in row.items()}
              for name, row in DATA_TEST.items()}

PERMUTATION_GRID = {"MLP": {"none": 0.8914, "patch": 0.8898, "global": 0.8873},
                    "CNN": {"none": 0.9134, "patch": 0.8421, "global": 0.8275},
                    "Mixer-tiny": {"none": 0.8753, "patch": 0.8753, "global": 0.8370}}


def _cases() -> dict:
    imgs, labels = _images(20)
    return {
        "plot_images": lambda: viz.plot_images(imgs, labels, ncols=10),
        "plot_images_titled": lambda: viz.plot_images(imgs[:10].float(), list(range(10)), ncols=10,
                                                      value_range=(0, 255),
                                                      title="Ảnh trung bình của mỗi lớp: mỗi ảnh một hoán vị"),
        "plot_image_as_vector": lambda: viz.plot_image_as_vector(imgs[0]),
        "plot_flatten_neighbours": lambda: viz.plot_flatten_neighbours(5, 5, 2, 2),
        "plot_flatten_neighbours_large": lambda: viz.plot_flatten_neighbours(8, 8, 0, 7),
        "plot_shift": lambda: viz.plot_shift(imgs[0], mb.data.shift_images(imgs[:1], dx=1)[0]),
        "plot_convolution": lambda: viz.plot_convolution(imgs[3]),
        "plot_mixer_overview": lambda: viz.plot_mixer_overview(),
        "plot_mixer_overview_b16": lambda: viz.plot_mixer_overview(_b16()),
        "plot_metrics": lambda: viz.plot_metrics(METRICS, reference=REPORT),
        "plot_metrics_alone": lambda: viz.plot_metrics(METRICS),
        "plot_confusion": lambda: viz.plot_confusion(_confusion(), title="Ma trận nhầm lẫn của CNN (tỉ lệ theo hàng)"),
        "plot_histories": lambda: viz.plot_histories({
            "MLP": [0.812, 0.838, 0.851, 0.859, 0.866, 0.871, 0.878, 0.882, 0.886, 0.8871],
            "CNN": [0.862, 0.887, 0.899, 0.908, 0.9134]}),
        "plot_shift_robustness": lambda: viz.plot_shift_robustness(
            (0, 1, 2, 3), {"MLP": [0.8871, 0.842, 0.638, 0.398], "CNN": [0.9134, 0.902, 0.821, 0.664]}),
        "plot_shift_robustness_ch4": lambda: viz.plot_shift_robustness(
            (0, 1, 2, 3), {"CNN": [0.9134, 0.902, 0.821, 0.664], "CNN-pyramid": [0.905, 0.899, 0.862, 0.771]}),
        "plot_growth": lambda: viz.plot_growth(
            sides := [32, 48, 64, 96, 128, 160, 224, 320, 448, 640, 896, 1344, 1792],
            mb.complexity.growth_series(sides, hidden=1024, channels=3, conv_channels=64, kernel_size=3,
                                        patch_size=16, hidden_dim=768, tokens_mlp_dim=384, channels_mlp_dim=3072),
            highlight=224),
        "plot_measured_growth": lambda: viz.plot_measured_growth(_growth_points(), device_name="cpu (2 luồng)"),
        "plot_neighbour_correlation": lambda: viz.plot_neighbour_correlation(
            {"none": [0.93, 0.82, 0.71, 0.62, 0.55, 0.49, 0.44, 0.40, 0.36, 0.33, 0.30, 0.27],
             "patch": [0.42, 0.31, 0.30, 0.29, 0.27, 0.26, 0.24, 0.22, 0.21, 0.20, 0.20, 0.19],
             "global": [0.21, 0.21, 0.20, 0.20, 0.21, 0.20, 0.20, 0.19, 0.20, 0.20, 0.19, 0.20]}),
        "plot_permutation_results": lambda: viz.plot_permutation_results(
            PERMUTATION_GRID, labels={"patch": "xáo patch 7×7 + điểm ảnh"}),
        "plot_shuffle": lambda: viz.plot_shuffle(*_shuffle(), patch_size=7, title="Xáo patch + điểm ảnh"),
        "plot_equivariance": lambda: viz.plot_equivariance(_equivariance()),
        "plot_gradient_probes": lambda: viz.plot_gradient_probes(_gradient_probes()),
        "plot_activation_shapes": lambda: viz.plot_activation_shapes(_traces()),
        "plot_receptive_fields": lambda: viz.plot_receptive_fields(_receptive_fields()[0], 28,
                                                                   measured=_receptive_fields()[1]),
        "plot_feature_maps": lambda: viz.plot_feature_maps(*_feature_maps()),
        "plot_feature_map_detail": lambda: viz.plot_feature_map_detail(
            _feature_maps()[0], list(_feature_maps()[1].values())[0], channel=3, label="tầng 1 (ReLU)"),
        "plot_scoreboard": lambda: viz.plot_scoreboard(_scoreboard(), target=0.89),
        "plot_token_blocks": lambda: viz.plot_token_blocks(_expanded_weight(), grid_size=4, factor=2),
        "plot_mosaic": lambda: viz.plot_mosaic(imgs[:4], patch_size=7, labels=labels[:4]),
        "plot_patch_grid": lambda: viz.plot_patch_grid(_photo(), patch_size=32, hidden_dim=96),
        "plot_mixing_table": lambda: viz.plot_mixing_table(_mixing_steps(), row=1, col=2, step="channel"),
        "plot_mixing_table_token": lambda: viz.plot_mixing_table(_mixing_steps(), row=1, col=2, step="token"),
        "plot_token_weights": lambda: viz.plot_token_weights(_token_grids(), unit=3, label="lớp Mixer 0", partner=7,
                                                             cosine=-0.41),
        "plot_accuracy_throughput": lambda: viz.plot_accuracy_throughput(mb.paper.TABLE2 + mb.paper.TABLE3,
                                                                         report=mb.paper.REPORT_TABLE),
        "plot_pretraining_scaling": lambda: viz.plot_pretraining_scaling(*_pretraining()),
        "plot_data_scaling": lambda: viz.plot_data_scaling(DATA_TEST, DATA_TRAIN),
        "plot_relative_speed": lambda: viz.plot_relative_speed(_speed_sources()),
        "plot_token_mixing_params": lambda: viz.plot_token_mixing_params(
            S := [16, 49, 64, 196, 576, 784, 3136],
            {d: [mb.complexity.token_mixing_params(d, s, hidden_dim=768) for s in S]
             for d in mb.complexity.TOKEN_MIXERS}, highlight=196),
    }


CASES = sorted(_cases())


def test_every_plotting_function_has_a_case():
    drawn = {name.split("_b16")[0].split("_alone")[0] for name in CASES}
    public = {name for name in viz.__all__ if name.startswith("plot_")}
    missing = sorted(n for n in public if not any(c == n or c.startswith(n + "_") for c in drawn))
    assert not missing, f"viz functions without a case in tests/test_figures.py: {missing}"


@pytest.mark.parametrize("case", CASES)
def test_figure_does_not_mislead(case):
    fig = _cases()[case]()
    try:
        problems = figure_problems(fig)
    finally:
        plt.close(fig)
    assert not problems, f"{case}:\n  " + "\n  ".join(problems)


def test_the_checks_catch_what_they_claim_to():
    """Each check fails on a figure made to have its defect (a check that cannot fail is no check)."""
    fig, ax = plt.subplots()
    ax.bar([0, 1], [0.88, 0.91], label="x")
    ax.set_ylim(0.8, 1.0)
    ax.set_ylabel("độ chính xác")
    ax.plot([0, 1], [0.99, 1.2], "o", label="y")
    ax.legend(loc="lower left")  # over the first bar
    ax.text(0.5, 0.85, "chồng", transform=ax.transData)
    ax.text(0.5, 0.85, "chồng", transform=ax.transData)
    problems = figure_problems(fig)
    plt.close(fig)
    kinds = {p.split(":")[0] for p in problems}
    assert kinds == {"truncated accuracy axis", "legend over data", "clipped data", "overlapping text"}, problems


if __name__ == "__main__":  # render every case and print what the checks find
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/figures")
    out.mkdir(parents=True, exist_ok=True)
    only = sys.argv[2:]
    for name, make in _cases().items():
        if only and name not in only:
            continue
        try:
            fig = make()
        except AttributeError as err:
            print(f"{name}: {err}")
            continue
        problems = figure_problems(fig)
        fig.savefig(out / f"{name}.png", bbox_inches="tight")
        plt.close(fig)
        print(f"{name}: {'ok' if not problems else ''}")
        for p in problems:
            print("   ", p)



def test_new_pictures_have_meaningful_text_alternatives():
    """The architecture diagram and the convolution picture describe themselves (mixerbook.a11y)."""
    overview = viz.plot_mixer_overview()
    text = mb.a11y.describe_figure(overview)
    plt.close(overview)
    assert text.startswith("Hình: MLP-Mixer trong một hình. Sơ đồ «ảnh → nhúng patch → bảng 16 × 128"), text
    for stage in ("trộn token", "trộn kênh", "kết nối tắt", "LayerNorm", "gộp trung bình toàn cục", "đầu phân loại"):
        assert stage in text, (stage, text)
    imgs, _ = _images(1)
    conv = viz.plot_convolution(imgs[0])
    text = mb.a11y.describe_figure(conv)
    plt.close(conv)
    assert "Bộ lọc 3×3" in text and "Bản đồ đặc trưng 6×6" in text, text


def _texts_outside_their_boxes(fig) -> tuple[int, list[str]]:
    """(how many texts sit in a rounded box, those whose rendered extent sticks out of it)."""
    from matplotlib.patches import FancyBboxPatch

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    inside, problems = 0, []
    for ax in fig.axes:
        for patch in (p for p in ax.patches if isinstance(p, FancyBboxPatch)):
            box = patch.get_window_extent(renderer)
            for t in ax.texts:
                x, y = ax.transData.transform(t.get_position())
                if t.get_text() and box.contains(x, y):
                    inside += 1
                    ext = t.get_window_extent(renderer)
                    if ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1 or ext.y0 < box.y0 - 1 or ext.y1 > box.y1 + 1:
                        problems.append(f"{t.get_text()!r} runs out of its box")
    return inside, problems


@pytest.mark.parametrize("model", ["Mixer", "B/16"])
def test_overview_texts_stay_inside_their_boxes(model):
    """The architecture diagram is drawn in data units: at the column's width every box still holds its text."""
    fig = viz.plot_mixer_overview(_b16() if model == "B/16" else None)
    inside, problems = _texts_outside_their_boxes(fig)
    plt.close(fig)
    assert inside >= 8, inside  # stem, 2 x (LayerNorm, MLP), LayerNorm, pooling, head
    assert not problems, problems


def test_the_box_check_catches_a_text_too_wide_for_its_box():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    viz.diagrams._box(ax, 5, 5, 2, 2, "một dòng chữ quá dài cho cái hộp này", "#eeeeee")
    inside, problems = _texts_outside_their_boxes(fig)
    plt.close(fig)
    assert inside == 1 and len(problems) == 1, problems


def test_convolution_picture_shows_the_computed_feature_map():
    """The numbers in the feature-map panel are those of torch's convolution of the crop with the filter."""
    imgs, _ = _images(1)
    kernel = torch.tensor([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
    fig = viz.plot_convolution(imgs[0], kernel=kernel, crop=(5, 7, 7), positions=[(0, 0), (4, 4)])
    crop = imgs[0, 5:12, 7:14].double()
    expected = torch.nn.functional.conv2d(crop[None, None], kernel.double()[None, None])[0, 0]
    shown = [float(t.get_text().replace("−", "-")) for t in fig.axes[2].texts]
    plt.close(fig)
    assert shown == pytest.approx([round(v) for v in expected.flatten().tolist()], abs=0.5)


def test_convolution_picture_rejects_bad_input():
    imgs, _ = _images(1)
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        viz.plot_convolution(imgs[0], kernel=torch.ones(5, 5))
    with pytest.raises(ValueError, match="crop"):
        viz.plot_convolution(imgs[0], crop=(25, 0, 8))
    with pytest.raises(ValueError, match="window position"):
        viz.plot_convolution(imgs[0], positions=[(6, 0)])
    with pytest.raises(ValueError, match="MlpMixer"):
        viz.plot_mixer_overview(torch.nn.Linear(2, 2))
