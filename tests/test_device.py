import pytest
import torch

import mixerbook as mb


def test_get_device_returns_an_available_device():
    device = mb.get_device()
    assert device.type in {"cuda", "mps", "cpu"}
    if torch.cuda.is_available():
        assert device.type == "cuda"
    torch.zeros(1, device=device)  # usable


def test_get_device_honours_environment(monkeypatch):
    monkeypatch.setenv("MIXERBOOK_DEVICE", "cpu")
    assert mb.get_device() == torch.device("cpu")


def test_get_device_rejects_unknown_kind():
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        mb.get_device("tpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_get_device_rejects_missing_cuda():
    with pytest.raises(ValueError, match="cuda"):
        mb.get_device("cuda")


def test_set_seed_repeats_random_draws():
    mb.set_seed(3)
    a = torch.randn(5)
    mb.set_seed(3)
    assert torch.equal(a, torch.randn(5))
    with pytest.raises(ValueError):
        mb.set_seed(-1)


def test_autocast_is_a_no_op_on_cpu():
    with mb.autocast("cpu"):
        y = torch.ones(2, 2) @ torch.ones(2, 2)
    assert y.dtype == torch.float32
