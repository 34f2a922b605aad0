"""The book's explorers: anywidgets that draw and react in the browser, with or without a kernel.

One Python module per explorer, next to its ES module (see :mod:`mixerbook.widgets._base`). A
chapter calls one factory, e.g. ``mb.widgets.flatten_explorer()`` or
``mb.widgets.mixing_table_explorer(block, table, row=1, col=2, step="token")``; the factories are
imported on first use, so ``import mixerbook`` does not import anywidget.
"""

from __future__ import annotations

import importlib

#: factory name -> module that defines it (one module per explorer)
FACTORIES = {
    "flatten_explorer": "flatten",
    "shift_explorer": "shift",
    "growth_explorer": "growth",
    "shuffle_explorer": "shuffle",
    "feature_map_explorer": "feature_maps",
    "patch_grid_explorer": "patch_grid",
    "mixing_table_explorer": "mixing_table",
    "token_weights_explorer": "token_weights",
    "expansion_explorer": "expansion",
    "tradeoff_explorer": "tradeoff",
}

#: explorer kind (the ES module's name, ``data-kind`` in the page) -> Python module
KINDS = sorted(set(FACTORIES.values()))

__all__ = [*FACTORIES, "FACTORIES", "KINDS", "module_of"]


def module_of(kind: str):
    """The Python module of explorer ``kind`` (e.g. ``"flatten"``)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown explorer {kind!r}; expected one of {', '.join(KINDS)}.")
    return importlib.import_module(f"{__name__}.{kind}")


def __getattr__(name: str):
    if name in FACTORIES:
        return getattr(module_of(FACTORIES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *FACTORIES])
