"""Every figure of mixerbook.viz is readable in the page's column and draws each model in its own style.

The cases are those of tests/test_figures.py (every plotting function, with realistic data). Two checks
from tests/figure_checks.py:

* ``small_texts``: the figure is rendered at the book's dpi with a tight bounding box (as the inline
  backend does) and shown in the ~700 px column, scaled down when wider; no text may end up under
  9 px (font size in points x dpi / 72 x 700 / width in px);
* ``model_style_problems``: every line, bar or title that stands for one of the book's models has the
  colour (and, for lines, the marker) of :data:`mixerbook.viz.style.MODEL_STYLES`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figure_checks import model_artists, model_style_problems, rendered_width_px, small_texts  # noqa: E402
from test_figures import CASES, _cases  # noqa: E402

import mixerbook as mb  # noqa: E402
from mixerbook import viz  # noqa: E402
from mixerbook.viz import style  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

@pytest.mark.parametrize("case", CASES)
def test_text_is_readable_in_the_page_column(case):
    fig = _cases()[case]()
    try:
        assert fig.dpi == style.DPI, f"{case} is drawn at {fig.dpi} dpi, the book renders at {style.DPI}"
        problems = small_texts(fig)
    finally:
        plt.close(fig)
    assert not problems, f"{case}:\n  " + "\n  ".join(problems)


def test_each_model_has_one_style_in_every_figure():
    """Colour and marker of every model-labelled artist of every case come from viz.style; the book's
    five models and the paper's appear in the cases, so the check is not empty."""
    seen: dict[str, set[str]] = {}
    problems = []
    for case in CASES:
        fig = _cases()[case]()
        try:
            problems += [f"{case}: {p}" for p in model_style_problems(fig)]
            for _, key, color, _ in model_artists(fig):
                seen.setdefault(key, set()).add(color)
        finally:
            plt.close(fig)
    assert not problems, "\n".join(problems)
    assert all(len(colors) == 1 for colors in seen.values()), seen
    expected = {*mb.experiments.MODELS, "Mixer-B/16", "ViT-B/16", "ResNet-50"}
    assert expected <= set(seen), f"models no case draws: {sorted(expected - set(seen))}"


def test_model_styles_are_distinct_and_cover_the_book():
    styles = style.MODEL_STYLES
    assert set(mb.experiments.MODELS) <= set(styles), sorted(set(mb.experiments.MODELS) - set(styles))
    colors = [s.color.lower() for s in styles.values()]
    assert len(set(colors)) == len(colors), "two models share a colour"
    assert not set(colors) & {c.lower() for c in style.OTHER_COLORS}, "a model's colour is in the cycle"
    book = [styles[name] for name in mb.experiments.MODELS]
    assert len({s.marker for s in book}) == len(book), "two of the book's models share a marker"


@pytest.mark.parametrize(("label", "key"), [
    ("CNN-pyramid", "CNN-pyramid"), ("CNN hình tháp", "CNN-pyramid"), ("CNN (hình tháp)", "CNN"),
    ("Mixer (bảng S×C)", "Mixer"), ("MLP: lớp kết nối đầy đủ đầu tiên", "MLP"), ("Mixer-tiny", "Mixer-tiny"),
    ("ViT-B/16 / Mixer-B/16", "ViT-B/16"), ("MLP (báo cáo (chưa kiểm chứng))", "MLP"), ("xáo toàn cục", None),
    ("nhanh bằng Mixer-B/16", None),
])
def test_model_key_reads_labels(label, key):
    assert style.model_key(label) == key


def test_unknown_series_fall_back_without_posing_as_a_model():
    assert style.model_color("ResNet-18 (CNN hình tháp)") == style.MODEL_STYLES["CNN"].color
    assert style.model_color("một mô hình khác") is None and style.model_marker("một mô hình khác") == "o"
    with pytest.raises(TypeError, match="must be a string"):
        style.model_key(3)
    with pytest.raises(ValueError, match="must be positive"):
        style.display_text_px(0, 700)


def test_the_checks_catch_what_they_claim_to():
    """A wide figure with small text and a CNN-pyramid line in the wrong colour and marker fails both checks."""
    fig, ax = plt.subplots(figsize=(12, 3))
    ax.plot([0, 1], [0, 1], "o-", color="#1f77b4", label="CNN-pyramid")
    ax.set_title("nhỏ", fontsize=8)
    assert rendered_width_px(fig) > style.PAGE_WIDTH_PX
    small, wrong = small_texts(fig), model_style_problems(fig)
    plt.close(fig)
    assert any("'nhỏ'" in p for p in small), small
    assert {p.split(":")[0] for p in wrong} == {"model colour", "model marker"}, wrong
    fig, ax = plt.subplots(figsize=(style.PAGE_WIDTH - 1, 3))  # narrower than the column: 7 pt is 9.7 px
    ax.set_title("vừa", fontsize=7)
    assert not small_texts(fig)
    plt.close(fig)


def test_every_viz_name_the_book_uses_resolves():
    """Every ``viz.<name>`` in the chapters, the package, the tests, benchmarks and scripts exists."""
    used = {}
    for folder in ("book", "src", "tests", "benchmarks", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".ipynb", ".md", ".js") and path.is_file():
                for name in re.findall(r"\bviz\.(?!py\b)([A-Za-z_]\w*)", path.read_text(encoding="utf-8")):
                    used.setdefault(name, path.relative_to(ROOT))
    chapters = {n for n, p in used.items() if p.parts[0] == "book"}
    assert len(chapters) >= 20, sorted(chapters)  # the chapters call many of them: the scan found them
    missing = {n: str(p) for n, p in used.items() if not hasattr(viz, n)}
    assert not missing, missing
    assert not (ROOT / "src" / "mixerbook" / "viz.py").exists()


def test_viz_never_imports_widgets():
    for path in (ROOT / "src" / "mixerbook" / "viz").glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+(\.\.)?\S*widgets", path.read_text(encoding="utf-8"), re.M), path


def test_explorers_draw_the_models_in_their_colours():
    """The growth explorer's ES module colours MLP, CNN and Mixer as viz.style does."""
    js = (ROOT / "src" / "mixerbook" / "widgets" / "growth.js").read_text(encoding="utf-8")
    table = re.search(r"const COLORS = \{([^}]*)\}", js).group(1)
    colors = dict(re.findall(r'(\w[\w-]*): "(#[0-9a-fA-F]{6})"', table))
    assert colors == {k: style.MODEL_STYLES[k].color for k in colors} and set(colors) == {"MLP", "CNN", "Mixer"}
