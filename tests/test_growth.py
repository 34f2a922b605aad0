"""Chapter "Số tham số tăng theo bình phương": Mixer-layer formulas, growth series, the measured sweep, plots
and the growth widget."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import complexity as cx  # noqa: E402
from mixerbook import viz  # noqa: E402
from mixerbook.models.mixer import PAPER_CONFIGS, MixerBlock, MlpBlock  # noqa: E402


def test_mixer_b16_layer_counts_from_the_fact_sheet():
    # facts.md section 7: token MLP 151,108, channel MLP 4,722,432, LayerNorms 3,072.
    assert cx.mixer_token_mlp_params(196, 384) == 151_108
    assert cx.mixer_channel_mlp_params(768, 3072) == 4_722_432
    assert cx.mixer_block_params(196, 768, 384, 3072) == 151_108 + 4_722_432 + 3_072
    # facts.md section 10: the report's 50,432 is only the first layer; the full MLP is 100,804.
    assert cx.mixer_token_mlp_params(196, 256) == 100_804
    assert cx.linear_params(196, 256) == 50_432


@pytest.mark.parametrize("s,c,ds,dc", [(196, 768, 384, 3072), (4, 8, 3, 16), (49, 512, 256, 2048), (1, 1, 1, 1)])
def test_mixer_block_formulas_equal_the_module(s, c, ds, dc):
    with torch.device("meta"):
        block = MixerBlock(s, c, ds, dc)
    assert cx.count_params(block) == cx.mixer_block_params(s, c, ds, dc)
    assert cx.count_params(block.token_mixing) == cx.mixer_token_mlp_params(s, ds)
    assert cx.count_params(block.channel_mixing) == cx.mixer_channel_mlp_params(c, dc)
    assert cx.count_macs(block, (s, c)) == cx.mixer_block_macs(s, c, ds, dc)


def test_paper_configs_layer_formula_times_blocks():
    # Table 1 counts leave out the head: stem + blocks + final LayerNorm.
    for name, cfg in PAPER_CONFIGS.items():
        with torch.device("meta"):
            model = mb.models.MlpMixer.from_paper(name, num_classes=0)
        s = (224 // cfg["patch_size"]) ** 2
        c = cfg["hidden_dim"]
        stem = cx.conv2d_params(3, c, cfg["patch_size"])
        blocks = cfg["num_blocks"] * cx.mixer_block_params(s, c, cfg["tokens_mlp_dim"], cfg["channels_mlp_dim"])
        assert cx.count_params(model) == stem + blocks + 2 * c, name


def test_token_mlp_is_linear_in_patches_and_blind_to_channels():
    a, b = cx.mixer_token_mlp_params(196, 384), cx.mixer_token_mlp_params(784, 384)
    assert (b - 384) == 4 * (a - 384)
    assert cx.mixer_block_macs(784, 768, 384, 3072) == 4 * cx.mixer_block_macs(196, 768, 384, 3072)
    assert cx.count_params(MlpBlock(196, 384)) == cx.mixer_token_mlp_params(196, 384)
    with pytest.raises(ValueError, match="num_patches must be a positive int"):
        cx.mixer_token_mlp_params(0, 384)


def test_growth_series_matches_the_report_corrections():
    series = cx.growth_series([224, 448])
    assert series["MLP"]["params"] == [154_141_696, 616_563_712]
    assert series["MLP"]["macs"] == [154_140_672, 616_562_688]
    assert series["CNN"]["params"] == [1_792, 1_792]
    assert series["CNN"]["macs"] == [86_704_128, 346_816_512]
    assert series["Mixer"]["params"][0] == 4_876_612
    assert series["Mixer"]["macs"][1] == 4 * series["Mixer"]["macs"][0]
    with pytest.raises(ValueError, match="not divisible by patch_size 16"):
        cx.growth_series([224, 100])
    with pytest.raises(ValueError, match="at least one resolution"):
        cx.growth_series([])


def test_measured_modules_agree_with_formulas():
    with torch.device("meta"):
        fc = nn.Linear(150_528, 1024)
    assert cx.count_params(fc) == cx.flatten_first_layer(224, 224, 3, 1024)["params"]
    assert cx.count_macs(fc, (150_528,)) == cx.flatten_first_layer(224, 224, 3, 1024)["macs"]
    conv = nn.Conv2d(3, 64, 3, padding=1)
    for r in (224, 448):
        assert cx.count_macs(conv, (3, r, r)) == cx.conv2d_macs(3, 64, 3, r, r)


def test_available_memory_is_positive_and_falls_back():
    assert cx.available_memory("cpu") > 0
    assert cx.available_memory("meta", fallback_bytes=123) == 123


def test_measure_latency_times_a_module():
    ms = cx.measure_latency(nn.Linear(8, 4), torch.ones(2, 8), repeats=2)
    assert ms > 0
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        cx.measure_latency(nn.Linear(8, 4), torch.ones(2, 8), repeats=0)


def test_measure_linear_growth_measures_small_layers():
    points = cx.measure_linear_growth([16, 8], hidden=16, batch_size=2, device="cpu", repeats=1)
    assert [p.resolution for p in points] == [8, 16]
    assert all(p.status == "ok" and p.latency_ms > 0 for p in points)
    assert points[1].params == cx.linear_params(16 * 16 * 3, 16)
    assert points[1].weight_bytes == 4 * points[1].params


def test_measure_linear_growth_stops_cleanly_on_a_tiny_memory_budget():
    # 100 kB of "free memory": a 16x16x3 -> 64 layer (196 kB of weights) must not be allocated.
    points = cx.measure_linear_growth([8, 16, 32], hidden=64, batch_size=1, device="cpu", memory_cap=200_000,
                                      max_fraction=0.5, repeats=1)
    assert [p.status for p in points] == ["ok", "memory", "memory"]
    assert points[1].latency_ms is None and "budget" in points[1].reason
    assert points[1].needed_bytes > points[1].budget_bytes == 100_000


def test_measure_linear_growth_stops_for_time(monkeypatch):
    clock = iter(range(0, 10_000, 5))  # every perf_counter() call moves the clock 5 s
    monkeypatch.setattr(cx, "time", SimpleNamespace(perf_counter=lambda: float(next(clock))))
    points = cx.measure_linear_growth([4, 8, 16], hidden=4, batch_size=1, device="cpu", time_limit_s=20, repeats=1)
    assert points[0].status == "ok"
    assert "time" in {p.status for p in points}
    after = points[[p.status for p in points].index("time") + 1:]
    assert all(p.status == "not run" for p in after)


def test_measure_linear_growth_reports_failed_allocations(monkeypatch):
    def boom(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 9 GiB")

    monkeypatch.setattr(cx, "measure_latency", boom)
    points = cx.measure_linear_growth([8, 16], hidden=4, batch_size=1, device="cpu")
    assert [p.status for p in points] == ["oom", "not run"]
    assert "OutOfMemoryError" in points[0].reason


def test_measure_linear_growth_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_fraction"):
        cx.measure_linear_growth([8], max_fraction=0)
    with pytest.raises(ValueError, match="memory_cap"):
        cx.measure_linear_growth([8], memory_cap=-1)
    with pytest.raises(ValueError, match="at least one resolution"):
        cx.measure_linear_growth([])


def test_growth_plots_return_figures():
    res = [32, 64, 224]
    fig = viz.plot_growth(res, cx.growth_series(res), highlight=224, note="R = 224")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    matplotlib.pyplot.close(fig)
    points = cx.measure_linear_growth([8, 16, 32], hidden=64, batch_size=1, device="cpu", memory_cap=200_000,
                                      repeats=1)
    fig = viz.plot_measured_growth(points, device_name="cpu")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    matplotlib.pyplot.close(fig)
    with pytest.raises(ValueError, match="one value per resolution"):
        viz.plot_growth(res, {"MLP": {"params": [1], "macs": [1]}})
    with pytest.raises(ValueError, match="highlight=100"):
        viz.plot_growth(res, cx.growth_series(res), highlight=100)


