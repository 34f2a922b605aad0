"""Exercises are numbered per chapter, and the number agrees everywhere a reader meets it.

"Bài tập 6.2" is the second exercise of chapter 6: on the page (book/_ext/exercise_numbers.py renumbers
sphinx-exercise's book-wide count), in the label (``ex-06-2``), in the text (``{ref}`ex-06-2``` renders
"Bài tập 6.2", so the text never writes the word itself before it), in the stub's ``NotImplementedError``
message and in the checker's verdict. This test parses the chapters and calls every checker with a stub.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))
EXERCISE = re.compile(r"^```\{exercise(?:-start)?\}[^\n]*\n:label: (\S+)", re.M)
STUB = re.compile(r"raise NotImplementedError\(\s*[\"'](Bài tập[^\"']*)[\"']")
CHECK_CALL = re.compile(r"mb\.checks\.(\w+)\.(check_\w+)\(")
NUMBER = re.compile(r"^Bài tập (\d+)\.(\d+): \S")

sys.path.insert(0, str(BOOK / "_ext"))
pytest.importorskip("sphinx", reason="the exercise-number extension needs the book toolchain (requirements.txt)")
import exercise_numbers  # noqa: E402


def chapter_number(path: Path) -> int:
    return int(path.name.split("_")[0])


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def exercises_and_code(path: Path) -> list[tuple[str, list[str]]]:
    """(label, code cells up to the next exercise) for each exercise of a chapter, in page order."""
    out: list[tuple[str, list[str]]] = []
    for cell in cells(path):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            out += [(label, []) for label in EXERCISE.findall(source)]
        elif out:
            out[-1][1].append(source)
    return out


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_labels_say_the_number_the_page_shows(path):
    ch = chapter_number(path)
    labels = [label for label, _ in exercises_and_code(path)]
    assert labels, f"{path.name} has no exercise"
    want = [f"ex-{ch:02d}-{k}" for k in range(1, len(labels) + 1)]
    assert labels == want, f"{path.name}: exercise labels {labels}, but the page numbers them {want}"


@pytest.mark.parametrize("path", [*CHAPTERS, *sorted(BOOK.glob("*.md"))], ids=lambda p: p.stem)
def test_text_refers_to_exercises_by_ref_and_writes_the_word_once(path):
    if path.suffix == ".ipynb":
        texts = ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    labels = {label for chapter in CHAPTERS for label, _ in exercises_and_code(chapter)}
    problems = []
    for text in texts:
        flat = re.sub(r"\s+", " ", text)
        problems += [f"'{m.group(0)}': {{ref}} already writes 'Bài tập'"
                     for m in re.finditer(r"bài tập \{(?:ref|numref)\}`[^`]*`", flat, re.I)]
        problems += [f"'{m.group(0)}': write {{ref}}`ex-CC-K` instead of a number in words or digits"
                     for m in re.finditer(r"bài tập (?:\d+(?:\.\d+)?|thứ \w+|cuối chương|số \d+)(?!\w)", flat, re.I)]
        problems += [f"{{ref}}`{m.group(1)}` points at no exercise"
                     for m in re.finditer(r"\{(?:ref|numref)\}`(ex-[^`<>]*)`", text) if m.group(1) not in labels]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def _stub(*args, **kwargs):
    raise NotImplementedError("Bài tập: a stub that is not done yet")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stubs_and_checkers_name_the_same_exercise(path, capsys):
    ch = chapter_number(path)
    checked = 0
    for k, (label, code) in enumerate(exercises_and_code(path), start=1):
        want = f"Bài tập {ch}.{k}"
        stubs = [m.group(1) for source in code for m in STUB.finditer(source)]
        for message in stubs:
            m = NUMBER.match(message)
            assert m and (int(m.group(1)), int(m.group(2))) == (ch, k), (
                f"{path.name}, {label}: the stub says {message!r}; it must begin '{want}: '")
        if not stubs:
            continue
        calls = {m.groups() for source in code for m in CHECK_CALL.finditer(source)}
        assert calls, f"{path.name}, {label}: a stub without a checker call"
        for module, function in sorted(calls):
            checker = getattr(importlib.import_module(f"mixerbook.checks.{module}"), function)
            result = checker(_stub)
            out = capsys.readouterr().out
            assert result.todo and not result.passed, f"mb.checks.{module}.{function} did not see an unfinished stub"
            m = NUMBER.match(result.exercise)
            assert m and (int(m.group(1)), int(m.group(2))) == (ch, k), (
                f"mb.checks.{module}.{function} names its exercise {result.exercise!r}; the page calls it {want}")
            assert out.startswith(f"[CHƯA LÀM] {want}: ") and out.count("Bài tập") == 1, (
                f"the verdict must name '{want}' once: {out!r}")
            checked += 1
    assert checked or not any(STUB.search(s) for _, code in exercises_and_code(path) for s in code)


def test_every_checker_is_called_by_a_chapter():
    import mixerbook.checks as checks

    called = {m.groups() for path in CHAPTERS for c in cells(path) if c["cell_type"] == "code"
              for m in CHECK_CALL.finditer("".join(c["source"]))}
    defined = set()
    for module in ("flattening", "growth", "inductive_bias", "hierarchy", "patches", "mixing", "mixer", "scaling",
                   "conclusion"):
        mod = importlib.import_module(f"{checks.__name__}.{module}")
        tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
        defined |= {(module, n.name) for n in tree.body
                    if isinstance(n, ast.FunctionDef) and n.name.startswith("check_")}
    assert defined <= called, f"checkers no chapter calls (their exercise number cannot be checked): {defined - called}"


def test_the_extension_numbers_exercises_per_chapter():
    env = SimpleNamespace(toc_fignumbers={
        "book/06_mixing": {"exercise": {"ex-06-2": (21,), "ex-06-1": (20,), "ex-06-3": (22,)}, "figure": {"f": (3,)}},
        "book/07_mixer": {"exercise": {"ex-07-1": (23,)}},
        "book/glossary": {"exercise": {"other": (40,)}},
    })
    changed = exercise_numbers.renumber(None, env)
    assert env.toc_fignumbers["book/06_mixing"]["exercise"] == {"ex-06-1": (6, 1), "ex-06-2": (6, 2),
                                                                "ex-06-3": (6, 3)}
    assert env.toc_fignumbers["book/07_mixer"]["exercise"] == {"ex-07-1": (7, 1)}
    assert env.toc_fignumbers["book/06_mixing"]["figure"] == {"f": (3,)}  # figures keep Sphinx's numbers
    assert env.toc_fignumbers["book/glossary"]["exercise"] == {"other": (40,)}  # not a chapter
    assert sorted(changed) == ["book/06_mixing", "book/07_mixer"]


def test_the_extension_warns_when_a_label_disagrees(caplog):
    env = SimpleNamespace(toc_fignumbers={"book/05_patches": {"exercise": {"ex-05-2": (1,), "ex-05-1": (2,)}}})
    with caplog.at_level("WARNING"):
        exercise_numbers.renumber(None, env)
    assert [r.getMessage() for r in caplog.records] == [
        "exercise label 'ex-05-2' is exercise 5.1 on this page; rename it ex-05-1",
        "exercise label 'ex-05-1' is exercise 5.2 on this page; rename it ex-05-2"]


def test_config_writes_the_word_once():
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "exercise_numbers: book/_ext" in config
    assert re.search(r'numfig_format:\s*\n\s*exercise: "Bài tập %s"', config)
