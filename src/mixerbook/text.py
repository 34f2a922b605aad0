"""How the book writes numbers for its readers: one format, stated once in the intro.

Decimals use a point, as Python prints them (``84.15``). Numbers of five digits or more are grouped in
threes by a no-break space (``60 000``, ``154 141 696``); four-digit numbers stay whole (``1024``,
``2021``). Neither a comma nor a point ever groups thousands: a Vietnamese reader reads ``1,728`` as a
decimal and an English one reads ``1.000`` as one.
"""

from __future__ import annotations

import math
import operator
from numbers import Real

__all__ = ["THOUSANDS_SEPARATOR", "explained_error", "number", "yes_no"]

THOUSANDS_SEPARATOR = "\u00a0"  # NO-BREAK SPACE: a group never breaks across lines
_GROUP_FROM = 10_000  # four-digit numbers are not grouped


def number(value: Real, decimals: int = 0) -> str:
    """Format ``value`` the book's way: decimal point, thousands grouped by a no-break space.

    Args:
        value: an int or a float (a 0-d tensor or numpy scalar works through ``float``).
        decimals: digits after the decimal point; 0 rounds to a whole number.

    Returns:
        e.g. ``number(154141696) == "154 141 696"`` (with no-break spaces), ``number(1024) == "1024"``,
        ``number(12700.456, 1) == "12 700.5"``.
    """
    bad_decimals = not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0
    if isinstance(value, (bool, str, bytes)) or bad_decimals:
        raise TypeError(f"number() takes a real number and a non-negative int of decimals, got {value!r} and "
                        f"{decimals!r}")
    try:
        x = operator.index(value) if not isinstance(value, float) and hasattr(value, "__index__") else float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"number() takes a real number (int, float, numpy or 0-d torch scalar), got "
                        f"{type(value).__name__} {value!r}") from exc
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    text = f"{x:,.{decimals}f}" if isinstance(x, float) or decimals else f"{x:,}"  # vocabulary: allow
    whole = text.split(".")[0].lstrip("-").replace(",", "")
    if len(whole) < len(str(_GROUP_FROM)):
        return text.replace(",", "")
    return text.replace(",", THOUSANDS_SEPARATOR)


def yes_no(flag: object) -> str:
    """``"có"`` or ``"không"``: how a chapter prints a truth value for its readers (never ``True``/``False``).

    Raises:
        TypeError: for anything but a bool (a numpy or 0-d torch bool works through ``bool``), so that a number is
        not silently read as a truth value.
    """
    if type(flag).__name__ not in {"bool", "bool_", "Tensor"} or getattr(flag, "ndim", 0) != 0:
        raise TypeError(f"yes_no() takes a bool, got {type(flag).__name__} {flag!r}")
    return "có" if bool(flag) else "không"


def explained_error(message: str, vi: str) -> ValueError:
    """A plain ValueError whose message is English, as PyTorch's are, carrying the same thing said in
    Vietnamese for readers in ``.vi``. A chapter that shows such an error on purpose prints ``err.vi``.
    """
    error = ValueError(message)
    error.vi = vi
    return error
