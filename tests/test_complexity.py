import pytest
from torch import nn

from mixerbook import complexity as cx


def test_report_figures_recomputed():
    # facts.md section 10: the report printed 154.3M and 618.1M; the correct values are these.
    assert cx.flatten_first_layer(224, 224, 3, 1024)["params"] == 154_141_696
    assert cx.flatten_first_layer(448, 448, 3, 1024)["params"] == 616_563_712
    assert cx.flatten_first_layer(224, 224, 3, 1024)["macs"] == 154_140_672
    assert cx.conv2d_macs(3, 64, 3, 224, 224) == 86_704_128
    assert cx.conv2d_params(3, 64, 3) == 1_792 and cx.conv2d_params(3, 64, 3, bias=False) == 1_728


@pytest.mark.parametrize("fin,fout", [(784, 256), (17, 3), (3, 1)])
def test_linear_formulas_match_measurement(fin, fout):
    layer = nn.Linear(fin, fout)
    assert cx.count_params(layer) == cx.linear_params(fin, fout)
    assert cx.count_macs(layer, (fin,)) == cx.linear_macs(fin, fout)


@pytest.mark.parametrize("cin,cout,k,size", [(1, 16, 3, 28), (3, 64, 3, 32), (8, 4, 5, 12)])
def test_conv_formulas_match_measurement(cin, cout, k, size):
    conv = nn.Conv2d(cin, cout, k, padding=k // 2)
    assert cx.count_params(conv) == cx.conv2d_params(cin, cout, k)
    assert cx.count_macs(conv, (cin, size, size)) == cx.conv2d_macs(cin, cout, k, size, size)


def test_count_params_counts_shared_weights_once():
    shared = nn.Linear(4, 4)
    net = nn.Sequential(shared, shared)
    assert cx.count_params(net) == 20
    net[0].bias.requires_grad_(False)
    assert cx.count_params(net, trainable_only=True) == 16


def test_count_macs_leaves_training_mode_alone():
    net = nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5))
    net.train()
    cx.count_macs(net, (3,))
    assert net.training


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="in_features must be a positive int"):
        cx.linear_params(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        cx.conv2d_params(1, 1, -3)
