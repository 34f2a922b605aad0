"""Checkers for the chapter "Số tham số tăng theo bình phương" (parameter growth)."""

from __future__ import annotations

import random
from collections.abc import Callable

from torch import nn

from .. import complexity
from ..models.mixer import MlpBlock
from ._core import INTEGER, CheckResult, Property, reader, run_checks, shown_pair

__all__ = ["check_token_mlp_params", "check_conv_macs"]


def _reference_token_mlp_params(num_patches: int, tokens_mlp_dim: int) -> int:
    """Parameters of a token-mixing MLP, Dense(S -> D_S) -> GELU -> Dense(D_S -> S), with biases."""
    return complexity.mixer_token_mlp_params(num_patches, tokens_mlp_dim)


def _token_mlp_slip(s: int, d: int, got: object) -> str:
    """Name the usual mistake behind a wrong token-MLP count, if it is one of them."""
    known = {
        s * d + d: "chỉ đếm lớp thứ nhất (W1 và b1), đúng chỗ sơ suất của báo cáo với con số 50\u00a0432",
        s * d: "chỉ đếm ma trận W1, thiếu cả lớp thứ hai lẫn các bias",
        2 * s * d: "thiếu hai vector bias b1 (D_S số) và b2 (S số)",
        2 * s * d + d: "thiếu bias b2 của lớp thứ hai (S số)",
        2 * s * d + s: "thiếu bias b1 của lớp thứ nhất (D_S số)",
        2 * s * s + d + s: "dùng S × S cho ma trận trọng số: W1 có D_S hàng và S cột, không phải S × S",
        2 * d * d + d + s: "dùng D_S × D_S cho ma trận trọng số: W1 có D_S hàng và S cột",
    }
    return known.get(got, "") if isinstance(got, int) else ""


def check_token_mlp_params(token_mlp_params: Callable[[int, int], int], seed: int = 0,
                           verbose: bool = True) -> CheckResult:
    """Check ``token_mlp_params(num_patches, tokens_mlp_dim)`` for the token-mixing MLP of one Mixer layer.

    Properties: equals the parameters of a real ``MlpBlock(S, D_S)`` (two ``nn.Linear`` with biases)
    on small cases; equals the formula on Mixer-B/16 (S=196, D_S=384) and on the report's example
    (S=196, D_S=256); the weights grow exactly 2x when S doubles; C (the channels) plays no part.
    A wrong count that matches a usual slip (first layer only, no bias, S x S weights) is named.
    """
    token_mlp_params = reader(token_mlp_params, INTEGER)
    rng = random.Random(seed)
    small = [(rng.randint(2, 40), rng.randint(2, 40)) for _ in range(20)]
    large = [(196, 384), (196, 256), (49, 256), (256, 640), (784, 1536)]

    def explain(s: int, d: int, want: int, got: object) -> str:
        slip = _token_mlp_slip(s, d, got)
        want_text, got_text = shown_pair(want, got)
        return f"S = {s}, D_S = {d}: cần {want_text}, hàm trả về {got_text}" + (f" ({slip})" if slip else "")

    def matches_module() -> bool | str:
        for s, d in small:
            want = complexity.count_params(MlpBlock(s, d))
            got = token_mlp_params(s, d)
            if got != want:
                return explain(s, d, want, got)
        return True

    def matches_formula() -> bool | str:
        for s, d in large:
            want = _reference_token_mlp_params(s, d)
            got = token_mlp_params(s, d)
            if got != want:
                return explain(s, d, want, got)
        return True

    def linear_in_s() -> bool | str:
        d = 384
        a, b = token_mlp_params(196, d), token_mlp_params(392, d)
        # bias b2 has S entries, so compare the parts without the D_S bias: 2*S*D_S + S doubles exactly
        ratio = (b - d) / (a - d) if a != d else float("nan")
        if ratio == 2:
            return True
        return "gấp đôi S làm phần phụ thuộc S tăng {1} lần thay vì {0} lần".format(*shown_pair(2.0, ratio))

    props = [
        Property("khớp số tham số của MlpBlock(S, D_S) thật", matches_module,
                 "MLP trộn token có HAI lớp kết nối đầy đủ: S → D_S rồi D_S → S, mỗi lớp có ma trận trọng số "
                 "và vector bias riêng."),
        Property("khớp công thức với Mixer-B/16 (S = 196, D_S = 384) và ví dụ của báo cáo (D_S = 256)",
                 matches_formula, "đếm từng ma trận trọng số theo hình dạng của nó (số hàng × số cột), rồi từng "
                 "vector bias (một số cho mỗi nơ-ron ra).",
                 reveal="W1 có D_S × S số, W2 có S × D_S số; cộng thêm D_S + S bias: 2·S·D_S + D_S + S."),
        Property("tăng tuyến tính theo số patch S", linear_in_s,
                 "số tham số phải tỉ lệ với S (không phải S²): D_S cố định khi ảnh lớn lên."),
    ]
    return run_checks("Bài tập 2.2: số tham số của MLP trộn token", props, verbose)


def _reference_conv_macs(height: int, width: int, in_channels: int, out_channels: int, kernel_size: int) -> int:
    """Multiply-adds per image of ``nn.Conv2d(in, out, k, padding=k // 2)`` (stride 1) on an H x W image."""
    return complexity.conv2d_macs(in_channels, out_channels, kernel_size, height, width)


def check_conv_macs(conv_macs: Callable[[int, int, int, int, int], int], seed: int = 0,
                    verbose: bool = True) -> CheckResult:
    """Check ``conv_macs(height, width, in_channels, out_channels, kernel_size)`` for a 'same' convolution.

    Properties: equals what ``FlopCounterMode`` measures on a real ``nn.Conv2d`` with odd kernel,
    stride 1 and padding ``k // 2`` on small cases; equals the formula at 224 and 448 px for the
    report's 3x3, 3 -> 64 layer; grows exactly 4x when both sides double.
    """
    conv_macs = reader(conv_macs, INTEGER)
    rng = random.Random(seed)
    small = [(rng.randint(3, 16), rng.randint(3, 16), rng.choice([1, 2, 3]), rng.randint(1, 8),
              rng.choice([1, 3, 5])) for _ in range(12)]
    large = [(224, 224, 3, 64, 3), (448, 448, 3, 64, 3), (rng.randint(100, 600), rng.randint(100, 600), 3, 32, 5)]

    def compare(cases, want_of) -> bool | str:
        for h, w, cin, cout, k in cases:
            want = want_of(h, w, cin, cout, k)
            got = conv_macs(h, w, cin, cout, k)
            if got != want:
                want_text, got_text = shown_pair(want, got)
                slips = {2 * want: " (gấp đôi: đó là số FLOP; bài hỏi số MAC, một phép nhân-cộng là một MAC)"}
                if cin > 1:
                    slips[want // cin] = " (thiếu thừa số C_in: mỗi bộ lọc nhìn mọi kênh vào)"
                if cout > 1 and cout != cin:
                    slips[want // cout] = " (thiếu thừa số C_out: mỗi bộ lọc cho một kênh ra)"
                hint = slips.get(got, "")
                return f"ảnh {h}×{w}×{cin}, {cout} bộ lọc {k}×{k}: cần {want_text}, hàm trả về {got_text}{hint}"
        return True

    def measured(h, w, cin, cout, k) -> int:
        return complexity.count_macs(nn.Conv2d(cin, cout, k, padding=k // 2), (cin, h, w))

    def quadruples() -> bool | str:
        a, b = conv_macs(50, 70, 3, 16, 3), conv_macs(100, 140, 3, 16, 3)
        ratio = b / a if a else float("nan")
        return True if ratio == 4 else "tăng {1} lần thay vì {0} lần".format(*shown_pair(4.0, ratio))

    props = [
        Property("khớp phép đo FlopCounterMode trên nn.Conv2d thật", lambda: compare(small, measured),
                 "với padding k // 2 và bước 1, đầu ra có H × W điểm cho mỗi bộ lọc; mỗi điểm ấy nhân từng trọng số "
                 "của bộ lọc (nhìn mọi kênh vào) với một giá trị đầu vào.",
                 reveal="mỗi điểm của đầu ra H × W, với mỗi bộ lọc, nhân k·k·C_in trọng số với k·k·C_in giá trị "
                 "đầu vào: H·W·k²·C_in·C_out."),
        Property("khớp công thức ở 224 và 448 điểm ảnh (3×3, 3 → 64)", lambda: compare(large, _reference_conv_macs),
                 "đếm phép nhân-cộng (MAC), không đổi sang FLOP, và đừng chia cho 10⁹.",
                 reveal="nhân đủ năm thừa số H·W·k²·C_in·C_out."),
        Property("tăng đúng 4 lần khi hai cạnh ảnh gấp đôi", quadruples,
                 "số phép tính tỉ lệ với số điểm của đầu ra, tức H·W."),
    ]
    return run_checks("Bài tập 2.3: số phép nhân-cộng của lớp tích chập", props, verbose)
