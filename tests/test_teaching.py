"""mixerbook.teaching: chapter lengths, times run alone, and the teacher's guide's session plan held to them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mixerbook import teaching

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


def _notebook(folder: Path, name: str, cells: list[tuple[str, str, list[str]]]) -> Path:
    path = folder / name
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "metadata": {"tags": tags} if tags else {},
                                           "source": source} for kind, source, tags in cells],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")
    return path


def test_prose_words_leave_out_myst_syntax_and_role_targets():
    text = ("(sec-x)=\n# Làm phẳng ảnh\n\n```{exercise} Hai chữ\n:label: ex-01-1\n\nMột {term}`token <Token>` "
            "và {ref}`sec-x` | - $x$\n```\n:::{dropdown} Ba\n:::")
    # "Làm phẳng ảnh" 3, "Một token và sec-x" 4, "$x$" 1; fences, options, target, "|" and "-" not counted
    assert teaching.prose_words(text) == 8
    assert teaching.prose_words("") == 0
    with pytest.raises(TypeError, match="must be a str"):
        teaching.prose_words(None)


def test_chapters_take_title_words_and_cells_from_each_notebook(tmp_path):
    _notebook(tmp_path, "02_b.ipynb", [("markdown", "# Chương hai\n\nBa chữ nữa", []),
                                       ("code", "x = 1", []), ("code", "assert x", ["remove-cell"])])
    _notebook(tmp_path, "01_a.ipynb", [("code", "import mixerbook", ["hide-input"]),
                                       ("markdown", ["(sec-a)=\n", "# Tiêu đề: một\n"], []),
                                       ("markdown", "## Mục\nvăn", [])])
    _notebook(tmp_path, "notes.ipynb", [("markdown", "# Not a chapter", [])])
    a, b = teaching.chapters(tmp_path)
    assert (a.name, a.number, a.title, a.words, a.code_cells, a.hidden_cells) == ("01_a", 1, "Tiêu đề: một", 5, 1, 0)
    assert (b.name, b.number, b.title, b.words, b.code_cells, b.hidden_cells) == ("02_b", 2, "Chương hai", 5, 2, 1)
    assert b.visible_code_cells == 1


def test_chapters_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="No chapter notebooks"):
        teaching.chapters(tmp_path)
    _notebook(tmp_path, "01_a.ipynb", [("markdown", "## Only a section", [])])
    with pytest.raises(ValueError, match="01_a.ipynb has no first-level heading"):
        teaching.chapters(tmp_path)


def test_the_book_has_nine_chapters_named_by_their_headings():
    found = teaching.chapters(BOOK)
    assert [c.number for c in found] == list(range(1, 10))
    for c in found:
        cells = json.loads((BOOK / f"{c.name}.ipynb").read_text(encoding="utf-8"))["cells"]
        first = next("".join(x["source"]) for x in cells if x["cell_type"] == "markdown")
        assert f"# {c.title}\n" in first + "\n" and c.words > 1000 and c.code_cells > c.hidden_cells >= 0


def _alone(**overrides) -> dict:
    data = {"command": "python scripts/time_chapters_alone.py", "date": "2026-12-07", "machine": "2 cores",
            "budget": "quick", "R": {"before": 30.0, "after": 32.0, "MLP": 0.6, "CNN": 10.7, "Mixer": 19.7},
            "chapters": {"01_flattening": {"seconds": 50.2}, "02_parameter_growth.ipynb": {"seconds": 15}}}
    return {**data, **overrides}


def test_alone_times_read_the_measurement_file(tmp_path):
    assert teaching.alone_times(tmp_path / "missing.json") is None
    path = tmp_path / "chapters_alone.json"
    path.write_text(json.dumps(_alone()), encoding="utf-8")
    times = teaching.alone_times(path)
    assert times.seconds == {"01_flattening": 50.2, "02_parameter_growth": 15.0}
    assert times.r == 31.0 and times.r_parts["before"] == 30.0
    assert (times.command, times.date, times.machine, times.budget) == (
        "python scripts/time_chapters_alone.py", "2026-12-07", "2 cores", "quick")


@pytest.mark.parametrize("overrides, field", [
    ({"date": ""}, "'date'"),
    ({"machine": None}, "'machine'"),
    ({"R": 31.0}, "'R'"),
    ({"R": {"before": 30.0}}, "R.after"),
    ({"R": {"before": 0, "after": 30.0}}, "R.before"),
    ({"chapters": {}}, "'chapters'"),
    ({"chapters": {"01_flattening": 50.2}}, "chapters.01_flattening must be an object"),
    ({"chapters": {"01_flattening": {"seconds": float("nan")}}}, "chapters.01_flattening.seconds"),
    ({"chapters": {"01_flattening": {"seconds": True}}}, "chapters.01_flattening.seconds"),
])
def test_alone_times_name_the_bad_field(tmp_path, overrides, field):
    path = tmp_path / "chapters_alone.json"
    path.write_text(json.dumps(_alone(**overrides)), encoding="utf-8")
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        teaching.alone_times(path)


def test_alone_times_reject_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "chapters_alone.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        teaching.alone_times(path)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="must hold a JSON object"):
        teaching.alone_times(path)


PLAN = """Intro | with a pipe

| Buổi | Chương | Nội dung |
| --- | --- | --- |
| 1 | 1 | a |
| 2 | 1 (tiếp) | b |
| 3 | 2 | c |

| Chương | other table |
| --- | --- |
| 9 | ignored |
"""


def test_session_plan_counts_rows_per_chapter_of_the_first_table():
    assert teaching.session_plan(PLAN) == {1: 2, 2: 1}
    with pytest.raises(ValueError, match="No Markdown table with a column 'Chapter'"):
        teaching.session_plan(PLAN, column="Chapter")
    with pytest.raises(ValueError, match="names no chapter number"):
        teaching.session_plan(PLAN.replace("| 3 | 2 | c |", "| 3 | hai | c |"))


def test_plan_problems_name_what_is_out_of_proportion():
    words = {"a": 2000, "b": 4000, "c": 6000}
    assert teaching.plan_problems({"a": 1, "b": 2, "c": 3}, words) == []
    shorter_gets_more = teaching.plan_problems({"a": 2, "b": 1, "c": 3}, words)
    assert any(p.startswith("b (4000 words) gets 1 session(s), fewer than a") for p in shorter_gets_more)
    off_share = teaching.plan_problems({"a": 1, "b": 1, "c": 4}, words)
    assert off_share and all("words per session" in p for p in off_share)
    assert teaching.plan_problems({"a": 1, "b": 1, "c": 1}, {"a": 100, "b": 100, "c": 100}) == []
    with pytest.raises(ValueError, match="same chapters"):
        teaching.plan_problems({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="positive ints"):
        teaching.plan_problems({"a": 0}, {"a": 10})


def test_the_guides_plan_gives_every_chapter_sessions_in_proportion_to_its_length():
    found = teaching.chapters(BOOK)
    plan = teaching.session_plan((BOOK / "teacher_guide.md").read_text(encoding="utf-8"))
    assert set(plan) == {c.number for c in found}, f"chapters without a session: {plan}"
    assert teaching.plan_problems({c.name: plan[c.number] for c in found}, {c.name: c.words for c in found}) == []
