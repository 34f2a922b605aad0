"""Interactive widgets: thin ipywidgets front-ends over :mod:`mixerbook.viz`.

Every widget draws its default picture as soon as it is built, as a PNG inside an
``ipywidgets.Image``. The picture is therefore saved with the notebook's widget state and shows on
the static website; moving the controls needs a live kernel (Colab, Binder, Jupyter).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from . import viz
from .data import CLASS_NAMES_VI, shift_images

__all__ = ["Explorer", "figure_to_png", "flatten_explorer", "shift_explorer", "growth_explorer"]


def figure_to_png(fig: Figure) -> bytes:
    """Render a Figure to PNG bytes and close it (so notebooks do not also show it)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - ipywidgets is a dependency
        raise ImportError("mixerbook.widgets needs ipywidgets: pip install ipywidgets") from exc
    return ipywidgets


class Explorer:
    """Controls plus a picture that is redrawn whenever a control changes.

    Args:
        draw: called with the controls' current values as keyword arguments; returns a Figure.
        controls: ``{argument name: ipywidgets control}``.
        caption: a line of text shown above the controls.

    Attributes:
        controls: the controls, by argument name.
        image: the ``ipywidgets.Image`` holding the latest PNG.
        widget: the whole layout (a ``VBox``); displaying the Explorer displays it.
    """

    def __init__(self, draw: Callable[..., Figure], controls: Mapping[str, object], caption: str = "") -> None:
        w = _ipywidgets()
        self._draw = draw
        self.controls = dict(controls)
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.status = w.HTML(value="")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        rows = [w.HTML(value=f"<b>{caption}</b>")] if caption else []
        rows.append(w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap")))
        rows += [self.status, self.image]
        self.widget = w.VBox(rows)
        self.refresh()

    def values(self) -> dict[str, object]:
        """The controls' current values, by argument name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Redraw the picture from the current values; a bad combination shows its message instead."""
        try:
            self.image.value = figure_to_png(self._draw(**self.values()))
            self.status.value = ""
        except ValueError as exc:
            self.status.value = f"<span style='color:#b00'>⚠ {exc}</span>"

    def _on_change(self, _change) -> None:
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def flatten_explorer(height: int = 5, width: int = 5) -> Explorer:
    """Pick a pixel of a small grid; see its 2-D neighbours and where they land in the flat vector."""
    w = _ipywidgets()
    style = {"description_width": "initial"}
    controls = {
        "height": w.IntSlider(value=height, min=3, max=10, description="Số hàng H", continuous_update=False,
                              style=style),
        "width": w.IntSlider(value=width, min=3, max=10, description="Số cột W", continuous_update=False,
                             style=style),
        "row": w.IntSlider(value=height // 2, min=0, max=9, description="Hàng", continuous_update=False),
        "col": w.IntSlider(value=width // 2, min=0, max=9, description="Cột", continuous_update=False),
        "diagonal": w.Checkbox(value=True, description="Tính cả láng giềng chéo"),
    }
    controls["row"].max = height - 1
    controls["col"].max = width - 1

    def _limit(change) -> None:  # keep the chosen pixel inside the grid; registered before the redraw
        target = controls["row"] if change["owner"] is controls["height"] else controls["col"]
        target.max = change["new"] - 1

    controls["height"].observe(_limit, names="value")
    controls["width"].observe(_limit, names="value")
    return Explorer(viz.plot_flatten_neighbours, controls,
                    caption="Chọn một điểm ảnh: các láng giềng 2-D của nó nằm ở đâu trong vector phẳng?")


def shift_explorer(images: torch.Tensor, labels: torch.Tensor | None = None, max_shift: int = 4) -> Explorer:
    """Choose an image and a shift; see how many entries of its flat vector change.

    Args:
        images: (N, H, W) uint8 images (a handful is enough).
        labels: (N,) class ids, used in the title.
    """
    if images.dim() != 3 or len(images) == 0:
        raise ValueError(f"shift_explorer expects a non-empty (N, H, W) tensor, got {tuple(images.shape)}.")
    w = _ipywidgets()

    def draw(index: int, dx: int, dy: int) -> Figure:
        img = images[index]
        title = CLASS_NAMES_VI[int(labels[index])] if labels is not None else None
        return viz.plot_shift(img, shift_images(img, dx, dy), title=title)

    controls = {
        "index": w.IntSlider(value=0, min=0, max=len(images) - 1, description="Ảnh số", continuous_update=False),
        "dx": w.IntSlider(value=1, min=-max_shift, max=max_shift, description="Sang phải",
                          continuous_update=False),
        "dy": w.IntSlider(value=0, min=-max_shift, max=max_shift, description="Xuống dưới",
                          continuous_update=False),
    }
    return Explorer(draw, controls, caption="Dịch ảnh vài điểm ảnh: vector phẳng thay đổi bao nhiêu?")


def growth_explorer(resolution: int = 224, hidden: int = 1024, channels: int = 3, patch_size: int = 16) -> Explorer:
    """Sliders for the image side, the MLP's hidden width, the image channels and the Mixer's patch size.

    The picture is :func:`mixerbook.viz.plot_growth` for a flatten-MLP's first layer, a first 3x3
    convolution (64 filters) and one Mixer-B/16-sized layer (C=768, D_S=384, D_C=3072), with the
    chosen side marked and the counts at that side printed under the plots. A side that the patch
    size does not divide shows a message instead of a picture.
    """
    from . import complexity

    w = _ipywidgets()
    style = {"description_width": "initial"}

    def draw(resolution: int, hidden: int, channels: int, patch_size: int):
        if resolution % patch_size != 0:
            raise ValueError(f"Resolution {resolution} is not divisible by patch_size {patch_size}: a Mixer cuts "
                             f"the image into whole {patch_size}x{patch_size} patches. Choose a multiple of "
                             f"{patch_size} (e.g. {max(patch_size, resolution // patch_size * patch_size)}).")
        sides = sorted({patch_size * k for k in (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
                        if 32 <= patch_size * k <= 2048} | {resolution})
        series = complexity.growth_series(sides, hidden=hidden, channels=channels, patch_size=patch_size)
        i = sides.index(resolution)
        s = (resolution // patch_size) ** 2
        counts = "   |   ".join(f"{name}: {series[name]['params'][i]:,} tham số, {series[name]['macs'][i]:,} MAC"
                                 for name in series)
        note = f"Tại R = {resolution} ({resolution * resolution * channels:,} số đầu vào, S = {s} mảnh)\n{counts}"
        return viz.plot_growth(sides, series, highlight=resolution, note=note)

    def options(choices: list[int], value: int) -> list[int]:
        return sorted(set(choices) | {value})

    controls = {
        "resolution": w.IntSlider(value=resolution, min=32, max=1024, step=8, description="Cạnh ảnh R",
                                  continuous_update=False, style=style),
        "hidden": w.Dropdown(options=options([256, 512, 1024, 2048, 4096], hidden), value=hidden,
                             description="Nơ-ron ẩn của MLP", style=style),
        "channels": w.Dropdown(options=options([1, 3, 4], channels), value=channels, description="Số kênh ảnh",
                               style=style),
        "patch_size": w.Dropdown(options=options([8, 14, 16, 32], patch_size), value=patch_size,
                                 description="Cạnh mảnh P (Mixer)", style=style),
    }
    return Explorer(draw, controls,
                    caption="Ảnh lớn dần: tham số và phép tính của ba loại lớp tăng ra sao?")


def feature_map_explorer(model: torch.nn.Module, images: torch.Tensor, layers: Mapping[str, str],
                         labels: torch.Tensor | None = None) -> Explorer:
    """Browse the feature maps of a trained CNN: choose an image, a stage and a channel.

    The maps are read with forward hooks (:func:`mixerbook.probe.feature_maps`) and drawn by
    :func:`mixerbook.viz.plot_feature_map_detail`.

    Args:
        model: the network.
        images: (N, H, W) uint8 images (a handful is enough).
        layers: ``{display label: module name}``, first stage first, e.g. ``{"tầng 1": "features.0.2"}``.
        labels: (N,) class ids, used in the title.
    """
    from . import probe

    if images.dim() != 3 or len(images) == 0:
        raise ValueError(f"feature_map_explorer expects a non-empty (N, H, W) tensor, got {tuple(images.shape)}.")
    if not layers:
        raise ValueError("feature_map_explorer needs at least one layer, as {label: module name}.")
    w = _ipywidgets()
    names = list(layers.values())
    cache: dict[int, dict[str, torch.Tensor]] = {}

    def maps_of(index: int) -> dict[str, torch.Tensor]:
        if index not in cache:
            cache[index] = probe.feature_maps(model, images[index : index + 1], names)
        return cache[index]

    num_channels = {name: fmap.shape[1] for name, fmap in maps_of(0).items()}

    def draw(index: int, layer: str, channel: int) -> Figure:
        label = next(k for k, v in layers.items() if v == layer)
        title = CLASS_NAMES_VI[int(labels[index])] if labels is not None else None
        return viz.plot_feature_map_detail(images[index], maps_of(index)[layer][0], channel, label, title=title)

    first = names[0]
    controls = {
        "index": w.IntSlider(value=0, min=0, max=len(images) - 1, description="Ảnh số", continuous_update=False),
        "layer": w.Dropdown(options=list(layers.items()), value=first, description="Tầng"),
        "channel": w.IntSlider(value=0, min=0, max=num_channels[first] - 1, description="Kênh",
                               continuous_update=False),
    }

    def _limit(change) -> None:  # keep the channel inside the chosen layer; registered before the redraw
        controls["channel"].max = num_channels[change["new"]] - 1

    controls["layer"].observe(_limit, names="value")
    return Explorer(draw, controls, caption="Chọn ảnh, tầng và kênh: mỗi kênh là một bộ lọc đã học, "
                                            "sáng ở nơi nó tìm thấy mẫu của mình.")


__all__ += ["feature_map_explorer"]
