"""Checkers for the chapter "Làm phẳng ảnh" (flattening)."""

from __future__ import annotations

import random
from collections.abc import Callable

import torch
from torch import nn

from .. import complexity
from ._core import INTEGER, CheckResult, Property, reader, run_checks, shown_pair

__all__ = ["check_flat_index", "check_first_layer_params"]


def _reference_flat_index(row: int, col: int, channel: int, height: int, width: int, channels: int) -> int:
    """Index of pixel (row, col, channel) once an (H, W, C) image is flattened in row-major order."""
    return (row * width + col) * channels + channel


def _cases(seed: int, n: int = 200) -> list[tuple[int, int, int, int, int, int]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        h, w, c = rng.randint(1, 40), rng.randint(1, 40), rng.choice([1, 1, 3, 4])
        cases.append((rng.randrange(h), rng.randrange(w), rng.randrange(c), h, w, c))
    return cases


def check_flat_index(flat_index: Callable[..., int], seed: int = 0, verbose: bool = True) -> CheckResult:
    """Check ``flat_index(row, col, channel, height, width, channels)`` for an (H, W, C) image.

    Properties: agrees with where ``torch.reshape`` puts each entry, on square, non-square and
    multi-channel images; never leaves [0, H*W*C); maps distinct pixels to distinct indices.
    """
    flat_index = reader(flat_index, INTEGER)
    cases = _cases(seed)

    def agrees_with_torch(only: Callable[[tuple], bool]) -> bool | str:
        for case in filter(only, cases):
            r, c, ch, h, w, cc = case
            grid = torch.arange(h * w * cc).reshape(h, w, cc)
            want = int(grid[r, c, ch])
            got = flat_index(r, c, ch, h, w, cc)
            if got != want:
                return f"với ảnh {h}×{w}×{cc}, điểm ({r}, {c}, kênh {ch}) phải ở vị trí {want}, hàm trả về {got}"
        return True

    def bijective() -> bool | str:
        h, w, cc = 5, 7, 3
        seen = {flat_index(r, c, ch, h, w, cc) for r in range(h) for c in range(w) for ch in range(cc)}
        if seen != set(range(h * w * cc)):
            return f"ảnh 5×7×3 phải dùng đúng mỗi vị trí 0…104 một lần, hàm cho {len(seen)} vị trí khác nhau"
        return True

    props = [
        Property("ảnh xám vuông (C = 1, H = W)", lambda: agrees_with_torch(lambda k: k[5] == 1 and k[3] == k[4]),
                 "duyệt theo hàng: mỗi hàng có W điểm ảnh đứng trước hàng kế tiếp."),
        Property("ảnh xám không vuông (H ≠ W)", lambda: agrees_with_torch(lambda k: k[5] == 1),
                 "số điểm ảnh của một hàng là W (số cột), không phải H."),
        Property("ảnh nhiều kênh (C > 1, kênh nằm cuối)", lambda: agrees_with_torch(lambda k: True),
                 "với (H, W, C), mỗi điểm ảnh chiếm C vị trí liền nhau, và kênh là trục thay đổi nhanh nhất.",
                 reveal="vị trí = (hàng·W + cột)·C + kênh: nhân chỉ số điểm ảnh với C rồi cộng kênh."),
        Property("mỗi phần tử có một vị trí riêng", bijective, "hai phần tử khác nhau không được trùng vị trí."),
    ]
    return run_checks("Bài tập 1.2: chỉ số trong vector phẳng", props, verbose)


def check_first_layer_params(first_layer_params: Callable[[int, int, int, int], int], seed: int = 0,
                             verbose: bool = True) -> CheckResult:
    """Check ``first_layer_params(height, width, channels, hidden)`` against ``nn.Linear``'s real count.

    Properties: equals the parameters of ``nn.Linear(H*W*C, hidden)`` (weights and biases) on small
    cases built for real, and the analytic formula on large ones; grows 4x when both sides double.
    """
    first_layer_params = reader(first_layer_params, INTEGER)
    rng = random.Random(seed)
    small = [(rng.randint(1, 12), rng.randint(1, 12), rng.choice([1, 3]), rng.randint(1, 50)) for _ in range(20)]
    large = [(224, 224, 3, 1024), (448, 448, 3, 1024), (rng.randint(100, 600), rng.randint(100, 600), 3, 512)]

    def slip(h: int, w: int, c: int, hidden: int, got: object) -> str:
        """Name the usual slip that gives ``got`` (empty when none matches)."""
        if got == h * w * c * hidden:
            return " (thiếu phần bias: mỗi nơ-ron ẩn có thêm một bias)"
        if c > 1 and got == h * w * hidden + hidden:
            return " (quên nhân với số kênh C)"
        if c > 1 and got == h * w * hidden:
            return " (quên số kênh C và phần bias)"
        return ""

    def matches_linear() -> bool | str:
        # colour cases first: they tell more slips apart
        for h, w, c, hidden in sorted(small, key=lambda case: -case[2]):
            want = complexity.count_params(nn.Linear(h * w * c, hidden))
            got = first_layer_params(h, w, c, hidden)
            if got != want:
                want_text, got_text = shown_pair(want, got)
                return (f"ảnh {h}×{w}×{c}, {hidden} nơ-ron ẩn: nn.Linear có {want_text} tham số, hàm trả về "
                        f"{got_text}{slip(h, w, c, hidden, got)}")
        return True

    def matches_formula() -> bool | str:
        for h, w, c, hidden in large:
            want = complexity.flatten_first_layer(h, w, c, hidden)["params"]
            got = first_layer_params(h, w, c, hidden)
            if got != want:
                want_text, got_text = shown_pair(want, got)
                return f"ảnh {h}×{w}×{c}, {hidden} nơ-ron ẩn: cần {want_text}, hàm trả về {got_text}"
        return True

    def quadruples() -> bool | str:
        a, b = first_layer_params(100, 100, 3, 64), first_layer_params(200, 200, 3, 64)
        ratio = (b - 64) / (a - 64) if a != 64 else float("nan")
        return True if ratio == 4 else "phần trọng số tăng {1} lần thay vì {0} lần".format(*shown_pair(4.0, ratio))

    props = [
        Property("khớp số tham số của nn.Linear thật", matches_linear,
                 "lớp kết nối đầy đủ nối MỌI phần tử của vector phẳng với MỖI nơ-ron ẩn, và mỗi nơ-ron có thêm "
                 "một bias; vector phẳng dài bao nhiêu khi ảnh có C kênh?",
                 reveal="số tham số = H·W·C·hidden + hidden (trọng số, rồi bias)."),
        Property("khớp công thức trên ảnh lớn (224×224×3, 448×448×3)", matches_formula,
                 "đầu vào có H·W·C phần tử; đừng cộng thay vì nhân các chiều.",
                 reveal="số tham số = H·W·C·hidden + hidden."),
        Property("trọng số tăng đúng 4 lần khi cạnh ảnh tăng 2 lần", quadruples,
                 "số đầu vào tỉ lệ với H·W, nên gấp đôi cả hai cạnh thì nhân 4."),
    ]
    return run_checks("Bài tập 1.3: số tham số lớp đầu tiên", props, verbose)
