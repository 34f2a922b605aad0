from mixerbook.checks import conclusion as ch9


def test_accepts_reference(capsys):
    assert ch9.check_first_layer_ratio(ch9._reference_first_layer_ratio)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_rejects_wrong_answers():
    wrong = {
        "no biases": lambda s, h, p, c: (s * s * 3 * h) / (p * p * 3 * c),
        "patch count instead of patch area": lambda s, h, p, c: (s * s * 3 * h + h) / ((s // p) ** 2 * 3 * c + c),
        "forgets colour channels in the MLP": lambda s, h, p, c: (s * s * h + h) / (p * p * 3 * c + c),
        "inverted": lambda s, h, p, c: (p * p * 3 * c + c) / (s * s * 3 * h + h),
    }
    for name, fn in wrong.items():
        assert not ch9.check_first_layer_ratio(fn, verbose=False), name
