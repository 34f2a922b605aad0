"""Every checker case of the review (shared/reviews/2026-12-07-chapters.md, "Checkers (15; …)") is a test here,
one function per case and named for it, followed by the package-wide rules those cases came from: one
answer-normalising step, no tick for ``return x`` or a constant, a verdict (never an exception) for a non-callable,
staged hints, and no public reference solutions.

The review's cases, each with its test:

- 1.2 rejects a 0-dim tensor with a self-contradicting message: test_1_2_accepts_a_0dim_tensor_answer
- 9.2 rejects a 0-dim tensor or Fraction equal to the answer:
  test_9_2_accepts_a_fraction_or_0dim_tensor_equal_to_the_answer
- 9.2 prints "cần 24.4586, hàm trả về 24.458616298811545": test_9_2_wrong_value_printed_with_enough_digits
- 4.2 accepts `[v + 0.9 …]` by truncation: test_4_2_rejects_non_integers_instead_of_truncating_them
- 4.2 rejects a NumPy array: test_4_2_accepts_a_numpy_array
- 6.2 ticks three properties for `return x`: test_6_2_return_x_earns_no_false_tick
- 6.2 crashes on a forgotten transpose with an English error:
  test_6_2_forgotten_transpose_gets_the_transpose_hint_in_vietnamese
- 6.2 crashes on a wrong norm axis: test_6_2_wrong_norm_axis_crash_gets_the_norm_hint
- 6.2 rejects `x += …` without saying x was modified: test_6_2_in_place_change_of_x_is_named
- 8.3 files every rounding mistake under "lô cuối thiếu": test_8_3_rounding_is_its_own_property
- one dummy failure reveals the formula or call in 9.2, 7.3, 8.2, 3.2b, 6.2, 1.3:
  test_one_failure_reveals_no_formula_or_call (one case each)
- a non-callable argument raises an English TypeError: test_non_callable_argument_gets_a_verdict (every checker)
- ImageSplit is not sliceable: test_image_split_is_sliceable
- a print inside a student's function floods 413 lines: test_prints_of_the_students_function_are_summarised_in_one_line
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import mixerbook as mb
from mixerbook import checks
from mixerbook.checks import _core
from mixerbook.checks import conclusion as ch9
from mixerbook.checks import flattening as ch1
from mixerbook.checks import growth as ch2
from mixerbook.checks import hierarchy as ch4
from mixerbook.checks import inductive_bias as ch3
from mixerbook.checks import mixer as ch7
from mixerbook.checks import mixing as ch6
from mixerbook.checks import scaling as ch8
from mixerbook.data import ImageSplit

MODULES = ("flattening", "growth", "inductive_bias", "hierarchy", "patches", "mixing", "mixer", "scaling", "conclusion")
CHECKERS = {f"{mod}.{name}": getattr(getattr(checks, mod), name)
            for mod in MODULES for name in getattr(checks, mod).__all__ if name.startswith("check_")}
BOOK = Path(__file__).resolve().parents[1] / "book"


def _run(check, fn, **kwargs) -> tuple[_core.CheckResult, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = check(fn, **kwargs)
    return result, out.getvalue()


def _ratio(size, hidden, p, c):
    """Exercise 9.2's answer as exact integers: the flatten-MLP's first layer over the patch embedding."""
    return size * size * 3 * hidden + hidden, p * p * 3 * c + c


def _token_mixing(x, norm, mlp):
    return x + mlp(norm(x).transpose(1, 2)).transpose(1, 2)


# ------------------------------------------------------------------------------------------------ the review's cases
def test_1_2_accepts_a_0dim_tensor_answer():
    result, out = _run(ch1.check_flat_index, lambda r, c, k, h, w, cc: torch.tensor((r * w + c) * cc + k))
    assert result, out
    assert "105 vị trí khác nhau" not in out


def test_9_2_accepts_a_fraction_or_0dim_tensor_equal_to_the_answer():
    answers = {
        "Fraction": lambda *a: Fraction(*_ratio(*a)),
        "0-dim float64 tensor": lambda *a: torch.tensor(_ratio(*a)[0] / _ratio(*a)[1], dtype=torch.float64),
        "0-dim float32 tensor (torch's default)": lambda *a: torch.tensor(_ratio(*a)[0]) / torch.tensor(_ratio(*a)[1]),
        "Decimal": lambda *a: Decimal(_ratio(*a)[0]) / Decimal(_ratio(*a)[1]),
        "NumPy float64": lambda *a: np.float64(_ratio(*a)[0]) / np.float64(_ratio(*a)[1]),
    }
    for kind, fn in answers.items():
        result, out = _run(ch9.check_first_layer_ratio, fn)
        assert result, (kind, out)


def test_9_2_wrong_value_printed_with_enough_digits():
    """A truly wrong value is printed with as many digits as it takes for "cần X" and "hàm trả về Y" to differ."""
    for error in (1e-3, 1e-5, 2e-6):
        result, out = _run(ch9.check_first_layer_ratio, lambda *a, e=error: _ratio(*a)[0] / _ratio(*a)[1] * (1 + e))
        assert not result
        want, got = re.search(r"cần ([\d.\u00a0]+), hàm trả về ([\d.\u00a0]+)\)", out).groups()
        assert want != got, out
        assert len(want.split(".")[1]) == len(got.split(".")[1]), out  # the same precision for both


def test_4_2_rejects_non_integers_instead_of_truncating_them():
    def almost(kernels, strides):
        return [v + 0.9 for v in ch4._reference_receptive_field(kernels, strides)]

    result, out = _run(ch4.check_receptive_field, almost)
    assert not result
    assert "không phải số nguyên" in out and "3.9" in out, out


def test_4_2_accepts_a_numpy_array():
    for kind in (np.array, torch.tensor, tuple):
        answer = lambda k, s, kind=kind: kind(ch4._reference_receptive_field(k, s))  # noqa: E731
        result, out = _run(ch4.check_receptive_field, answer)
        assert result, (kind, out)


def test_6_2_return_x_earns_no_false_tick():
    """`return x` keeps the shape (true, ticked); every other property of 6.2 fails for it, one by one."""
    with _core._every_property():
        result, out = _run(ch6.check_token_mixing, lambda x, norm, mlp: x)
    ticks = re.findall(r"^  ✓ (.*)$", out, re.M)
    assert ticks == ["giữ hình dạng (B, S, C) khi S ≠ C"], out
    assert len(result.failed) == 4
    result, out = _run(ch6.check_token_mixing, lambda x, norm, mlp: x)
    assert "hàm trả về nguyên X" in out


def test_6_2_forgotten_transpose_gets_the_transpose_hint_in_vietnamese():
    result, out = _run(ch6.check_token_mixing, lambda x, norm, mlp: x + mlp(norm(x)))
    assert not result and "Traceback" not in out
    assert "hàm báo lỗi: RuntimeError: mat1 and mat2 shapes cannot be multiplied" in out
    assert "Gợi ý: có thể bạn quên chuyển vị (transpose)" in out

    def back_transpose_forgotten(x, norm, mlp):  # (B, S, C) + (B, C, S): a broadcasting error
        return x + mlp(norm(x).transpose(1, 2))

    result, out = _run(ch6.check_token_mixing, back_transpose_forgotten)
    assert "hàm báo lỗi: RuntimeError" in out and "có thể bạn quên chuyển vị (transpose)" in out, out


def test_6_2_wrong_norm_axis_crash_gets_the_norm_hint():
    result, out = _run(ch6.check_token_mixing, lambda x, norm, mlp: x + mlp(norm(x.transpose(1, 2))).transpose(1, 2))
    assert not result and "Traceback" not in out
    assert "hàm báo lỗi: RuntimeError: Given normalized_shape=[5]" in out
    assert "Gợi ý: có thể bạn chuẩn hoá sai trục" in out


def test_6_2_in_place_change_of_x_is_named():
    def in_place(x, norm, mlp):
        x += mlp(norm(x).transpose(1, 2)).transpose(1, 2)
        return x

    result, out = _run(ch6.check_token_mixing, in_place)
    assert not result
    assert "đã sửa trực tiếp tensor `x` được truyền vào" in out and "x += …" in out, out
    assert _run(ch6.check_token_mixing, _token_mixing)[0]  # the same sum written `x + …` passes


def test_8_3_rounding_is_its_own_property():
    """Right batches per epoch (a partial last batch counts), wrong rounding: the rounding property fails, named."""
    slips = {
        "rounds down": (lambda x: math.floor(x), "làm tròn xuống"),
        "rounds up": (lambda x: math.ceil(x), "làm tròn lên"),
        "rounds halves up": (lambda x: math.floor(x + 0.5), "làm tròn .5 lên"),
    }
    for name, (rounding, named) in slips.items():
        fn = lambda n, s, b, r=rounding: max(1, r(s / -(-n // b)))  # noqa: E731
        result, out = _run(ch8.check_epochs_for, fn)
        assert result.failed == ["làm tròn số epoch tới số nguyên gần nhất"], (name, out)
        assert named in out and "lô cuối thiếu" not in out.split("✗")[1], (name, out)
    whole_batches_only = _run(ch8.check_epochs_for, lambda n, s, b: max(1, round(s / (n // b))))[0]
    assert whole_batches_only.failed == ["lô cuối thiếu vẫn tính là một bước"]


@pytest.mark.parametrize(("check", "wrong", "revealed"), [
    (ch9.check_first_layer_ratio, lambda *a: 1.0, "(R·R·3·n_h + n_h) / (P·P·3·C + C)"),
    (ch7.check_expand_token_weight, lambda w, b, k: (w.repeat(k * k, k * k), b.repeat(k * k)), "torch.block_diag"),
    (ch8.check_pair_throughput, lambda model, top1: 1.0, "mb.paper.find"),
    (ch3.check_invert_permutation, lambda perm: perm.flip(0), "argsort"),
    (ch6.check_token_mixing, lambda x, norm, mlp: x + mlp(norm(x)), "transpose(1, 2)"),
    (ch1.check_first_layer_params, lambda h, w, c, n: h * w * c * n, "H·W·C·hidden + hidden"),
], ids=["9.2", "7.3", "8.2", "3.2b", "6.2", "1.3"])
def test_one_failure_reveals_no_formula_or_call(check, wrong, revealed):
    """The concept hint first; the formula or the call only from the REVEAL_AFTER-th printed failure."""
    for _ in range(5):  # silent runs (a grading loop) do not advance the stage
        check(wrong, verbose=False)
    for attempt in range(1, _core.REVEAL_AFTER + 1):
        result, out = _run(check, wrong)
        assert not result and "Gợi ý: " in out, out
        if attempt < _core.REVEAL_AFTER:
            assert revealed not in out, (attempt, out)
            assert f"chưa đạt thêm {_core.REVEAL_AFTER - attempt} lần nữa" in out, out
        else:
            assert "Gợi ý thêm: " in out and revealed in out, out
    assert _core.hint_stage(result.exercise) == _core.REVEAL_AFTER
    _core.reset_hint_stages(result.exercise)
    assert _core.hint_stage(result.exercise) == 0 and revealed not in _run(check, wrong)[1]


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_non_callable_argument_gets_a_verdict(name):
    for not_a_function in (None, 5, "flat_index", torch.zeros(3)):
        result, out = _run(CHECKERS[name], not_a_function)  # never raises
        assert isinstance(result, _core.CheckResult) and not result and not result.todo
        verdict = out.strip().splitlines()[-1]
        assert verdict.startswith("[CHƯA ĐẠT]") and "cần nhận chính hàm của bạn" in verdict, out
        assert "check(f)" in verdict and type(not_a_function).__name__ in verdict, out


def test_image_split_is_sliceable():
    split = ImageSplit(torch.arange(10 * 4).reshape(10, 2, 2).to(torch.uint8), torch.arange(10), "somewhere")
    head = split[:3]
    assert isinstance(head, ImageSplit) and len(head) == 3 and head.source == "somewhere"
    assert torch.equal(head.images, split.images[:3]) and torch.equal(head.labels, torch.tensor([0, 1, 2]))
    assert torch.equal(split[::4].labels, torch.tensor([0, 4, 8]))
    with pytest.raises(TypeError, match=r"can be sliced \(e\.g\. split\[:1000\]\), not indexed with int"):
        split[0]


def test_prints_of_the_students_function_are_summarised_in_one_line():
    printed = {"lines": 0}

    def noisy(size, hidden, p, c):
        print("đang tính", size, hidden, p, c)
        printed["lines"] += 1
        return _ratio(size, hidden, p, c)[0] / _ratio(size, hidden, p, c)[1]

    result, out = _run(ch9.check_first_layer_ratio, noisy)
    assert result and printed["lines"] > 10
    assert "đang tính" not in out
    assert f"  (hàm của bạn in {printed['lines']} dòng trong lúc kiểm tra; đã ẩn)" in out.splitlines(), out
    assert len(out.splitlines()) == 4  # two ticks, the summary, the verdict
    silent = _run(ch9.check_first_layer_ratio, noisy, verbose=False)[1]
    assert silent == ""


# ------------------------------------------------------------------------------------------------ package-wide rules
#: Properties that `return <first argument>` truly has, with the reason; every other property must fail for it.
TRUE_FOR_IDENTITY = {
    "inductive_bias.check_global_shuffle": {"giữ nguyên hình dạng và kiểu dữ liệu",  # returns the images as they are
                                            "cùng một cách xếp cho mọi ảnh, mọi lần gọi"},  # the same "order": none
    "inductive_bias.check_invert_permutation": {"trả về một tensor cùng độ dài",  # returns perm itself
                                                "không sửa perm được truyền vào"},  # and leaves it alone
    "hierarchy.check_receptive_field": {"trả về một giá trị cho mỗi lớp"},  # the kernel list has one value per layer
    "mixing.check_token_mixing": {"giữ hình dạng (B, S, C) khi S ≠ C"},  # x has that shape
}


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_every_checker_ticks_nothing_false_for_identity_or_constant(name):
    """Every property is checked (not only up to the first failure) for `return <first argument>` and `return 0`."""
    for label, fn in (("identity", lambda *a, **k: a[0]), ("constant", lambda *a, **k: 0)):
        with _core._every_property():
            result, out = _run(CHECKERS[name], fn)
        ticks = set(re.findall(r"^  ✓ (.*)$", out, re.M))
        allowed = TRUE_FOR_IDENTITY.get(name, set()) if label == "identity" else set()
        assert not result and ticks <= allowed, (label, ticks - allowed, out)
        assert out.strip().splitlines()[-1].startswith("[CHƯA ĐẠT]"), out


def _number_answers():
    """(checker, a correct answer returning a plain Python number) for every checker that wants a number."""
    return {
        "flattening.check_flat_index": ch1._reference_flat_index,
        "flattening.check_first_layer_params": lambda h, w, c, n: h * w * c * n + n,
        "growth.check_token_mlp_params": ch2._reference_token_mlp_params,
        "growth.check_conv_macs": ch2._reference_conv_macs,
        "mixer.check_mixer_block_params": ch7._reference_mixer_block_params,
        "scaling.check_pair_throughput": ch8._reference_pair_throughput,
        "scaling.check_epochs_for": ch8._reference_epochs_for,
        "conclusion.check_first_layer_ratio": ch9._reference_first_layer_ratio,
    }


NUMBER_KINDS = {
    "0-dim tensor": torch.tensor,
    "NumPy scalar": lambda v: np.array(v)[()],
    "0-dim NumPy array": np.array,
    "Fraction": Fraction,
    "Decimal": Decimal,
    "float of an integer": lambda v: float(v) if isinstance(v, int) else v,
}


@pytest.mark.parametrize("kind", sorted(NUMBER_KINDS))
def test_every_number_checker_compares_by_value(kind):
    wrap = NUMBER_KINDS[kind]
    for name, answer in _number_answers().items():
        result, out = _run(CHECKERS[name], lambda *a, answer=answer: wrap(answer(*a)))
        assert result, (name, kind, out)


def test_non_integral_answers_are_rejected_where_an_integer_is_asked():
    for wrong in (lambda v: v + 0.5, lambda v: Fraction(2 * v + 1, 2), lambda v: torch.tensor(v + 0.25)):
        result, out = _run(ch2.check_token_mlp_params, lambda s, d, w=wrong: w(ch2._reference_token_mlp_params(s, d)))
        assert not result and "không phải số nguyên" in out and "không tự làm tròn" in out, out
    assert not _run(ch2.check_token_mlp_params, lambda s, d: True)[0]  # a bool is no count


def test_shown_pair_never_prints_two_different_values_alike():
    for want, got in [(24.458616298811545, 24.45861626), (0.1, 0.1 + 1e-12), (1.5, 2), (3, 3.0000001)]:
        a, b = _core.shown_pair(want, got)
        assert a != b and len(a.split(".")[-1]) == len(b.split(".")[-1]), (a, b)
    assert _core.shown_pair(50_432, 99_072) == ("50\u00a0432", "99\u00a0072")


def test_a_raising_function_gets_the_error_in_vietnamese_and_the_property_hint():
    def divides_by_zero(row, col, channel, height, width, channels):
        return row // 0

    result, out = _run(ch1.check_flat_index, divides_by_zero)
    failed_line, verdict = out.rstrip().splitlines()[-2:]
    assert failed_line.startswith("  ✗ ảnh xám vuông") and "thì hàm báo lỗi: ZeroDivisionError: " in failed_line
    assert verdict.startswith("[CHƯA ĐẠT] Bài tập 1.2") and "Gợi ý: duyệt theo hàng" in verdict


def test_reference_solutions_are_not_public_names():
    for mod in MODULES:
        module = getattr(checks, mod)
        assert not [n for n in module.__all__ if "reference" in n], mod
        assert not [n for n in dir(module) if n.startswith("reference")], mod
    with pytest.raises(AttributeError):
        mb.checks.flattening.reference_flat_index  # noqa: B018
    for path in sorted(BOOK.glob("*.ipynb")):
        sources = "".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"])
        assert not re.search(r"checks\.\w+\._?reference_", sources), f"{path.name} uses a checker's reference solution"


def test_the_solution_of_6_2_passes_and_another_route_too():
    """The changes above did not make the 6.2 checker reject what it accepted (einsum route, F.layer_norm route)."""
    def functional(x, norm, mlp):
        y = F.layer_norm(x, (x.shape[-1],), norm.weight, norm.bias, norm.eps)
        return x + mlp(y.transpose(1, 2)).transpose(1, 2)

    assert _run(ch6.check_token_mixing, _token_mixing)[0]
    assert _run(ch6.check_token_mixing, functional)[0]
