"""Exercise checkers, one module per chapter.

A checker runs the reader's function on seeded inputs, compares it with the reference and with
properties that any correct answer must have, prints a short verdict in Vietnamese, and returns a
:class:`CheckResult` (truthy when every property holds). The shared rules (answers compared by value,
errors and in-place changes reported, staged hints, prints hidden) live in :mod:`mixerbook.checks._core`.
The reference solutions are private (``_reference_*``): they are not part of the public names.
"""

from . import conclusion, flattening, growth, hierarchy, inductive_bias, mixer, mixing, patches, scaling
from ._core import CheckResult, Property, run_checks

__all__ = [
    "CheckResult",
    "Property",
    "run_checks",
    "flattening",
    "growth",
    "inductive_bias",
    "hierarchy",
    "patches",
    "mixing",
    "mixer",
    "scaling",
    "conclusion",
]
