"""The machinery shared by every checker.

A checker wraps the reader's function with :func:`reader`, lists the :class:`Property` objects a
correct answer must have, and hands them to :func:`run_checks`, which prints a Vietnamese verdict.
What the core does for every checker, so that no checker misleads a student:

* **One answer-normalising step.** :func:`reader` converts what the reader's function returns before
  any property sees it (see :data:`INTEGER`, :data:`NUMBER`, :data:`NUMBER_LIST`): 0-dim tensors,
  NumPy scalars and arrays, :class:`fractions.Fraction` and :class:`decimal.Decimal` are compared by
  value; a non-integral value where an integer is asked is rejected with a message that says so.
  :func:`shown_pair` prints a wrong value and the expected one with the same, sufficient precision.
* **A function that raises** is reported per property ("hàm báo lỗi: <type>: <message>") and still
  gets the property's hint, or the slip-specific hint of the property's ``on_error``.
* **Inputs modified in place** (``x += …``) are detected by comparing each tensor argument with a copy.
* **A non-callable argument** gets a verdict, never an exception.
* **Prints** of the reader's function during checking are captured and summarised in one line.
* **Staged hints.** A property's ``hint`` (the concept) is shown from the first failure; its
  ``reveal`` (the formula or the call) only from the :data:`REVEAL_AFTER`-th failure of the same
  exercise in this Python session. :func:`reset_hint_stages` forgets the counts (for tests).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
import torch

from ..text import number

__all__ = ["Property", "CheckResult", "run_checks", "reader", "ReaderError", "Returns", "INTEGER", "NUMBER", "TENSOR",
           "NUMBER_LIST", "PAIR", "REVEAL_AFTER", "reset_hint_stages", "hint_stage", "shown_pair"]

TODO = "Chưa làm: hãy thay dòng `raise NotImplementedError` bằng lời giải của bạn"
"""The verdict for a stub that still raises NotImplementedError (Vietnamese, shown to the reader)."""

REVEAL_AFTER = 3
"""From this failure of the same exercise on (in one Python session), a property's ``reveal`` is shown too."""

_FAILURES: dict[str, int] = {}
"""Printed failures of each exercise in this Python session, keyed by the exercise's title."""

_EVERY_PROPERTY = False
"""When True (see :func:`_every_property`), :func:`run_checks` goes on after a failure (for tests)."""


def reset_hint_stages(exercise: str | None = None) -> None:
    """Forget the failures counted for staged hints: of every exercise, or only of ``exercise`` (its title).

    The count lives for the Python session (a notebook's kernel); tests call this so that one test's
    failures do not change the hints another test sees.
    """
    if exercise is None:
        _FAILURES.clear()
    else:
        _FAILURES.pop(exercise, None)


def hint_stage(exercise: str) -> int:
    """How many times ``exercise`` (its title, as a checker prints it) has failed with a printed verdict."""
    return _FAILURES.get(exercise, 0)


@contextlib.contextmanager
def _every_property() -> Iterator[None]:
    """Inside this block :func:`run_checks` checks every property instead of stopping at the first failure.

    For tests that ask, property by property, whether a wrong function earns a tick.
    """
    global _EVERY_PROPERTY
    previous, _EVERY_PROPERTY = _EVERY_PROPERTY, True
    try:
        yield
    finally:
        _EVERY_PROPERTY = previous


@dataclass(frozen=True)
class Property:
    """One thing a correct answer must satisfy.

    Attributes:
        name: what is checked, in Vietnamese (shown to the reader).
        test: returns True when the property holds, or a string that says what was seen instead.
        hint: a Vietnamese hint about the concept, shown from the first failure.
        reveal: the Vietnamese hint that gives away the formula or the call; shown only from the
            :data:`REVEAL_AFTER`-th failure of the exercise in this session (None: nothing more to say).
        on_error: given the exception the reader's function raised during ``test``, the Vietnamese hint
            for the slip that usually causes it (a string), or that hint and its own ``reveal`` (a pair),
            or None to fall back on ``hint`` and ``reveal``.
    """

    name: str
    test: Callable[[], bool | str]
    hint: str
    reveal: str | None = None
    on_error: Callable[[BaseException], str | tuple[str, str] | None] | None = None


@dataclass
class CheckResult:
    """The verdict of a checker: ``passed``, the names of the properties that failed, and ``todo``
    (True when the reader's function still raises NotImplementedError)."""

    exercise: str
    passed: bool
    failed: list[str] = field(default_factory=list)
    todo: bool = False

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "not done" if self.todo else f"failed: {', '.join(self.failed)}"
        return f"<CheckResult {self.exercise!r}: {verdict}>"

    def _ipython_display_(self) -> None:
        """Show nothing in a notebook: the checker has already printed its verdict."""


class ReaderError(Exception):
    """The reader's function returned the wrong kind of value, changed its input, or is not a function;
    the message is the Vietnamese verdict."""


class ReaderRaised(ReaderError):
    """The reader's function raised ``error`` when called as ``call`` (text)."""

    def __init__(self, call: str, error: BaseException):
        self.call, self.error = call, error
        super().__init__(f"gọi {call} thì hàm báo lỗi: {_exception_text(error)}")


class _Rejected(Exception):
    """A value that a :class:`Returns` cannot take; the message (Vietnamese, may be empty) says why."""


# ------------------------------------------------------------------------------------------ normalising answers
def _real(value: object) -> int | float | Fraction | None:
    """``value`` as a Python int, float or Fraction of the same value, or None when it is no real scalar.

    Takes 0-dim tensors, NumPy scalars and 0-dim arrays, Fraction, Decimal and other ``numbers.Real``;
    refuses bools (``True`` is no answer to "how many").
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, torch.Tensor):
        if value.dim() != 0 or value.is_complex() or value.dtype == torch.bool:
            return None
        return value.item()
    if isinstance(value, (np.ndarray, np.generic)):
        if value.shape != () or value.dtype.kind not in "iuf":
            return None
        return value.item()
    if isinstance(value, Decimal):
        return Fraction(value) if value.is_finite() else float(value)
    if isinstance(value, (int, float, Fraction)):
        return value
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def _integer(value: object) -> int:
    """``value`` as an int when it is an integral real scalar; else :class:`_Rejected` saying why."""
    x = _real(value)
    if x is None:
        raise _Rejected("")
    if isinstance(x, int):
        return x
    if isinstance(x, float) and not math.isfinite(x):
        raise _Rejected(f"{x!r}, không phải số nguyên")
    if x == int(x):
        return int(x)
    raise _Rejected(f"{_plain(x)}, không phải số nguyên (bộ kiểm tra không tự làm tròn hay cắt phần lẻ thay bạn)")


def _number(value: object) -> int | float:
    """``value`` as an int (when it is an int of any kind) or a float of the same value."""
    x = _real(value)
    if x is None:
        raise _Rejected("")
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return x if isinstance(x, int) else float(x)


def _integer_list(value: object) -> list[int]:
    """A list, tuple, 1-dim tensor or 1-dim NumPy array of integral numbers, as a list of ints."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim != 1:
            raise _Rejected(f"một mảng {value.ndim} chiều {tuple(value.shape)}, không phải một danh sách phẳng")
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise _Rejected("")
    out = []
    for i, v in enumerate(value):
        try:
            out.append(_integer(v))
        except _Rejected as exc:
            reason = str(exc) or f"{_show(v)}, không phải một số"
            raise _Rejected(f"một danh sách có phần tử thứ {i + 1} là {reason}") from None
    return out


def _tensor(value: object) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Rejected("")
    return value


def _pair(value: object) -> tuple:
    if not (isinstance(value, (list, tuple)) and len(value) == 2):
        raise _Rejected("")
    return tuple(value)


@dataclass(frozen=True)
class Returns:
    """What a reader's function must return.

    Attributes:
        convert: takes the returned value and gives the normalised answer the properties compare, or
            raises ``_Rejected`` (with a Vietnamese reason, or an empty one for "wrong kind of value").
        description: what is expected, in Vietnamese.
    """

    convert: Callable[[object], object]
    description: str

    def accepts(self, value: object) -> bool:
        """Whether ``value`` would be accepted (converted without complaint)."""
        try:
            self.convert(value)
        except _Rejected:
            return False
        return True


INTEGER = Returns(_integer, "một số nguyên (int)")
"""An integral number of any kind (int, integral float, 0-dim tensor, NumPy scalar, Fraction, Decimal) -> int."""
NUMBER = Returns(_number, "một số (int hoặc float)")
"""A real number of any kind -> int or float (Fraction and Decimal by value)."""
TENSOR = Returns(_tensor, "một tensor torch.Tensor")
NUMBER_LIST = Returns(_integer_list, "một danh sách số nguyên, mỗi lớp một số")
"""A list, tuple, 1-dim tensor or NumPy array of integral numbers -> list of int."""
PAIR = Returns(_pair, "một cặp (W1', b1') gồm hai tensor")


# ------------------------------------------------------------------------------------------ showing values
def _plain(x: int | float | Fraction) -> str:
    """A number as the reader would type it: 4.2, 24.458616298811545, 7/3."""
    if isinstance(x, Fraction):
        return f"{x.numerator}/{x.denominator}"
    return repr(x)


def _show(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor {tuple(value.shape)}" if value.dim() else repr(value.item())
    if isinstance(value, torch.nn.Module):
        return type(value).__name__
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # a NumPy array or the like
        return f"mảng {tuple(value.shape)}" if value.shape else repr(value.item())
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def shown_pair(want: object, got: object) -> tuple[str, str]:
    """``want`` and ``got`` printed with the same precision, enough that two different values never look equal.

    Integers are printed whole (thousands grouped as the book does); when either is a float, both get
    the fewest decimals (at least 4) at which they differ, e.g. ``("24.4586", "24.4587")`` or
    ``("0.1000000", "0.1000001")``. Anything else is shown as :func:`repr`.
    """
    a, b = _real(want), _real(got)
    if a is None or b is None:
        return (_show(want) if a is None else number(a) if isinstance(a, int) else repr(a),
                _show(got) if b is None else number(b) if isinstance(b, int) else repr(b))
    if isinstance(a, int) and isinstance(b, int):
        return number(a), number(b)
    fa, fb = float(a), float(b)
    if not (math.isfinite(fa) and math.isfinite(fb)):
        return repr(fa), repr(fb)
    for decimals in range(4, 21):
        ta, tb = number(fa, decimals), number(fb, decimals)
        if ta != tb:
            return ta, tb
    return repr(fa), repr(fb)


def _exception_text(error: BaseException) -> str:
    """``Type: first line of the message`` (at most 240 characters)."""
    lines = str(error).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > 240:
        message = message[:239] + "…"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# ------------------------------------------------------------------------------------------ the reader's function
def _same_tensor(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point() or a.is_complex():
        return bool(torch.equal(a, b) or torch.allclose(a, b, rtol=0, atol=0, equal_nan=True))
    return bool(torch.equal(a, b))


class _Reader:
    """The reader's function, wrapped by :func:`reader` (see there)."""

    def __init__(self, fn: object, returns: Returns, guard_inputs: bool):
        self.fn, self.returns, self.guard_inputs = fn, returns, guard_inputs
        self.name = getattr(fn, "__name__", "hàm")
        if callable(fn):
            functools.update_wrapper(self, fn, updated=())
            try:
                self.params = list(inspect.signature(fn).parameters)
            except (TypeError, ValueError):  # builtins without a signature
                self.params = []

    def _need_function(self) -> None:
        if not callable(self.fn):
            raise ReaderError(f"bộ kiểm tra cần nhận chính hàm của bạn, nhưng nhận được {type(self.fn).__name__} "
                              f"({_show(self.fn)}): hãy viết tên hàm không kèm dấu ngoặc, như check(f), không phải "
                              f"check(f())")

    def _arg_name(self, position: int | str) -> str:
        if isinstance(position, str):
            return f"`{position}`"
        if position < len(self.params):
            return f"`{self.params[position]}`"
        return f"đối số thứ {position + 1}"

    def _call(self, args: tuple, kwargs: dict, text: str):
        copies = {}
        if self.guard_inputs:
            copies = {k: v.detach().clone() for k, v in [*enumerate(args), *kwargs.items()]
                      if isinstance(v, torch.Tensor)}
        try:
            out = self.fn(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:  # the reader's code may raise anything: report it, do not crash
            raise ReaderRaised(text, exc) from exc
        for key, copy in copies.items():
            now = args[key] if isinstance(key, int) else kwargs[key]
            if not _same_tensor(now, copy):
                name = self._arg_name(key)
                raise ReaderError(f"{text} đã sửa trực tiếp tensor {name} được truyền vào (chẳng hạn bằng `x += …` hay "
                                  f"`x[...] = …`); hàm không được thay đổi đầu vào của nó: viết `y = x + …` để tạo "
                                  f"tensor mới, hoặc làm việc trên `x.clone()`")
        return out

    def _text(self, args: tuple, kwargs: dict) -> str:
        shown = ", ".join([_show(a) for a in args] + [f"{k}={_show(v)}" for k, v in kwargs.items()])
        return f"{self.name}({shown})"

    def __call__(self, *args, **kwargs):
        self._need_function()
        text = self._text(args, kwargs)
        out = self._call(args, kwargs, text)
        try:
            return self.returns.convert(out)
        except _Rejected as exc:
            reason = str(exc)
            if reason:
                raise ReaderError(f"{text} trả về {reason}; cần {self.returns.description}") from None
            raise ReaderError(f"{text} trả về {type(out).__name__} ({_show(out)}), cần "
                              f"{self.returns.description}") from None

    def raw(self, *args, expect: type[BaseException] | tuple[type[BaseException], ...] = (), **kwargs):
        """Call the function where an exception of type ``expect`` is the answer: it passes through,
        and so does the return value, unconverted. Any other exception is reported like ``__call__`` does."""
        self._need_function()
        text = self._text(args, kwargs)
        try:
            return self.fn(*args, **kwargs)
        except NotImplementedError:
            raise
        except expect:
            raise
        except Exception as exc:
            raise ReaderRaised(text, exc) from exc


def reader(fn: Callable, returns: Returns, guard_inputs: bool = True) -> _Reader:
    """Wrap the reader's function ``fn`` so that what goes wrong inside it ends in a clear verdict.

    Calling the wrapper calls ``fn`` and returns its answer normalised by ``returns.convert`` (so a
    0-dim tensor, NumPy value, Fraction or Decimal is compared by value). It raises
    :class:`ReaderError` (caught by :func:`run_checks`) when ``fn`` is not callable, raises
    (:class:`ReaderRaised`), changes a tensor argument in place (when ``guard_inputs``), or returns a
    value that ``returns`` does not take; the message names the call, what came back or was raised,
    and what was expected. NotImplementedError passes through: :func:`run_checks` reports a stub as
    "chưa làm". Use ``wrapper.raw(..., expect=ValueError)`` where an exception is the expected answer.
    """
    return _Reader(fn, returns, guard_inputs)


# ------------------------------------------------------------------------------------------ the verdict
def _count_lines(text: str) -> int:
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def _hint_text(hint: str, reveal: str | None, failures: int) -> str:
    """The hint of a failure's stage: the concept, and from the REVEAL_AFTER-th failure on, the reveal too."""
    if reveal is None:
        return hint
    if failures >= REVEAL_AFTER:
        return f"{hint} Gợi ý thêm: {reveal}"
    left = REVEAL_AFTER - failures
    return f"{hint} (Nếu còn chưa đạt thêm {left} lần nữa, bộ kiểm tra sẽ gợi ý cụ thể hơn.)"


def run_checks(exercise: str, properties: Sequence[Property], verbose: bool = True) -> CheckResult:
    """Check each property in order, print a verdict, and return a :class:`CheckResult`.

    Checking stops at the first failure. Verdicts (in Vietnamese): ``[ĐẠT]`` when every property
    holds; ``[CHƯA LÀM]`` when the function still raises NotImplementedError; ``[CHƯA ĐẠT]`` with
    what the reader's function returned and what was expected (see :func:`reader`), with no hint
    about the maths; or ``[CHƯA ĐẠT]`` with the failed property, what was seen (or the exception the
    function raised) and the hint (staged: see :class:`Property`). Whatever the reader's function
    prints while it is checked is hidden and counted in one line before the verdict. A printed
    failure counts towards the exercise's hint stage; ``verbose=False`` prints nothing and counts nothing.
    """
    failed: list[str] = []
    first: tuple[object, str | None, str | None] | None = None  # outcome, hint, reveal
    printed = io.StringIO()

    def say(line: str) -> None:
        if verbose:
            print(line)

    def summary() -> None:
        lines = _count_lines(printed.getvalue())
        if lines:
            say(f"  (hàm của bạn in {number(lines)} dòng trong lúc kiểm tra; đã ẩn)")

    for prop in properties:
        hint, reveal = prop.hint, prop.reveal
        try:
            with contextlib.redirect_stdout(printed):
                outcome = prop.test()
        except NotImplementedError:
            summary()
            say(f"[CHƯA LÀM] {exercise}. {TODO}.")
            return CheckResult(exercise, False, [prop.name], todo=True)
        except ReaderRaised as exc:
            outcome = str(exc)
            specific = prop.on_error(exc.error) if prop.on_error else None
            if isinstance(specific, tuple):
                hint, reveal = specific
            elif specific:
                hint, reveal = specific, None
        except ReaderError as exc:
            outcome, hint = str(exc), None  # the property's hint is about the maths, not about this failure
        except Exception as exc:  # a result of the right type that the check could not use
            outcome = f"kết quả của hàm gây lỗi {_exception_text(exc)} khi kiểm tra"
        if outcome is True:
            say(f"  ✓ {prop.name}")
            continue
        failed.append(prop.name)
        seen = f" ({outcome})" if isinstance(outcome, str) and hint else ""
        say(f"  ✗ {prop.name}{seen}")
        if first is None:
            first = (outcome, hint, reveal)
        if not _EVERY_PROPERTY:
            break
    if first is None:
        summary()
        say(f"[ĐẠT] {exercise}: mọi kiểm tra đều qua.")
        return CheckResult(exercise, True, failed)
    outcome, hint, reveal = first
    if verbose:
        _FAILURES[exercise] = _FAILURES.get(exercise, 0) + 1
    summary()
    if hint:
        say(f"[CHƯA ĐẠT] {exercise}. Gợi ý: {_hint_text(hint, reveal, hint_stage(exercise))}")
    else:
        say(f"[CHƯA ĐẠT] {exercise}: {outcome}.")
    return CheckResult(exercise, False, failed)
