"""mixerbook.a11y: figure descriptions, the PNG ``Description`` chunk, and the IPython formatter."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from mixerbook import a11y, viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_single_axes_with_suptitle_labels_and_legend() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="MLP")
    ax.plot([0, 1], [1, 0], label="CNN")
    ax.set_title("Độ chính xác")
    ax.set_xlabel("epoch")
    ax.set_ylabel("độ chính xác")
    ax.legend()
    fig.suptitle("So sánh hai mô hình")
    text = a11y.describe_figure(fig)
    assert text == (
        "Hình: So sánh hai mô hình. Đồ thị đường «Độ chính xác», trục ngang: epoch, "
        "trục dọc: độ chính xác, chú giải: MLP, CNN."
    )


def test_figure_without_any_title_is_described_by_its_axes() -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    assert a11y.describe_figure(fig) == "Hình: đồ thị đường."
    ax.set_xlabel("cạnh ảnh")
    assert a11y.describe_figure(fig) == "Hình: đồ thị đường, trục ngang: cạnh ảnh."


def test_empty_figure_still_has_a_text() -> None:
    assert a11y.describe_figure(plt.figure()).startswith("Hình")


def test_several_axes_are_numbered_and_colorbars_and_empty_axes_skipped() -> None:
    fig, (ax0, ax1, ax2) = plt.subplots(1, 3)
    im = ax0.imshow(np.zeros((3, 3)))
    ax0.set_title("Ảnh 3×3")
    fig.colorbar(im, ax=ax0, label="giá trị")
    ax1.bar([0, 1], [1, 2])
    ax1.set_title("Tham số")
    ax2.axis("off")
    text = a11y.describe_figure(fig)
    assert text == "Hình gồm 2 biểu đồ: (1) ảnh «Ảnh 3×3»; (2) biểu đồ cột «Tham số»."


def test_mathtext_is_unwrapped() -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    ax.set_ylabel(r"$n \times n$ tham số")
    assert "trục dọc: n × n tham số" in a11y.describe_figure(fig)


def test_long_descriptions_are_cut_and_grids_summarised() -> None:
    images = torch.rand(24, 28, 28)
    fig = viz.plot_images(images, labels=list(range(10)) * 2 + [0, 1, 2, 3])
    text = a11y.describe_figure(fig)
    assert text.startswith("Hình")
    assert "24 ảnh" in text
    assert len(text) <= a11y.MAX_CHARS
    fig2, ax = plt.subplots()
    ax.plot([1])
    ax.set_title("rất dài " * 200)
    long = a11y.describe_figure(fig2)
    assert len(long) <= a11y.MAX_CHARS and long.endswith("…")


def test_book_figures_get_their_vietnamese_titles() -> None:
    fig = viz.plot_histories({"MLP": [0.5, 0.7], "CNN": [0.6, 0.8]})
    text = a11y.describe_figure(fig)
    assert text.startswith("Hình: ")
    assert "Độ chính xác trên tập kiểm tra theo epoch" in text
    assert "MLP" in text and "CNN" in text


def test_png_carries_the_description_and_is_read_back(tmp_path) -> None:
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    ax.set_title("Đường thẳng — tiếng Việt")
    data = a11y.figure_png(fig)
    assert data.startswith(b"\x89PNG")
    assert a11y.png_description(data) == a11y.describe_figure(fig)
    path = tmp_path / "fig.png"
    path.write_bytes(data)
    assert a11y.png_description(path) == a11y.describe_figure(fig)
    # An explicit description wins over the generated one.
    assert a11y.png_description(a11y.figure_png(fig, metadata={"Description": "Hình: riêng"})) == "Hình: riêng"


def test_png_text_reader_handles_plain_compressed_and_missing_chunks(tmp_path) -> None:
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Title", "latin")
    info.add_text("Comment", "nén " * 50, zip=True)
    info.add_itxt("Description", "Mô tả có dấu", zip=True)
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, format="PNG", pnginfo=info)
    chunks = a11y.png_text_chunks(buf.getvalue())
    assert chunks["Title"] == "latin"
    assert chunks["Comment"].startswith("nén")
    assert a11y.png_description(buf.getvalue()) == "Mô tả có dấu"
    assert a11y.png_description(b"not a png") == ""
    assert a11y.png_description(tmp_path / "missing.png") == ""


def test_install_outside_ipython_does_nothing() -> None:
    ipython = pytest.importorskip("IPython")
    if ipython.get_ipython() is not None:
        pytest.skip("running inside IPython")
    assert a11y.install() is False


def test_install_registers_a_describing_png_formatter() -> None:
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    shell = InteractiveShell.instance()
    try:
        assert a11y.install(shell)
        png = shell.display_formatter.formatters["image/png"]
        # Something (the inline backend) replaces the formatter: the next cell puts it back.
        png.for_type(Figure, lambda fig: None)
        shell.events.trigger("pre_execute")
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        ax.set_title("Thử")
        data, _ = shell.display_formatter.format(fig)
        raw = base64.b64decode(data["image/png"])
        assert a11y.png_description(raw) == "Hình: đồ thị đường «Thử»."
        hooks = {event: len(shell.events.callbacks[event]) for event in ("pre_execute", "post_execute")}
        assert a11y.install(shell)  # idempotent: the hooks are registered once
        assert hooks == {event: len(shell.events.callbacks[event]) for event in hooks}
    finally:
        InteractiveShell.clear_instance()
