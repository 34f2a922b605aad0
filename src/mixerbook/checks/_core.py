"""The machinery shared by every checker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = ["Property", "CheckResult", "run_checks"]


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
    """The verdict of a checker: ``passed`` and the names of the properties that failed."""

    exercise: str
    passed: bool
    failed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else f"failed: {', '.join(self.failed)}"
        return f"<CheckResult {self.exercise!r}: {verdict}>"

    def _ipython_display_(self) -> None:
        """Show nothing in a notebook: the checker has already printed its verdict."""


def run_checks(exercise: str, properties: Sequence[Property], verbose: bool = True) -> CheckResult:
    """Check each property in order, print a verdict, and return a :class:`CheckResult`.

    Checking stops at the first failure, whose hint is printed. An exception raised by the
    reader's code counts as a failure and its message is shown.
    """
    failed: list[str] = []
    for prop in properties:
        try:
            outcome = prop.test()
        except NotImplementedError:
            outcome = "hàm vẫn còn `raise NotImplementedError`: hãy viết lời giải của bạn vào đó"
        except Exception as exc:  # the reader's code may raise anything; report it, do not crash
            outcome = f"hàm gây lỗi {type(exc).__name__}: {exc}"
        if outcome is True:
            if verbose:
                print(f"  ✓ {prop.name}")
            continue
        failed.append(prop.name)
        if verbose:
            seen = f" ({outcome})" if isinstance(outcome, str) else ""
            print(f"  ✗ {prop.name}{seen}")
            print(f"[CHƯA ĐẠT] {exercise}. Gợi ý: {prop.hint}")
        return CheckResult(exercise, False, failed)
    if verbose:
        print(f"[ĐẠT] {exercise}: mọi kiểm tra đều qua.")
    return CheckResult(exercise, True, failed)
