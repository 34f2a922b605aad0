"""The notebook edition converter (book/_ext/notebook_edition.py) on a small synthetic book, without the real build.

A two-page Sphinx project (a MyST notebook chapter ``book/03_demo.ipynb`` and a glossary/references page) is built
with the book's extensions, once as the full edition and once as the student edition (execution off). Its chapter
holds one of each construct the book's chapters use: an exercise with maths, a gated solution with a code cell, a
dropdown, an admonition, a term, a ref, a citation, a numbered equation and {eq}, {math}, a literalinclude with
:pyobject:, a hidden guard cell (remove-cell) and the setup cell (hide-input). The notebooks it writes are checked
cell by cell, and with the same CommonMark checks the real notebooks get (tests/notebook_checks.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
pytest.importorskip("sphinx", reason="the notebook edition needs the book toolchain (requirements.txt)")
import notebook_edition as ne  # noqa: E402
from notebook_checks import commonmark_problems  # noqa: E402

REPO = "https://github.com/SomeOne/demo-book"
SETUP = 'BOOK_VERSION = "0.1.0"\nprint("setup")'
GUARD = 'assert 1 + 1 == 2, "Claim \'two\' no longer holds"'
SOLUTION_CODE = "def square(x):\n    return x * x  # lời-giải-bí-mật\n\n\nprint(square(3))"
SOLUTION_TEXT = "Bình phương là nhân một số với chính nó, văn-bản-lời-giải."

CONF = f"""
import sys
sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})
extensions = ["myst_nb", "sphinx_exercise", "sphinx_design", "sphinxcontrib.bibtex",
              "student_edition", "exercise_numbers", "notebook_edition"]
myst_enable_extensions = ["amsmath", "colon_fence", "dollarmath"]
nb_execution_mode = "off"
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
language = "vi"
numfig = True
numfig_format = {{"exercise": "Bài tập %s"}}
html_theme = "basic"
notebook_edition_repository = {REPO!r}
exclude_patterns = ["_build"]
"""

BIB = """@article{tolstikhin2021mixer,
  author = {Tolstikhin, Ilya and Houlsby, Neil},
  title = {MLP-Mixer: An all-MLP Architecture for Vision},
  journal = {NeurIPS},
  year = {2021}
}
"""

CODE_PY = '''def helper(x):
    """Double x."""
    return 2 * x


def other():
    return 0
'''

GLOSSARY = """(sec-glossary)=
# Thuật ngữ

```{glossary}
Làm phẳng (flattening)
  Biến ảnh thành vector.
```

# Tài liệu

```{bibliography}
```
"""

INDEX = """# Sách thử

```{toctree}
book/03_demo
book/glossary
```
"""


def _md(text: str) -> dict:
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def _chapter() -> nbformat.NotebookNode:
    cells = [
        _md("""
            (sec-demo)=
            # Chương thử: $x^2$ và {term}`làm phẳng <Làm phẳng (flattening)>`

            Xem {ref}`sec-demo-two`, {cite:p}`tolstikhin2021mixer` và phương trình {eq}`eq-demo`; cả {math}`a_1 + b_1`.
            Giá 5 $ không phải toán.
            """),
        nbformat.v4.new_code_cell(SETUP, metadata={"tags": ["hide-input"]}),
        _md("""
            ```{math}
            :label: eq-demo
            y = x^2
            ```

            :::{note}
            Ghi chú có $\\alpha$.
            :::

            :::{dropdown} Đọc thêm (không bắt buộc)
            Nội dung gập với $\\beta_1$.
            :::

            ```{literalinclude} ../code.py
            :pyobject: helper
            ```
            """),
        nbformat.v4.new_code_cell(GUARD, metadata={"tags": ["remove-cell"]}),
        _md("""
            (sec-demo-two)=
            ## Phần hai

            ```{exercise} Tính $x^2$
            :label: ex-03-1

            Viết hàm `square(x)` trả về $x^2$ với $x \\in \\mathbb{R}$.
            ```
            """),
        nbformat.v4.new_code_cell('def square(x):\n    raise NotImplementedError("Bài tập 3.1")'),
        _md("""
            ```{solution-start} ex-03-1
            :class: dropdown
            ```
            """ + SOLUTION_TEXT),
        nbformat.v4.new_code_cell(SOLUTION_CODE),
        _md("""
            ```{solution-end}
            ```

            ```{exercise} Suy nghĩ
            :label: ex-03-2

            Vì sao? Xem {ref}`ex-03-1`.
            ```

            ```{solution} ex-03-2
            :class: dropdown

            Vì chỉ-trong-lời-giải-văn-bản.
            ```
            """),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    return nb


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("demo")
    (src / "book").mkdir()
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "refs.bib").write_text(BIB, encoding="utf-8")
    (src / "code.py").write_text(CODE_PY, encoding="utf-8")
    (src / "index.md").write_text(INDEX, encoding="utf-8")
    (src / "book" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    nbformat.write(_chapter(), src / "book" / "03_demo.ipynb")
    return src


def _build(src: Path, out: Path, edition: str) -> Path:
    env = {**os.environ, "MIXERBOOK_EDITION": edition}
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                           str(src), str(out)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def full_nb(demo_project, tmp_path_factory) -> nbformat.NotebookNode:
    out = _build(demo_project, tmp_path_factory.mktemp("full"), "")
    return nbformat.read(out / "notebooks" / "03_demo.ipynb", as_version=4)


@pytest.fixture(scope="module")
def student_out(demo_project, tmp_path_factory) -> Path:
    return _build(demo_project, tmp_path_factory.mktemp("student"), "student")


@pytest.fixture(scope="module")
def student_nb(student_out) -> nbformat.NotebookNode:
    return nbformat.read(student_out / "notebooks" / "03_demo.ipynb", as_version=4)


def _markdown(nb) -> str:
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _code(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


SITE = "https://someone.github.io/demo-book/"


def test_headings_roles_and_maths(full_nb):
    text = _markdown(full_nb)
    glossary = f"{SITE}book/glossary.html#term-"
    assert text.startswith(f"# Chương thử: $x^2$ và [làm phẳng]({glossary}")
    assert f"[Phần hai]({SITE}book/03_demo.html#sec-demo-two)" in text  # a ref: the title, linked
    assert f"[Tolstikhin and Houlsby, 2021]({SITE}book/glossary.html#" in text  # a citation: short form, linked
    assert "$a_1 + b_1$" in text  # {math}
    assert "Giá 5 \\$ không phải toán." in text  # a dollar sign in prose stays text
    assert "$$\ny = x^2 \\tag{1}\n$$" in text  # a numbered equation keeps its number
    assert "phương trình [(1)](" in text  # {eq} its number


def test_exercise_is_a_heading_with_its_number_title_and_maths(full_nb):
    text = _markdown(full_nb)
    assert "### Bài tập 3.1: Tính $x^2$\n\nViết hàm `square(x)` trả về $x^2$ với $x \\in \\mathbb{R}$." in text
    assert "### Bài tập 3.2: Suy nghĩ" in text
    assert f"[Bài tập 3.1]({SITE}book/03_demo.html#ex-03-1)" in text


def test_admonition_dropdown_and_literalinclude(full_nb):
    text = _markdown(full_nb)
    assert "> **Ghi chú**\n>\n> Ghi chú có $\\alpha$." in text
    assert "<details><summary>Đọc thêm (không bắt buộc)</summary>\n\nNội dung gập với $\\beta_1$.\n\n</details>" in text
    assert '```python\ndef helper(x):\n    """Double x."""\n    return 2 * x\n```' in text
    assert "def other" not in text


def test_gated_solution_is_folded(full_nb):
    text = _markdown(full_nb)
    assert f"<details><summary>Lời giải bài tập 3.1</summary>\n\n{SOLUTION_TEXT}\n\n</details>" in text
    assert "<details><summary>Lời giải bài tập 3.2</summary>\n\nVì chỉ-trong-lời-giải-văn-bản.\n\n</details>" in text
    folded = [c for c in full_nb.cells if c.cell_type == "code" and SOLUTION_CODE in c.source]
    assert len(folded) == 1
    assert folded[0].source == ('# @title Lời giải bài tập 3.1 (bấm để xem mã) { display-mode: "form" }\n'
                                + SOLUTION_CODE)
    assert folded[0].metadata["jupyter"] == {"source_hidden": True}


def test_code_cells_setup_first_guards_out_no_outputs(full_nb):
    code = _code(full_nb)
    assert code[0] == SETUP
    assert [c for c in full_nb.cells if c.cell_type == "code"][0].metadata["tags"] == ["hide-input"]
    assert GUARD not in code and not any("assert" in c for c in code)
    assert all(c.outputs == [] and c.execution_count is None for c in full_nb.cells if c.cell_type == "code")
    nbformat.validate(full_nb)
    assert full_nb.metadata["mixerbook"] == {"edition": "full"}


def test_commonmark_checks_pass(full_nb, student_nb):
    assert commonmark_problems(full_nb) == []
    assert commonmark_problems(student_nb) == []


def test_commonmark_checks_catch_myst(full_nb):
    """The checks fail on what the converter removes (so they are not vacuous)."""
    for bad in ["```{exercise} T\n:label: ex-1\nx\n```", ":::{note}\nx\n:::", "see {ref}`sec-x`",
                "(sec-x)=\n# T", "a $x$ and $y", "```{math}\n:label: e\nx\n```", "<script>x = 1</script>"]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(bad)])
        assert commonmark_problems(nb), bad


def test_student_edition_has_no_solution_and_an_empty_cell(student_nb, student_out):
    text = _markdown(student_nb)
    code = _code(student_nb)
    assert "Lời giải" not in text and "lời-giải-bí-mật" not in "\n".join(code)
    assert SOLUTION_TEXT not in text and "chỉ-trong-lời-giải" not in text
    assert "### Bài tập 3.1: Tính $x^2$" in text
    stub = code.index('def square(x):\n    raise NotImplementedError("Bài tập 3.1")')
    assert code[stub + 1] == ne.STUDENT_CELL  # the empty cell where the solution's code was
    assert code.count(ne.STUDENT_CELL) == 1  # 3.2's solution had no code: no cell
    assert "https://someone.github.io/demo-book/student/book/glossary.html#term-" in text
    assert student_nb.metadata["mixerbook"] == {"edition": "student"}
    assert not (student_out / "_sources").exists()  # html_copy_source is off in the student edition
    for path in student_out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".ipynb", ".txt", ".json"):
            content = path.read_text(encoding="utf-8", errors="replace")
            assert "lời-giải-bí-mật" not in content and "chỉ-trong-lời-giải" not in content, path


@pytest.mark.parametrize("url, owner_repo", [
    ("https://github.com/mixerbook/mlp-mixer-book", ("mixerbook", "mlp-mixer-book")),
    ("https://github.com/Fork/book.git/", ("Fork", "book")),
])
def test_github_repo(url, owner_repo):
    assert ne.github_repo(url) == owner_repo


@pytest.mark.parametrize("url", ["https://gitlab.com/a/b", "https://github.com/a", "github.com/a/b/c"])
def test_github_repo_rejects_other_urls(url):
    with pytest.raises(ValueError, match="repository.url must be"):
        ne.github_repo(url)


def test_published_urls():
    assert ne.site_url(REPO) == SITE
    assert ne.site_url(REPO, student=True) == SITE + "student/"
    assert ne.colab_url(REPO, "book/03_demo") == (
        "https://colab.research.google.com/github/SomeOne/demo-book/blob/gh-pages/notebooks/03_demo.ipynb")
    assert ne.colab_url(REPO, "book/03_demo", student=True).endswith("/blob/gh-pages/student/notebooks/03_demo.ipynb")


def test_raw_html_is_kept_but_not_scripts():
    from docutils import nodes

    assert ne._raw_html(nodes.raw("", '<img src="a.png" alt="x">', format="html")) == '<img src="a.png" alt="x">'
    assert ne._raw_html(nodes.raw("", "<script>kernelName = 'python3'</script>", format="html")) == ""
    assert ne._raw_html(nodes.raw("", "\\newpage", format="latex")) == ""


def test_escape_keeps_text_literal():
    assert ne.escape("a*b_c $5 <x> [y]") == "a\\*b\\_c \\$5 \\<x\\> \\[y\\]"


def test_notebook_json_format(full_nb, demo_project, tmp_path):
    """Written as the repository writes notebooks: indent 1, UTF-8 kept, a final newline."""
    out = _build(demo_project, tmp_path / "again", "")
    raw = (out / "notebooks" / "03_demo.ipynb").read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), indent=1, ensure_ascii=False) + "\n"


def test_repository_url_has_one_home():
    """Every link to the repository, its site or Colab is derived from repository.url in _config.yml: the README's
    links are the derived ones, and no extension, workflow or script writes the URL itself (the chapters' setup
    cells are checked by tests/test_notebooks.py)."""
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    owner, repo = ne.github_repo(url)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = set(re.findall(r"https://[^\s)>\]]+", readme))
    derived = {ne.site_url(url), ne.site_url(url, student=True), ne.colab_url(url, "book/01_flattening")}
    ours = {link for link in links if repo in link and not link.startswith(url)}  # the repository itself: url
    assert ours and ours <= derived, ours - derived
    assert ne.colab_url(url, "book/01_flattening") in links
    for path in [*(ROOT / "book" / "_ext").glob("*.py"), *(ROOT / "scripts").glob("*"),
                 *(ROOT / ".github").rglob("*.yml")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert f"{owner}/{repo}" not in text and f"{owner}.github.io" not in text, path
