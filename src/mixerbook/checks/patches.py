"""Checkers for the chapter "Chia ảnh thành patch" (patches)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..models.mixer import PatchEmbedding, patchify
from ._core import TENSOR, CheckResult, Property, reader, run_checks

__all__ = ["check_patchify"]


def _reference_patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, S, C*P*P): the package's :func:`mixerbook.models.mixer.patchify`."""
    return patchify(images, patch_size)


def check_patchify(student: Callable[[torch.Tensor, int], torch.Tensor], seed: int = 0,
                   verbose: bool = True) -> CheckResult:
    """Check ``patchify(images, patch_size)``: (B, C, H, W) -> (B, S, C*P*P).

    Properties, in order: the shape; patches numbered row by row over the grid; inside a patch,
    channel first, then the patch's rows, then its columns (the order of a Conv2d kernel);
    rectangular images; ``patchify(x) @ W.T + b`` equals ``PatchEmbedding(x)``; a ValueError naming
    both numbers when a side is not divisible by P.
    """
    student = reader(student, TENSOR)
    gen = torch.Generator().manual_seed(seed)

    def shape() -> bool | str:
        x = torch.randn(2, 3, 12, 12, generator=gen)
        out = student(x, 4)
        if tuple(out.shape) != (2, 9, 48):
            return f"ảnh (2, 3, 12, 12) với P = 4 phải cho (2, 9, 48), hàm trả về {tuple(out.shape)}"
        return True

    def patch_order() -> bool | str:
        grid = torch.arange(9).reshape(3, 3)  # patch index, row by row
        x = grid.repeat_interleave(4, 0).repeat_interleave(4, 1).float()[None, None]  # (1, 1, 12, 12)
        out = student(x, 4)[0]  # (9, 16): row k should hold only the value k
        got = [int(v) for v in out[:, 0].round()]
        if not all(torch.all(out[k] == out[k, 0]) for k in range(9)):
            return "một hàng của kết quả trộn giá trị của nhiều patch khác nhau"
        if got != list(range(9)):
            transposed = grid.T.flatten().tolist()
            extra = " (đó là thứ tự theo cột)" if got == transposed else ""
            return f"thứ tự patch là {got}{extra}, cần 0, 1, …, 8 theo từng hàng của lưới"
        return True

    def inside_order() -> bool | str:
        x = torch.arange(3 * 4 * 4, dtype=torch.float32).reshape(1, 3, 4, 4)  # a single 4x4 patch
        got = student(x, 4)[0, 0]
        if torch.equal(got, x.flatten()):
            return True
        if torch.equal(got, x.permute(0, 2, 3, 1).flatten()):
            return "kết quả theo thứ tự (hàng, cột, kênh): kênh đang đứng cuối"
        if torch.equal(got, x.transpose(2, 3).flatten()):
            return "các điểm ảnh trong patch đang được đọc theo cột"
        return f"patch duy nhất của ảnh (1, 3, 4, 4) phải thành x.flatten(), hàm cho {got[:6].tolist()} …"

    def rectangular() -> bool | str:
        x = torch.randn(2, 2, 8, 12, generator=gen)
        out = student(x, 4)
        want = patchify(x, 4)
        if tuple(out.shape) != tuple(want.shape):
            return f"ảnh 8×12 với P = 4 phải cho {tuple(want.shape)}, hàm trả về {tuple(out.shape)}"
        if not torch.allclose(out, want):
            return "hình dạng đúng nhưng giá trị ở sai chỗ với ảnh không vuông"
        return True

    def matches_embedding() -> bool | str:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            stem = PatchEmbedding(image_size=28, patch_size=7, in_channels=3, hidden_dim=16)
        x = torch.randn(3, 3, 28, 28, generator=gen)
        weight = stem.proj.weight.reshape(16, -1)  # (C, 3*7*7)
        with torch.no_grad():
            diff = float((student(x, 7) @ weight.T + stem.proj.bias - stem(x)).abs().max())
        return True if diff < 1e-5 else f"sai khác lớn nhất {diff:.3g}"

    def clear_error() -> bool | str:
        try:
            student.raw(torch.zeros(1, 3, 28, 28), 5, expect=Exception)  # any exception is looked at below
        except ValueError as exc:
            message = str(exc)
            if "28" in message and "5" in message:
                return True
            return f"thông báo lỗi {message!r} chưa nêu cả cạnh ảnh 28 lẫn cạnh patch 5"
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            return f"hàm gây {type(exc).__name__} thay vì ValueError"
        return "hàm không báo lỗi: ảnh 28×28 không chia được thành các patch 5×5"

    props = [
        Property("trả về bảng (B, S, C·P·P)", shape,
                 "với ảnh (B, C, H, W), S = (H/P)·(W/P) và mỗi hàng có C·P·P giá trị."),
        Property("các patch được đánh số theo từng hàng của lưới", patch_order,
                 "patch số k nằm ở hàng k // (W/P), cột k % (W/P) của lưới; chỉ `reshape` thôi là chưa đủ, "
                 "cần `permute` để đưa hai trục của lưới lên trước hai trục bên trong patch."),
        Property("trong mỗi patch: kênh, rồi hàng, rồi cột", inside_order,
                 "mỗi hàng của bảng phải đọc patch theo đúng thứ tự một bộ lọc Conv2d (C_out, C_in, P, P) đọc nó: "
                 "kênh trước, rồi hàng, rồi cột; thứ tự các trục trước lần reshape cuối quyết định điều đó.",
                 reveal="xếp các trục thành (B, H/P, W/P, C, P, P) trước khi gộp ba trục cuối: từ "
                 "x.reshape(B, C, H/P, P, W/P, P), dùng permute(0, 2, 4, 1, 3, 5)."),
        Property("ảnh chữ nhật (H ≠ W)", rectangular, "lưới có H/P hàng và W/P cột: đừng dùng H cho cả hai."),
        Property("patchify(x) @ W.T + b bằng PatchEmbedding(x)", matches_embedding,
                 "W = proj.weight.reshape(C, -1) đọc mỗi bộ lọc theo thứ tự (kênh, hàng, cột)."),
        Property("báo ValueError nêu cả hai số khi cạnh ảnh không chia hết cho P", clear_error,
                 "kiểm tra H % P và W % P trước khi reshape, rồi `raise ValueError(...)` với cả cạnh ảnh lẫn P."),
    ]
    with torch.no_grad():  # the modules' parameters need no gradients here
        return run_checks("Bài tập 5.2: cắt ảnh thành patch (patchify)", props, verbose)
