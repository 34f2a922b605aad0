"""Chapter 8 (scaling): the paper's tables, throughput and MAC counts, the data-scaling experiment, plots, widget."""

import json
import math

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from mixerbook import complexity, paper, viz
from mixerbook import experiments as ex
from mixerbook.models import MlpMixer


# ----------------------------------------------------------------------------------------- paper.py
def test_tables_have_every_row_with_its_source():
    assert len(paper.TABLE2) == 10 and len(paper.TABLE3) == 26
    assert all(r.source == "[M] Table 2" for r in paper.TABLE2)
    assert all(r.source == "[M] Table 3" for r in paper.TABLE3)
    assert all(r.pretrain in paper.PRETRAIN_SETS or r.pretrain == "unlabelled/weak" for r in paper.RESULTS)
    assert all(r.resolution in (224, 448, 512) for r in paper.TABLE3)
    # (model, top-1) identifies a row: the pairing exercise relies on it
    keys = [(r.model, r.top1) for r in paper.RESULTS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("model, top1, throughput, pretrain, resolution", [
    ("Mixer-B/16", 76.44, 1384, "ImageNet-1k", 224),
    ("ViT-B/16", 79.67, 861, "ImageNet-1k", 224),
    ("Mixer-L/16", 71.76, 419, "ImageNet-1k", 224),
    ("ViT-L/16", 76.11, 280, "ImageNet-1k", 224),
    ("Mixer-L/16", 84.15, 105, "ImageNet-21k", 448),
    ("Mixer-L/16", 82.89, 419, "ImageNet-21k", 224),
    ("Mixer-L/16", 83.91, 105, "ImageNet-21k", 448),
    ("ViT-L/16", 85.30, 32, "ImageNet-21k", 512),
    ("ViT-L/16", 84.46, 280, "ImageNet-21k", 224),
    ("Mixer-H/14", 87.94, 40, "JFT-300M", 448),
    ("Mixer-H/14", 86.32, 194, "JFT-300M", 224),
    ("ViT-H/14", 88.55, 15, "JFT-300M", 518),
    ("ViT-H/14", 86.65, 87, "JFT-300M", 224),
    ("Mixer-L/16", 84.82, 419, "JFT-300M", 224),
    ("Mixer-L/16", 86.78, 105, "JFT-300M", 448),
    ("ViT-L/16", 87.76, 32, "JFT-300M", 512),
])
def test_the_fact_sheet_pairings(model, top1, throughput, pretrain, resolution):
    (row,) = paper.find(model, top1=top1)
    assert (row.throughput, row.pretrain, row.resolution) == (throughput, pretrain, resolution)


def test_ratios_stated_in_the_paper():
    t = {r.label: r.throughput for r in paper.RESULTS}
    assert round(t["Mixer-H/14 448px JFT-300M"] / t["ViT-H/14 518px JFT-300M"], 2) == 2.67  # "2.5x" in §3.1
    assert round(t["Mixer-H/14 224px JFT-300M"] / t["ViT-H/14 224px JFT-300M"], 1) == 2.2  # §3.2, 224 px
    assert round(paper.PAPER_THROUGHPUT.ratio("Mixer-B/16", "ViT-B/16"), 2) == 1.61


def test_parameter_counts_agree_with_our_models_and_the_vit_paper():
    assert paper.PARAMS["ViT-L/16"][0] == 307 and paper.PARAMS["ViT-H/14"][0] == 632
    for name, (millions, source) in paper.PARAMS.items():
        if not name.startswith("Mixer-"):
            continue
        assert source == "[M] Table 1"
        with torch.device("meta"):
            model = MlpMixer.from_paper(name.removeprefix("Mixer-"))
        head = complexity.count_params(model.head)
        assert round((complexity.count_params(model) - head) / 1e6) == millions, name


def test_table3_display_keeps_the_papers_markers():
    """The Table 3 legend's marks survive in the book's table: extra regularization on the ImageNet-1k/21k rows,
    ‡ on their extrapolated costs, ☎ on the ViT numbers supplied privately, and a legend saying what each means."""
    text = paper.results_markdown(paper.TABLE3)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "Bảng 3" in line]
    assert len(rows) == len(paper.TABLE3)
    for r, line in zip(paper.TABLE3, rows, strict=True):
        assert ("‡" in line) == (r.pretrain != "JFT-300M"), line
        assert ("☎" in line) == (r.pretrain != "JFT-300M" and r.family == "ViT"), line
        assert ("điều chuẩn bổ sung" in line) == (r.pretrain != "JFT-300M"), line
    assert "‡ chi phí ngoại suy" in text and "☎ số do các tác giả ViT" in text
    assert "‡" not in paper.results_markdown(paper.TABLE2) and "unlabelled" not in paper.results_markdown(paper.TABLE2)


def test_the_report_table_is_checked_line_by_line():
    wrong_pairs = {c.model for c in paper.REPORT_TABLE if not c.paired_correctly}
    assert wrong_pairs == {"Mixer-L/16", "ViT-L/16", "ViT-H/14"}
    wrong_params = {c.model: c.correct_params_m for c in paper.REPORT_TABLE if not c.params_correct}
    assert wrong_params == {"ViT-L/16": 307, "ViT-H/14": 632}
    by_model = {c.model: c for c in paper.REPORT_TABLE}
    assert by_model["Mixer-L/16"].accuracy_row.throughput == 105
    assert by_model["Mixer-L/16"].throughput_row.top1 == 82.89
    assert by_model["ViT-L/16"].throughput_row.top1 == 84.46
    assert by_model["ViT-H/14"].throughput_row.top1 == 86.65
    assert {c.accuracy_row.pretrain for c in paper.REPORT_TABLE} == {"ImageNet-1k", "ImageNet-21k", "JFT-300M"}
    assert len(paper.ERRATA) == 8 and all(e["source"] for e in paper.ERRATA)


def test_pretraining_series_and_the_reports_plot():
    mixer = paper.pretraining_series("Mixer-L/16")
    assert {k: r.top1 for k, r in mixer.items()} == paper.REPORT_PRETRAINING["Mixer-L/16"]["correct"]
    vit = paper.pretraining_series("ViT-L/16")
    assert {k: r.top1 for k, r in vit.items()} == paper.REPORT_PRETRAINING["ViT-L/16"]["correct"]
    assert list(paper.pretraining_series("ViT-B/16")) == ["ImageNet-1k", "ImageNet-21k"]
    assert paper.pretraining_series("Mixer-L/16")["JFT-300M"].pretrain_epochs == 14
    assert paper.REPORT_PRETRAINING["Mixer-L/16"]["report"]["JFT-300M"] == paper.find("Mixer-H/14", top1=87.94)[0].top1
    with pytest.raises(ValueError, match="No row of Tables 2-3 is about 'Mixer-X/9'"):
        paper.find("Mixer-X/9")
    with pytest.raises(ValueError, match="Unknown pre-training set"):
        paper.find(pretrain="JFT-3B")
    with pytest.raises(ValueError, match="no row of 'HaloNet' at 224"):
        paper.pretraining_series("HaloNet")


def test_subset_study_has_equal_steps():
    study = paper.PRETRAINING_STUDY
    steps = [share * epochs for share, epochs in zip(study["subsets"], study["epochs"], strict=True)]
    assert max(steps) / min(steps) < 1.02  # 3% x 233 = 10% x 70 = 30% x 23 = 100% x 7 (up to rounding)


def test_benchmarks_are_consistent():
    for b in (paper.PAPER_THROUGHPUT, *paper.TIMM_BENCHMARKS):
        assert set(b.images_per_second) == set(ex.REFERENCE_MODELS)
        assert b.ratio("ResNet-50", "Mixer-B/16") > 1  # ResNet-50 is faster than Mixer-B/16 everywhere
        assert "\n" in b.label
    assert all(b.source.startswith("timm results/benchmark-") and b.source.endswith(".csv")
               for b in paper.TIMM_BENCHMARKS)
    assert {f.family for f in paper.FOLLOW_UPS} == {"Mixer", "ResMLP", "gMLP", "ConvMixer"}


# ----------------------------------------------------------------------------------- MACs, attention
def _tiny_vit():
    from torchvision.models.vision_transformer import VisionTransformer

    torch.manual_seed(0)
    return VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64)


def test_count_macs_includes_attention_and_leaves_the_fast_path_setting_alone():
    vit = _tiny_vit()
    n, d, layers, mlp = (32 // 8) ** 2 + 1, 32, 2, 64
    per_layer = 3 * d * d * n + 2 * n * n * d + d * d * n + 2 * d * mlp * n  # qkv, QK^T and AV, out, MLP
    want = 16 * (3 * 8 * 8) * d + layers * per_layer + d * 1000  # patch conv, blocks, head on the class token
    before = torch.backends.mha.get_fastpath_enabled()
    assert complexity.count_macs(vit, (3, 32, 32)) == want
    assert torch.backends.mha.get_fastpath_enabled() == before
    raw = complexity.count_macs(vit, (3, 32, 32), count_attention=False)
    assert raw < want  # FlopCounterMode alone misses the fused attention
    assert vit.training  # the model's mode is restored


def test_vit_b16_macs_match_timm_and_models_without_attention_are_unchanged():
    with torch.device("meta"):
        vit = ex.reference_model("ViT-B/16")
        mixer = ex.reference_model("Mixer-B/16")
    macs = complexity.count_macs(vit, (3, 224, 224))
    assert abs(macs / 1e9 - 17.58) < 0.05  # timm: vit_base_patch16_224, 17.58 GMACs
    assert complexity.count_macs(mixer, (3, 224, 224)) == complexity.count_macs(mixer, (3, 224, 224),
                                                                                 count_attention=False)


# ------------------------------------------------------------------------------------ throughput
def test_reference_models_build_and_validate():
    with torch.device("meta"):
        assert complexity.count_params(ex.reference_model("ViT-B/16")) == 86_567_656
        assert complexity.count_params(ex.reference_model("ResNet-50")) == 25_557_032
        assert complexity.count_params(ex.reference_model("Mixer-B/16")) == 59_880_472
    with pytest.raises(ValueError, match="divisible by 16"):
        ex.reference_model("ViT-B/16", image_size=100)
    with pytest.raises(ValueError, match="Unknown reference model 'ResNet-18'"):
        ex.reference_model("ResNet-18")


def test_throughput_of_named_and_given_models():
    res = ex.throughput(("Mixer-S/32", "ResNet-50"), image_size=64, batch_size=2, steps=1, warmup=0, device="cpu")
    assert list(res) == ["Mixer-S/32", "ResNet-50"]
    for r in res.values():
        assert r.images_per_second > 0 and r.latency_ms > 0 and r.macs > 0 and r.params > 0
        assert r.precision == "float32" and r.device.startswith("cpu") and r.image_size == 64
    assert math.isclose(res["ResNet-50"].images_per_second, 2 / (res["ResNet-50"].latency_ms / 1000))
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.LazyLinear(2))
    net(torch.zeros(1, 3, 16, 16))
    given = ex.throughput({"tiny": net}, image_size=16, budget="smoke", device="cpu")["tiny"]
    assert given.params == complexity.count_params(net) and given.batch_size == 1
    with pytest.raises(ValueError, match="must be positive"):
        ex.throughput(("ResNet-50",), batch_size=0, device="cpu")
    with pytest.raises(ValueError, match="at least one model"):
        ex.throughput((), device="cpu")


# ------------------------------------------------------------------------------------ data scaling
def test_scaling_epochs_gives_equal_steps():
    plan = ex.DATA_SCALING_BUDGETS["quick"]
    for n in plan["sizes"]:
        epochs = ex.scaling_epochs(n, plan["steps"], plan["batch_size"])
        assert epochs * -(-n // plan["batch_size"]) == plan["steps"]
    assert ex.scaling_epochs(60000, 10, 250) == 1
    with pytest.raises(ValueError, match="train_size must be a positive int"):
        ex.scaling_epochs(0, 10, 250)


def test_data_scaling_runs_nested_subsets_with_equal_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    runs = ex.data_scaling("smoke", models=("MLP",), sizes=(500, 250), steps=2, device="cpu", progress=False)
    assert list(runs) == ["MLP/250", "MLP/500"]
    assert [r.steps for r in runs.values()] == [2, 2] and [r.epochs for r in runs.values()] == [2, 1]
    for r in runs.values():
        assert 0 <= r.metrics.accuracy <= 1 and 0 <= r.train_accuracy <= 1
        assert r.history.test_accuracy == []  # tested once, at the end
        assert {"train_size", "steps", "train_accuracy"} <= set(r.row())
    grid = ex.scaling_grid(runs)
    assert list(grid["MLP"]) == [250, 500]
    assert ex.scaling_grid(runs, "train")["MLP"][250] == runs["MLP/250"].train_accuracy
    limited = ex.data_scaling("smoke", models=("MLP",), sizes=(250, 500), steps=2, limit=300, device="cpu",
                              progress=False)
    assert list(limited) == ["MLP/250"] and limited["MLP/250"].history.cached
    with pytest.raises(ValueError, match="sizes must be ints in 1 .. 60000"):
        ex.data_scaling("smoke", sizes=(70000,), device="cpu", progress=False)
    with pytest.raises(ValueError, match="No training-set size is at most limit=100"):
        ex.data_scaling("smoke", sizes=(250,), limit=100, device="cpu", progress=False)
    with pytest.raises(ValueError, match="Unknown metric"):
        ex.scaling_grid(runs, "val")


def test_data_scaling_runs_from_the_command_line(tmp_path, monkeypatch):
    from mixerbook.__main__ import main

    monkeypatch.setenv("MIXERBOOK_CACHE_DIR", str(tmp_path))
    assert "data_scaling" in ex.EXPERIMENTS
    out = tmp_path / "scaling.json"
    assert main(["run", "data_scaling", "--budget", "smoke", "--models", "MLP", "--limit", "500", "--device", "cpu",
                 "--no-progress", "--out", str(out)]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert list(payload["runs"]) == ["MLP/500"] and payload["runs"]["MLP/500"]["train_size"] == 500


# ------------------------------------------------------------------------- beyond: token mixing
def test_token_mixing_params_match_real_layers():
    s, c, d_s, k = 196, 768, 384, 9
    mixer = nn.Sequential(nn.Linear(s, d_s), nn.Linear(d_s, s))
    assert complexity.token_mixing_params("Mixer", s, c, tokens_mlp_dim=d_s) == complexity.count_params(mixer)
    assert complexity.token_mixing_params("ResMLP", s, c) == complexity.count_params(nn.Linear(s, s))
    assert complexity.token_mixing_params("gMLP", s, c) == s * s + s
    depthwise = nn.Conv2d(c, c, k, groups=c, padding=k // 2)
    assert complexity.token_mixing_params("ConvMixer", s, c, kernel_size=k) == complexity.count_params(depthwise)
    assert complexity.token_mixing_params("ConvMixer", 4 * s, c) == complexity.token_mixing_params("ConvMixer", s, c)
    with pytest.raises(ValueError, match="Unknown design 'FNet'"):
        complexity.token_mixing_params("FNet", s, c)


def test_token_mixing_params_match_timm():
    mlp_mixer = pytest.importorskip("timm.models.mlp_mixer")
    s, c = 196, 384
    res = mlp_mixer.ResBlock(c, seq_len=s)
    assert complexity.token_mixing_params("ResMLP", s, c) == complexity.count_params(res.linear_tokens)
    sgu = mlp_mixer.SpatialGatingUnit(2 * c, seq_len=s)
    assert complexity.token_mixing_params("gMLP", s, c) == complexity.count_params(sgu.proj)


# ------------------------------------------------------------------------------------ plots, widget
def test_plots_return_figures_and_validate():
    import matplotlib.pyplot as plt

    figs = [
        viz.plot_accuracy_throughput(paper.RESULTS, report=paper.REPORT_TABLE),
        viz.plot_accuracy_throughput(paper.TABLE3, pretrain="JFT-300M"),
        viz.plot_pretraining_scaling({"Mixer-L/16": {"ImageNet-1k": 71.76, "JFT-300M": 84.82}},
                                     report={"Mixer-L/16": {"ImageNet-1k": 72.6}}),
        viz.plot_data_scaling({"MLP": {1000: 0.7, 4000: 0.8}}, {"MLP": {1000: 0.9, 4000: 0.85}}),
        viz.plot_data_scaling({"Mixer-tiny": {1000: 0.7}}),
        viz.plot_relative_speed({"paper": paper.PAPER_THROUGHPUT.images_per_second}),
        viz.plot_token_mixing_params([16, 196], {"Mixer": [1, 2], "ConvMixer": [3, 3]}, highlight=196),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    plt.close("all")
    with pytest.raises(ValueError, match="at least one row with a throughput"):
        viz.plot_accuracy_throughput(paper.find("MPL"))
    with pytest.raises(ValueError, match="Unknown pre-training set"):
        viz.plot_pretraining_scaling({"x": {"JFT-3B": 90.0}})
    with pytest.raises(ValueError, match="missing in: cpu"):
        viz.plot_relative_speed({"cpu": {"ViT-B/16": 1.0}})
    with pytest.raises(ValueError, match="has 1 values for 2 values of S"):
        viz.plot_token_mixing_params([16, 196], {"Mixer": [1]})


