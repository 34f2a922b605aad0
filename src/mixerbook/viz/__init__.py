"""Plotting functions of the book. Each takes plain arguments and returns a matplotlib Figure.

Titles and labels are Vietnamese, like the book. Widgets (``mixerbook.widgets``) draw with these;
this package never imports them. One module per topic, as the explorers are:

* :mod:`~mixerbook.viz.style`: the one style of every figure: colour and marker per model, fonts,
  sizes, the page width (imported first: it applies the book's rcParams);
* :mod:`~mixerbook.viz.images`: images, flattening and shifting (chapter 1);
* :mod:`~mixerbook.viz.results`: metrics, confusion matrix, accuracy per epoch and under shifts;
* :mod:`~mixerbook.viz.growth`: cost against the image side (chapter 2);
* :mod:`~mixerbook.viz.bias`: shuffling, equivariance, neighbour correlation (chapter 3);
* :mod:`~mixerbook.viz.hierarchy`: activation shapes, receptive fields, feature maps (chapter 4);
* :mod:`~mixerbook.viz.patches` and :mod:`~mixerbook.viz.mixing`: patches, mixing tables, token
  weights (chapters 5-6);
* :mod:`~mixerbook.viz.mixer`: the scoreboard, the mosaic and its expanded weights (chapter 7);
* :mod:`~mixerbook.viz.scaling`: the paper's results and scaling (chapter 8);
* :mod:`~mixerbook.viz.diagrams`: pictures of the architectures.

Every public name of these modules is importable from ``mixerbook.viz``, e.g. ``mb.viz.plot_growth``.
"""

from __future__ import annotations

from . import bias, diagrams, growth, hierarchy, images, mixer, mixing, patches, results, scaling, style
from .bias import *  # noqa: F403
from .diagrams import *  # noqa: F403
from .growth import *  # noqa: F403
from .growth import _log_ticks  # noqa: F401 - private helpers the explorers and their tests share
from .hierarchy import *  # noqa: F403
from .hierarchy import _collapse_runs  # noqa: F401
from .images import *  # noqa: F403
from .mixer import *  # noqa: F403
from .mixing import *  # noqa: F403
from .patches import *  # noqa: F403
from .results import *  # noqa: F403
from .scaling import *  # noqa: F403
from .scaling import _short_model  # noqa: F401
from .style import *  # noqa: F403
from .style import BLOCK_COLORS as _BLOCK_COLORS  # noqa: F401

#: The topic modules, in the order of the book.
MODULES = (images, results, growth, bias, hierarchy, patches, mixing, mixer, scaling, diagrams)

__all__ = [*style.__all__, *(name for module in MODULES for name in module.__all__)]
