"""Checks that a rendered matplotlib Figure does not mislead or hide anything.

:func:`figure_problems` draws a Figure (Agg) and returns a list of problems, in English, each naming
what is wrong and where:

* **overlapping text**: any two visible texts of the figure (titles, axis labels, tick labels,
  annotations, bar labels, legend entries, figure texts) whose boxes overlap;
* **clipped data**: a marker, a scatter point, the end of a bar or a text anchored in data
  coordinates that lies (even partly) outside its axes;
* **legend over data**: a legend whose box covers a plotted line, marker, bar, scatter point or
  data text of the axes it describes (figure legends: of any axes);
* **truncated accuracy axis**: a linear axis showing an accuracy ("độ chính xác" in the axis label,
  or in the title for the value axis) whose lower limit is above zero, unless the label, the title
  or the figure title says so ("không bắt đầu từ 0").

Used by ``tests/test_figures.py`` for every plotting function of :mod:`mixerbook.viz`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

#: Pixels two boxes may share before they count as overlapping (anti-aliasing, rounding).
TOLERANCE_PX = 1.0

#: Words that mark an axis as showing an accuracy, and words that say it does not start at zero.
ACCURACY_WORDS = ("độ chính xác", "accuracy")
NOT_FROM_ZERO = ("không bắt đầu từ 0", "không bắt đầu ở 0")


def _visible(artist) -> bool:
    axes = getattr(artist, "axes", None)
    return artist.get_visible() and (axes is None or axes.get_visible())


def _shrink(box: Bbox, px: float = TOLERANCE_PX) -> Bbox:
    return Bbox.from_extents(box.x0 + px, box.y0 + px, box.x1 - px, box.y1 - px)


def _overlap(a: Bbox, b: Bbox) -> bool:
    a, b = _shrink(a), _shrink(b)
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _tick_labels(ax: Axes) -> Iterator[Text]:
    for axis in (ax.xaxis, ax.yaxis):
        for tick in axis._update_ticks():  # the ticks matplotlib draws (inside the view limits)
            for label, on in ((tick.label1, tick.label1.get_visible()), (tick.label2, tick.label2.get_visible())):
                if on:
                    yield label


def _texts(fig: Figure) -> list[tuple[str, Text]]:
    """(where, text) for every visible, non-empty text of ``fig``."""
    out: list[tuple[str, Text]] = []
    for t in fig.texts:
        out.append(("figure text", t))
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle not in fig.texts:
        out.append(("suptitle", fig._suptitle))
    for leg in fig.legends:
        out += [("figure legend", t) for t in leg.get_texts()]
    for i, ax in enumerate(fig.get_axes()):
        if not ax.get_visible():
            continue
        name = f"axes {i} ({_axes_name(ax)})"
        out += [(f"{name} title", t) for t in (ax.title, ax._left_title, ax._right_title)]
        if ax.axison:
            out += [(f"{name} x label", ax.xaxis.label), (f"{name} y label", ax.yaxis.label)]
            out += [(f"{name} tick label", t) for t in _tick_labels(ax)]
        out += [(f"{name} text", t) for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += [(f"{name} legend", t) for t in legend.get_texts()]
    return [(w, t) for w, t in out if t.get_text().strip() and _visible(t)]


def _axes_name(ax: Axes) -> str:
    return (ax.get_title() or ax.get_title("left") or ax.get_ylabel() or "untitled")[:40]


def overlapping_texts(fig: Figure, renderer) -> list[str]:
    items = [(w, t, t.get_window_extent(renderer)) for w, t in _texts(fig)]
    problems = []
    for (wa, ta, ba), (wb, tb, bb) in itertools.combinations(items, 2):
        if _overlap(ba, bb):
            problems.append(f"overlapping text: {wa} {ta.get_text()!r} and {wb} {tb.get_text()!r}")
    return problems


# --------------------------------------------------------------------------- data artists
def _line_points(line: Line2D) -> np.ndarray:
    """Display coordinates of a line's vertices (finite only)."""
    path = line.get_transform().transform_path(line.get_path())
    pts = np.asarray(path.vertices, float)
    return pts[np.isfinite(pts).all(axis=1)]


def _is_reference_line(line: Line2D, ax: Axes) -> bool:
    """axhline / axvline and other lines not in data coordinates on both axes."""
    return line.get_transform() != ax.transData and not line.get_transform().contains_branch(ax.transData)


def _marker_radius_px(line: Line2D, fig: Figure) -> float:
    if line.get_marker() in (None, "", "None", " ") or line.get_markersize() == 0:
        return 0.0
    return line.get_markersize() * fig.dpi / 72 / 2


def _data_boxes(ax: Axes, fig: Figure, renderer) -> Iterator[tuple[str, Bbox]]:
    """Display-space boxes of the data an axes shows: points of lines, markers, bars, scatter points, texts."""
    for line in ax.lines:
        if not _visible(line) or _is_reference_line(line, ax):
            continue
        pts = _line_points(line)
        r = max(_marker_radius_px(line, fig), 0.5)
        label = line.get_label()
        for x, y in pts:
            yield f"line {label!r}", Bbox.from_extents(x - r, y - r, x + r, y + r)
        if line.get_linestyle() not in ("None", "", " ") and len(pts) > 1:  # points along each segment
            for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:], strict=True):
                for s in np.linspace(0, 1, 24)[1:-1]:
                    x, y = x0 + s * (x1 - x0), y0 + s * (y1 - y0)
                    yield f"line {label!r}", Bbox.from_extents(x - 0.5, y - 0.5, x + 0.5, y + 0.5)
    for container in ax.containers:
        if isinstance(container, BarContainer):
            for bar in container:
                if _visible(bar):
                    box = bar.get_window_extent(renderer)
                    if np.isfinite(box.get_points()).all():
                        yield f"bar {container.get_label()!r}", box
    for coll in _scatters(ax):
        yield from _data_boxes_of_collection(coll, fig)
    for t in ax.texts:
        if _visible(t) and t.get_text().strip():
            yield f"text {t.get_text()!r}", t.get_window_extent(renderer)


def legend_over_data(fig: Figure, renderer) -> list[str]:
    problems = []
    legends: list[tuple[Legend, list[Axes]]] = []
    for ax in fig.get_axes():
        if ax.get_legend() is not None and _visible(ax.get_legend()):
            legends.append((ax.get_legend(), [ax]))
    for leg in fig.legends:
        legends.append((leg, fig.get_axes()))
    for leg, axes in legends:
        box = leg.get_window_extent(renderer)
        for ax in axes:
            for what, data in _data_boxes(ax, fig, renderer):
                if _overlap(box, data):
                    problems.append(f"legend over data: the legend of {_axes_name(ax)!r} covers {what}")
                    break
    return problems


def clipped_data(fig: Figure, renderer) -> list[str]:
    problems = []
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison:
            continue
        frame = ax.get_window_extent(renderer)
        grown = Bbox.from_extents(frame.x0 - TOLERANCE_PX, frame.y0 - TOLERANCE_PX, frame.x1 + TOLERANCE_PX,
                                  frame.y1 + TOLERANCE_PX)

        def inside(box: Bbox, grown: Bbox = grown) -> bool:
            return grown.x0 <= box.x0 and box.x1 <= grown.x1 and grown.y0 <= box.y0 and box.y1 <= grown.y1

        for line in ax.lines:
            if not _visible(line) or _is_reference_line(line, ax) or not line.get_clip_on():
                continue
            r = _marker_radius_px(line, fig)
            for x, y in _line_points(line):
                if not inside(Bbox.from_extents(x - r, y - r, x + r, y + r)):
                    problems.append(f"clipped data: a point of line {line.get_label()!r} in {_axes_name(ax)!r} "
                                    "lies outside the axes")
                    break
        for container in ax.containers:
            if not isinstance(container, BarContainer):
                continue
            for bar in container:
                box = bar.get_window_extent(renderer)
                pts = box.get_points()
                if not np.isfinite(pts).all():
                    continue
                # only the value end of a bar must be inside (a bar may start below a log axis)
                if container.orientation == "vertical":
                    end = box.y1 if bar.get_height() >= 0 else box.y0
                    ok = grown.y0 <= end <= grown.y1
                else:
                    end = box.x1 if bar.get_width() >= 0 else box.x0
                    ok = grown.x0 <= end <= grown.x1
                if not ok:
                    problems.append(f"clipped data: a bar of {container.get_label()!r} in {_axes_name(ax)!r} "
                                    "ends outside the axes")
                    break
        for coll in _scatters(ax):
            if not coll.get_clip_on():
                continue
            for what, box in _data_boxes_of_collection(coll, fig):
                if not inside(box):
                    problems.append(f"clipped data: a {what} in {_axes_name(ax)!r} lies outside the axes")
                    break
        for t in ax.texts:
            if _visible(t) and t.get_text().strip() and t.get_transform() == ax.transData:
                if not inside(t.get_window_extent(renderer)):
                    problems.append(f"clipped data: text {t.get_text()!r} in {_axes_name(ax)!r} sticks out of "
                                    "the axes")
    return problems


def _scatters(ax: Axes) -> list[PathCollection]:
    return [c for c in ax.collections if isinstance(c, PathCollection) and _visible(c) and len(c.get_offsets())]


def _data_boxes_of_collection(coll, fig) -> Iterator[tuple[str, Bbox]]:
    offsets = coll.get_offset_transform().transform(coll.get_offsets())
    sizes = coll.get_sizes() if len(coll.get_sizes()) else [36.0]
    for k, (x, y) in enumerate(offsets):
        r = np.sqrt(sizes[k % len(sizes)]) * fig.dpi / 72 / 2
        yield "scatter point", Bbox.from_extents(x - r, y - r, x + r, y + r)


def _says(text: str, words) -> bool:
    text = " ".join(text.lower().split())
    return any(w in text for w in words)


def truncated_accuracy_axes(fig: Figure) -> list[str]:
    problems = []
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison:
            continue
        title = " ".join(ax.get_title(loc) for loc in ("left", "center", "right"))
        horizontal = any(isinstance(c, BarContainer) and c.orientation == "horizontal" for c in ax.containers)
        for axis, label, lim, scale in (
            ("x", ax.get_xlabel(), ax.get_xlim(), ax.get_xscale()),
            ("y", ax.get_ylabel(), ax.get_ylim(), ax.get_yscale()),
        ):
            value_axis = (axis == "x") == horizontal
            other = ax.yaxis if axis == "x" else ax.xaxis
            categories = " ".join(t.get_text() for t in other.get_ticklabels())
            about_accuracy = _says(label, ACCURACY_WORDS) or (
                value_axis and not label and (_says(title, ACCURACY_WORDS) or _says(categories, ACCURACY_WORDS)))
            if not about_accuracy or scale != "linear":
                continue
            if min(lim) > 0 and not any(_says(t, NOT_FROM_ZERO) for t in (label, title, suptitle)):
                problems.append(f"truncated accuracy axis: the {axis} axis of {_axes_name(ax)!r} starts at "
                                f"{min(lim):g}, and neither its label, its title nor the figure title says so")
    return problems


def figure_problems(fig: Figure) -> list[str]:
    """Every problem :mod:`figure_checks` finds in ``fig`` (an empty list when none)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return (overlapping_texts(fig, renderer) + clipped_data(fig, renderer) + legend_over_data(fig, renderer)
            + truncated_accuracy_axes(fig))


# --------------------------------------------------------------------------- size on the page and model styles
def rendered_width_px(fig: Figure, renderer=None) -> float:
    """Width in pixels of the PNG the book shows: the inline backend saves with ``bbox_inches="tight"``
    (the drawn content, legends outside the axes included, plus ``savefig.pad_inches`` on each side)."""
    import matplotlib as mpl

    if renderer is None:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)
    return (box.width + 2 * mpl.rcParams["savefig.pad_inches"]) * fig.dpi


def small_texts(fig: Figure) -> list[str]:
    """Every visible text of ``fig`` smaller than :data:`mixerbook.viz.style.MIN_TEXT_PX` once the figure
    is shown in the page's column (scaled down to :data:`~mixerbook.viz.style.PAGE_WIDTH_PX` when wider)."""
    from mixerbook.viz import style

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    width = rendered_width_px(fig, renderer)
    problems = []
    for where, t in _texts(fig):
        px = style.display_text_px(t.get_fontsize(), width)
        if px < style.MIN_TEXT_PX - 1e-9:
            problems.append(f"small text: {where} {t.get_text()[:40]!r} is {t.get_fontsize():g} pt, "
                            f"{px:.1f} px on the page (figure {width:.0f} px wide)")
    return problems


def _hex(color) -> str:
    from matplotlib.colors import to_hex

    return to_hex(color, keep_alpha=False)


def model_artists(fig: Figure) -> Iterator[tuple[str, str, str, str | None]]:
    """(where, model, colour, marker or None) for every artist of ``fig`` that stands for one of the book's
    models (:func:`mixerbook.viz.style.model_key` of its label): labelled lines and bars, the bars of a
    horizontal bar chart whose y tick labels name models, and axes titles drawn in a colour."""
    from mixerbook.viz.style import model_key

    for i, ax in enumerate(fig.get_axes()):
        name = f"axes {i} ({_axes_name(ax)})"
        for line in ax.lines:
            key = model_key(line.get_label())
            if key is not None:
                quoted = "báo cáo" in line.get_label()  # a quoted figure: drawn with a cross on purpose
                yield (f"{name} line {line.get_label()!r}", key, _hex(line.get_color()),
                       None if quoted else line.get_marker())
        for container in ax.containers:
            if isinstance(container, BarContainer) and model_key(str(container.get_label())) is not None:
                key = model_key(str(container.get_label()))
                for bar in container:  # a white (reference) bar shows the model in its edge
                    face = _hex(bar.get_facecolor())
                    yield (f"{name} bar {container.get_label()!r}", key,
                           _hex(bar.get_edgecolor()) if face == "#ffffff" else face, None)
        ticks = {round(y): model_key(t.get_text()) for y, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=False)}
        for patch in ax.patches:
            if type(patch).__name__ == "Rectangle" and ax.containers:
                y = patch.get_y() + patch.get_height() / 2
                key = ticks.get(round(y)) if abs(y - round(y)) < 1e-6 else None
                if key is not None:
                    yield f"{name} bar of row {round(y)}", key, _hex(patch.get_facecolor()), None
        for title in (ax.title, ax._left_title):
            key = model_key(title.get_text()) if title.get_text() else None
            if key is not None and _hex(title.get_color()) != _hex(mpl_rc("axes.titlecolor", "text.color")):
                yield f"{name} title {title.get_text()!r}", key, _hex(title.get_color()), None


def mpl_rc(name: str, fallback: str) -> str:
    import matplotlib as mpl

    value = mpl.rcParams[name]
    return mpl.rcParams[fallback] if value == "auto" else value


def model_style_problems(fig: Figure) -> list[str]:
    """Artists of :func:`model_artists` whose colour or marker is not their model's in
    :data:`mixerbook.viz.style.MODEL_STYLES`."""
    from mixerbook.viz.style import MODEL_STYLES

    problems = []
    for where, key, color, marker in model_artists(fig):
        style = MODEL_STYLES[key]
        if color != _hex(style.color):
            problems.append(f"model colour: {where} is {color}, but {key} is {style.color}")
        if marker is not None and marker != style.marker:
            problems.append(f"model marker: {where} is {marker!r}, but {key} is {style.marker!r}")
    return problems
