"""Checkers for the chapter "Kiến trúc MLP-Mixer" (the whole model, Table 1, higher-resolution fine-tuning)."""

from __future__ import annotations

import random
from collections.abc import Callable

import torch

from .. import complexity
from ..models.mixer import MixerBlock
from ..text import number
from ._core import INTEGER, PAIR, CheckResult, Property, reader, run_checks, shown_pair

__all__ = ["check_mixer_block_params", "check_expand_token_weight"]


def _reference_mixer_block_params(num_patches: int, hidden_dim: int, tokens_mlp_dim: int,
                                  channels_mlp_dim: int) -> int:
    """Parameters of one ``MixerBlock(S, C, D_S, D_C)``: two MLPs with biases and two LayerNorms."""
    return complexity.mixer_block_params(num_patches, hidden_dim, tokens_mlp_dim, channels_mlp_dim)


def _block_slip(s: int, c: int, ds: int, dc: int, got: object) -> str:
    """Name the usual mistake behind a wrong MixerBlock count, if it is one of them."""
    if not isinstance(got, int):
        return ""
    token = 2 * s * ds + ds + s
    channel = 2 * c * dc + dc + c
    known = {
        token + channel: "quên tham số của hai LayerNorm (mỗi lớp có C hệ số co giãn và C hệ số dịch)",
        token + channel + 2 * c: "mỗi LayerNorm có HAI vector C số (co giãn γ và dịch β), không phải một",
        2 * s * ds + 2 * c * dc + 4 * c: "thiếu các vector bias của bốn lớp kết nối đầy đủ",
        2 * s * ds + 2 * c * dc: "thiếu cả bias lẫn tham số LayerNorm",
        (2 * s * dc + dc + s) + (2 * c * ds + ds + c) + 4 * c: "đổi chỗ D_S và D_C: D_S là độ rộng ẩn của MLP "
                                                               "trộn token (theo S), D_C của MLP trộn kênh (theo C)",
        (s * ds + ds) + (c * dc + dc) + 4 * c: "chỉ đếm lớp thứ nhất của mỗi MLP; mỗi MLP có hai lớp",
        c * token + channel + 4 * c: "nhân MLP trộn token với C: MLP ấy dùng chung cho mọi kênh",
        token + s * channel + 4 * c: "nhân MLP trộn kênh với S: MLP ấy dùng chung cho mọi token",
    }
    return known.get(got, "")


def check_mixer_block_params(mixer_block_params: Callable[[int, int, int, int], int], seed: int = 0,
                             verbose: bool = True) -> CheckResult:
    """Check ``mixer_block_params(num_patches, hidden_dim, tokens_mlp_dim, channels_mlp_dim)``.

    Properties: equals the parameters of a real ``MixerBlock`` on small random cases; equals the
    count for one layer of each Table 1 configuration at 224 px; doubling S adds exactly
    ``S*(2*D_S + 1)``. A wrong count that matches a usual slip (LayerNorms forgotten, biases
    missing, D_S and D_C swapped, first layers only, a shared MLP multiplied out) is named.
    """
    mixer_block_params = reader(mixer_block_params, INTEGER)
    rng = random.Random(seed)
    small = [tuple(rng.randint(2, 24) for _ in range(4)) for _ in range(20)]
    paper = [(49, 512, 256, 2048), (196, 512, 256, 2048), (196, 768, 384, 3072), (196, 1024, 512, 4096),
             (256, 1280, 640, 5120), (784, 768, 1536, 3072)]

    def explain(case: tuple[int, int, int, int], want: int, got: object) -> str:
        s, c, ds, dc = case
        slip = _block_slip(s, c, ds, dc, got)
        want_text, got_text = shown_pair(want, got)
        return (f"S = {s}, C = {c}, D_S = {ds}, D_C = {dc}: cần {want_text}, hàm trả về {got_text}"
                + (f" ({slip})" if slip else ""))

    def matches_module() -> bool | str:
        for case in small:
            want = complexity.count_params(MixerBlock(*case))
            got = mixer_block_params(*case)
            if got != want:
                return explain(case, want, got)
        return True

    def matches_paper() -> bool | str:
        for case in paper:
            want = _reference_mixer_block_params(*case)
            got = mixer_block_params(*case)
            if got != want:
                return explain(case, want, got)
        return True

    def grows_with_s() -> bool | str:
        s, c, ds, dc = 196, 768, 384, 3072
        step = mixer_block_params(2 * s, c, ds, dc) - mixer_block_params(s, c, ds, dc)
        want = s * (2 * ds + 1)
        return True if step == want else f"gấp đôi S làm số tham số tăng {number(step)} thay vì {number(want)}"

    props = [
        Property("khớp số tham số của MixerBlock(S, C, D_S, D_C) thật", matches_module,
                 "một khối có LayerNorm → MLP trộn token (S → D_S → S) → LayerNorm → MLP trộn kênh (C → D_C → C); "
                 "đếm đủ trọng số, bias và hai vector γ, β của mỗi LayerNorm."),
        Property("khớp một lớp của mỗi cấu hình trong Bảng 1 (224 điểm ảnh) và của B/16 ở 448 điểm ảnh",
                 matches_paper, "D_S đi với S (MLP trộn token), D_C đi với C (MLP trộn kênh)."),
        Property("gấp đôi S chỉ làm MLP trộn token lớn thêm", grows_with_s,
                 "chỉ W1, W2 và b2 của MLP trộn token phụ thuộc S; phần trộn kênh và LayerNorm không đổi."),
    ]
    return run_checks("Bài tập 7.2: số tham số của một lớp Mixer", props, verbose)


def _reference_expand_token_weight(weight: torch.Tensor, bias: torch.Tensor,
                                   factor: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The block-diagonal W1' and tiled b1' of Appendix C, tokens in block order.

    Args:
        weight: W1, (D_S, S).
        bias: b1, (D_S,).
        factor: K.

    Returns:
        ``(W1', b1')`` with shapes (K**2 D_S, K**2 S) and (K**2 D_S,).
    """
    copies = factor * factor
    return torch.block_diag(*[weight] * copies), bias.repeat(copies)


def check_expand_token_weight(expand_token_weight: Callable[[torch.Tensor, torch.Tensor, int], tuple],
                              seed: int = 0, verbose: bool = True) -> CheckResult:
    """Check ``expand_token_weight(weight, bias, factor) -> (W1', b1')`` against the paper's scheme.

    Properties: the shapes are (K**2 D_S, K**2 S) and (K**2 D_S,); W1' has W1 on its K**2 diagonal
    blocks and zeros elsewhere (a dense tiling, a Kronecker product in the wrong order and K
    instead of K**2 copies all fail here); b1' repeats b1; and, what it is all for, W1' applied to
    K**2 token sequences laid end to end gives each sequence's own W1 output.
    """
    expand_token_weight = reader(expand_token_weight, PAIR)
    gen = torch.Generator().manual_seed(seed)
    cases = [(5, 3, 2), (4, 6, 2), (9, 4, 3), (16, 8, 1), (16, 8, 2)]  # (S, D_S, K)

    def data(s: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.randn(d, s, generator=gen), torch.randn(d, generator=gen)

    def call(s: int, d: int, k: int):
        w, b = data(s, d)
        out = expand_token_weight(w.clone(), b.clone(), k)
        return w, b, torch.as_tensor(out[0]), torch.as_tensor(out[1])

    def shapes() -> bool | str:
        for s, d, k in cases:
            _, _, w2, b2 = call(s, d, k)
            want_w, want_b = (k * k * d, k * k * s), (k * k * d,)
            if tuple(w2.shape) != want_w or tuple(b2.shape) != want_b:
                return (f"S = {s}, D_S = {d}, K = {k}: cần W1' {want_w} và b1' {want_b}, nhận được "
                        f"{tuple(w2.shape)} và {tuple(b2.shape)}")
        return True

    def blocks() -> bool | str:
        for s, d, k in cases:
            w, _, w2, _ = call(s, d, k)
            for i in range(k * k):
                for j in range(k * k):
                    part = w2[i * d:(i + 1) * d, j * s:(j + 1) * s]
                    want = w if i == j else torch.zeros_like(w)
                    if not torch.equal(part.to(w.dtype), want):
                        where = "trên đường chéo phải bằng W1" if i == j else "ngoài đường chéo phải bằng 0"
                        return f"K = {k}: khối ({i}, {j}) {where}"
        return True

    def bias() -> bool | str:
        for s, d, k in cases:
            _, b, _, b2 = call(s, d, k)
            if not torch.equal(b2.to(b.dtype), b.repeat(k * k)):
                return f"K = {k}: b1' phải là b1 lặp lại {k * k} lần nối tiếp nhau"
        return True

    def acts_per_block() -> bool | str:
        s, d, k = 9, 4, 3
        w, b, w2, b2 = call(s, d, k)
        x = torch.randn(k * k, s, generator=gen)  # K^2 sequences of S tokens (one channel each)
        got = (w2.to(w.dtype) @ x.reshape(-1) + b2.to(w.dtype)).reshape(k * k, d)
        want = x @ w.T + b
        err = float((got - want).abs().max())
        return True if err < 1e-5 else f"sai lệch lớn nhất {err:.3g} so với áp dụng W1 cho từng khối"

    props = [
        Property("W1' và b1' có đúng hình dạng", shapes,
                 "S' = K²·S token và K²·D_S nơ-ron ẩn: W1' có K²·D_S hàng và K²·S cột."),
        Property("W1' có K² bản sao của W1 trên đường chéo khối, 0 ở mọi chỗ khác", blocks,
                 "khối (i, j) của W1' nối đoạn token thứ j với nhóm nơ-ron thứ i: chỉ khi i = j nó là W1, còn lại "
                 "phải bằng 0; lặp W1 phủ kín ma trận sẽ trộn các khối với nhau.",
                 reveal="torch.block_diag(*[W1] * K**2) dựng đúng ma trận ấy."),
        Property("b1' là b1 lặp lại K² lần", bias,
                 "mỗi khối có bản sao b1 của riêng nó, nối tiếp nhau theo thứ tự khối.",
                 reveal="b1.repeat(K**2) (không phải repeat_interleave)."),
        Property("mỗi khối token được xử lý đúng như MLP gốc xử lý nó", acts_per_block,
                 "W1' phải tác động lên từng đoạn S token một cách độc lập."),
    ]
    return run_checks("Bài tập 7.3: mở rộng W1 theo khối chéo", props, verbose)
