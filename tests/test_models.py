import pytest
import torch

import mixerbook as mb
from mixerbook.models import FlattenMLP, SmallCNN


def test_flatten_mlp_shapes_and_exact_parameter_count():
    net = FlattenMLP(image_size=28, in_channels=1, hidden_dims=(256, 128), num_classes=10)
    assert net(torch.zeros(4, 1, 28, 28)).shape == (4, 10)
    expected = (784 * 256 + 256) + (256 * 128 + 128) + (128 * 10 + 10)
    assert mb.complexity.count_params(net) == expected


def test_flatten_mlp_rejects_wrong_input_with_clear_message():
    net = FlattenMLP(image_size=28)
    with pytest.raises(ValueError, match=r"expects input of shape \(B, 1, 28, 28\), got \(2, 1, 32, 32\)"):
        net(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="hidden_dims"):
        FlattenMLP(hidden_dims=(0,))


def test_small_cnn_shapes_and_exact_parameter_count():
    net = SmallCNN(channels=(16, 32), head_dim=128)
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    expected = (9 * 16 + 2 * 16) + (9 * 16 * 32 + 2 * 32) + (32 * 7 * 7 * 128 + 128) + (128 * 10 + 10)
    assert mb.complexity.count_params(net) == expected


def test_small_cnn_rejects_indivisible_size():
    with pytest.raises(ValueError, match="divisible by 2\\*\\*3 = 8"):
        SmallCNN(image_size=28, channels=(8, 8, 8))


@pytest.mark.parametrize("net", [FlattenMLP(), SmallCNN(channels=(8, 16))], ids=["mlp", "cnn"])
def test_every_parameter_gets_a_finite_gradient(net):
    torch.manual_seed(0)
    loss = net(torch.randn(8, 1, 28, 28)).logsumexp(1).mean()
    loss.backward()
    for name, p in net.named_parameters():
        assert p.grad is not None, name
        assert torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name
