"""The chapter 3 checkers accept the reference answers and reject realistic wrong answers."""

import torch

from mixerbook.checks import inductive_bias as ch3


# --------------------------------------------------------------------------- global_shuffle
def test_global_shuffle_accepts_reference(capsys):
    assert ch3.check_global_shuffle(ch3._reference_global_shuffle)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_global_shuffle_accepts_other_correct_forms():
    def via_flatten(images, perm):
        return images.flatten(1)[:, perm].view_as(images)

    def via_gather(images, perm):
        flat = images.reshape(images.shape[0], -1)
        return flat.gather(1, perm.expand(images.shape[0], -1)).reshape(images.shape)

    assert ch3.check_global_shuffle(via_flatten, verbose=False)
    assert ch3.check_global_shuffle(via_gather, verbose=False)


def test_global_shuffle_rejects_wrong_answers(capsys):
    def new_perm_per_image(images, perm):  # the report's mistake, applied per image
        n, h, w = images.shape
        return torch.stack([img.flatten()[torch.randperm(h * w)].reshape(h, w) for img in images])

    def new_perm_per_call(images, perm):  # randperm inside the function, one per call
        n, h, w = images.shape
        return images.reshape(n, -1)[:, torch.randperm(h * w)].reshape(n, h, w)

    def scatter(images, perm):  # writes pixel i to position perm[i]: the inverse permutation
        n, h, w = images.shape
        out = torch.empty_like(images).reshape(n, -1)
        out[:, perm] = images.reshape(n, -1)
        return out.reshape(n, h, w)

    def rows_only(images, perm):  # shuffles the columns only, the same way in every row
        n, h, w = images.shape
        return images[:, :, perm[perm < w]]

    def square_only(images, perm):
        n, h, _ = images.shape
        return images.reshape(n, h * h)[:, perm].reshape(n, h, h)

    def loses_batch(images, perm):
        return images.flatten()[perm].reshape(images.shape[1:])

    expected = {
        new_perm_per_image: "cùng một cách xếp cho mọi ảnh, mọi lần gọi",
        new_perm_per_call: "cùng một cách xếp cho mọi ảnh, mọi lần gọi",
        scatter: "dùng đúng perm, đúng chiều",
        rows_only: "dùng đúng perm, đúng chiều",
        square_only: "đúng với ảnh không vuông",
        loses_batch: "giữ nguyên hình dạng và kiểu dữ liệu",
    }
    for fn, failed in expected.items():
        result = ch3.check_global_shuffle(fn, verbose=False)
        assert not result and result.failed == [failed], (fn.__name__, result)
    ch3.check_global_shuffle(new_perm_per_image)
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "torch.randperm" in out


def test_global_shuffle_stub_gets_a_friendly_verdict(capsys):
    def stub(images, perm):
        raise NotImplementedError

    assert not ch3.check_global_shuffle(stub)
    assert "NotImplementedError" in capsys.readouterr().out


# --------------------------------------------------------------------------- invert_permutation
def test_invert_permutation_accepts_correct_answers():
    assert ch3.check_invert_permutation(ch3._reference_invert_permutation, verbose=False)
    assert ch3.check_invert_permutation(torch.argsort, verbose=False)

    def loop(perm):
        inv = [0] * len(perm)
        for i, p in enumerate(perm.tolist()):
            inv[p] = i
        return torch.tensor(inv)

    assert ch3.check_invert_permutation(loop, verbose=False)


def test_invert_permutation_rejects_wrong_answers():
    def in_place(perm):
        perm[:] = torch.argsort(perm)
        return perm

    wrong = {
        (lambda perm: perm): "hoàn tác perm từ cả hai phía",  # only right for involutions
        (lambda perm: perm.flip(0)): "hoàn tác perm từ cả hai phía",
        (lambda perm: perm[perm]): "hoàn tác perm từ cả hai phía",
        (lambda perm: torch.argsort(perm).tolist()): "trả về một tensor cùng độ dài",
        in_place: "không sửa perm được truyền vào",
    }
    for fn, failed in wrong.items():
        result = ch3.check_invert_permutation(fn, verbose=False)
        assert not result and result.failed == [failed], result


# --------------------------------------------------------------------------- patch_shuffle_index
def test_patch_shuffle_index_accepts_reference(capsys):
    assert ch3.check_patch_shuffle_index(ch3._reference_patch_shuffle_index)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_patch_shuffle_index_accepts_a_loop_version():
    def loops(height, width, patch_size, patch_order, pixel_order):
        p, grid_w = patch_size, width // patch_size
        src = torch.empty(height * width, dtype=torch.long)
        for r in range(height):
            for c in range(width):
                j, q = (r // p) * grid_w + c // p, (r % p) * p + c % p
                k, qs = int(patch_order[j]), int(pixel_order[q])
                src[r * width + c] = ((k // grid_w) * p + qs // p) * width + (k % grid_w) * p + qs % p
        return src

    assert ch3.check_patch_shuffle_index(loops, verbose=False)


def _generic(height, width, patch_size, patch_order, pixel_order, *, inverse_patches=False, inverse_pixels=False,
             column_major=False, fresh_pixels=False, grid_from_height=False):
    """The reference with one realistic mistake switched on."""
    p = patch_size
    grid_h, grid_w = height // p, width // p
    row_len = grid_h if grid_from_height else grid_w
    if inverse_patches:
        patch_order = torch.argsort(patch_order)
    if inverse_pixels:
        pixel_order = torch.argsort(pixel_order)
    src = torch.empty(height * width, dtype=torch.long)
    gen = torch.Generator().manual_seed(123)
    orders = [torch.randperm(p * p, generator=gen) if fresh_pixels else pixel_order for _ in range(grid_h * grid_w)]
    for r in range(height):
        for c in range(width):
            j, q = (r // p) * grid_w + c // p, (r % p) * p + c % p
            k, qs = int(patch_order[j]), int(orders[j][q])
            kr, kc = (k % grid_h, k // grid_h) if column_major else (k // row_len, k % row_len)
            src[r * width + c] = (kr * p + qs // p) * width + kc * p + qs % p
    return src


def test_patch_shuffle_index_rejects_wrong_answers(capsys):
    cases = {
        "inverse_patches": "patch đầu ra j là patch đầu vào patch_order[j]",
        "column_major": "patch đầu ra j là patch đầu vào patch_order[j]",
        "fresh_pixels": "mọi patch dùng chung thứ tự pixel_order",
        "inverse_pixels": "mọi patch dùng chung thứ tự pixel_order",
        "grid_from_height": "đúng với ảnh không vuông và cỡ patch khác",
    }
    for flag, failed in cases.items():
        def fn(*args, _flag=flag):
            return _generic(*args, **{_flag: True})

        result = ch3.check_patch_shuffle_index(fn, verbose=False)
        assert not result and result.failed == [failed], (flag, result)

    def global_instead(height, width, patch_size, patch_order, pixel_order):
        return torch.randperm(height * width, generator=torch.Generator().manual_seed(0))

    result = ch3.check_patch_shuffle_index(global_instead, verbose=False)
    assert not result and result.failed == ["patch đầu ra j là patch đầu vào patch_order[j]"]
    ch3.check_patch_shuffle_index(lambda *a: _generic(*a, fresh_pixels=True))
    out = capsys.readouterr().out
    assert "[CHƯA ĐẠT]" in out and "chung" in out
