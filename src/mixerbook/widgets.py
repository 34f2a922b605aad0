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


def expansion_explorer(model: torch.nn.Module, factor: int = 2, block: int = 0) -> Explorer:
    """Choose K and a Mixer block; see how its token-mixing W1 is copied block-diagonally for a K-times larger image.

    The picture is :func:`mixerbook.viz.plot_token_blocks` for the ``fc1.weight`` that
    :func:`mixerbook.models.mixer.expand_token_mlp` makes of block ``block``'s token-mixing MLP.

    Args:
        model: an :class:`~mixerbook.models.MlpMixer` (trained or not).
        factor: initial K (1 to 4).
        block: initial Mixer block.
    """
    from .models import MlpMixer
    from .models.mixer import expand_token_mlp

    if not isinstance(model, MlpMixer):
        raise ValueError(f"expansion_explorer needs an MlpMixer, got {type(model).__name__}.")
    if not 1 <= factor <= 4 or not 0 <= block < len(model.blocks):
        raise ValueError(f"factor must be in 1..4 and block in 0..{len(model.blocks) - 1}; got {factor} and {block}.")
    w = _ipywidgets()
    grid = model.stem.grid_size

    def draw(factor: int, block: int) -> Figure:
        mlp = expand_token_mlp(model.blocks[block].token_mixing, grid, factor)
        return viz.plot_token_blocks(mlp.fc1.weight, grid, factor,
                                     title=f"Khối Mixer {block}: ảnh lớn gấp {factor} lần mỗi cạnh")

    controls = {
        "factor": w.IntSlider(value=factor, min=1, max=4, description="Hệ số K", continuous_update=False),
        "block": w.IntSlider(value=block, min=0, max=len(model.blocks) - 1, description="Khối Mixer",
                             continuous_update=False),
    }
    return Explorer(draw, controls, caption="Ảnh lớn gấp K lần: W1 được chép K² lần dọc đường chéo.")


__all__ += ["expansion_explorer"]


# --------------------------------------------------------------------------- patches and mixing (chapters 5-6)
def patch_grid_explorer(image: torch.Tensor | None = None, patch_size: int = 16, hidden_dim: int = 768,
                        patch_sizes: tuple[int, ...] = (8, 12, 14, 16, 28, 32, 56),
                        hidden_dims: tuple[int, ...] = (256, 512, 768, 1024, 1280)) -> Explorer:
    """Choose a patch size, a token width C and a patch; see the grid on the photo and the S x C table.

    The picture is :func:`mixerbook.viz.plot_patch_grid`. A patch size that does not divide the
    image side (12 for the 224 x 224 photo is in the default list on purpose) shows the error message
    instead of a picture. When the patch size changes, the chosen patch moves to the one that covers
    the same spot of the photo.

    Args:
        image: (3, H, W) uint8 square image; :func:`mixerbook.data.sample_photo` by default.
        patch_size: initial P.
        hidden_dim: initial C.
        patch_sizes, hidden_dims: the choices offered.
    """
    from .data import sample_photo

    image = sample_photo() if image is None else image
    if image.dim() != 3 or image.shape[-1] != image.shape[-2]:
        raise ValueError(f"patch_grid_explorer expects a square (C, H, W) image, got shape {tuple(image.shape)}.")
    side = image.shape[-1]
    if side % patch_size:
        raise ValueError(f"The initial patch_size {patch_size} must divide the image side {side}.")
    w = _ipywidgets()
    style = {"description_width": "initial"}
    grid = side // patch_size
    controls = {
        "patch_size": w.Dropdown(options=sorted(set(patch_sizes) | {patch_size}), value=patch_size,
                                 description="Cạnh patch P", style=style),
        "hidden_dim": w.Dropdown(options=sorted(set(hidden_dims) | {hidden_dim}), value=hidden_dim,
                                 description="Số kênh C", style=style),
        "highlight": w.IntSlider(value=(grid // 2) * grid + grid // 2, min=0, max=grid * grid - 1,
                                 description="Patch số", continuous_update=False, style=style),
    }

    def _follow(change) -> None:  # keep the same spot of the photo; registered before the redraw
        old, new = change["old"], change["new"]
        old_grid, new_grid = side // old, max(1, side // new)
        r, c = divmod(controls["highlight"].value, old_grid)
        y, x = r * old + old // 2, c * old + old // 2  # centre of the chosen patch, in pixels
        target = min(y // new, new_grid - 1) * new_grid + min(x // new, new_grid - 1)
        slider = controls["highlight"]
        if target > slider.max:
            slider.max = new_grid * new_grid - 1
            slider.value = target
        else:
            slider.value = target
            slider.max = new_grid * new_grid - 1

    controls["patch_size"].observe(_follow, names="value")
    return Explorer(lambda patch_size, hidden_dim, highlight: viz.plot_patch_grid(image, patch_size, hidden_dim,
                                                                                   highlight),
                    controls, caption="Cắt ảnh thành patch: bao nhiêu patch, và bảng S × C trông thế nào?")


def mixing_table_explorer(block: torch.nn.Module, table: torch.Tensor, row: int = 0, col: int = 0,
                          step: str = "token") -> Explorer:
    """Pick a cell of an S x C table and step through one Mixer layer: which cells feed it?

    The layer is run once (:func:`mixerbook.mixing.block_steps`); the controls choose the cell and
    the step, and :func:`mixerbook.viz.plot_mixing_table` draws the tables.

    Args:
        block: a :class:`mixerbook.models.MixerBlock` whose S and C match ``table``.
        table: (S, C) input table X (e.g. the patch embedding of one image).
        row, col: initial cell (token j, channel i).
        step: initial step: "input", "token" or "channel".
    """
    from .mixing import STEPS, block_steps

    if table.dim() != 2:
        raise ValueError(f"mixing_table_explorer expects one (S, C) table, got shape {tuple(table.shape)}.")
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}; expected one of {', '.join(STEPS)}.")
    steps = block_steps(block, table)
    s, c = steps.x.shape
    w = _ipywidgets()
    controls = {
        "row": w.IntSlider(value=row, min=0, max=s - 1, description="Token j", continuous_update=False),
        "col": w.IntSlider(value=col, min=0, max=c - 1, description="Kênh i", continuous_update=False),
        "step": w.ToggleButtons(options=[("X: đầu vào", "input"), ("1. trộn token → U", "token"),
                                         ("2. trộn kênh → Y", "channel")], value=step, description="Bước"),
    }
    return Explorer(lambda row, col, step: viz.plot_mixing_table(steps, row, col, step), controls,
                    caption=f"Bảng {s} × {c}: chọn một ô rồi đi qua từng bước của một lớp Mixer.")


def token_weights_explorer(model: torch.nn.Module, block: int = 0, unit: int = 0,
                           image: torch.Tensor | None = None) -> Explorer:
    """Browse the first-layer weights of every token-mixing MLP of a Mixer, drawn on the patch grid.

    For the chosen block and hidden unit, :func:`mixerbook.viz.plot_token_weights` shows the unit's S
    weights as a sqrt(S) x sqrt(S) image, its most opposite unit
    (:func:`mixerbook.mixing.opposite_phase_partners`) and all units of the block.

    Args:
        model: an :class:`~mixerbook.models.MlpMixer` on a square image.
        block: initial block.
        unit: initial hidden unit.
        image: optional (H, W) image drawn faintly under the weights.
    """
    from .mixing import opposite_phase_partners, token_weight_grids

    blocks = getattr(model, "blocks", None)
    if blocks is None or len(blocks) == 0:
        raise ValueError("token_weights_explorer needs an MLP-Mixer with a non-empty `blocks`.")
    grids = [token_weight_grids(b) for b in blocks]
    partners = [opposite_phase_partners(g) for g in grids]
    units = grids[0].shape[0]
    if not (0 <= block < len(blocks) and 0 <= unit < units):
        raise ValueError(f"block must be in 0..{len(blocks) - 1} and unit in 0..{units - 1}; got {block}, {unit}.")
    w = _ipywidgets()

    def draw(block: int, unit: int) -> Figure:
        partner, cosine = partners[block]
        return viz.plot_token_weights(grids[block], unit, f"khối {block}", int(partner[unit]),
                                      float(cosine[unit]), image=image)

    controls = {
        "block": w.IntSlider(value=block, min=0, max=len(blocks) - 1, description="Khối", continuous_update=False),
        "unit": w.IntSlider(value=unit, min=0, max=units - 1, description="Nơ-ron ẩn", continuous_update=False),
    }
    return Explorer(draw, controls, caption="Trọng số của MLP trộn token, vẽ trên lưới patch: mỗi nơ-ron ẩn "
                                            "nhìn vào những vị trí nào?")


__all__ += ["patch_grid_explorer", "mixing_table_explorer", "token_weights_explorer"]


def tradeoff_explorer(pretrain: str = "Tất cả", tables: str = "Bảng 2 và 3", show_report: bool = True) -> Explorer:
    """Accuracy against throughput of the MLP-Mixer paper's Tables 2-3, with filters.

    Controls: the pre-training set to bring forward, which table's rows to draw, and whether to
    draw the source report's wrongly paired lines (:data:`mixerbook.paper.REPORT_TABLE`). The
    picture is :func:`mixerbook.viz.plot_accuracy_throughput`.
    """
    from . import paper

    w = _ipywidgets()
    style = {"description_width": "initial"}
    sets = ["Tất cả", *paper.PRETRAIN_SETS]
    choices = {"Bảng 2 và 3": paper.RESULTS, "Bảng 2": paper.TABLE2, "Bảng 3": paper.TABLE3}
    if pretrain not in sets or tables not in choices:
        raise ValueError(f"pretrain must be one of {sets} and tables one of {list(choices)}; "
                         f"got {pretrain!r} and {tables!r}.")

    def draw(pretrain: str, tables: str, show_report: bool):
        return viz.plot_accuracy_throughput(choices[tables], pretrain=None if pretrain == "Tất cả" else pretrain,
                                            report=paper.REPORT_TABLE if show_report else None)

    controls = {
        "pretrain": w.Dropdown(options=sets, value=pretrain, description="Làm nổi tập tiền huấn luyện", style=style),
        "tables": w.Dropdown(options=list(choices), value=tables, description="Dòng của", style=style),
        "show_report": w.Checkbox(value=show_report, description="Hiện các cặp báo cáo ghép nhầm", style=style),
    }
    return Explorer(draw, controls, caption="Độ chính xác và tốc độ: mỗi điểm là một dòng của bài báo")


__all__ += ["tradeoff_explorer"]


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def shuffle_explorer(images: torch.Tensor, labels: torch.Tensor | None = None,
                     patch_sizes: tuple[int, ...] = (2, 4, 7, 8, 14, 16, 28, 32, 56)) -> Explorer:
    """Choose an image, a shuffle mode, a patch size and a seed; see the image shuffled and put back.

    Args:
        images: (N, 28, 28) uint8 Fashion-MNIST images (a handful is enough); the other source is
            the 224x224 photo :func:`mixerbook.data.sample_photo`.
        labels: (N,) class ids, used in the title.
        patch_sizes: the choices offered for P, the divisors of 28 and of 224; a P that does not
            divide the chosen image gives a message instead of a picture.
    """
    if images.dim() != 3 or len(images) == 0:
        raise ValueError(f"shuffle_explorer expects a non-empty (N, H, W) tensor, got {tuple(images.shape)}.")
    from .data import sample_photo
    from .permute import make_permutation

    w = _ipywidgets()
    style = {"description_width": "initial"}

    def draw(source: str, index: int, mode: str, patch_size: int, seed: int) -> Figure:
        if source == "photo":
            img, name = sample_photo(224), "ảnh chụp 224×224"
        else:
            img = images[index]
            name = CLASS_NAMES_VI[int(labels[index])] if labels is not None else f"ảnh số {index}"
        side = img.shape[-1]
        if mode == "patch" and side % patch_size:
            raise ValueError(f"Cạnh ảnh {side} không chia hết cho cạnh patch P = {patch_size}: với ảnh này, hãy chọn P "
                             f"trong {', '.join(map(str, _divisors(side)))}.")
        perm = make_permutation(mode, img.shape[-2], side, patch_size, seed=seed)
        shuffled = perm(img)
        restored = perm.inverse()(shuffled)
        how = {"none": "không xáo", "patch": f"xáo patch {patch_size}×{patch_size} + điểm ảnh",
               "global": "xáo toàn cục"}[mode]
        seed_text = "" if mode == "none" else f", hạt giống {seed}"
        return viz.plot_shuffle(img, shuffled, restored, patch_size if mode == "patch" else None,
                                title=f"{name}: {how}{seed_text}")

    controls = {
        "source": w.Dropdown(options=[("Fashion-MNIST 28×28", "fashion"), ("Ảnh chụp 224×224", "photo")],
                             value="fashion", description="Nguồn ảnh", style=style),
        "index": w.IntSlider(value=0, min=0, max=len(images) - 1, description="Ảnh số", continuous_update=False),
        "mode": w.ToggleButtons(options=[("Không xáo", "none"), ("Patch + điểm ảnh", "patch"),
                                         ("Toàn cục", "global")], value="patch", description="Kiểu xáo",
                                style=style),
        "patch_size": w.Dropdown(options=list(patch_sizes), value=7 if 7 in patch_sizes else patch_sizes[0],
                                 description="Cạnh patch P", style=style),
        "seed": w.IntSlider(value=0, min=0, max=20, description="Hạt giống", continuous_update=False),
    }
    return Explorer(draw, controls, caption="Xáo trộn điểm ảnh bằng một hoán vị cố định, rồi xáo ngược để lấy lại ảnh")


__all__ += ["shuffle_explorer"]
