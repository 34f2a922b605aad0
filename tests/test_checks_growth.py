"""The checkers of the chapter "Số tham số tăng theo bình phương" accept the reference and reject realistic slips."""

from mixerbook.checks import growth as ch2


def test_token_mlp_params_accepts_reference(capsys):
    assert ch2.check_token_mlp_params(ch2._reference_token_mlp_params)
    assert "[ĐẠT]" in capsys.readouterr().out
    assert ch2.check_token_mlp_params(lambda s, d: (s * d + d) + (d * s + s), verbose=False)


def test_token_mlp_params_rejects_wrong_answers(capsys):
    wrong = {
        "first layer only (the report's 50,432)": lambda s, d: s * d + d,
        "no biases": lambda s, d: 2 * s * d,
        "one bias missing": lambda s, d: 2 * s * d + d,
        "S x S weights": lambda s, d: 2 * s * s + d + s,
        "quadratic in S": lambda s, d: s * s * d + d + s,
        "untied across 768 channels": lambda s, d: 768 * (2 * s * d + d + s),
    }
    for name, fn in wrong.items():
        assert not ch2.check_token_mlp_params(fn, verbose=False), name
    ch2.check_token_mlp_params(wrong["first layer only (the report's 50,432)"])
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "50\u00a0432" in out and "Gợi ý" in out
    ch2.check_token_mlp_params(wrong["no biases"])
    assert "thiếu hai vector bias" in capsys.readouterr().out


def test_token_mlp_params_stub_gets_a_friendly_verdict(capsys):
    def stub(num_patches, tokens_mlp_dim):
        raise NotImplementedError

    assert not ch2.check_token_mlp_params(stub)
    assert "NotImplementedError" in capsys.readouterr().out


def test_conv_macs_accepts_reference(capsys):
    assert ch2.check_conv_macs(ch2._reference_conv_macs)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_conv_macs_rejects_wrong_answers():
    wrong = {
        "k instead of k^2": lambda h, w, ci, co, k: h * w * k * ci * co,
        "forgets input channels": lambda h, w, ci, co, k: h * w * k * k * co,
        "adds the bias": lambda h, w, ci, co, k: h * w * (k * k * ci + 1) * co,
        "counts FLOPs": lambda h, w, ci, co, k: 2 * h * w * k * k * ci * co,
        "parameters, not multiply-adds": lambda h, w, ci, co, k: k * k * ci * co + co,
        "valid padding": lambda h, w, ci, co, k: (h - k + 1) * (w - k + 1) * k * k * ci * co,
    }
    for name, fn in wrong.items():
        assert not ch2.check_conv_macs(fn, verbose=False), name


def test_conv_macs_names_flop_instead_of_mac(capsys):
    """A doubled count is told it is the FLOP count, not the MAC count (review, exercise 2.3)."""
    ch2.check_conv_macs(lambda h, w, ci, co, k: 2 * ch2._reference_conv_macs(h, w, ci, co, k))
    assert "đó là số FLOP; bài hỏi số MAC" in capsys.readouterr().out
    ch2.check_conv_macs(lambda h, w, ci, co, k: h * w * k * k * co)
    assert "thiếu thừa số C_in" in capsys.readouterr().out
