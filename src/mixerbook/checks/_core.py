"""The machinery shared by every checker."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

__all__ = ["Property", "CheckResult", "run_checks", "reader", "ReaderError", "Returns", "INTEGER", "NUMBER", "TENSOR",
           "NUMBER_LIST", "PAIR"]

TODO = "Chưa làm: hãy thay dòng `raise NotImplementedError` bằng lời giải của bạn"
"""The verdict for a stub that still raises NotImplementedError (Vietnamese, shown to the reader)."""


@dataclass(frozen=True)
class Property:
    """One thing a correct answer must satisfy.

    Attributes:
        name: what is checked, in Vietnamese (shown to the reader).
        test: returns True when the property holds, or a string that says what was seen instead.
        hint: a Vietnamese hint shown when the property fails.
    """

    name: str
    test: Callable[[], bool | str]
    hint: str


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
    """The reader's function raised, or returned the wrong kind of value; the message is the Vietnamese verdict."""


@dataclass(frozen=True)
class Returns:
    """What a reader's function must return: a test and its Vietnamese description."""

    accepts: Callable[[object], bool]
    description: str


def _is_number(value: object) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dim() == 0 and not value.is_complex()
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


INTEGER = Returns(_is_number, "một số nguyên (int)")  # a float of integral value still compares equal: accepted
NUMBER = Returns(_is_number, "một số (int hoặc float)")
TENSOR = Returns(lambda v: isinstance(v, torch.Tensor), "một tensor torch.Tensor")
NUMBER_LIST = Returns(lambda v: isinstance(v, (list, tuple, torch.Tensor)), "một danh sách số nguyên, mỗi lớp một số")
PAIR = Returns(lambda v: isinstance(v, (list, tuple)) and len(v) == 2, "một cặp (W1', b1') gồm hai tensor")


def _show(value: object) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor {tuple(value.shape)}" if value.dim() else repr(value.item())
    if isinstance(value, torch.nn.Module):
        return type(value).__name__
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # a NumPy array or the like
        return f"mảng {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def reader(fn: Callable, returns: Returns) -> Callable:
    """Wrap the reader's function ``fn`` so that what goes wrong inside it ends in a clear verdict.

    The wrapper raises :class:`ReaderError` (caught by :func:`run_checks`) when ``fn`` raises, or
    returns a value that ``returns`` does not accept; the message names the call, what came back
    or was raised, and what was expected. NotImplementedError passes through: :func:`run_checks`
    reports a stub as "chưa làm". Call the raw ``fn`` where an exception is the expected answer.
    """
    if not callable(fn):
        raise TypeError(f"The checker needs the function itself (e.g. check(my_function)), got {type(fn).__name__}.")
    name = getattr(fn, "__name__", "hàm")

    @functools.wraps(fn)
    def call(*args, **kwargs):
        shown = ", ".join([_show(a) for a in args] + [f"{k}={_show(v)}" for k, v in kwargs.items()])
        try:
            out = fn(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as exc:  # the reader's code may raise anything: report it, do not crash
            raise ReaderError(f"gọi {name}({shown}) gây lỗi {type(exc).__name__}: {exc}; cần trả về "
                              f"{returns.description}") from exc
        if not returns.accepts(out):
            raise ReaderError(f"{name}({shown}) trả về {type(out).__name__} ({_show(out)}), cần "
                              f"{returns.description}")
        return out

    return call


def run_checks(exercise: str, properties: Sequence[Property], verbose: bool = True) -> CheckResult:
    """Check each property in order, print a verdict, and return a :class:`CheckResult`.

    Checking stops at the first failure. Verdicts (in Vietnamese): ``[ĐẠT]`` when every property
    holds; ``[CHƯA LÀM]`` when the function still raises NotImplementedError; ``[CHƯA ĐẠT]`` with
    what the reader's function raised or returned and what was expected (see :func:`reader`); or
    ``[CHƯA ĐẠT]`` with the failed property and its hint.
    """
    failed: list[str] = []
    for prop in properties:
        hint: str | None = prop.hint
        try:
            outcome = prop.test()
        except NotImplementedError:
            if verbose:
                print(f"[CHƯA LÀM] {exercise}. {TODO}.")
            return CheckResult(exercise, False, [prop.name], todo=True)
        except ReaderError as exc:
            outcome, hint = str(exc), None  # the property's hint is about the maths, not about this failure
        except Exception as exc:  # a result of the right type that the check could not use
            outcome = f"kết quả của hàm gây lỗi {type(exc).__name__} khi kiểm tra: {exc}"
        if outcome is True:
            if verbose:
                print(f"  ✓ {prop.name}")
            continue
        failed.append(prop.name)
        if verbose:
            seen = f" ({outcome})" if isinstance(outcome, str) and hint else ""
            print(f"  ✗ {prop.name}{seen}")
            print(f"[CHƯA ĐẠT] {exercise}. Gợi ý: {hint}" if hint else f"[CHƯA ĐẠT] {exercise}: {outcome}.")
        return CheckResult(exercise, False, failed)
    if verbose:
        print(f"[ĐẠT] {exercise}: mọi kiểm tra đều qua.")
    return CheckResult(exercise, True, failed)
