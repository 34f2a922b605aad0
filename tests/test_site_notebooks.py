"""The notebook edition of the built site, both editions, and the student build's hold on its solutions.

* Every chapter has a generated notebook in ``_build/html/notebooks/`` (full edition) and in the student site's
  ``notebooks/``; rendered as CommonMark (markdown-it-py, no MyST) it shows no directive, role, label or target,
  its ``$`` pair up, it has no output and no hidden guard, and nbformat validates it (tests/notebook_checks.py).
* Its code cells are the chapter's code cells less the ``remove-cell`` ones, in order, the setup cell first;
  solution cells are folded in the full edition and absent from the student one, which has an empty cell where
  a solution had code.
* Nothing the student build writes into its site (pages, search index, scripts, notebooks) holds a line of a
  solution's code or a sentence of a solution's text, all taken from the chapters' sources, while the full site
  does hold them (so the search is not vacuous).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("markdown_it", reason="the CommonMark checks need the book toolchain (requirements.txt)")
from notebook_checks import commonmark_problems  # noqa: E402
from test_notebooks import CHAPTERS, ROOT, setup_cell_source  # noqa: E402

pytestmark = pytest.mark.book

TITLE_LINE = re.compile(r'^# @title Lời giải bài tập (\d+\.\d+) \(bấm để xem mã\) \{ display-mode: "form" \}\n')
STUDENT_CELL = "# Viết mã của bạn ở đây\n"
START = "{solution-start}"
END = "{solution-end}"
PLAIN = re.compile(r"^(```+|:::+)\s*\{solution\}[^\n]*\n(?P<body>.*?)^\1\s*$", re.M | re.S)
MARKUP = re.compile(r"\{[\w:-]+\}`[^`]*`|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\*\*|\[|\]\([^)]*\)|^:\w+:.*$|^[#>-] ",
                    re.M | re.S)


def _nb(path: Path):
    return nbformat.read(path, as_version=4)


def _is_guard(cell) -> bool:
    return "remove-cell" in cell.metadata.get("tags", [])


def solutions(path: Path) -> tuple[list[str], list[str]]:
    """(solution code cells, solution markdown texts) of a chapter's source notebook; hidden guards left out."""
    code, text, inside = [], [], False
    for cell in _nb(path).cells:
        if cell.cell_type == "markdown":
            if START in cell.source:
                inside = END not in cell.source
                after = cell.source.split(START, 1)[1]
                text.append(re.sub(r"^[^\n]*\n(:\w+:[^\n]*\n)*(```+|:::+)?\s*\n", "", after, count=1))
                continue
            if END in cell.source:
                text.append(cell.source.split(END, 1)[0].rsplit("\n", 1)[0])
                inside = False
            elif inside:
                text.append(cell.source)
            text += [m["body"] for m in PLAIN.finditer(cell.source)]
        elif inside and not _is_guard(cell):
            code.append(cell.source)
    return code, text


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippets(path: Path) -> list[str]:
    """Distinctive pieces of a chapter's solutions, whitespace collapsed: code lines of 20+ characters and prose runs
    of 30+ characters (between markup), each found in no other cell of any chapter and not in the package's code
    (which the pages show with literalinclude)."""
    code, text = solutions(path)
    elsewhere = []
    for chapter in CHAPTERS:
        solution_code, solution_text = solutions(chapter)
        for cell in _nb(chapter).cells:
            # a cell is a solution's when it holds a solution's text (not a bare fence such as ```)
            if cell.source not in solution_code and not any(len(_normal(t)) >= 30 and t in cell.source
                                                            for t in solution_text):
                elsewhere.append(_normal(cell.source))
    elsewhere += [_normal(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "src").rglob("*.py"))]
    elsewhere_text = "\n".join(elsewhere)
    found = []
    for cell in code:
        found += [_normal(line) for line in cell.splitlines() if len(line.strip()) >= 20]
    for block in text:
        for run in MARKUP.split(block):
            run = _normal(run or "")
            if len(run) >= 30:
                found.append(run)
    return [s for s in dict.fromkeys(found) if s not in elsewhere_text]


def _readable(path: Path) -> str:
    """A file's text as a reader (or a search) would meet it: HTML without tags, a notebook's cell sources."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        raw = "\n".join(c.get("source", "") if isinstance(c.get("source"), str) else "".join(c.get("source", []))
                        for c in json.loads(raw).get("cells", []))
        raw = re.sub(r"\\(.)", r"\1", raw)
    elif path.suffix in (".html", ".htm", ".xml"):
        raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
    return _normal(raw)


def _site_text(site: Path) -> dict[Path, str]:
    binary = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".ttf", ".eot", ".ico", ".pdf", ".svgz"}
    return {p: _readable(p) for p in sorted(site.rglob("*")) if p.is_file() and p.suffix.lower() not in binary}


@pytest.fixture(scope="module")
def full_text(built_site) -> dict[Path, str]:
    """The full site as readers meet it (its copies of the sources left out, which hold everything)."""
    return {p: text for p, text in _site_text(built_site).items() if "_sources" not in p.relative_to(built_site).parts}


@pytest.fixture(scope="module")
def student_text(student_site) -> dict[Path, str]:
    return _site_text(student_site)


EDITIONS = ["full", "student"]


def _site(edition: str, request) -> Path:
    return request.getfixturevalue("built_site" if edition == "full" else "student_site")


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_generated_notebook_renders_in_plain_commonmark(path, edition, request):
    generated = _site(edition, request) / "notebooks" / path.name
    assert generated.is_file(), f"no notebook edition of {path.name} in the {edition} site"
    nb = _nb(generated)
    assert commonmark_problems(nb) == []
    assert nb.metadata["mixerbook"] == {"edition": edition}
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == setup_cell_source(path), "the setup cell is the first code cell"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_the_chapters_less_guards(path, edition, request):
    source = [c for c in _nb(path).cells if c.cell_type == "code" and not _is_guard(c)]
    solution_code, _ = solutions(path)
    nb = _nb(_site(edition, request) / "notebooks" / path.name)
    got = [c for c in nb.cells if c.cell_type == "code"]
    if edition == "full":
        folded = [c for c in got if TITLE_LINE.match(c.source)]
        assert [TITLE_LINE.sub("", c.source) for c in folded] == solution_code
        assert all(c.metadata.get("jupyter", {}).get("source_hidden") for c in folded)
        assert [TITLE_LINE.sub("", c.source) for c in got] == [c.source for c in source]
    else:
        kept = [c.source for c in source if c.source not in solution_code]
        assert [c.source for c in got if c.source != STUDENT_CELL] == kept
        assert not any(TITLE_LINE.match(c.source) for c in got)
        # one empty cell per exercise whose solution had code
        with_code = sum(1 for c in _nb(path).cells if c.cell_type == "markdown" and START in c.source
                        and _solution_has_code(path, c))
        assert sum(c.source == STUDENT_CELL for c in got) == with_code > 0
    for cell in got:  # hide-input / remove-input cells keep their tags (they must run)
        match = [c for c in source if c.source == TITLE_LINE.sub("", cell.source)]
        if match:
            assert cell.metadata.get("tags", []) == match[0].metadata.get("tags", [])


def _solution_has_code(path: Path, marker) -> bool:
    cells = _nb(path).cells
    start = next(i for i, c in enumerate(cells) if c.source == marker.source)
    for cell in cells[start + 1:]:
        if cell.cell_type == "markdown" and END in cell.source:
            return False
        if cell.cell_type == "code":
            return True
    return False


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_build_holds_no_solution(path, full_text, student_text):
    found = snippets(path)
    assert found, f"no solution text found in {path.name}"
    in_full = [s for s in found if any(s in text for text in full_text.values())]
    # the extraction works: every piece is on the full site's pages or notebooks (so the search below can find it)
    assert in_full == found, [s for s in found if s not in in_full][:10]
    leaks = [(p.name, s) for s in found
             for p, text in student_text.items() if s in text]
    assert not leaks, f"solution content in the student build: {leaks[:10]}"


def test_student_site_copies_no_source(student_site):
    assert not (student_site / "_sources").exists()
    assert not list(student_site.rglob("*.ipynb")) or all(
        p.parent.name == "notebooks" for p in student_site.rglob("*.ipynb"))


def test_intro_says_what_each_edition_holds(built_site, student_site):
    full = _readable(built_site / "book" / "intro.html")
    student = _readable(student_site / "book" / "intro.html")
    assert "Lời giải được gập lại" in full
    assert "Lời giải được gập lại" not in student and "không kèm lời giải" in student


def test_student_pages_offer_no_source_download(student_site):
    """No page of the student site links to a source copy (there is none): chapters offer their notebook."""
    for page in sorted(student_site.rglob("*.html")):
        assert "_sources/" not in page.read_text(encoding="utf-8"), page
