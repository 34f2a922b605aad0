"""mixerbook: the shared package of the book on why plain MLPs fail on images and how MLP-Mixer fixes it.

Modules, in the order data flows: :mod:`~mixerbook.data` -> :mod:`~mixerbook.models` ->
:mod:`~mixerbook.train` / :mod:`~mixerbook.experiments` -> :mod:`~mixerbook.viz` ->
:mod:`~mixerbook.widgets`; :mod:`~mixerbook.complexity` counts parameters and multiply-adds,
:mod:`~mixerbook.speed` measures training speed (the unit R), :mod:`~mixerbook.checks` holds the
exercise checkers, :mod:`~mixerbook.teaching` measures the chapters for lesson plans and
:mod:`~mixerbook.text` formats numbers for readers.
"""

from importlib.metadata import PackageNotFoundError, version

from . import (
    a11y,
    book_models,
    cache,
    checks,
    complexity,
    data,
    experiments,
    mixing,
    models,
    paper,
    permute,
    probe,
    speed,
    teaching,
    text,
    train,
    viz,
)
from .device import autocast, describe_device, get_device, set_seed

try:
    __version__ = version("mixerbook")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0.0.0+local"

# Inside IPython, displayed Figures carry a Vietnamese description of themselves (alt text).
a11y.install()

__all__ = [
    "__version__",
    "a11y",
    "autocast",
    "book_models",
    "cache",
    "checks",
    "complexity",
    "data",
    "describe_device",
    "experiments",
    "get_device",
    "mixing",
    "models",
    "paper",
    "permute",
    "probe",
    "set_seed",
    "speed",
    "teaching",
    "text",
    "train",
    "viz",
]


def __getattr__(name: str):
    # ipywidgets is imported only when a chapter asks for widgets.
    if name == "widgets":
        import importlib

        return importlib.import_module(".widgets", __name__)
    raise AttributeError(f"module 'mixerbook' has no attribute {name!r}")
