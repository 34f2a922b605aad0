"""Chapter "Trộn token và trộn kênh": one layer step by step, permutations, the grouped-convolution view,
parameter sharing, the token-weight maps, and the two widgets."""

import matplotlib.pyplot as plt
import pytest
import torch

import mixerbook as mb
from mixerbook import complexity, mixing
from mixerbook.models import MixerBlock


def _block(s=16, c=12, d_s=8, d_c=24, seed=0):
    torch.manual_seed(seed)
    return MixerBlock(s, c, d_s, d_c).eval()


def test_block_steps_end_where_the_block_ends():
    block = _block()
    x = torch.randn(16, 12)
    steps = mixing.block_steps(block, x)
    with torch.no_grad():
        assert torch.allclose(steps.y, block(x[None])[0], atol=1e-6)
        assert torch.allclose(steps.u, mixing.token_mixing_sublayer(block, x[None])[0])
    assert torch.equal(steps.table("input"), x)
    with pytest.raises(ValueError, match="one \\(S, C\\) table"):
        mixing.block_steps(block, torch.randn(2, 16, 12))


def test_token_half_mixes_columns_only_without_layernorm():
    # With LayerNorm out of the way, U[:, i] depends on column i of X alone; Y[j, :] on row j of U alone.
    block = _block()
    block.norm1 = torch.nn.Identity()
    x = torch.randn(1, 16, 12)
    x2 = x.clone()
    x2[0, :, 5] += 1.0  # change channel column 5 only
    with torch.no_grad():
        changed = (mixing.token_mixing_sublayer(block, x2) - mixing.token_mixing_sublayer(block, x)).abs()[0]
    assert changed[:, 5].min() > 0 and changed[:, [i for i in range(12) if i != 5]].max() == 0


def test_mixing_sources_masks():
    assert mixing.mixing_sources(4, 3, 1, 2, "token").nonzero().tolist() == [[0, 2], [1, 2], [2, 2], [3, 2]]
    assert mixing.mixing_sources(4, 3, 1, 2, "channel").nonzero().tolist() == [[1, 0], [1, 1], [1, 2]]
    assert mixing.mixing_sources(4, 3, 1, 2, "block").all()
    with pytest.raises(ValueError, match="outside a 4x3 table"):
        mixing.mixing_sources(4, 3, 4, 0, "token")
    with pytest.raises(ValueError, match="Unknown step"):
        mixing.mixing_sources(4, 3, 0, 0, "tokens")


def test_token_mixing_is_not_permutation_equivariant_but_attention_is():
    block = _block(s=16, c=32)
    x = torch.randn(4, 16, 32)
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(1))
    mlp_error = mixing.permutation_error(lambda t: mixing.token_mixing_sublayer(block, t), x, perm)
    attention = mixing.attention_layer(32, num_heads=4, seed=0)
    attention_error = mixing.permutation_error(attention, x, perm)
    assert mlp_error > 0.1 and attention_error < 1e-5
    # Channel-mixing treats every token alike: it IS equivariant to reordering the tokens.
    channel = lambda t: t + block.channel_mixing(block.norm2(t))  # noqa: E731
    assert mixing.permutation_error(channel, x, perm) < 1e-5
    with pytest.raises(ValueError, match="permutation of 0 .. 15"):
        mixing.permutation_error(attention, x, torch.zeros(16, dtype=torch.long))


def test_attention_layer_is_seeded_and_leaves_the_global_generator_alone():
    torch.manual_seed(5)
    before = torch.random.get_rng_state()
    a, b = mixing.attention_layer(16, 2, seed=3), mixing.attention_layer(16, 2, seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.equal(a.module.in_proj_weight, b.module.in_proj_weight)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        mixing.attention_layer(10, 4)


def test_token_mixing_as_grouped_convolution_equals_the_mlp():
    block = _block(s=16, c=12, d_s=8)
    conv = mixing.TokenMixingAsConv(block.token_mixing, hidden_dim=12)
    assert conv.conv1.groups == 12 and conv.conv1.kernel_size == (16,)  # one group per channel, kernel spans S
    y = torch.randn(3, 12, 16)  # (B, C, S)
    with torch.no_grad():
        assert (conv.first_layer(y) - block.token_mixing.fc1(y)).abs().max() < 1e-5
        assert (conv(y) - block.token_mixing(y)).abs().max() < 1e-5
    # Stored as a convolution, every channel holds its own copy: C times the shared MLP's parameters.
    assert complexity.count_params(conv) == complexity.mixer_token_mlp_params_untied(16, 8, 12)
    assert complexity.count_params(conv) == 12 * complexity.count_params(block.token_mixing)
    with pytest.raises(ValueError, match="expects \\(B, 12, 16\\)"):
        conv(torch.randn(1, 16, 12))


def test_parameter_sharing_counts_from_the_fact_sheet():
    assert complexity.mixer_token_mlp_params(196, 256) == 100_804
    assert complexity.mixer_token_mlp_params_untied(196, 256, 768) == 77_417_472
    assert complexity.mixer_token_mlp_params(196, 384) == 151_108
    assert complexity.mixer_token_mlp_params_untied(196, 384, 768) == 116_050_944
    # The report's two numbers: first layer only, one with and one without biases.
    assert complexity.linear_params(196, 256) == 50_432
    assert 768 * complexity.linear_params(196, 256, bias=False) == 38_535_168


def test_token_weight_grids_and_opposite_partners():
    block = _block(s=16, d_s=8)
    grids = mixing.token_weight_grids(block)
    assert grids.shape == (8, 4, 4)
    assert torch.equal(grids[3].flatten(), block.token_mixing.fc1.weight[3].detach())
    with torch.no_grad():  # make unit 5 the exact opposite of unit 2
        block.token_mixing.fc1.weight[5] = -block.token_mixing.fc1.weight[2]
    partner, cosine = mixing.opposite_phase_partners(mixing.token_weight_grids(block))
    assert partner[2] == 5 and partner[5] == 2 and cosine[2] == pytest.approx(-1.0, abs=1e-6)
    with pytest.raises(ValueError, match="not a square grid"):
        mixing.token_weight_grids(MixerBlock(12, 4, 3, 5))


@pytest.mark.parametrize("step", ["input", "token", "channel"])
def test_plot_mixing_table_small_and_large(step):
    small = mixing.block_steps(_block(s=4, c=3, d_s=5, d_c=6), torch.randn(4, 3))
    fig = mb.viz.plot_mixing_table(small, 1, 2, step)
    assert len(fig.axes) == 3
    plt.close(fig)
    large = mixing.block_steps(_block(s=16, c=128, d_s=8, d_c=16), torch.randn(16, 128))
    plt.close(mb.viz.plot_mixing_table(large, 5, 100, step))
    with pytest.raises(ValueError, match="outside the 4x3 table"):
        mb.viz.plot_mixing_table(small, 4, 0, step)


