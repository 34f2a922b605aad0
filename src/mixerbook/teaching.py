"""What a teacher needs to plan lessons with the book, read from the book's own files.

One home for the numbers the teacher's guide (book/teacher_guide.md) prints and checks:

* :func:`chapters`: each chapter notebook's title (its first heading), the words of its markdown
  prose and its code cells, the length measure the guide's session plan is held to.
* :func:`alone_times`: each chapter's time run alone (a fresh kernel and an empty run cache, as on
  Colab, where every notebook is its own runtime), from the measurement file
  ``benchmarks/chapters_alone.json``, with the R of the machine that measured it.
* :func:`session_plan` and :func:`plan_problems`: a lesson plan's sessions per chapter, and
  whether they stay roughly proportional to the chapters' lengths.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Chapter", "AloneTimes", "chapters", "prose_words", "alone_times", "session_plan", "plan_problems"]

CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
"""File names of the chapter notebooks in the book folder (``01_flattening.ipynb`` ...)."""

_DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,})")  # a fence: ```{exercise} ..., ``` or :::{dropdown}
_OPTION_LINE = re.compile(r"^\s*:[\w-]+:")  # a directive option: ":label: ex-01-1", ":class: dropdown"
_TARGET_LINE = re.compile(r"^\s*\([\w-]+\)=\s*$")  # a MyST target: "(sec-flattening)="
_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`")  # {term}`text <target>` -> text
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Chapter:
    """One chapter notebook, measured from its source.

    Attributes:
        name: the file name without its suffix, e.g. "01_flattening".
        number: the chapter number, e.g. 1.
        title: the text of its first heading, e.g. "Làm phẳng ảnh: khi MLP nhìn ảnh như một dãy số".
        words: words of its markdown cells (prose, exercise statements and solutions; directive
            fences, their options, target lines and role targets not counted).
        code_cells: its code cells, hidden guard cells (tag ``remove-cell``) included.
        hidden_cells: of which hidden guard cells: the reader never sees or runs them.
    """

    name: str
    number: int
    title: str
    words: int
    code_cells: int
    hidden_cells: int

    @property
    def visible_code_cells(self) -> int:
        """Code cells a reader sees and runs."""
        return self.code_cells - self.hidden_cells


def prose_words(markdown: str) -> int:
    """Words of MyST markdown as a reader reads them.

    Directive fences (```` ```{exercise} ````, ``:::``), directive options (``:label: ...``) and
    target lines (``(sec-x)=``) are not counted; a role counts its text, not its target
    (``{term}`token <Token>``` is one word). A word is a whitespace-separated piece with at least
    one letter or digit, so maths counts as the pieces it is written in and a lone ``|`` or ``-``
    counts nothing.

    Args:
        markdown: the source of one markdown cell or page.

    Returns:
        The number of words, an int >= 0.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}.")
    kept = [line for line in markdown.splitlines()
            if not (_DIRECTIVE_LINE.match(line) or _OPTION_LINE.match(line) or _TARGET_LINE.match(line))]
    text = _ROLE.sub(r" \1 ", "\n".join(kept))
    return sum(1 for piece in text.split() if _WORD.search(piece))


def _source(cell: Mapping) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def chapters(book_dir: str | os.PathLike) -> list[Chapter]:
    """Every chapter notebook in ``book_dir`` (``NN_*.ipynb``), in chapter order, measured from its source.

    Args:
        book_dir: the book's folder (``book/`` of the repository).

    Returns:
        One :class:`Chapter` per notebook, sorted by file name.

    Raises:
        FileNotFoundError: when ``book_dir`` holds no chapter notebook.
        ValueError: when a notebook has no markdown heading ``# ...`` to take its title from.
    """
    folder = Path(book_dir)
    paths = sorted(folder.glob(CHAPTER_GLOB))
    if not paths:
        raise FileNotFoundError(f"No chapter notebooks ({CHAPTER_GLOB}) in {folder.resolve()}.")
    found = []
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        markdown = [_source(c) for c in cells if c.get("cell_type") == "markdown"]
        code = [c for c in cells if c.get("cell_type") == "code"]
        title = next((line[2:].strip() for text in markdown for line in text.splitlines() if line.startswith("# ")),
                     None)
        if not title:
            raise ValueError(f"{path.name} has no first-level heading '# ...' in a markdown cell to name it by.")
        hidden = sum("remove-cell" in c.get("metadata", {}).get("tags", []) for c in code)
        found.append(Chapter(path.stem, int(path.name[:2]), title, sum(prose_words(t) for t in markdown),
                             len(code), hidden))
    return found


@dataclass(frozen=True)
class AloneTimes:
    """Each chapter's time run alone, as measured and recorded in ``benchmarks/chapters_alone.json``.

    Attributes:
        seconds: ``{chapter name: seconds}``, e.g. ``{"01_flattening": 50.2, ...}``: the wall time of
            the chapter's notebook run top to bottom in a fresh kernel with an empty run cache.
        r: R of the measuring machine in seconds: the mean of the R measured before and after.
        r_parts: the file's R record (``before``, ``after`` and the three models' epoch seconds).
        command: the command that measured them.
        date: when, as written in the file (e.g. "2026-12-07").
        machine: which machine, as written in the file.
        budget: the compute budget the chapters ran under (e.g. "quick").
    """

    seconds: dict[str, float]
    r: float
    r_parts: dict[str, float]
    command: str
    date: str
    machine: str
    budget: str


def _positive_number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValueError(f"{where} must be a positive number of seconds, got {value!r}.")
    return float(value)


def alone_times(path: str | os.PathLike) -> AloneTimes | None:
    """Read the chapters' times run alone from ``path`` (``benchmarks/chapters_alone.json``).

    The file holds ``{"command": str, "date": str, "machine": str, "budget": str, "R": {"before": s,
    "after": s, ...}, "chapters": {"01_flattening": {"seconds": s}, ...}}``.

    Args:
        path: the measurement file.

    Returns:
        An :class:`AloneTimes`, or None when there is no file at ``path`` (nothing measured yet).

    Raises:
        ValueError: when the file is not valid JSON of that shape (the message names the field).
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object, got {type(data).__name__}.")
    texts = {}
    for key in ("command", "date", "machine", "budget"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ValueError(f"{path}: field {key!r} must be a non-empty string, got {data.get(key)!r}.")
        texts[key] = data[key].strip()
    r_parts = data.get("R")
    if not isinstance(r_parts, dict):
        raise ValueError(f"{path}: field 'R' must be an object with 'before' and 'after' seconds, got {r_parts!r}.")
    before, after = (_positive_number(f"{path}: R.{k}", r_parts.get(k)) for k in ("before", "after"))
    chapters_field = data.get("chapters")
    if not isinstance(chapters_field, dict) or not chapters_field:
        raise ValueError(f"{path}: field 'chapters' must be a non-empty object "
                         f"{{chapter name: {{'seconds': s}}}}, got {chapters_field!r}.")
    seconds = {}
    for name, record in chapters_field.items():
        if not isinstance(record, dict):
            raise ValueError(f"{path}: chapters.{name} must be an object {{'seconds': s}}, got {record!r}.")
        seconds[str(name).removesuffix(".ipynb")] = _positive_number(f"{path}: chapters.{name}.seconds",
                                                                     record.get("seconds"))
    return AloneTimes(seconds, (before + after) / 2, dict(r_parts), **texts)


def session_plan(markdown: str, column: str = "Chương") -> dict[int, int]:
    """Sessions per chapter in a lesson plan written as a Markdown pipe table.

    Finds the first table whose header row has a cell ``column`` and counts its body rows by the
    first number in that cell (a row "| 3 | 1 | ... |" with ``column`` second is a session of chapter 1).

    Args:
        markdown: the page holding the plan, e.g. the text of book/teacher_guide.md.
        column: the header of the column that names each session's chapter by number.

    Returns:
        ``{chapter number: sessions}``, in the order chapters first appear.

    Raises:
        ValueError: when there is no such table, or a row's chapter cell holds no number.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}.")
    lines = markdown.splitlines()

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []

    header = next((i for i, line in enumerate(lines) if column in cells(line)), None)
    if header is None:
        raise ValueError(f"No Markdown table with a column {column!r} in the text.")
    index = cells(lines[header]).index(column)
    counts: dict[int, int] = {}
    for line in lines[header + 2:]:  # skip the header and its |---| row
        row = cells(line)
        if not row:
            break
        number = re.search(r"\d+", row[index]) if index < len(row) else None
        if number is None:
            raise ValueError(f"The plan's row {line.strip()!r} names no chapter number in its {column!r} column.")
        counts[int(number.group())] = counts.get(int(number.group()), 0) + 1
    return counts


def plan_problems(sessions: Mapping[str, int], words: Mapping[str, int], tolerance: float = 0.5) -> list[str]:
    """Where a lesson plan's sessions per chapter are not roughly proportional to the chapters' lengths.

    Two rules: no chapter gets fewer sessions than a chapter with fewer words; and each chapter's
    sessions are within ``tolerance`` of its share of all sessions in proportion to its words
    (``words * total sessions / total words``).

    Args:
        sessions: ``{chapter: sessions}`` of the plan, a positive int for every chapter.
        words: ``{chapter: words}``, the same chapters.
        tolerance: how many sessions a chapter may be off its proportional share.

    Returns:
        English sentences, one per problem; empty when the plan is proportional.

    Raises:
        ValueError: when the two mappings name different chapters or hold a non-positive count.
    """
    if set(sessions) != set(words):
        raise ValueError(f"sessions and words must name the same chapters; only in sessions: "
                         f"{sorted(set(sessions) - set(words))}, only in words: {sorted(set(words) - set(sessions))}.")
    for label, counts in (("sessions", sessions), ("words", words)):
        bad = {k: v for k, v in counts.items() if isinstance(v, bool) or not isinstance(v, int) or v <= 0}
        if bad:
            raise ValueError(f"{label} must be positive ints, got {bad}.")
    problems = []
    for a in sorted(sessions):
        for b in sorted(sessions):
            if sessions[a] < sessions[b] and words[a] >= words[b]:
                problems.append(f"{a} ({words[a]} words) gets {sessions[a]} session(s), fewer than {b} "
                                f"({words[b]} words, {sessions[b]} sessions)")
    per_session = sum(words.values()) / sum(sessions.values())
    for name in sorted(sessions):
        share = words[name] / per_session
        if abs(sessions[name] - share) > tolerance:
            problems.append(f"{name} gets {sessions[name]} session(s) but its {words[name]} words are "
                            f"{share:.2f} sessions at {per_session:.0f} words per session")
    return problems
