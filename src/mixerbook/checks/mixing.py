"""Checkers for the chapter "Trộn token và trộn kênh" (token- and channel-mixing)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..mixing import token_mixing_sublayer
from ..models.mixer import MixerBlock, MlpBlock
from ._core import TENSOR, CheckResult, Property, reader, run_checks

__all__ = ["reference_token_mixing", "check_token_mixing"]


def reference_token_mixing(x: torch.Tensor, norm: nn.Module, mlp: nn.Module) -> torch.Tensor:
    """U = X + (MLP applied to each column of LayerNorm(X)): (B, S, C) -> (B, S, C).

    Args:
        x: (B, S, C) tables.
        norm: ``nn.LayerNorm(C)``, applied to each token (row).
        mlp: an MLP acting on the last axis, S -> D_S -> S (e.g. :class:`mixerbook.models.MlpBlock`).
    """
    y = norm(x)  # (B, S, C)
    y = y.transpose(1, 2)  # (B, S, C) -> (B, C, S)
    y = mlp(y)  # the same MLP for every channel column
    y = y.transpose(1, 2)  # (B, C, S) -> (B, S, C)
    return x + y


def _seeded(seed: int, build: Callable[[], nn.Module]) -> nn.Module:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def check_token_mixing(student: Callable[[torch.Tensor, nn.Module, nn.Module], torch.Tensor], seed: int = 0,
                       verbose: bool = True) -> CheckResult:
    """Check ``token_mixing(x, norm, mlp)``: U = X + W2 GELU(W1 LayerNorm(X)) for every channel column.

    Properties, in order: keeps the (B, S, C) shape when S differs from C (a missing transpose
    fails here); has the skip connection (with a zero second layer the output is X); normalises each
    token over its C channels (rescaling a row leaves the mixed part unchanged); mixes tokens and not
    channels (reordering the channels reorders the output, also when S = C); equals the token-mixing
    half of a :class:`mixerbook.models.MixerBlock`.
    """
    student = reader(student, TENSOR)
    gen = torch.Generator().manual_seed(seed)

    def shape() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        out = student(torch.randn(2, 6, 5, generator=gen), norm, mlp)
        return True if tuple(out.shape) == (2, 6, 5) else f"đầu vào (2, 6, 5) cho ra {tuple(out.shape)}"

    def skip() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        with torch.no_grad():
            mlp.fc2.weight.zero_()
            mlp.fc2.bias.zero_()
        x = torch.randn(2, 6, 5, generator=gen)
        diff = float((student(x, norm, mlp) - x).abs().max())
        return True if diff < 1e-6 else f"khi MLP trả về 0, kết quả lệch khỏi X tới {diff:.3g}"

    def norm_axis() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        x = torch.randn(2, 6, 5, generator=gen)
        scale = torch.rand(2, 6, 1, generator=gen) * 2.5 + 0.5  # one factor per token (row)
        shift = torch.randn(2, 6, 1, generator=gen)
        moved = scale * x + shift
        with torch.no_grad():
            diff = float(((student(moved, norm, mlp) - moved) - (student(x, norm, mlp) - x)).abs().max())
        return True if diff < 1e-3 else f"co giãn một hàng làm phần được trộn thay đổi tới {diff:.3g}"

    def mixes_tokens() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(5, 7))  # S = C = 5
        x = torch.randn(3, 5, 5, generator=gen)
        order = torch.tensor([3, 0, 4, 1, 2])
        with torch.no_grad():
            diff = float((student(x[:, :, order], norm, mlp) - student(x, norm, mlp)[:, :, order]).abs().max())
        return True if diff < 1e-5 else (
            f"với S = C = 5, đổi thứ tự các kênh làm kết quả thay đổi chứ không chỉ đổi chỗ (lệch {diff:.3g})")

    def matches_block() -> bool | str:
        for s, c in [(6, 5), (4, 4), (16, 12)]:
            block = _seeded(seed, lambda s=s, c=c: MixerBlock(s, c, 7, 9))
            with torch.no_grad():  # a LayerNorm with a non-trivial scale and shift
                block.norm1.weight.normal_(1.0, 0.3, generator=gen)
                block.norm1.bias.normal_(0.0, 0.3, generator=gen)
            x = torch.randn(2, s, c, generator=gen)
            with torch.no_grad():
                diff = float((student(x, block.norm1, block.token_mixing) - token_mixing_sublayer(block, x))
                             .abs().max())
            if diff > 1e-5:
                return f"với S = {s}, C = {c}: sai khác lớn nhất {diff:.3g}"
        return True

    props = [
        Property("giữ hình dạng (B, S, C) khi S ≠ C", shape,
                 "MLP trộn token nhận một cột dài S: chuyển (B, S, C) → (B, C, S) trước khi gọi `mlp`, rồi "
                 "chuyển ngược lại."),
        Property("có kết nối tắt (skip connection)", skip,
                 "cộng chính X (chưa chuẩn hoá) vào kết quả của MLP: U = X + …, không phải LayerNorm(X) + …"),
        Property("chuẩn hoá từng token theo trục kênh C", norm_axis,
                 "gọi `norm(x)` trên bảng (B, S, C) TRƯỚC khi chuyển vị: LayerNorm(C) chuẩn hoá mỗi hàng (token), "
                 "không phải mỗi cột."),
        Property("trộn các token, không trộn các kênh", mixes_tokens,
                 "dùng `transpose(1, 2)` để đổi trục; `reshape`/`view` sang (B, S, C) sẽ xáo trộn các giá trị, "
                 "và quên chuyển vị thì MLP trộn các kênh."),
        Property("khớp nửa trộn token của MixerBlock", matches_block,
                 "U = X + chuyển_vị(mlp(chuyển_vị(norm(X)))), với chuyển vị giữa (B, S, C) và (B, C, S)."),
    ]
    with torch.no_grad():  # the modules' parameters need no gradients here
        return run_checks("Bài tập 6.2: lớp trộn token", props, verbose)
