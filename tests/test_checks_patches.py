"""The checker of the chapter "Chia ảnh thành patch" accepts correct answers and rejects realistic slips."""

import torch

from mixerbook.checks import patches as ch5


def _unfold_patchify(images, p):
    # A different correct route: unfold twice, then bring the grid axes forward.
    b, c, h, w = images.shape
    if h % p or w % p:
        raise ValueError(f"image {h}x{w} is not divisible by patch size {p}")
    x = images.unfold(2, p, p).unfold(3, p, p)  # (B, C, H/P, W/P, P, P)
    return x.permute(0, 2, 3, 1, 4, 5).reshape(b, (h // p) * (w // p), c * p * p)


def _permuted(order):
    def patchify(images, p):
        b, c, h, w = images.shape
        if h % p or w % p:
            raise ValueError(f"image {h}x{w} is not divisible by patch size {p}")
        x = images.reshape(b, c, h // p, p, w // p, p).permute(*order)
        return x.reshape(b, (h // p) * (w // p), c * p * p)

    return patchify


def test_accepts_reference_and_another_correct_route(capsys):
    assert ch5.check_patchify(ch5._reference_patchify)
    assert "[ĐẠT]" in capsys.readouterr().out
    assert ch5.check_patchify(_unfold_patchify, verbose=False)


def test_rejects_wrong_orders_with_specific_messages(capsys):
    wrong = {
        "column-major patch order": (_permuted((0, 4, 2, 1, 3, 5)), "thứ tự theo cột"),
        "channel last inside the patch": (_permuted((0, 2, 4, 3, 5, 1)), "kênh đang đứng cuối"),
        "pixels read by column inside the patch": (_permuted((0, 2, 4, 1, 5, 3)), "đọc theo cột"),
        "plain reshape, no permute": (lambda x, p: x.reshape(x.shape[0], -1, x.shape[1] * p * p),
                                      "trộn giá trị của nhiều patch"),
    }
    for name, (fn, message) in wrong.items():
        assert not ch5.check_patchify(fn), name
        out = capsys.readouterr().out
        assert "[CHƯA ĐẠT]" in out and message in out, (name, out)


def test_rejects_square_only_and_silent_cropping():
    def square_only(images, p):
        b, c, h, _ = images.shape
        x = images.reshape(b, c, h // p, p, h // p, p).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(b, (h // p) ** 2, c * p * p)

    def crops(images, p):  # unfold drops the remainder without a word
        b, c, h, w = images.shape
        x = images.unfold(2, p, p).unfold(3, p, p)
        return x.permute(0, 2, 3, 1, 4, 5).reshape(b, (h // p) * (w // p), c * p * p)

    assert not ch5.check_patchify(square_only, verbose=False)
    result = ch5.check_patchify(crops, verbose=False)
    assert not result and result.failed == ["báo ValueError nêu cả hai số khi cạnh ảnh không chia hết cho P"]


def test_stub_gets_a_friendly_verdict(capsys):
    def stub(images, patch_size):
        raise NotImplementedError("Bài tập 5.2")

    assert not ch5.check_patchify(stub)
    assert "NotImplementedError" in capsys.readouterr().out


def test_reference_is_the_package_function():
    x = torch.randn(1, 3, 8, 8)
    assert torch.equal(ch5._reference_patchify(x, 4), _unfold_patchify(x, 4))
