"""Notebooks in git hold no outputs, and every chapter starts with the same setup cell."""

from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def _toc_files(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                yield value
            else:
                yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))
CHAPTERS = [ROOT / f"{f}.ipynb" for f in _toc_files(TOC) if (ROOT / f"{f}.ipynb").exists()]


def test_toc_entries_exist():
    for f in _toc_files(TOC):
        assert (ROOT / f"{f}.ipynb").exists() or (ROOT / f"{f}.md").exists(), f


def test_there_are_chapter_notebooks():
    assert CHAPTERS, "no chapter notebooks listed in _toc.yml"
    assert set(CHAPTERS) <= set(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_holds_no_outputs_or_widget_state(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert "widgets" not in nb.metadata


def _setup_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return code[0]


def setup_cell_source(path) -> str:
    """The chapter's setup cell (its first code cell), also executed by tests/test_colab_mirror.py."""
    return _setup_cell(path).source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_setup_cell_installs_from_the_configured_repository(path):
    cell = _setup_cell(path)
    url = CONFIG["repository"]["url"]
    assert f'"mixerbook @ git+{url}@v{{BOOK_VERSION}}"' in cell.source
    assert 'if "google.colab" in sys.modules:' in cell.source
    assert 'os.environ.get(\n            "MIXERBOOK_INSTALL_FROM", ' in cell.source
    # %pip (not subprocess) and no -q: Colab shows its restart warning only for %pip/!pip output.
    assert '%pip install "{source}"' in cell.source and " -q" not in cell.source
    second = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"][1].source
    assert "import mixerbook as mb" in second and "get_device()" in second


def test_setup_cell_installs_the_version_in_pyproject():
    """pyproject.toml's version is the one place of the book's package version; the setup cell installs
    the git tag ``v<version>`` of it. Releasing = bump pyproject.toml, paste the version here, tag."""
    import re

    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^\[project\][^\[]*?^version = "([^"]+)"', pyproject, re.MULTILINE | re.DOTALL)[1]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "a plain X.Y.Z version, so that git tags and comparisons agree"
    for path in CHAPTERS:
        found = re.findall(r'^BOOK_VERSION = "([^"]*)"', _setup_cell(path).source, re.MULTILINE)
        assert found == [version], f"{path.name}: BOOK_VERSION {found} != pyproject.toml's {version}"


def test_setup_cells_are_identical():
    sources = {p.name: _setup_cell(p).source for p in CHAPTERS}
    assert len(set(sources.values())) == 1, sources


def _sources(path):
    if path.suffix == ".ipynb":
        return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_has_three_exercises_and_a_checker_for_every_code_exercise(path):
    nb = nbformat.read(path, as_version=4)
    text = _sources(path)
    assert text.count("{exercise}") >= 3, "a chapter has at least three exercises"
    stubs = [c.source for c in nb.cells if c.cell_type == "code" and "raise NotImplementedError" in c.source]
    assert stubs, "at least one code exercise"
    for stub in stubs:
        assert "mb.checks." in stub, f"a code exercise without a checker call:\n{stub}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_links_the_glossary(path):
    assert _sources(path).count("{term}") >= 3


def test_every_bibliography_entry_is_cited():
    import re

    keys = re.findall(r"@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8"))
    text = "\n".join(_sources(p) for p in sorted((ROOT / "book").rglob("*")) if p.suffix in {".md", ".ipynb"})
    cited = set(re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", text))
    cited = {k.strip() for group in cited for k in group.split(",")}
    assert keys and len(keys) == len(set(keys)), "duplicate keys in references.bib"
    assert not set(keys) - cited, f"entries never cited: {sorted(set(keys) - cited)}"
    assert not cited - set(keys), f"citations missing from references.bib: {sorted(cited - set(keys))}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_take_per_budget_settings_from_the_package(path):
    """``if budget == "quick"`` in a chapter would give smoke runs (tests, the Colab mirror) another budget's value."""
    import re

    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert not re.search(r"budget\s*(==|!=|\bin\b)", code), "use a per-budget table in mixerbook.experiments"


def _guard_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "remove-cell" in c.metadata.get("tags", [])]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_hidden_cells_are_guards_whose_asserts_name_their_claim(path):
    """A hidden (``remove-cell``) code cell is a guard: it asserts a sentence of the chapter still holds, and every
    assert carries a message naming the claim, so that a failing build says which sentence no longer holds."""
    import ast

    for i, source in _guard_cells(path):
        asserts = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assert)]
        assert asserts, f"cell {i} is hidden (remove-cell) but asserts nothing:\n{source}"
        for node in asserts:
            assert node.msg is not None, f"cell {i}: an assert without a message (line {node.lineno})"
            message = ast.unparse(node.msg)
            assert "Claim '" in message and "chapter" in message, (
                f"cell {i}: the message of the assert on line {node.lineno} must name the claim and the chapter "
                f"(\"Claim '...' (chapter N, section ...) no longer holds: ...\"):\n{message}")
