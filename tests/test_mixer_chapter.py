"""The chapter "Kiến trúc MLP-Mixer": block-diagonal expansion for higher-resolution fine-tuning, token
blocks, the scoreboard, and the chapter's figures and widget."""

import matplotlib
import pytest
import torch

matplotlib.use("Agg")

from mixerbook import complexity, viz  # noqa: E402
from mixerbook.experiments import RunResult, scoreboard  # noqa: E402
from mixerbook.models import MlpMixer  # noqa: E402
from mixerbook.models.mixer import (  # noqa: E402
    block_order,
    blocks_to_tokens,
    expand_resolution,
    expand_token_mlp,
    tile_images,
    tokens_to_blocks,
)
from mixerbook.train import History, Metrics  # noqa: E402


def small_mixer(num_classes=10, seed=0, **kw):
    torch.manual_seed(seed)
    cfg = dict(num_classes=num_classes, num_blocks=3, patch_size=7, hidden_dim=16, tokens_mlp_dim=8,
               channels_mlp_dim=32, image_size=28, in_channels=1)
    cfg.update(kw)
    model = MlpMixer(**cfg)
    for p in model.parameters():  # away from the default init (zero head, unit LayerNorms)
        torch.nn.init.normal_(p, std=0.3)
    return model.eval()


def test_block_order_is_a_permutation_that_reads_blocks_row_by_row():
    order = block_order(2, 2)
    assert order.tolist() == [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]
    for g, k in [(1, 1), (3, 1), (4, 2), (2, 3), (14, 2)]:
        o = block_order(g, k)
        assert sorted(o.tolist()) == list(range(k * k * g * g))
    assert torch.equal(block_order(5, 1), torch.arange(25))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_tokens_to_blocks_and_back(k):
    x = torch.randn(2, k * k * 9, 5)
    blocks = tokens_to_blocks(x, k)
    assert blocks.shape == (2, k * k, 9, 5)
    assert torch.equal(blocks_to_tokens(blocks), x)


def test_tile_images_matches_the_token_blocks():
    tiles = torch.arange(4 * 6 * 6).reshape(4, 6, 6)
    big = tile_images(tiles)
    assert big.shape == (12, 12)
    assert torch.equal(big[:6, 6:], tiles[1]) and torch.equal(big[6:, :6], tiles[2])
    batch = torch.stack([tiles, tiles + 1])  # (N, K^2, H, W)
    assert torch.equal(tile_images(batch)[1], big + 1)
    # patches of the mosaic, read in block order, are the patches of the tiles
    as_tokens = big.reshape(4, 3, 4, 3).permute(0, 2, 1, 3).reshape(16, 9)  # 3x3 patches, raster order
    per_tile = tokens_to_blocks(as_tokens[None], 2)[0]  # (4, 4, 9)
    tile_tokens = tiles.reshape(4, 2, 3, 2, 3).permute(0, 1, 3, 2, 4).reshape(4, 4, 9)
    assert torch.equal(per_tile, tile_tokens)


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="factor must be a positive int"):
        block_order(4, 0)
    with pytest.raises(ValueError, match="grid_size must be a positive int"):
        block_order(0, 2)
    with pytest.raises(ValueError, match="cannot be split into 2x2 blocks"):
        tokens_to_blocks(torch.zeros(1, 18, 3), 2)
    with pytest.raises(ValueError, match="K\\*\\*2 blocks"):
        blocks_to_tokens(torch.zeros(1, 3, 4, 2))
    with pytest.raises(ValueError, match="needs an MlpMixer"):
        expand_resolution(torch.nn.Linear(2, 2), 2)
    with pytest.raises(ValueError, match="factor must be a positive int"):
        expand_resolution(small_mixer(), 1.5)
    with pytest.raises(ValueError, match="K\\*\\*2 tiles"):
        tile_images(torch.zeros(3, 4, 4))


def test_expanded_model_has_the_paper_shapes():
    model = small_mixer()
    big = expand_resolution(model, 2)
    assert big.stem.image_size == 56 and big.num_patches == 4 * 16
    tm = big.blocks[0].token_mixing
    assert tuple(tm.fc1.weight.shape) == (4 * 8, 4 * 16) and tuple(tm.fc2.weight.shape) == (4 * 16, 4 * 8)
    # only the token-mixing MLPs grow: 2 * (K^2 S)(K^2 D_S) + K^2 D_S + K^2 S per block
    grown = sum(complexity.mixer_token_mlp_params(64, 32) - complexity.mixer_token_mlp_params(16, 8)
                for _ in big.blocks)
    assert complexity.count_params(big) - complexity.count_params(model) == grown
    # every parameter that does not depend on S is copied unchanged
    old = model.state_dict()
    for name, value in big.state_dict().items():
        if "token_mixing" not in name:
            assert torch.equal(value, old[name]), name
    # the expansion is a copy: training it leaves the original alone
    big.blocks[0].channel_mixing.fc1.weight.data.add_(1.0)
    assert not torch.equal(big.blocks[0].channel_mixing.fc1.weight, model.blocks[0].channel_mixing.fc1.weight)


def test_block_diagonal_in_block_order():
    model = small_mixer()
    k, g = 3, 4
    mlp = expand_token_mlp(model.blocks[1].token_mixing, g, k)
    order = block_order(g, k)
    w1 = mlp.fc1.weight[:, order]  # columns in block order
    w2 = mlp.fc2.weight[order, :]  # rows in block order
    old = model.blocks[1].token_mixing
    assert torch.equal(w1, torch.block_diag(*[old.fc1.weight] * k * k))
    assert torch.equal(w2, torch.block_diag(*[old.fc2.weight] * k * k))
    assert torch.equal(mlp.fc1.bias, old.fc1.bias.repeat(k * k))
    assert torch.equal(mlp.fc2.bias[order], old.fc2.bias.repeat(k * k))


def test_factor_one_is_an_exact_copy():
    model = small_mixer()
    same = expand_resolution(model, 1)
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(same(x), model(x))


@pytest.mark.parametrize("k", [2, 3])
def test_each_block_of_tokens_is_the_original_model_on_its_tile(k):
    model = small_mixer()
    big = expand_resolution(model, k)
    tiles = torch.randn(2, k * k, 28, 28)  # two mosaics of K^2 tiles each
    mosaics = tile_images(tiles).unsqueeze(1)  # (2, 1, 28K, 28K)
    seen_big, seen_small = {}, {}

    def keep(store, name):
        return lambda _m, _i, out: store.__setitem__(name, out)

    names = [f"blocks.{i}" for i in range(3)] + ["pre_head_norm"]
    for store, net in [(seen_big, big), (seen_small, model)]:
        for name in names:
            net.get_submodule(name).register_forward_hook(keep(store, name))
    with torch.no_grad():
        logits_big = big(mosaics)
        logits_small = model(tiles.reshape(-1, 1, 28, 28))
    for name in names:
        per_block = tokens_to_blocks(seen_big[name], k).reshape(-1, 16, 16)  # (2*K^2, S, C)
        assert (per_block - seen_small[name]).abs().max() < 1e-5, name
    # pooled over all tokens and a linear head: the logits are the mean of the tiles' logits
    assert torch.allclose(logits_big, logits_small.reshape(2, k * k, -1).mean(1), atol=1e-5)


def test_off_diagonal_weights_learn_during_fine_tuning():
    model = small_mixer()
    big = expand_resolution(model, 2).train()
    big(torch.randn(4, 1, 56, 56)).logsumexp(1).mean().backward()
    grad = big.blocks[0].token_mixing.fc1.weight.grad[:, block_order(4, 2)]  # block order
    mask = torch.block_diag(*[torch.ones(8, 16)] * 4).bool()
    assert grad[~mask].abs().sum() > 0  # the zeros between blocks are free to change


def test_expansion_works_on_the_meta_device():
    with torch.device("meta"):
        b16 = MlpMixer.from_paper("B/16", num_classes=0)
    big = expand_resolution(b16, 2)
    assert big.stem.image_size == 448 and big.num_patches == 784
    assert big.blocks[0].token_mixing.fc1.weight.shape == (1536, 784)
    per_block = complexity.mixer_token_mlp_params(784, 1536) - complexity.mixer_token_mlp_params(196, 384)
    assert complexity.count_params(big) - complexity.count_params(b16) == 12 * per_block


def _run(name, cached, seconds, acc):
    history = History(train_loss=[1.0] * len(seconds), test_accuracy=[acc] * len(seconds), epoch_seconds=seconds,
                      cached=cached)
    metrics = Metrics(accuracy=acc, precision=acc, recall=acc, confusion=torch.eye(10, dtype=torch.long))
    return RunResult(name, torch.nn.Linear(2, 2), 1000, 5000, history, metrics)


def test_scoreboard_rows_and_figure():
    rows = scoreboard({"MLP": _run("MLP", False, [1.0, 3.0], 0.88), "Mixer": _run("Mixer", True, [10.0], 0.9)})
    assert rows[0]["seconds_per_epoch"] == 2.0 and rows[0]["epochs"] == 2 and not rows[0]["cached"]
    assert rows[1]["cached"] and rows[1]["accuracy"] == 0.9
    fig = viz.plot_scoreboard(rows, target=0.89)
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="at least one row"):
        viz.plot_scoreboard([])


def test_token_blocks_figure():
    model = small_mixer()
    mlp = expand_token_mlp(model.blocks[0].token_mixing, 4, 2)
    fig = viz.plot_token_blocks(mlp.fc1.weight, 4, 2)
    assert len(fig.axes) == 5
    with pytest.raises(ValueError, match="weight must be"):
        viz.plot_token_blocks(mlp.fc1.weight, 4, 3)


def test_mosaic_figure():
    tiles = torch.randint(0, 256, (4, 28, 28), dtype=torch.uint8)
    fig = viz.plot_mosaic(tiles, 7, labels=[0, 1, 2, 3])
    assert len(fig.axes) == 5
    with pytest.raises(ValueError, match="K\\*\\*2, H, W"):
        viz.plot_mosaic(tiles[0], 7)
