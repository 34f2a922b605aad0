import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import viz  # noqa: E402


def test_neighbours_in_the_grid():
    assert sorted(viz.neighbours(0, 0, 3, 3, diagonal=False)) == [(0, 1), (1, 0)]
    assert len(viz.neighbours(1, 1, 3, 3)) == 8
    with pytest.raises(ValueError, match="outside a 3x3 grid"):
        viz.neighbours(3, 0, 3, 3)


def test_plotting_functions_return_figures():
    images = torch.randint(0, 256, (4, 28, 28), dtype=torch.uint8)
    conf = torch.tensor([[5, 1], [2, 7]])
    figs = [
        viz.plot_images(images, [0, 1, 2, 3]),
        viz.plot_image_as_vector(images[0]),
        viz.plot_flatten_neighbours(4, 6, 1, 2),
        viz.plot_shift(images[0], mb.data.shift_images(images[0], 1)),
        viz.plot_metrics({"MLP": {"accuracy": 0.9, "precision": 0.9, "recall": 0.9}},
                         reference={"MLP": {"accuracy": 0.88, "precision": 0.88, "recall": 0.88}}),
        viz.plot_confusion(conf, ["a", "b"]),
        viz.plot_histories({"MLP": [0.8, 0.85]}),
        viz.plot_shift_robustness([0, 1], {"CNN": [0.9, 0.88]}),
    ]
    for fig in figs:
        assert isinstance(fig, Figure) and fig.axes
        matplotlib.pyplot.close(fig)


