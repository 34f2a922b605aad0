"""Chapter "Chia ảnh thành patch": patchify, its inverse, the patch embedding as one shared Linear, the widget."""

import matplotlib.pyplot as plt
import pytest
import torch

import mixerbook as mb
from mixerbook.complexity import conv2d_params, count_params
from mixerbook.models.mixer import PatchEmbedding, patchify, unpatchify


def test_patchify_shape_and_row_major_patch_order():
    x = torch.arange(2 * 3 * 8 * 12, dtype=torch.float32).reshape(2, 3, 8, 12)
    out = patchify(x, 4)
    assert out.shape == (2, 6, 48)  # S = 2 * 3 patches of 3*4*4 values
    # patch k = 4 sits at grid row 1, column 1; its first entry is channel 0, pixel (4, 4)
    assert out[1, 4, 0] == x[1, 0, 4, 4]
    assert torch.equal(out[0, 4], x[0, :, 4:8, 4:8].flatten())  # channel, then rows, then columns


def test_unpatchify_inverts_patchify():
    x = torch.randn(3, 2, 12, 8)
    assert torch.equal(unpatchify(patchify(x, 4), 4, 12, 8), x)


@pytest.mark.parametrize(("image_size", "patch_size", "in_channels", "hidden_dim"),
                         [(28, 7, 1, 128), (32, 8, 3, 24), (224, 16, 3, 64)])
def test_conv_embedding_equals_patchify_times_shared_linear(image_size, patch_size, in_channels, hidden_dim):
    torch.manual_seed(0)
    stem = PatchEmbedding(image_size, patch_size, in_channels, hidden_dim)
    x = torch.randn(2, in_channels, image_size, image_size)
    weight = stem.proj.weight.reshape(hidden_dim, -1)  # (C, C_in*P*P)
    with torch.no_grad():
        diff = (patchify(x, patch_size) @ weight.T + stem.proj.bias - stem(x)).abs().max()
    assert diff < 1e-5


def test_embedding_parameter_count_is_p_p_3_c_plus_c_at_any_resolution():
    for side in (224, 448):
        with torch.device("meta"):
            stem = PatchEmbedding(side, 16, 3, 768)
        assert count_params(stem) == conv2d_params(3, 768, 16) == 16 * 16 * 3 * 768 + 768


def test_indivisible_sizes_are_explained():
    with pytest.raises(ValueError, match="Image size 28x28 is not divisible by patch_size 5"):
        patchify(torch.zeros(1, 1, 28, 28), 5)
    with pytest.raises(ValueError, match="expects \\(B, C, H, W\\)"):
        patchify(torch.zeros(28, 28), 7)
    with pytest.raises(ValueError, match="do not fit"):
        unpatchify(torch.zeros(1, 15, 49), 7, 28, 28)


def test_plot_patch_grid_and_its_errors():
    photo = mb.data.sample_photo()
    fig = mb.viz.plot_patch_grid(photo, 32, 512, highlight=3)
    assert len(fig.axes) == 3 and "S = 49" in fig.axes[0].get_title()
    assert "49 × 512" in fig.axes[2].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="not divisible by patch_size 12"):
        mb.viz.plot_patch_grid(photo, 12)
    with pytest.raises(ValueError, match="between 0 and 48"):
        mb.viz.plot_patch_grid(photo, 32, highlight=49)


