"""The checkers of the chapter "Kiến trúc MLP-Mixer" accept the reference and reject realistic slips."""

import torch

from mixerbook.checks import mixer as ch7


def test_mixer_block_params_accepts_reference(capsys):
    assert ch7.check_mixer_block_params(ch7._reference_mixer_block_params)
    assert "[ĐẠT]" in capsys.readouterr().out

    def by_hand(s, c, ds, dc):
        return (s * ds + ds) + (ds * s + s) + (c * dc + dc) + (dc * c + c) + 2 * (c + c)

    assert ch7.check_mixer_block_params(by_hand, verbose=False)


def test_mixer_block_params_rejects_wrong_answers(capsys):
    wrong = {
        "forgot LayerNorm params": lambda s, c, ds, dc: (2 * s * ds + ds + s) + (2 * c * dc + dc + c),
        "LayerNorm scale only": lambda s, c, ds, dc: (2 * s * ds + ds + s) + (2 * c * dc + dc + c) + 2 * c,
        "biases missing": lambda s, c, ds, dc: 2 * s * ds + 2 * c * dc + 4 * c,
        "swapped D_S/D_C": lambda s, c, ds, dc: (2 * s * dc + dc + s) + (2 * c * ds + ds + c) + 4 * c,
        "first layers only": lambda s, c, ds, dc: (s * ds + ds) + (c * dc + dc) + 4 * c,
        "token MLP untied across channels": lambda s, c, ds, dc: c * (2 * s * ds + ds + s) + (2 * c * dc + dc + c)
        + 4 * c,
        "returns millions": lambda s, c, ds, dc: ch7._reference_mixer_block_params(s, c, ds, dc) / 1e6,
    }
    for name, fn in wrong.items():
        assert not ch7.check_mixer_block_params(fn, verbose=False), name
    ch7.check_mixer_block_params(wrong["forgot LayerNorm params"])
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "quên tham số của hai LayerNorm" in out
    ch7.check_mixer_block_params(wrong["swapped D_S/D_C"])
    assert "đổi chỗ D_S và D_C" in capsys.readouterr().out
    ch7.check_mixer_block_params(wrong["biases missing"])
    assert "thiếu các vector bias" in capsys.readouterr().out


def test_mixer_block_params_stub_gets_a_friendly_verdict(capsys):
    def stub(num_patches, hidden_dim, tokens_mlp_dim, channels_mlp_dim):
        raise NotImplementedError

    assert not ch7.check_mixer_block_params(stub)
    assert "NotImplementedError" in capsys.readouterr().out


def test_expand_token_weight_accepts_reference(capsys):
    assert ch7.check_expand_token_weight(ch7._reference_expand_token_weight)
    assert "[ĐẠT]" in capsys.readouterr().out

    def by_loop(w, b, k):
        d, s = w.shape
        out = torch.zeros(k * k * d, k * k * s)
        for i in range(k * k):
            out[i * d:(i + 1) * d, i * s:(i + 1) * s] = w
        return out, torch.cat([b] * (k * k))

    assert ch7.check_expand_token_weight(by_loop, verbose=False)


def test_expand_token_weight_rejects_wrong_answers(capsys):
    wrong = {
        "dense tiling": lambda w, b, k: (w.repeat(k * k, k * k), b.repeat(k * k)),
        "Kronecker in the wrong order": lambda w, b, k: (torch.kron(w, torch.eye(k * k)),
                                                         b.repeat_interleave(k * k)),
        "K copies instead of K^2": lambda w, b, k: (torch.block_diag(*[w] * k), b.repeat(k)),
        "bias not tiled": lambda w, b, k: (torch.block_diag(*[w] * (k * k)), torch.cat([b, torch.zeros((k * k - 1)
                                                                                                       * b.numel())])),
        "transposed": lambda w, b, k: (torch.block_diag(*[w.T] * (k * k)), b.repeat(k * k)),
        "scaled by 1/K^2": lambda w, b, k: (torch.block_diag(*[w] * (k * k)) / (k * k), b.repeat(k * k)),
        "returns only W1'": lambda w, b, k: torch.block_diag(*[w] * (k * k)),
    }
    for name, fn in wrong.items():
        assert not ch7.check_expand_token_weight(fn, verbose=False), name
    ch7.check_expand_token_weight(wrong["dense tiling"])
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "ngoài đường chéo phải bằng 0" in out


def test_expand_token_weight_stub_gets_a_friendly_verdict(capsys):
    def stub(weight, bias, factor):
        raise NotImplementedError

    assert not ch7.check_expand_token_weight(stub)
    assert "NotImplementedError" in capsys.readouterr().out
