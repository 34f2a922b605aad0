"""Text alternatives for the book's figures, derived from the figures themselves.

Every figure of the book is a matplotlib Figure (:mod:`mixerbook.viz`) with Vietnamese titles and
axis labels. :func:`describe_figure` turns those into a short Vietnamese description, e.g.
``"Hình: Số tham số theo cạnh ảnh. Gồm 2 biểu đồ: (1) đồ thị đường «Tham số», trục ngang: cạnh
ảnh, trục dọc: số tham số, chú giải: MLP, CNN; (2) ..."``.

Inside IPython (a notebook kernel, the book build, Colab), importing :mod:`mixerbook` calls
:func:`install`, which makes the PNG of every displayed Figure carry that description as the
PNG text chunk ``Description`` (a standard PNG keyword; matplotlib's ``savefig(metadata=...)``).
The picture itself is unchanged. When the book is built, the Sphinx extension
``book/_ext/accessibility.py`` reads the chunk back (:func:`png_description`) and uses it as the
``alt`` text of the output image, so every figure on the website has a text alternative
without anyone writing one by hand, and the text follows the figure when its code changes.
"""

from __future__ import annotations

import re
import struct
import sys
import zlib
from pathlib import Path
from typing import Any

__all__ = ["DESCRIPTION_KEY", "describe_figure", "figure_png", "install", "png_description"]

#: PNG text keyword that carries the description (one of the PNG specification's keywords).
DESCRIPTION_KEY = "Description"

#: Longest description (characters); longer ones are cut at a word and end with "…".
MAX_CHARS = 600

#: More axes than this are summarised (e.g. a grid of 32 thumbnails) instead of listed one by one.
MAX_LISTED_AXES = 6

_TEX = [
    (r"\times", "×"),
    (r"\cdot", "·"),
    (r"\to", "→"),
    (r"\rightarrow", "→"),
    (r"\leq", "≤"),
    (r"\geq", "≥"),
    (r"\approx", "≈"),
    (r"\alpha", "α"),
    (r"\sigma", "σ"),
    (r"\mu", "μ"),
]


def _clean(text: str | None) -> str:
    """A label as plain text: mathtext ``$...$`` unwrapped, whitespace collapsed."""
    if not text:
        return ""
    if "$" in text:
        for tex, char in _TEX:
            text = text.replace(tex, char)
        text = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname)\s*", "", text)
        text = re.sub(r"\\,|\\;|\\!|\\ ", " ", text)
        text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(text.split())


def _title(ax: Any) -> str:
    parts = [_clean(ax.get_title(loc)) for loc in ("left", "center", "right")]
    return " — ".join(p for p in parts if p)


def _is_colorbar(ax: Any) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _is_empty(ax: Any) -> bool:
    """An Axes that shows nothing (e.g. the unused cells of a grid, turned off)."""
    artists = (ax.images, ax.lines, ax.patches, ax.collections, ax.texts, ax.tables)
    return not ax.axison and not any(artists) and not _title(ax)


def _kind(ax: Any) -> str:
    """What an Axes shows, in Vietnamese."""
    if ax.images:
        return "ảnh"
    if ax.lines:
        return "đồ thị đường"
    if any(type(p).__name__ == "Rectangle" for p in ax.patches) and ax.containers:
        return "biểu đồ cột"
    if ax.collections:
        return "biểu đồ điểm"
    if ax.tables:
        return "bảng"
    if ax.patches:
        return "sơ đồ"
    return "ô hình"


def _legend(ax: Any) -> list[str]:
    legend = ax.get_legend()
    if legend is None:
        return []
    return [t for t in (_clean(x.get_text()) for x in legend.get_texts()) if t]


def _describe_axes(ax: Any) -> str:
    """``kind «title», trục ngang: x, trục dọc: y, chú giải: a, b``."""
    title = _title(ax)
    parts = [f"{_kind(ax)} «{title}»" if title else _kind(ax)]
    if ax.axison:
        xlabel, ylabel = _clean(ax.get_xlabel()), _clean(ax.get_ylabel())
        if xlabel:
            parts.append(f"trục ngang: {xlabel}")
        if ylabel:
            parts.append(f"trục dọc: {ylabel}")
    legend = _legend(ax)
    if legend:
        parts.append("chú giải: " + ", ".join(legend))
    return ", ".join(parts)


def _shorten(text: str, limit: int = MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:. ")
    return cut + "…"


def describe_figure(fig: Any) -> str:
    """A Vietnamese text alternative for ``fig`` built from its titles, labels and legends.

    Always starts with ``"Hình"``; a figure with no text at all is described by what its axes
    show (``"Hình gồm 4 ảnh."``). Colour bars, hidden and empty axes are left out.
    """
    axes = [ax for ax in fig.get_axes() if ax.get_visible() and not _is_colorbar(ax) and not _is_empty(ax)]
    suptitle = _clean(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) is not None else ""
    head = f"Hình: {suptitle.rstrip('.')}." if suptitle else "Hình"

    if not axes:
        return head if suptitle else "Hình (trống)."
    if len(axes) == 1:
        body = _describe_axes(axes[0])
        text = f"{head} {body[0].upper()}{body[1:]}." if suptitle else f"Hình: {body}."
        return _shorten(text)

    kinds = {_kind(ax) for ax in axes}
    noun = "ảnh" if kinds == {"ảnh"} else "biểu đồ"
    if len(axes) > MAX_LISTED_AXES:
        titles = list(dict.fromkeys(t for t in (_title(ax) for ax in axes) if t))
        body = f"{len(axes)} {noun}" + (", có tiêu đề: " + ", ".join(titles) if titles else "")
    else:
        body = f"{len(axes)} {noun}: " + "; ".join(f"({i}) {_describe_axes(ax)}" for i, ax in enumerate(axes, 1))
    return _shorten(f"{head} Gồm {body}." if suptitle else f"Hình gồm {body}.")


def figure_png(fig: Any, **kwargs: Any) -> bytes:
    """``fig`` as PNG bytes with its :func:`describe_figure` text in the ``Description`` chunk.

    ``kwargs`` go to ``savefig`` (default ``bbox_inches="tight"``, like Jupyter's inline backend).
    """
    import io

    kwargs.setdefault("bbox_inches", "tight")
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata.setdefault(DESCRIPTION_KEY, describe_figure(fig))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=metadata, **kwargs)
    return buf.getvalue()


# ----------------------------------------------------------------------------- reading PNG text
def png_text_chunks(data: bytes) -> dict[str, str]:
    """The text chunks (``tEXt``, ``zTXt``, ``iTXt``) of a PNG file, keyword -> text.

    A small reader without Pillow, so the Sphinx extension needs nothing beyond the standard library.
    Returns ``{}`` for data that is not a PNG.
    """
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return {}
    chunks: dict[str, str] = {}
    pos = 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        try:
            if kind == b"tEXt":
                key, _, value = body.partition(b"\0")
                chunks[key.decode("latin-1")] = value.decode("latin-1")
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                chunks[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, _method, rest = rest[0], rest[1], rest[2:]
                _lang, _, rest = rest.partition(b"\0")
                _translated, _, value = rest.partition(b"\0")
                if compressed:
                    value = zlib.decompress(value)
                chunks[key.decode("latin-1")] = value.decode("utf-8")
            elif kind in (b"IDAT", b"IEND"):
                if kind == b"IEND":
                    break
        except (ValueError, IndexError, zlib.error, UnicodeDecodeError):
            continue
    return chunks


def png_description(source: bytes | str | Path) -> str:
    """The ``Description`` text of a PNG (bytes or a path), or ``""`` when it has none."""
    if isinstance(source, (str, Path)):
        try:
            source = Path(source).read_bytes()
        except OSError:
            return ""
    return " ".join(png_text_chunks(source).get(DESCRIPTION_KEY, "").split())


# ----------------------------------------------------------------------------- IPython display
def _print_figure_kwargs(shell: Any) -> dict[str, Any]:
    """The inline backend's ``print_figure_kwargs`` (``bbox_inches="tight"`` by default)."""
    try:
        from matplotlib_inline.backend_inline import InlineBackend

        return dict(InlineBackend.instance(parent=shell).print_figure_kwargs)
    except Exception:  # noqa: BLE001 - matplotlib_inline missing or not configurable
        return {"bbox_inches": "tight"}


def _make_png_formatter(shell: Any):
    def png_with_description(fig: Any) -> str | None:
        from IPython.core.pylabtools import print_figure

        kwargs = _print_figure_kwargs(shell)
        metadata = dict(kwargs.pop("metadata", None) or {})
        metadata.setdefault(DESCRIPTION_KEY, describe_figure(fig))
        return print_figure(fig, "png", base64=True, metadata=metadata, **kwargs)

    png_with_description._mixerbook_a11y = True  # type: ignore[attr-defined]
    return png_with_description


def _ensure_formatter(shell: Any) -> None:
    """Registers the describing PNG formatter for Figures unless it already is the one in use."""
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters.get("image/png")
    if formatter is None:
        return
    current = formatter.type_printers.get(Figure)
    if not getattr(current, "_mixerbook_a11y", False):
        formatter.for_type(Figure, _make_png_formatter(shell))


def install(shell: Any = None) -> bool:
    """Make IPython display every matplotlib Figure as a PNG that carries its description.

    Does nothing (returns False) outside IPython. matplotlib's inline backend registers its own
    PNG formatter when it is first activated, which may happen after this call (the first cell
    that draws), so the formatter is also re-asserted before and after each cell executes,
    before the inline backend's ``flush_figures`` displays the cell's figures.
    """
    if shell is None:
        if "IPython" not in sys.modules:
            return False
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    _ensure_formatter(shell)
    if not getattr(shell, "_mixerbook_a11y_hooked", False):
        shell.events.register("pre_execute", lambda: _ensure_formatter(shell))
        shell.events.register("post_execute", lambda: _ensure_formatter(shell))
        shell._mixerbook_a11y_hooked = True
    return True
