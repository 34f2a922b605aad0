"""Checkers for the chapter "Trộn token và trộn kênh" (token- and channel-mixing)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..mixing import token_mixing_sublayer
from ..models.mixer import MixerBlock, MlpBlock
from ._core import TENSOR, CheckResult, Property, reader, run_checks

__all__ = ["check_token_mixing"]


def _reference_token_mixing(x: torch.Tensor, norm: nn.Module, mlp: nn.Module) -> torch.Tensor:
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


_TRANSPOSE_REVEAL = "dùng `.transpose(1, 2)` trước và sau khi gọi `mlp`."
_NORM_REVEAL = "gọi `y = norm(x)` TRƯỚC, rồi mới `y.transpose(1, 2)`."


def _token_mixing_slip(error: BaseException) -> tuple[str, str] | None:
    """The usual slip behind an exception raised inside a token-mixing function: (hint, reveal), or None."""
    text = str(error)
    if "normalized_shape" in text:
        return ("có thể bạn chuẩn hoá sai trục: `norm` là LayerNorm(C), nó chỉ nhận bảng có trục cuối dài C, tức "
                "(B, S, C); hãy chuẩn hoá trước khi chuyển vị, không phải sau.", _NORM_REVEAL)
    if "view size is not compatible" in text:
        return ("sau khi chuyển vị, tensor không còn liền trong bộ nhớ nên `view` không dùng được; nhưng đừng thay "
                "bằng `reshape` (nó xáo trộn các giá trị): muốn đổi (B, C, S) về (B, S, C) thì chuyển vị lần nữa.",
                _TRANSPOSE_REVEAL)
    if any(key in text for key in ("shapes cannot be multiplied", "must match the size", "size mismatch",
                                   "mat1 and mat2")):
        return ("có thể bạn quên chuyển vị (transpose): `mlp` đi từ S lên D_S nên nhận các cột dài S; bảng (B, S, C) "
                "phải được đổi thành (B, C, S) trước khi gọi `mlp`, rồi đổi lại thành (B, S, C) trước khi cộng X.",
                _TRANSPOSE_REVEAL)
    return None


def check_token_mixing(student: Callable[[torch.Tensor, nn.Module, nn.Module], torch.Tensor], seed: int = 0,
                       verbose: bool = True) -> CheckResult:
    """Check ``token_mixing(x, norm, mlp)``: U = X + W2 GELU(W1 LayerNorm(X)) for every channel column.

    Properties, in order: keeps the (B, S, C) shape when S differs from C (a missing transpose
    fails here, or raises: the exception is reported with the transpose hint); has the skip
    connection (when the MLP returns a constant β, the output is X + β: ``return x`` fails here);
    normalises each token over its C channels (rescaling a row leaves the mixed part unchanged, and
    that part is not zero); mixes tokens and not channels (changing one token changes the others,
    and reordering the channels reorders the output, also when S = C); equals the token-mixing half
    of a :class:`mixerbook.models.MixerBlock`. Changing ``x`` in place (``x += …``) is reported as such.
    """
    student = reader(student, TENSOR)
    gen = torch.Generator().manual_seed(seed)

    def shape() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        out = student(torch.randn(2, 6, 5, generator=gen), norm, mlp)
        return True if tuple(out.shape) == (2, 6, 5) else f"đầu vào (2, 6, 5) cho ra {tuple(out.shape)}"

    def skip() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        beta = 0.5
        with torch.no_grad():  # the MLP now returns beta for every input
            mlp.fc2.weight.zero_()
            mlp.fc2.bias.fill_(beta)
        x = torch.randn(2, 6, 5, generator=gen)
        out = student(x, norm, mlp)
        diff = float((out - (x + beta)).abs().max())
        if diff < 1e-6:
            return True
        if torch.allclose(out, x, atol=1e-6):
            return f"khi MLP trả về hằng số {beta}, kết quả phải là X + {beta}, nhưng hàm trả về nguyên X: phần do " \
                   f"`mlp` tính chưa được cộng vào"
        if torch.allclose(out, torch.full_like(x, beta), atol=1e-6):
            return f"khi MLP trả về hằng số {beta}, hàm chỉ trả về {beta}: thiếu phần X cộng vào"
        return f"khi MLP trả về hằng số {beta}, kết quả phải là X + {beta}; hàm lệch tới {diff:.3g}"

    def norm_axis() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(6, 8))
        x = torch.randn(2, 6, 5, generator=gen)
        scale = torch.rand(2, 6, 1, generator=gen) * 2.5 + 0.5  # one factor per token (row)
        shift = torch.randn(2, 6, 1, generator=gen)
        moved = scale * x + shift
        with torch.no_grad():
            mixed = student(x, norm, mlp) - x
            if float(mixed.abs().max()) < 1e-6:
                return "phần được trộn (kết quả − X) bằng 0: hàm chưa cộng kết quả của `mlp` vào X"
            diff = float(((student(moved, norm, mlp) - moved) - mixed).abs().max())
        return True if diff < 1e-3 else f"co giãn một hàng làm phần được trộn thay đổi tới {diff:.3g}"

    def mixes_tokens() -> bool | str:
        norm, mlp = nn.LayerNorm(5), _seeded(seed, lambda: MlpBlock(5, 7))  # S = C = 5
        x = torch.randn(3, 5, 5, generator=gen)
        with torch.no_grad():
            other = x.clone()
            other[:, 0] = torch.randn(3, 5, generator=gen)  # change token 0 only
            change = float((student(other, norm, mlp)[:, 1:] - student(x, norm, mlp)[:, 1:]).abs().max())
            if change < 1e-6:
                return "đổi token 0 không làm các token khác thay đổi: các token chưa được trộn với nhau"
            order = torch.tensor([3, 0, 4, 1, 2])
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

    slip = _token_mixing_slip
    props = [
        Property("giữ hình dạng (B, S, C) khi S ≠ C", shape,
                 "MLP trộn token nhận một cột dài S: đưa bảng (B, S, C) về dạng (B, C, S) trước khi gọi `mlp`, rồi "
                 "đưa về lại.", reveal=_TRANSPOSE_REVEAL, on_error=slip),
        Property("có kết nối tắt (skip connection)", skip,
                 "cộng chính X (chưa chuẩn hoá) vào kết quả của MLP: U = X + …, không phải LayerNorm(X) + …",
                 on_error=slip),
        Property("chuẩn hoá từng token theo trục kênh C", norm_axis,
                 "LayerNorm(C) chuẩn hoá mỗi hàng (token) của bảng (B, S, C), không phải mỗi cột: chuẩn hoá khi "
                 "bảng còn ở dạng (B, S, C).",
                 reveal=_NORM_REVEAL, on_error=slip),
        Property("trộn các token, không trộn các kênh", mixes_tokens,
                 "đổi trục bằng chuyển vị chứ không bằng `reshape`/`view` (chúng giữ thứ tự trong bộ nhớ nên xáo "
                 "trộn các giá trị); quên chuyển vị thì MLP trộn các kênh.",
                 reveal="`mlp(norm(x).transpose(1, 2)).transpose(1, 2)` là phần trộn token, dạng (B, S, C).",
                 on_error=slip),
        Property("khớp nửa trộn token của MixerBlock", matches_block,
                 "so lại từng bước: chuẩn hoá theo C, chuyển vị sang (B, C, S), MLP theo S, chuyển vị ngược, cộng X.",
                 reveal="U = X + chuyển_vị(mlp(chuyển_vị(norm(X)))), với chuyển vị giữa (B, S, C) và (B, C, S).",
                 on_error=slip),
    ]
    with torch.no_grad():  # the modules' parameters need no gradients here
        return run_checks("Bài tập 6.2: lớp trộn token", props, verbose)
