import pytest
import torch

import mixerbook as mb
from mixerbook.data import DataUnavailableError, load_fashion_mnist, sample_photo, shift_images, to_float


def test_fashion_mnist_splits_load_whole_in_memory():
    train, test = load_fashion_mnist("train"), load_fashion_mnist("test")
    assert train.images.shape == (60_000, 28, 28) and train.images.dtype == torch.uint8
    assert test.images.shape == (10_000, 28, 28)
    assert train.labels.dtype == torch.int64 and train.labels.shape == (60_000,)
    assert torch.bincount(test.labels).tolist() == [1000] * 10
    assert len(mb.data.CLASS_NAMES) == len(mb.data.CLASS_NAMES_VI) == 10


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError, match="Unknown split 'valid'"):
        load_fashion_mnist("valid")


def test_missing_data_offline_names_both_remedies(tmp_path, monkeypatch):
    monkeypatch.delenv("MIXERBOOK_DATA", raising=False)
    with pytest.raises(DataUnavailableError) as info:
        load_fashion_mnist("test", root=tmp_path, download=False)
    message = str(info.value)
    assert "MIXERBOOK_DATA" in message and "internet" in message and "FashionMNIST/raw" in message


def test_to_float_adds_channel_and_scales():
    x = torch.tensor([[[0, 255]]], dtype=torch.uint8)
    y = to_float(x)
    assert y.shape == (1, 1, 1, 2)
    assert y.tolist() == [[[[-1.0, 1.0]]]]
    with pytest.raises(ValueError, match="Expected images"):
        to_float(torch.zeros(3, 3))


def test_shift_images_moves_pixels_and_zero_fills():
    x = torch.arange(1, 10).reshape(1, 3, 3)
    right = shift_images(x, dx=1)
    assert right.tolist() == [[[0, 1, 2], [0, 4, 5], [0, 7, 8]]]
    down = shift_images(x, dy=1)
    assert down.tolist() == [[[0, 0, 0], [1, 2, 3], [4, 5, 6]]]
    assert torch.equal(shift_images(x, 0, 0), x)
    with pytest.raises(ValueError, match="smaller than the image size"):
        shift_images(x, dx=3)


def test_sample_photo_is_a_real_colour_image():
    photo = sample_photo(224)
    assert photo.shape == (3, 224, 224) and photo.dtype == torch.uint8
    assert photo.float().std() > 20  # a real photo, not a constant
    assert sample_photo(64).shape == (3, 64, 64)
