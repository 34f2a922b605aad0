"""Every checker accepts the reference answer and rejects realistic wrong answers."""

from mixerbook.checks import flattening as ch1


def test_flat_index_accepts_reference(capsys):
    assert ch1.check_flat_index(ch1._reference_flat_index)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_flat_index_rejects_wrong_answers(capsys):
    wrong = {
        "column-major": lambda r, c, k, h, w, cc: (c * h + r) * cc + k,
        "uses H as row length": lambda r, c, k, h, w, cc: (r * h + c) * cc + k,
        "channel-first order": lambda r, c, k, h, w, cc: k * h * w + r * w + c,
        "forgets the channel": lambda r, c, k, h, w, cc: r * w + c,
    }
    for name, fn in wrong.items():
        result = ch1.check_flat_index(fn, verbose=False)
        assert not result, name
    ch1.check_flat_index(wrong["uses H as row length"])
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "Gợi ý" in out


def test_flat_index_stub_gets_a_friendly_verdict(capsys):
    def stub(*args):
        raise NotImplementedError

    assert not ch1.check_flat_index(stub)
    assert "NotImplementedError" in capsys.readouterr().out


def test_first_layer_params_accepts_reference():
    assert ch1.check_first_layer_params(lambda h, w, c, n: h * w * c * n + n, verbose=False)


def test_first_layer_params_rejects_wrong_answers():
    missing_bias = ch1.check_first_layer_params(lambda h, w, c, n: h * w * c * n, verbose=False)
    assert not missing_bias and missing_bias.failed == ["khớp số tham số của nn.Linear thật"]
    assert not ch1.check_first_layer_params(lambda h, w, c, n: (h + w + c) * n + n, verbose=False)
    assert not ch1.check_first_layer_params(lambda h, w, c, n: h * w * n + n, verbose=False)


def test_first_layer_params_names_the_slip(capsys):
    """A count without the channels is told 'quên nhân với số kênh C', not 'đừng quên phần bias' (review, ch1)."""
    ch1.check_first_layer_params(lambda h, w, c, n: h * w * n + n)
    assert "quên nhân với số kênh C" in capsys.readouterr().out
    ch1.check_first_layer_params(lambda h, w, c, n: h * w * c * n)
    assert "thiếu phần bias" in capsys.readouterr().out
