"""The receptive-field checker accepts the reference and rejects realistic wrong answers."""

from mixerbook.checks import hierarchy as ch4


def _ignores_strides(kernels, strides):
    out, size = [], 1
    for k in kernels:
        size += k - 1
        out.append(size)
    return out


def _adds_kernel_sizes(kernels, strides):
    out, size, jump = [], 0, 1
    for k, s in zip(kernels, strides, strict=True):
        size += k * jump
        jump *= s
        out.append(size)
    return out


def _off_by_one(kernels, strides):  # starts from r_0 = 0 instead of one pixel
    out, size, jump = [], 0, 1
    for k, s in zip(kernels, strides, strict=True):
        size += (k - 1) * jump
        jump *= s
        out.append(size)
    return out


def _updates_jump_too_early(kernels, strides):
    out, size, jump = [], 1, 1
    for k, s in zip(kernels, strides, strict=True):
        jump *= s
        size += (k - 1) * jump
        out.append(size)
    return out


def _only_the_last_layer(kernels, strides):
    return ch4._reference_receptive_field(kernels, strides)[-1]


def test_receptive_field_accepts_reference(capsys):
    assert ch4.check_receptive_field(ch4._reference_receptive_field)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_receptive_field_accepts_a_tuple_answer():
    assert ch4.check_receptive_field(lambda k, s: tuple(ch4._reference_receptive_field(k, s)), verbose=False)


def test_receptive_field_rejects_wrong_answers(capsys):
    expected_failure = {
        _ignores_strides: "đúng công thức truy hồi khi có bước (stride) > 1",
        _adds_kernel_sizes: "chồng tích chập 3×3 bước 1: 3, 5, 7, 9",
        _off_by_one: "chồng tích chập 3×3 bước 1: 3, 5, 7, 9",
        _updates_jump_too_early: "đúng công thức truy hồi khi có bước (stride) > 1",
        _only_the_last_layer: "trả về một giá trị cho mỗi lớp",
    }
    for fn, prop in expected_failure.items():
        result = ch4.check_receptive_field(fn, verbose=False)
        assert not result, fn.__name__
        assert result.failed == [prop], (fn.__name__, result.failed)
    ch4.check_receptive_field(_ignores_strides)
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "Gợi ý" in out and "kernel [3, 2, 3, 2]" in out


def test_receptive_field_stub_gets_a_friendly_verdict(capsys):
    def stub(kernels, strides):
        raise NotImplementedError

    assert not ch4.check_receptive_field(stub)
    assert "NotImplementedError" in capsys.readouterr().out
