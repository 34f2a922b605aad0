"""Checkers for the chapter "Cấu trúc phân cấp" (hierarchy)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import torch
from torch import nn

from .. import probe
from ._core import NUMBER_LIST, CheckResult, Property, reader, run_checks

__all__ = ["check_receptive_field"]


def _reference_receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int]) -> list[int]:
    """Side of the receptive field after each layer of a chain of convolutions / poolings.

    r_0 = 1, j_0 = 1; r_l = r_{l-1} + (k_l - 1)·j_{l-1}; j_l = j_{l-1}·s_l.
    """
    return [size for size, _ in probe.receptive_field_recurrence(kernel_sizes, strides)]


def _random_cases(seed: int, n: int = 40) -> list[tuple[list[int], list[int]]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        depth = rng.randint(1, 7)
        kernels = [rng.choice([1, 2, 3, 3, 3, 5, 7]) for _ in range(depth)]
        strides = [rng.choice([1, 1, 2, 2, 3]) for _ in range(depth)]
        cases.append((kernels, strides))
    # a short chain first, so the first counterexample shown is easy to redo by hand
    return [([3, 2, 3, 2], [1, 2, 1, 2])] + sorted(cases, key=lambda case: len(case[0]))


def _measured_side(kernels: Sequence[int], strides: Sequence[int]) -> int:
    """Receptive field of the central output unit of a real chain of Conv2d / AvgPool2d, from gradients."""
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for i, (k, s) in enumerate(zip(kernels, strides, strict=True)):
        layers.append(nn.Conv2d(1, 1, k, stride=s) if i % 2 == 0 else nn.AvgPool2d(k, stride=s))
    net = nn.Sequential(*layers)
    side, jump = probe.receptive_field_recurrence(kernels, strides)[-1]
    size = side + 4 * jump  # room for a few output positions, so the central one lies well inside
    return probe.gradient_receptive_field(net, (1, size, size), num_samples=2).height


def check_receptive_field(receptive_field: Callable[[Sequence[int], Sequence[int]], Sequence[int]], seed: int = 0,
                          verbose: bool = True) -> CheckResult:
    """Check ``receptive_field(kernel_sizes, strides)``: the field's side after every layer.

    Properties: one value per layer; a stack of 3x3 stride-1 convolutions grows by 2 per layer
    (3, 5, 7, ...); agrees with the recurrence on random chains that include strides; and agrees
    with the region of nonzero input gradient of a real network built from the same layers.
    """
    receptive_field = reader(receptive_field, NUMBER_LIST)  # returns a list of int (see NUMBER_LIST)
    cases = _random_cases(seed)

    def one_per_layer() -> bool | str:
        got = receptive_field([3, 2, 3], [1, 2, 1])
        if len(got) != 3:
            return f"ba lớp phải cho ba giá trị, hàm trả về {len(got)} giá trị"
        return True

    def stride_one_stack() -> bool | str:
        got = receptive_field([3, 3, 3, 3], [1, 1, 1, 1])
        want = _reference_receptive_field([3, 3, 3, 3], [1, 1, 1, 1])
        return True if got == want else f"bốn lớp 3×3 bước 1 phải cho {want}, hàm trả về {got}"

    def with_strides() -> bool | str:
        for kernels, strides in cases:
            got = receptive_field(kernels, strides)
            want = _reference_receptive_field(kernels, strides)
            if got != want:
                return f"kernel {kernels}, bước {strides}: cần {want}, hàm trả về {got}"
        return True

    def matches_gradient() -> bool | str:
        for kernels, strides in [([3, 2, 3, 2], [1, 2, 1, 2]), ([7, 3, 3, 3], [2, 2, 1, 1]), ([5, 3, 3], [3, 2, 2])]:
            got = receptive_field(kernels, strides)
            measured = _measured_side(kernels, strides)
            if not got or got[-1] != measured:
                last = got[-1] if got else got
                return f"mạng thật với kernel {kernels}, bước {strides}: gradient chạm vùng {measured}×{measured}, " \
                       f"hàm nói {last}"
        return True

    props = [
        Property("trả về một giá trị cho mỗi lớp", one_per_layer,
                 "trả về danh sách [r_1, r_2, …, r_L]: cạnh trường tiếp nhận sau từng lớp, không chỉ lớp cuối."),
        Property("chồng tích chập 3×3 bước 1: 3, 5, 7, 9", stride_one_stack,
                 "bắt đầu từ r_0 = 1 (một điểm ảnh); mỗi lớp k×k bước 1 thêm k − 1, không thêm k."),
        Property("đúng công thức truy hồi khi có bước (stride) > 1", with_strides,
                 "lớp thứ l thêm (k_l − 1)·j_{l−1}, với j là tích các bước của các lớp TRƯỚC nó; "
                 "cập nhật j sau khi đã cộng."),
        Property("khớp với vùng có gradient khác 0 trên một mạng thật", matches_gradient,
                 "so lại công thức: giá trị cuối phải bằng cạnh vùng ảnh mà đơn vị ở giữa thực sự nhìn thấy."),
    ]
    return run_checks("Bài tập 4.2: trường tiếp nhận", props, verbose)
