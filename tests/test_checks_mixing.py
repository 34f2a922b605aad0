"""The checker of the chapter "Trộn token và trộn kênh" accepts correct answers and rejects realistic slips."""

import torch
import torch.nn.functional as F

from mixerbook.checks import mixing as ch6


def _einsum_version(x, norm, mlp):
    # A different correct route: W1 and W2 applied along the token axis with einsum.
    y = norm(x)  # (B, S, C)
    h = F.gelu(torch.einsum("ds,bsc->bdc", mlp.fc1.weight, y) + mlp.fc1.bias[:, None])  # (B, D_S, C)
    return x + torch.einsum("sd,bdc->bsc", mlp.fc2.weight, h) + mlp.fc2.bias[:, None]


def test_accepts_reference_and_another_correct_route(capsys):
    assert ch6.check_token_mixing(ch6._reference_token_mixing)
    assert "[ĐẠT]" in capsys.readouterr().out
    assert ch6.check_token_mixing(_einsum_version, verbose=False)


def test_rejects_realistic_slips():
    def no_transpose(x, norm, mlp):  # mixes channels instead of tokens
        return x + mlp(norm(x))

    def wrong_axis(x, norm, mlp):  # normalises each channel column over the S tokens
        y = x.transpose(1, 2)
        y = F.layer_norm(y, (y.shape[-1],))
        return x + mlp(y).transpose(1, 2)

    def no_skip(x, norm, mlp):
        return mlp(norm(x).transpose(1, 2)).transpose(1, 2)

    def skip_adds_normalised(x, norm, mlp):
        y = norm(x)
        return y + mlp(y.transpose(1, 2)).transpose(1, 2)

    def reshape_back(x, norm, mlp):  # shape right, values scrambled
        y = mlp(norm(x).transpose(1, 2))
        return x + y.reshape(x.shape)

    expected_failure = {
        no_transpose: "giữ hình dạng (B, S, C) khi S ≠ C",
        wrong_axis: "chuẩn hoá từng token theo trục kênh C",
        no_skip: "có kết nối tắt (skip connection)",
        skip_adds_normalised: "có kết nối tắt (skip connection)",
        reshape_back: "trộn các token, không trộn các kênh",
    }
    for fn, prop in expected_failure.items():
        result = ch6.check_token_mixing(fn, verbose=False)
        assert not result and result.failed == [prop], (fn.__name__, result)


def test_forgotten_transpose_on_a_square_table_is_caught_too():
    # With S = C a missing transpose runs without error; the channel-order property catches it.
    result = ch6.check_token_mixing(lambda x, n, m: x + m(n(x)) if x.shape[1] == x.shape[2]
                                    else ch6._reference_token_mixing(x, n, m), verbose=False)
    assert not result and result.failed == ["trộn các token, không trộn các kênh"]


def test_stub_gets_a_friendly_verdict(capsys):
    def stub(x, norm, mlp):
        raise NotImplementedError("Bài tập 6.2")

    assert not ch6.check_token_mixing(stub)
    out = capsys.readouterr().out
    assert "NotImplementedError" in out and "[CHƯA LÀM]" in out and "Gợi ý" not in out  # no unrelated hint
