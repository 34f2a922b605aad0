"""The student edition: notebooks without solution code, and a site without solutions."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("student_edition", ROOT / "scripts" / "student_edition.py")
student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(student)

CHAPTERS = student.chapter_notebooks()


def _solution_code(nb):
    """Sources of the code cells between solution-start and solution-end markers."""
    inside, found = False, []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "{solution-start}" in cell.source:
            inside = True
        elif cell.cell_type == "markdown" and "{solution-end}" in cell.source:
            inside = False
        elif inside and cell.cell_type == "code":
            found.append(cell.source)
    return found


def test_every_chapter_is_found():
    assert CHAPTERS and all(p.suffix == ".ipynb" for p in CHAPTERS)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_student_notebook_has_no_solution_code(path):
    nb = nbformat.read(path, as_version=4)
    solutions = _solution_code(nb)
    assert solutions, "a chapter has at least one solution with code"
    stripped = student.strip_solutions(nb)
    text = "\n".join(c.source for c in stripped.cells)
    assert "{solution-start}" not in text and "{solution-end}" not in text and "{solution}" not in text
    code = [c.source for c in stripped.cells if c.cell_type == "code"]
    for source in solutions:
        assert source not in code
    # the exercises and the stubs the students fill in are still there
    assert text.count("{exercise}") == "\n".join(c.source for c in nb.cells).count("{exercise}")
    assert any("NotImplementedError" in c for c in code)
    assert all(not c.get("outputs") for c in stripped.cells if c.cell_type == "code")


def test_strip_rejects_unbalanced_markers():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("```{solution-start} ex-1\n```"),
                                         nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="no matching solution-end"):
        student.strip_solutions(nb)


def test_write_notebooks(tmp_path):
    written = student.write_notebooks(tmp_path)
    assert [p.name for p in written] == [p.name for p in CHAPTERS]
    for path in written:
        nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.book
def test_student_site_shows_no_solutions(built_site):
    out = ROOT / "_build" / "student"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_edition.py"), "site", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    site = out / "_build" / "html"
    for path in CHAPTERS:
        rel = path.relative_to(ROOT).with_suffix(".html")
        normal, students = (built_site / rel).read_text(), (site / rel).read_text()
        assert 'class="solution' in normal  # the normal site has the folded solutions
        assert 'class="solution' not in students and "Lời giải" not in students
        assert students.count('class="exercise') == normal.count('class="exercise') > 0
