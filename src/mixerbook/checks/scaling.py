"""Checkers for the chapter "Khả năng mở rộng và kết quả" (scaling)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from .. import paper
from ..experiments import scaling_epochs
from ..text import number
from ._core import INTEGER, NUMBER, CheckResult, Property, reader, run_checks, shown_pair

__all__ = ["check_pair_throughput", "check_epochs_for"]


def _reference_pair_throughput(model: str, top1: float) -> float:
    """img/sec/core of the row of [M] Tables 2-3 that reports ``top1`` for ``model``.

    Raises:
        ValueError: when no row of the tables reports that accuracy for that model.
    """
    rows = [r for r in paper.find(model, top1=top1) if r.throughput is not None]
    if not rows:
        raise ValueError(f"No row of Tables 2-3 gives {model} an ImageNet top-1 of {top1}%.")
    return rows[0].throughput


def check_pair_throughput(pair_throughput: Callable[[str, float], float], seed: int = 0,
                          verbose: bool = True) -> CheckResult:
    """Check ``pair_throughput(model, top1)``: the throughput printed in the same row as the accuracy.

    Properties: right for the six models of the source report's table (the report's own
    throughputs for Mixer-L/16, ViT-L/16 and ViT-H/14 are rejected, naming the mistake); right
    for seeded random rows of Tables 2-3; raises ValueError for an accuracy the paper never
    reports (the report's 72.6% for Mixer-L/16).
    """
    pair_throughput = reader(pair_throughput, NUMBER)
    rng = random.Random(seed)
    rows = [r for r in paper.RESULTS if r.throughput is not None]
    sample = rng.sample(rows, 10)

    def close(got, want) -> bool:
        try:
            return math.isclose(float(got), float(want), rel_tol=1e-6)  # a float32 copy of the right row passes
        except (TypeError, ValueError):
            return False

    def report_lines() -> bool | str:
        for claim in paper.REPORT_TABLE:
            want = claim.accuracy_row.throughput
            got = pair_throughput(claim.model, claim.top1)
            if close(got, want):
                continue
            if not claim.paired_correctly and close(got, claim.throughput):
                row = claim.throughput_row
                return (f"{claim.model} {claim.top1}%: {got:g} là con số báo cáo ghép nhầm; dòng {got:g} ảnh/giây/lõi "
                        f"là {row.label} ({row.top1}%), còn {claim.top1}% nằm ở dòng {want:g} "
                        f"({claim.accuracy_row.label}, {claim.accuracy_row.source})")
            want_text, got_text = shown_pair(want, got)
            return f"{claim.model} {claim.top1}%: cần {want_text} ảnh/giây/lõi, hàm trả về {got_text}"
        return True

    def random_rows() -> bool | str:
        for r in sample:
            got = pair_throughput(r.model, r.top1)
            if not close(got, r.throughput):
                want_text, got_text = shown_pair(r.throughput, got)
                return f"{r.model} {r.top1}% ({r.source}): cần {want_text}, hàm trả về {got_text}"
        return True

    def unknown_accuracy() -> bool | str:
        try:
            got = pair_throughput.raw("Mixer-L/16", 72.6, expect=ValueError)
        except ValueError:
            return True
        return f"Mixer-L/16 72.6% không có trong bài báo, nhưng hàm trả về {got!r} thay vì báo ValueError"

    props = [
        Property("sáu dòng của bảng trong báo cáo", report_lines,
                 "tìm dòng của bài báo có ĐÚNG mô hình và độ chính xác ấy rồi lấy thông lượng của chính dòng đó, "
                 "đừng lấy thông lượng ở 224 px của một dòng khác.",
                 reveal="mb.paper.find(model, top1=top1) trả về các dòng khớp; lấy .throughput của dòng có "
                 "thông lượng khác None."),
        Property("các dòng khác của bảng 2 và bảng 3", random_rows,
                 "hàm phải đúng với mọi dòng có thông lượng, không chỉ sáu mô hình của báo cáo."),
        Property("báo lỗi khi độ chính xác không có trong bài báo", unknown_accuracy,
                 "khi không tìm thấy dòng nào, hãy raise ValueError thay vì đoán một con số."),
    ]
    return run_checks("Bài tập 8.2: ghép đúng độ chính xác với thông lượng", props, verbose)


def _reference_epochs_for(train_size: int, steps: int, batch_size: int) -> int:
    """Epochs that give ``train_size`` images about ``steps`` optimisation steps (see
    :func:`mixerbook.experiments.scaling_epochs`)."""
    return scaling_epochs(train_size, steps, batch_size)


def _rounding_slip(x: float, got: int, want: int) -> str:
    """Name the rounding that turns ``x`` (steps per epoch-steps) into ``got`` instead of Python's ``round``."""
    if got == want:
        return ""
    if got == math.floor(x):
        return "hàm làm tròn xuống, tức cắt bỏ phần lẻ (như int() hay //)"
    if got == math.ceil(x):
        return "hàm làm tròn lên (như math.ceil)" if x % 1 != 0.5 else \
            "hàm làm tròn .5 lên; round của Python làm tròn số nằm giữa về số chẵn: round(8.5) == 8"
    return ""


def check_epochs_for(epochs_for: Callable[[int, int, int], int], seed: int = 0, verbose: bool = True) -> CheckResult:
    """Check ``epochs_for(train_size, steps, batch_size)`` of an equal-steps data-scaling design.

    Properties: the chapter's sizes, steps and batch (``DATA_SCALING_BUDGETS["quick"]``) give the
    right epochs; a partial last batch counts as a step (on cases where no rounding is needed); the
    epochs are rounded to the nearest integer with Python's ``round`` (a slip to rounding down,
    rounding up or rounding halves up is named); at least one epoch; the paper's 233 / 70 / 23 / 7
    epochs for 3 / 10 / 30 / 100 % of JFT-300M come out when 100 % takes 7 epochs.
    """
    from ..experiments import DATA_SCALING_BUDGETS

    epochs_for = reader(epochs_for, INTEGER)
    rng = random.Random(seed)
    book = DATA_SCALING_BUDGETS["quick"]  # the chapter's sizes, steps and batch (quick budget)
    steps, batch = int(book["steps"]), int(book["batch_size"])

    def book_sizes() -> bool | str:
        for n in book["sizes"]:
            want, got = _reference_epochs_for(n, steps, batch), epochs_for(n, steps, batch)
            if got != want:
                return f"{number(n)} ảnh, lô {batch}, {steps} bước: cần {want} epoch, hàm trả về {got!r}"
        return True

    def partial_batches() -> bool | str:
        # a partial last batch in every case, and steps a whole number of epochs: nothing to round
        cases = [(1100, 240, 250), (999, 100, 250)]
        while len(cases) < 22:
            n, b = rng.randint(300, 5000), rng.choice([32, 64, 100, 128])
            if n % b:
                cases.append((n, -(-n // b) * rng.randint(2, 40), b))
        for n, steps, b in cases:
            want, got = _reference_epochs_for(n, steps, b), epochs_for(n, steps, b)
            if got != want:
                per = -(-n // b)
                return (f"{n} ảnh, lô {b} ({per} bước mỗi epoch, lô cuối thiếu vẫn là một bước), {steps} bước: cần "
                        f"{want} epoch, hàm trả về {got!r}")
        return True

    def rounding() -> bool | str:
        # whole batches only, so that only the rounding of steps / steps-per-epoch can go wrong
        cases = [(1000, 241, 250), (1000, 243, 250), (1000, 34, 250), (1000, 38, 250), (2000, 101, 100)]
        for _ in range(10):
            b = rng.choice([32, 64, 100, 128])
            cases.append((b * rng.randint(3, 40), rng.randint(100, 2000), b))
        for n, steps, b in cases:
            want, got = _reference_epochs_for(n, steps, b), epochs_for(n, steps, b)
            if got != want:
                per = n // b
                slip = _rounding_slip(steps / per, got, want)
                return (f"{n} ảnh, lô {b} ({per} bước mỗi epoch), {steps} bước: {steps} / {per} = "
                        f"{steps / per:g}, cần {want} epoch, hàm trả về {got!r}" + (f" ({slip})" if slip else ""))
        return True

    def at_least_one() -> bool | str:
        got = epochs_for(60000, 10, 250)
        return True if got == 1 else f"{number(60_000)} ảnh, chỉ 10 bước: vẫn phải chạy 1 epoch, hàm trả về {got!r}"

    def paper_epochs() -> bool | str:
        total, batch = 300_000_000, 4096
        steps = 7 * -(-total // batch)
        for share, want in ((0.03, 233), (0.10, 70), (0.30, 23), (1.0, 7)):
            got = epochs_for(round(share * total), steps, batch)
            if got != want:
                return f"{share:.0%} của JFT-300M: bài báo dùng {want} epoch, hàm trả về {got!r}"
        return True

    props = [
        Property(f"các cỡ tập của chương (lô {batch}, {steps} bước)", book_sizes,
                 "số bước mỗi epoch là số lô, train_size / batch_size; số epoch = số bước mong muốn / số bước "
                 "mỗi epoch."),
        Property("lô cuối thiếu vẫn tính là một bước", partial_batches,
                 "số lô mỗi epoch là train_size / batch_size làm tròn LÊN: lô cuối thiếu ảnh vẫn là một bước.",
                 reveal="số lô mỗi epoch = math.ceil(train_size / batch_size), hay -(-train_size // batch_size)."),
        Property("làm tròn số epoch tới số nguyên gần nhất", rounding,
                 "steps / (số bước mỗi epoch) thường không nguyên: làm tròn nó tới số nguyên gần nhất bằng hàm "
                 "`round` của Python, không cắt phần lẻ, không làm tròn lên."),
        Property("ít nhất một epoch", at_least_one,
                 "dù số bước rất nhỏ, mỗi lần chạy phải đi hết dữ liệu ít nhất một lần.",
                 reveal="trả về max(1, …)."),
        Property("khớp 233 / 70 / 23 / 7 epoch của bài báo (§3.3)", paper_epochs,
                 "với JFT-300M, 7 epoch trên 100% dữ liệu là tổng số bước; tập con nhỏ hơn cần nhiều epoch hơn."),
    ]
    return run_checks("Bài tập 8.3: cùng số bước cho mọi cỡ tập dữ liệu", props, verbose)
