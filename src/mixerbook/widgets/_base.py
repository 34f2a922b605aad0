"""The shared base of the book's explorers: an anywidget whose ES module draws and reacts in the browser.

Each explorer is one Python module here (``flatten.py``, ``shift.py``, ...) next to its ES module
(``flatten.js``, ...). Python computes what the explorer needs once and ships it as synced traits
(images as uint8 bytes, weights and tables as float32 bytes, small tables as lists); the ES module
builds its own controls, draws on a canvas or in SVG, and redraws when a control moves. Nothing
of that needs a kernel, so the explorers react on the static website (the ipywidgets HTML
manager loads anywidget's front end, served locally by ``book/_ext/offline_assets.py``), in
Colab, in JupyterLab and in Notebook 7.

An explorer's ES module starts with ``import {...} from "./_common.js";``. Node's test runner
resolves that import as it is (``tests/js``); for the browser, :func:`esm_source` replaces the line
with the text of ``_common.js``, so every widget carries one self-contained module that imports
nothing from the network.

The browser side reports what it shows: after every redraw, the explorer's root element carries
``data-values`` (its control values, JSON) and ``data-shows`` (what the picture shows, JSON), and
its picture an ``aria-label`` that says the same in Vietnamese. Each Python module has a
``shows(values, state)`` function that computes ``data-shows`` with the package's own functions
from the widget's saved state; the browser test compares the two after moving every control.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import torch

__all__ = ["Explorer", "esm_source", "u8_bytes", "f32_bytes", "from_u8", "from_f32"]

_IMPORT_COMMON = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"\./_common\.js";\s*$', re.MULTILINE)


def _anywidget():
    try:
        import anywidget
    except ImportError as exc:  # pragma: no cover - anywidget is a dependency
        raise ImportError("mixerbook.widgets needs anywidget: pip install anywidget") from exc
    return anywidget


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def esm_source(kind: str) -> str:
    """The self-contained ES module of explorer ``kind``: ``_common.js`` inlined in place of its import.

    Raises:
        ValueError: when ``<kind>.js`` does not import ``./_common.js`` exactly once.
    """
    source = _read(f"{kind}.js")
    if len(_IMPORT_COMMON.findall(source)) != 1:
        raise ValueError(f"{kind}.js must import from \"./_common.js\" exactly once, on one line.")
    common = f"// ---- _common.js (inlined by mixerbook.widgets._base)\n{_read('_common.js')}\n// ---- {kind}.js\n"
    return _IMPORT_COMMON.sub(lambda _m: common, source, count=1)


def u8_bytes(array: torch.Tensor | np.ndarray) -> bytes:
    """The values of a uint8 array as raw bytes (row-major), for a ``Bytes`` trait."""
    array = array.detach().cpu().numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 array, got dtype {array.dtype}.")
    return np.ascontiguousarray(array).tobytes()


def f32_bytes(array: torch.Tensor | np.ndarray) -> bytes:
    """The values of a real array as little-endian float32 bytes (row-major), for a ``Bytes`` trait."""
    array = array.detach().float().cpu().numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
    return np.ascontiguousarray(array, dtype="<f4").tobytes()


def from_u8(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`u8_bytes`."""
    return np.frombuffer(bytes(data), dtype=np.uint8).reshape(shape)


def from_f32(data: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`f32_bytes`."""
    return np.frombuffer(bytes(data), dtype="<f4").reshape(shape)


_AnyWidget = _anywidget().AnyWidget


class Explorer(_AnyWidget):
    """Base class: a subclass sets ``_kind`` (the name of its ES module) and declares synced traits.

    Control values are traits tagged ``sync=True``: moving a control in the browser updates them
    when a kernel is attached, and setting them from Python moves the control.
    """

    _kind = ""
    _css = _read("_common.css")

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        # Only for the class that names its kind: anywidget's add_traits derives a subclass whose
        # `_esm` is already a trait, which must not be overwritten by the string again.
        if "_kind" in cls.__dict__ and cls._kind:
            cls._esm = esm_source(cls._kind)

    def values(self) -> dict[str, object]:
        """The control values (every synced trait that is not data), by name."""
        return {name: getattr(self, name) for name in self.control_names}

    #: Names of the traits that are controls (a subclass lists them, in display order).
    control_names: tuple[str, ...] = ()
