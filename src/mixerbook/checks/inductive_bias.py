"""Checkers for the chapter "Thiên kiến quy nạp" (inductive bias): fixed pixel permutations."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..permute import invert_permutation, patch_source_index
from ._core import TENSOR, CheckResult, Property, reader, run_checks

__all__ = ["check_global_shuffle", "check_invert_permutation", "check_patch_shuffle_index"]


def _reference_global_shuffle(images: torch.Tensor, perm: torch.Tensor) -> torch.Tensor:
    """(N, H, W) images -> the same images with ``out[n].flatten()[i] = images[n].flatten()[perm[i]]``."""
    n, h, w = images.shape
    return images.reshape(n, h * w)[:, perm].reshape(n, h, w)


def _reference_invert_permutation(perm: torch.Tensor) -> torch.Tensor:
    """The inverse permutation ``inv`` with ``inv[perm[i]] = i`` (:func:`mixerbook.permute.invert_permutation`)."""
    return invert_permutation(perm)


def _reference_patch_shuffle_index(height: int, width: int, patch_size: int, patch_order: torch.Tensor,
                                   pixel_order: torch.Tensor) -> torch.Tensor:
    """(H*W,) source index of a patch+pixel shuffle (:func:`mixerbook.permute.patch_source_index`)."""
    return patch_source_index(height, width, patch_size, patch_order, pixel_order)


def check_global_shuffle(global_shuffle: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], seed: int = 0,
                         verbose: bool = True) -> CheckResult:
    """Check ``global_shuffle(images, perm)`` for (N, H, W) images and a (H*W,) permutation ``perm``.

    Convention: ``out[n].flatten()[i] = images[n].flatten()[perm[i]]``. Properties, in order: shape
    and dtype kept; the same rearrangement for every image and on every call (no permutation drawn
    inside the function); the given ``perm`` used, in the right direction; rectangular images.
    """
    global_shuffle = reader(global_shuffle, TENSOR)
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (6, 5, 5), generator=gen, dtype=torch.uint8)
    perm = torch.randperm(25, generator=gen)

    def shape() -> bool | str:
        out = global_shuffle(images.clone(), perm.clone())
        if out.shape != images.shape or out.dtype != images.dtype:
            return (f"ảnh vào {tuple(images.shape)} kiểu {images.dtype}, hàm trả về {tuple(out.shape)} "
                    f"kiểu {out.dtype}")
        return True

    def same_for_every_image() -> bool | str:
        a = global_shuffle(images.clone(), perm.clone())
        b = global_shuffle(images.clone(), perm.clone())
        if not torch.equal(a, b):
            return "gọi hai lần trên cùng ảnh cho hai kết quả khác nhau"
        copies = images[:1].repeat(4, 1, 1)  # four copies of the same image
        c = global_shuffle(copies, perm.clone())
        if not all(torch.equal(c[k], c[0]) for k in range(4)):
            return "bốn bản sao của cùng một ảnh bị xáo thành bốn ảnh khác nhau"
        return True

    def uses_perm() -> bool | str:
        out = global_shuffle(images.clone(), perm.clone())
        want = _reference_global_shuffle(images, perm)
        if torch.equal(out, want):
            return True
        if torch.equal(out, _reference_global_shuffle(images, invert_permutation(perm))):
            return "hàm đặt điểm ảnh i vào vị trí perm[i], tức là dùng hoán vị ngược"
        if torch.equal(torch.sort(out.flatten(1), dim=1).values, torch.sort(images.flatten(1), dim=1).values):
            return "các giá trị điểm ảnh còn đủ nhưng không được xếp theo perm đã cho"
        return "kết quả không phải là một cách xếp lại các điểm ảnh của ảnh vào"

    def rectangular() -> bool | str:
        rect = torch.randint(0, 256, (3, 4, 7), generator=gen, dtype=torch.uint8)
        p = torch.randperm(28, generator=gen)
        out = global_shuffle(rect.clone(), p.clone())
        want = _reference_global_shuffle(rect, p)
        if out.shape != want.shape or not torch.equal(out, want):
            return "với ảnh 4×7 (không vuông) kết quả sai"
        return True

    props = [
        Property("giữ nguyên hình dạng và kiểu dữ liệu", shape,
                 "làm phẳng mỗi ảnh thành H·W phần tử, xếp lại, rồi đưa về (N, H, W)."),
        Property("cùng một cách xếp cho mọi ảnh, mọi lần gọi", same_for_every_image,
                 "đừng gọi torch.randperm bên trong hàm: thí nghiệm cần MỘT hoán vị cố định, truyền vào qua perm."),
        Property("dùng đúng perm, đúng chiều", uses_perm,
                 "quy ước là out.flatten()[i] = ảnh.flatten()[perm[i]]: chỉ số nằm ở vế phải (đọc, không ghi)."),
        Property("đúng với ảnh không vuông", rectangular, "lấy H và W từ hình dạng của ảnh, đừng giả sử H = W."),
    ]
    return run_checks("Bài tập 3.2: xáo trộn toàn cục", props, verbose)


def check_invert_permutation(invert: Callable[[torch.Tensor], torch.Tensor], seed: int = 0,
                             verbose: bool = True) -> CheckResult:
    """Check ``invert_permutation(perm)``: returns ``inv`` with ``inv[perm[i]] = i``.

    Properties, in order: a tensor of the same length; undoes ``perm`` on both sides
    (``perm[inv]`` and ``inv[perm]`` are ``0 .. n-1``) for permutations that are not their own
    inverse; leaves ``perm`` unchanged; undoes a real global shuffle of images.
    """
    invert = reader(invert, TENSOR, guard_inputs=False)  # leaving perm unchanged is a property of its own
    gen = torch.Generator().manual_seed(seed)
    perms = [torch.randperm(n, generator=gen) for n in (2, 5, 16, 49, 784)]
    perms.append(torch.tensor([1, 2, 0]))  # a 3-cycle: its inverse differs from itself

    def shape() -> bool | str:
        for p in perms:
            out = invert(p.clone())
            if out.shape != p.shape:
                return f"hoán vị {p.numel()} phần tử, hàm trả về hình dạng {tuple(out.shape)}"
        return True

    def undoes() -> bool | str:
        for p in perms:
            inv = invert(p.clone()).long()
            ident = torch.arange(p.numel())
            if not (torch.equal(p[inv], ident) and torch.equal(inv[p], ident)):
                if torch.equal(inv, p):
                    return f"với perm = {p.tolist()[:6]}…, hàm trả về chính perm"
                return f"với perm = {p.tolist()[:6]}…, perm[inv] hoặc inv[perm] không phải 0, 1, 2, …"
        return True

    def keeps_input() -> bool | str:
        p = perms[2].clone()
        invert(p)
        return True if torch.equal(p, perms[2]) else "hàm đã sửa perm được truyền vào"

    def undoes_images() -> bool | str:
        images = torch.randint(0, 256, (3, 28, 28), generator=gen, dtype=torch.uint8)
        p = perms[4]
        shuffled = _reference_global_shuffle(images, p)
        back = _reference_global_shuffle(shuffled, invert(p.clone()).long())
        return True if torch.equal(back, images) else "xáo rồi xáo bằng hoán vị ngược không cho lại ảnh gốc"

    props = [
        Property("trả về một tensor cùng độ dài", shape, "kết quả có đúng n phần tử như perm."),
        Property("hoàn tác perm từ cả hai phía", undoes,
                 "inv[perm[i]] = i: phần tử đang ở vị trí perm[i] phải quay về vị trí i; xáo bằng perm rồi bằng "
                 "inv phải đưa mọi thứ về chỗ cũ.",
                 reveal="tạo inv rỗng rồi gán inv[perm] = torch.arange(n), hoặc dùng torch.argsort(perm)."),
        Property("không sửa perm được truyền vào", keeps_input, "tạo tensor mới thay vì ghi đè lên perm."),
        Property("khôi phục được ảnh đã xáo", undoes_images, "xáo bằng perm rồi bằng inv phải cho lại ảnh gốc."),
    ]
    return run_checks("Bài tập 3.2: hoán vị ngược", props, verbose)


def check_patch_shuffle_index(patch_shuffle_index: Callable[..., torch.Tensor], seed: int = 0,
                              verbose: bool = True) -> CheckResult:
    """Check ``patch_shuffle_index(height, width, patch_size, patch_order, pixel_order)``.

    It returns the (H*W,) ``source`` with ``out.flatten()[i] = image.flatten()[source[i]]``, where
    output patch j (row-major over the grid) is input patch ``patch_order[j]`` and position q of
    every output patch (row-major inside it) holds position ``pixel_order[q]`` of that patch.
    Properties, in order: a permutation of 0 .. H*W-1; every output patch filled from one input
    patch, the one ``patch_order`` names; one within-patch order shared by all patches, the one
    ``pixel_order`` gives; rectangular images and other patch sizes.
    """
    patch_shuffle_index = reader(patch_shuffle_index, TENSOR)
    gen = torch.Generator().manual_seed(seed)
    h, w, p = 12, 12, 4
    grid_h, grid_w = h // p, w // p
    patch_order = torch.randperm(grid_h * grid_w, generator=gen)
    pixel_order = torch.randperm(p * p, generator=gen)

    def call(hh, ww, pp, po, qo) -> torch.Tensor:
        return patch_shuffle_index(hh, ww, pp, po.clone(), qo.clone()).long().flatten()

    def patches_of(index: torch.Tensor, hh: int, ww: int, pp: int) -> torch.Tensor:
        """(S, P*P): the source index of each output patch's pixels, row-major inside the patch."""
        return index.reshape(hh // pp, pp, ww // pp, pp).permute(0, 2, 1, 3).reshape(-1, pp * pp)

    def is_permutation() -> bool | str:
        src = call(h, w, p, patch_order, pixel_order)
        if src.numel() != h * w:
            return f"ảnh {h}×{w} cần {h * w} chỉ số, hàm trả về {src.numel()}"
        if not torch.equal(torch.sort(src).values, torch.arange(h * w)):
            return "kết quả không dùng mỗi vị trí 0 … H·W−1 đúng một lần"
        return True

    def patch_order_right() -> bool | str:
        src = patches_of(call(h, w, p, patch_order, pixel_order), h, w, p)  # (S, P*P)
        rows, cols = src // w, src % w
        patch_of = (rows // p) * grid_w + cols // p  # input patch of every pixel
        if not torch.equal(patch_of, patch_of[:, :1].expand_as(patch_of)):
            return "một patch đầu ra lấy điểm ảnh từ nhiều patch đầu vào khác nhau"
        got = patch_of[:, 0]
        if torch.equal(got, patch_order):
            return True
        if torch.equal(got, invert_permutation(patch_order)):
            return "patch đầu ra j đang là patch đầu vào inv[j]: thứ tự patch bị đọc ngược chiều"
        return f"patch đầu ra lần lượt lấy từ các patch {got.tolist()}, cần {patch_order.tolist()}"

    def pixel_order_shared() -> bool | str:
        src = patches_of(call(h, w, p, patch_order, pixel_order), h, w, p)
        pos = (src // w % p) * p + src % w % p  # position inside the input patch
        if not torch.equal(pos, pos[:1].expand_as(pos)):
            return "các patch dùng những thứ tự điểm ảnh khác nhau; thứ tự bên trong phải chung cho mọi patch"
        if torch.equal(pos[0], pixel_order):
            return True
        if torch.equal(pos[0], invert_permutation(pixel_order)):
            return "vị trí q đang lấy điểm ảnh inv[q]: thứ tự điểm ảnh bị đọc ngược chiều"
        return f"bên trong mỗi patch, vị trí q lấy điểm ảnh {pos[0].tolist()[:6]}…, cần {pixel_order.tolist()[:6]}…"

    def other_shapes() -> bool | str:
        for hh, ww, pp in [(8, 12, 4), (6, 15, 3), (14, 7, 7), (4, 6, 1), (6, 6, 6)]:
            po = torch.randperm((hh // pp) * (ww // pp), generator=gen)
            qo = torch.randperm(pp * pp, generator=gen)
            got = call(hh, ww, pp, po, qo)
            if not torch.equal(got, _reference_patch_shuffle_index(hh, ww, pp, po, qo)):
                return f"sai với ảnh {hh}×{ww}, patch {pp}×{pp}"
        return True

    props = [
        Property("là một hoán vị của 0 … H·W−1", is_permutation,
                 "mỗi vị trí đầu ra lấy đúng một điểm ảnh đầu vào, và không điểm ảnh nào bị lấy hai lần."),
        Property("patch đầu ra j là patch đầu vào patch_order[j]", patch_order_right,
                 "đánh số patch theo hàng của lưới (W/P patch mỗi hàng) và đọc k = patch_order[j]."),
        Property("mọi patch dùng chung thứ tự pixel_order", pixel_order_shared,
                 "vị trí q trong patch đầu ra lấy vị trí pixel_order[q] của patch nguồn, như nhau ở mọi patch."),
        Property("đúng với ảnh không vuông và cỡ patch khác", other_shapes,
                 "số patch mỗi hàng là W/P (theo chiều rộng), không phải H/P; lấy mọi kích thước từ các đối số.",
                 reveal="điểm ảnh (hàng, cột) thuộc patch (hàng // P)·(W/P) + cột // P, ở vị trí "
                 "(hàng mod P)·P + (cột mod P) bên trong patch."),
    ]
    return run_checks("Bài tập 3.3: chỉ số của phép xáo patch + điểm ảnh", props, verbose)
