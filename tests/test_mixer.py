"""MLP-Mixer: Table 1 parameter counts, shapes, gradients, and the equivalences the book teaches."""

import pytest
import torch

from mixerbook.complexity import count_params
from mixerbook.models import PAPER_CONFIGS, MixerBlock, MlpMixer, PatchEmbedding

# Table 1 of Tolstikhin et al. (2021), in millions, without the classification head (facts.md section 1).
TABLE_1_MILLIONS = {"S/32": 19, "S/16": 18, "B/32": 60, "B/16": 59, "L/32": 206, "L/16": 207, "H/14": 431}


@pytest.mark.parametrize("name", list(TABLE_1_MILLIONS))
def test_table_1_parameter_counts(name):
    with torch.device("meta"):
        model = MlpMixer.from_paper(name, num_classes=0)
    assert round(count_params(model) / 1e6) == TABLE_1_MILLIONS[name]


def test_exact_count_of_one_mixer_b16_layer():
    # facts.md section 7: token MLP 151,108, channel MLP 4,722,432, LayerNorms 3,072.
    block = MixerBlock(num_patches=196, hidden_dim=768, tokens_mlp_dim=384, channels_mlp_dim=3072)
    assert count_params(block.token_mixing) == 151_108
    assert count_params(block.channel_mixing) == 4_722_432
    assert count_params(block.norm1) + count_params(block.norm2) == 3_072


def test_head_adds_c_times_classes_plus_classes():
    with torch.device("meta"):
        without = count_params(MlpMixer.from_paper("B/16", num_classes=0))
        with_head = count_params(MlpMixer.from_paper("B/16", num_classes=1000))
    assert with_head - without == 768 * 1000 + 1000


def test_unknown_config_and_bad_patch_size_are_explained():
    with pytest.raises(ValueError, match="Unknown Mixer configuration 'X/8'"):
        MlpMixer.from_paper("X/8")
    with pytest.raises(ValueError, match="image_size 28 is not divisible by patch_size 5"):
        PatchEmbedding(28, 5, 1, 8)
    stem = PatchEmbedding(28, 7, 1, 8)
    with pytest.raises(ValueError, match="built for 28x28 images with patch_size 7, got 32x32"):
        stem(torch.zeros(1, 1, 32, 32))


def small_mixer(**kw):
    cfg = dict(num_classes=10, num_blocks=2, patch_size=7, hidden_dim=16, tokens_mlp_dim=8, channels_mlp_dim=32,
               image_size=28, in_channels=1)
    cfg.update(kw)
    return MlpMixer(**cfg)


def test_shapes_through_the_model():
    model = small_mixer()
    x = torch.randn(3, 1, 28, 28)
    assert model.stem(x).shape == (3, 16, 16)  # (B, S, C): S = (28/7)^2 = 16
    assert model.forward_features(x).shape == (3, 16, 16)
    assert model(x).shape == (3, 10)


def test_every_parameter_gets_a_gradient():
    torch.manual_seed(0)
    model = small_mixer()
    torch.nn.init.normal_(model.head.weight)  # the zero-initialised head would block gradients below it
    model(torch.randn(4, 1, 28, 28)).logsumexp(1).mean().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name


def test_conv_patch_embedding_equals_reshape_plus_linear():
    torch.manual_seed(0)
    stem = PatchEmbedding(image_size=12, patch_size=4, in_channels=3, hidden_dim=5)
    x = torch.randn(2, 3, 12, 12)
    p = 4
    patches = x.unfold(2, p, p).unfold(3, p, p)  # (B, C, 3, 3, P, P)
    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(2, 9, 3 * p * p)  # (B, S, C*P*P)
    weight = stem.proj.weight.reshape(5, -1)  # (hidden, C*P*P)
    expected = patches @ weight.T + stem.proj.bias
    assert torch.allclose(stem(x), expected, atol=1e-5)


def test_token_mixing_shares_weights_across_channels():
    torch.manual_seed(0)
    block = MixerBlock(num_patches=6, hidden_dim=4, tokens_mlp_dim=3, channels_mlp_dim=8)
    x = torch.randn(1, 6, 4)
    y = block.norm1(x).transpose(1, 2)  # (1, C, S)
    mixed = block.token_mixing(y)
    for c in range(4):  # the same MLP applied to each channel column separately
        assert torch.allclose(mixed[0, c], block.token_mixing(y[0, c]), atol=1e-6)


def test_paper_configs_follow_the_pattern():
    for cfg in PAPER_CONFIGS.values():
        assert cfg["tokens_mlp_dim"] * 2 == cfg["hidden_dim"] and cfg["channels_mlp_dim"] == 4 * cfg["hidden_dim"]


@pytest.mark.parametrize("name", ["S/16", "B/32"])
def test_same_parameter_count_as_timm(name):
    timm_mixer = pytest.importorskip("timm.models.mlp_mixer")
    cfg = PAPER_CONFIGS[name]
    with torch.device("meta"):
        ours = MlpMixer.from_paper(name)
        theirs = timm_mixer.MlpMixer(num_classes=1000, img_size=224, patch_size=cfg["patch_size"],
                                     num_blocks=cfg["num_blocks"], embed_dim=cfg["hidden_dim"], mlp_ratio=(0.5, 4.0))
    assert count_params(ours) == count_params(theirs)


def _reference_mixer(model, images):
    """The Mixer written out with plain tensor operations, from Eq. (1) of the paper, on the model's weights."""
    import torch.nn.functional as F

    p = model.stem.patch_size
    patches = images.unfold(2, p, p).unfold(3, p, p)  # (B, C_in, H/P, W/P, P, P)
    patches = patches.permute(0, 2, 3, 1, 4, 5).flatten(3).flatten(1, 2)  # (B, S, C_in*P*P)
    x = patches @ model.stem.proj.weight.flatten(1).T + model.stem.proj.bias  # (B, S, C)
    for blk in model.blocks:
        def ln(t, norm):
            return F.layer_norm(t, norm.normalized_shape, norm.weight, norm.bias, norm.eps)

        def mlp(t, m):
            return F.gelu(t @ m.fc1.weight.T + m.fc1.bias) @ m.fc2.weight.T + m.fc2.bias

        x = x + mlp(ln(x, blk.norm1).transpose(1, 2), blk.token_mixing).transpose(1, 2)  # per channel column
        x = x + mlp(ln(x, blk.norm2), blk.channel_mixing)  # per patch row
    x = F.layer_norm(x, (x.shape[-1],), model.pre_head_norm.weight, model.pre_head_norm.bias,
                     model.pre_head_norm.eps)
    return x.mean(1) @ model.head.weight.T + model.head.bias


@pytest.mark.parametrize("memory_format", [torch.contiguous_format, torch.channels_last])
def test_forward_and_gradients_equal_a_plain_reference(memory_format):
    import copy

    import mixerbook as mb

    torch.manual_seed(0)
    model = mb.experiments.build_model("Mixer")
    torch.nn.init.normal_(model.head.weight, std=0.1)  # the zero head would hide everything below it
    keys = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    reference = copy.deepcopy(model)
    x = torch.rand(5, 1, 28, 28)
    model.to(memory_format=memory_format)
    out = model(x.contiguous(memory_format=memory_format))
    expected = _reference_mixer(reference, x)
    assert torch.allclose(out, expected, atol=1e-5, rtol=1e-5)
    out.square().sum().backward()
    expected.square().sum().backward()
    for (name, p), q in zip(model.named_parameters(), reference.parameters(), strict=True):
        assert torch.allclose(p.grad, q.grad, atol=1e-4, rtol=1e-4), name
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == keys
    assert "blocks.0.token_mixing.fc1.weight" in keys and keys["blocks.0.token_mixing.fc1.weight"] == (64, 16)
