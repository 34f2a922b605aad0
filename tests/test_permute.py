"""Property tests for the fixed pixel permutations (hypothesis)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from mixerbook.permute import make_permutation


@st.composite
def image_and_patch(draw):
    p = draw(st.integers(1, 5))
    return draw(st.integers(1, 5)) * p, draw(st.integers(1, 5)) * p, p


@settings(max_examples=60, deadline=None)
@given(image_and_patch(), st.sampled_from(["none", "patch", "global"]), st.integers(0, 2**16))
def test_permutation_is_a_bijection_and_invertible(shape, mode, seed):
    h, w, p = shape
    perm = make_permutation(mode, h, w, patch_size=p, seed=seed)
    assert sorted(perm.source.tolist()) == list(range(h * w))
    x = torch.randint(0, 256, (3, 2, h, w), dtype=torch.uint8)
    y = perm(x)
    assert y.shape == x.shape and y.dtype == x.dtype
    assert torch.equal(perm.inverse()(y), x)
    assert torch.equal(perm(perm.inverse()(x)), x)
    # every image and channel gets the same rearrangement
    assert torch.equal(y[1, 0], perm(x[1, 0]))


@settings(max_examples=40, deadline=None)
@given(image_and_patch(), st.sampled_from(["patch", "global"]), st.integers(0, 2**16))
def test_same_seed_same_permutation(shape, mode, seed):
    h, w, p = shape
    a = make_permutation(mode, h, w, patch_size=p, seed=seed)
    b = make_permutation(mode, h, w, patch_size=p, seed=seed)
    assert torch.equal(a.source, b.source)


@settings(max_examples=60, deadline=None)
@given(image_and_patch(), st.integers(0, 2**16))
def test_patch_mode_keeps_patches_together_with_one_shared_pixel_order(shape, seed):
    h, w, p = shape
    perm = make_permutation("patch", h, w, patch_size=p, seed=seed)
    grid_w = w // p
    index = torch.arange(h * w).reshape(h, w)
    out = perm(index)
    # cut both into patches: (S, P*P)
    def patches(t):
        return t.reshape(h // p, p, grid_w, p).permute(0, 2, 1, 3).reshape(-1, p * p)
    src, dst = patches(index), patches(out)
    for j in range(dst.shape[0]):
        k = int(perm.patch_order[j])
        assert set(dst[j].tolist()) == set(src[k].tolist())  # a whole input patch lands in one output patch
        assert torch.equal(dst[j], src[k][perm.pixel_order])  # with the shared within-patch order


def test_identity_and_errors():
    x = torch.arange(16).reshape(1, 4, 4)
    assert torch.equal(make_permutation("none", 4, 4)(x), x)
    with pytest.raises(ValueError, match="Unknown shuffle mode 'pixel'"):
        make_permutation("pixel", 4, 4)
    with pytest.raises(ValueError, match="image 28x28, patch_size 5"):
        make_permutation("patch", 28, 28, patch_size=5)
    with pytest.raises(ValueError, match="for 4x4 images"):
        make_permutation("global", 4, 4)(torch.zeros(5, 5))


def test_different_seeds_differ():
    a = make_permutation("global", 28, 28, seed=0).source
    b = make_permutation("global", 28, 28, seed=1).source
    assert not torch.equal(a, b)


def test_chapter_3_worked_example_matches_the_package():
    """Chapter 3 explains the patch+pixel shuffle with a 4×4 example typed as tables (its code is exercise 3.3's
    answer, so the chapter does not show it): the tables must be what ``patch_source_index`` computes."""
    import json
    import re
    from pathlib import Path

    from mixerbook.permute import patch_source_index

    nb = json.loads((Path(__file__).resolve().parents[1] / "book" / "03_inductive_bias.ipynb").read_text("utf-8"))
    text = next("".join(c["source"]) for c in nb["cells"]
                if c["cell_type"] == "markdown" and "| `source` |" in "".join(c["source"]))

    def order(name: str) -> list[int]:
        m = re.search(rf"`{name}` \$= \(([\d, ]+)\)\$", text)
        assert m, f"chapter 3's worked example no longer states {name} as `{name}` $= (…)$"
        return [int(v) for v in m.group(1).split(",")]

    def table(header: str) -> list[list[int]]:
        block = text[text.index(f"| {header} |"):].split("\n\n")[0].splitlines()[2:]
        return [[int(v) for v in row.strip("|").split("|")[1:]] for row in block]

    assert table("Ảnh vào") == torch.arange(16).reshape(4, 4).tolist()
    want = patch_source_index(4, 4, 2, torch.tensor(order("patch_order")), torch.tensor(order("pixel_order")))
    assert table("`source`") == want.reshape(4, 4).tolist(), "chapter 3's 4×4 worked example has a wrong `source` table"


def test_every_mode_has_one_vietnamese_name():
    """Progress bars, printed lines and figures name a shuffle mode in Vietnamese, from one table."""
    import mixerbook as mb
    from mixerbook.permute import MODE_NAMES, MODES

    assert set(MODE_NAMES) == set(MODES) and mb.viz.SHUFFLE_LABELS is MODE_NAMES
    assert not any(name in MODES for name in MODE_NAMES.values()), MODE_NAMES
