"""Chapter 8 checkers accept the reference answers and reject realistic wrong ones."""

import math

from mixerbook import paper
from mixerbook.checks import scaling as ch8


def test_pair_throughput_accepts_reference(capsys):
    assert ch8.check_pair_throughput(ch8._reference_pair_throughput)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_pair_throughput_rejects_the_reports_pairings(capsys):
    claimed = {c.model: c.throughput for c in paper.REPORT_TABLE}

    def report(model, top1):
        return claimed[model]

    result = ch8.check_pair_throughput(report)
    out = capsys.readouterr().out
    assert not result and result.failed == ["sáu dòng của bảng trong báo cáo"]
    assert "báo cáo ghép nhầm" in out and "105" in out


def test_pair_throughput_rejects_other_wrong_answers():
    def always_224(model, top1):  # the throughput of the model's 224-px row, whatever the accuracy
        return next(r.throughput for r in paper.TABLE3 if r.model == model and r.resolution == 224)

    def nearest(model, top1):  # never admits that an accuracy is missing
        rows = [r for r in paper.RESULTS if r.model == model and r.throughput is not None]
        return min(rows, key=lambda r: abs(r.top1 - top1)).throughput

    assert not ch8.check_pair_throughput(always_224, verbose=False)
    result = ch8.check_pair_throughput(nearest, verbose=False)
    assert not result and result.failed == ["báo lỗi khi độ chính xác không có trong bài báo"]


def test_pair_throughput_stub_gets_a_friendly_verdict(capsys):
    def stub(model, top1):
        raise NotImplementedError

    assert not ch8.check_pair_throughput(stub)
    assert "NotImplementedError" in capsys.readouterr().out


def test_epochs_for_accepts_reference(capsys):
    assert ch8.check_epochs_for(ch8._reference_epochs_for)
    assert "[ĐẠT]" in capsys.readouterr().out


def test_epochs_for_rejects_wrong_answers():
    wrong = {
        "floor of batches per epoch": lambda n, s, b: max(1, round(s / (n // b))),
        "images instead of batches": lambda n, s, b: max(1, round(s * b / n)),
        "rounds up": lambda n, s, b: max(1, math.ceil(s / -(-n // b))),
        "can give zero epochs": lambda n, s, b: round(s / -(-n // b)),
        "same epochs for every size": lambda n, s, b: 1,
    }
    for name, fn in wrong.items():
        assert not ch8.check_epochs_for(fn, verbose=False), name
    zero = ch8.check_epochs_for(wrong["can give zero epochs"], verbose=False)
    assert zero.failed == ["ít nhất một epoch"]
