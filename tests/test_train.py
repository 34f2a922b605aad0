import pytest
import torch

from mixerbook.data import load_fashion_mnist
from mixerbook.models import FlattenMLP
from mixerbook.train import confusion_matrix, evaluate, fit, macro_precision_recall


@pytest.fixture(scope="module")
def small():
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    return train.images[:3000], train.labels[:3000], test.images[:1000], test.labels[:1000]


def _run(small, seed):
    torch.manual_seed(seed)
    net = FlattenMLP(hidden_dims=(64,))
    history = fit(net, small[0], small[1], epochs=2, batch_size=128, seed=seed, test_images=small[2],
                  test_labels=small[3], device="cpu", progress=False)
    return net, history


def test_same_seed_gives_the_same_numbers_on_cpu(small):
    net_a, hist_a = _run(small, 1)
    net_b, hist_b = _run(small, 1)
    assert hist_a.train_loss == hist_b.train_loss
    assert hist_a.test_accuracy == hist_b.test_accuracy
    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    _, hist_c = _run(small, 2)
    assert hist_c.train_loss != hist_a.train_loss


def test_dropout_masks_follow_the_seed_not_the_callers_random_state(small):
    """fit(seed=...) fixes the dropout masks too, whatever was drawn before, and leaves the caller's state alone."""
    from mixerbook.models import SmallCNN

    runs = []
    for earlier_draws in (0, 5):
        torch.manual_seed(0)
        net = SmallCNN(channels=(4, 8), head_dim=16)  # has Dropout in its head
        torch.rand(earlier_draws)  # the caller drew other random numbers before training
        state = torch.get_rng_state()
        history = fit(net, small[0][:512], small[1][:512], epochs=1, batch_size=128, seed=3, device="cpu",
                      progress=False)
        assert torch.equal(torch.get_rng_state(), state)  # fit restored the caller's random state
        runs.append((net, history))
    (net_a, hist_a), (net_b, hist_b) = runs
    assert hist_a.train_loss == hist_b.train_loss
    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.equal(pa, pb)


def test_fit_learns_far_above_chance(small):
    net, history = _run(small, 0)
    assert len(history.epoch_seconds) == 2 and history.seconds > 0
    assert history.train_loss[1] < history.train_loss[0]
    assert evaluate(net, small[2], small[3]).accuracy > 0.6  # chance is 0.1
    assert not net.training


def test_fit_rejects_mismatched_inputs(small):
    with pytest.raises(ValueError, match="disagree in length: 3000 vs 10"):
        fit(FlattenMLP(), small[0], small[1][:10], progress=False)
    with pytest.raises(ValueError, match="must be positive"):
        fit(FlattenMLP(), small[0], small[1], epochs=0, progress=False)


def test_confusion_and_macro_metrics_by_hand():
    target = torch.tensor([0, 0, 1, 1, 2, 2])
    pred = torch.tensor([0, 1, 1, 1, 0, 2])
    conf = confusion_matrix(pred, target, 3)
    assert conf.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    precision, recall = macro_precision_recall(conf)
    assert precision == pytest.approx((1 / 2 + 2 / 3 + 1 / 1) / 3)
    assert recall == pytest.approx((1 / 2 + 2 / 2 + 1 / 2) / 3)


def test_evaluate_reports_consistent_metrics(small):
    net, _ = _run(small, 0)
    m = evaluate(net, small[2], small[3])
    assert m.confusion.sum() == 1000
    assert m.accuracy == pytest.approx(float(m.confusion.diag().sum()) / 1000)
    assert 0 <= m.precision <= 1 and 0 <= m.recall <= 1


def test_a_run_of_a_few_steps_works(small):
    history = fit(FlattenMLP(hidden_dims=(16,)), small[0][:300], small[1][:300], epochs=1, batch_size=128,
                  device="cpu", progress=False)
    assert len(history.train_loss) == 1


def test_convolutional_models_train_channels_last_with_the_same_values(small):
    import copy

    from mixerbook.models import SmallCNN
    from mixerbook.train import memory_format_for, predict

    torch.manual_seed(0)
    cnn = SmallCNN(channels=(8, 16), head_dim=32)
    assert memory_format_for(cnn) == torch.channels_last
    assert memory_format_for(FlattenMLP(hidden_dims=(64,))) == torch.contiguous_format
    reference = copy.deepcopy(cnn).eval()
    x = small[2][:64]
    with torch.no_grad():  # the plain NCHW forward pass of the untouched copy
        expected = reference(x.unsqueeze(1).float().mul(2 / 255).sub(1))
    got = predict(cnn, x, device="cpu")  # converts the model and the batches to channels-last
    assert cnn.features[0][0].weight.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(got, expected, atol=1e-5)
    fit(cnn, small[0][:512], small[1][:512], epochs=1, batch_size=128, device="cpu", progress=False)
    assert all(torch.isfinite(p).all() for p in cnn.parameters())


def test_the_progress_bar_speaks_vietnamese(small, capsys):
    """The bar a reader sees under a training cell: Vietnamese label and fields, no ``loss=`` / ``test_acc=``."""
    x, y = small[0][:64], small[1][:64]
    fit(FlattenMLP(), x, y, epochs=1, batch_size=32, lr=1e-3, seed=0, test_images=x, test_labels=y, device="cpu",
        progress=True)
    bar = capsys.readouterr().err
    assert "huấn luyện" in bar and "mất mát" in bar and "độ chính xác kiểm tra" in bar, bar
    assert "loss=" not in bar and "test_acc" not in bar and "FlattenMLP" not in bar, bar
