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

__all__ = ["Explorer", "figure_to_png", "flatten_explorer", "shift_explorer"]


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
