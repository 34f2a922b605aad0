"""Nothing English or internal reaches a reader: the visible text of every built page, outputs included.

For each page of ``_toc.yml``, reads the built HTML (``tests/visible_text.py``: the article's text, printed cell
outputs, image alt texts and the text widgets draw, such as progress bars; code cells, code blocks, inline code and
maths left out) and fails on

- English or internal tokens from the list below (progress-bar fields, PyTorch module paths and class names, the
  permutation modes' keys, English words of the package's labels), and
- the forms the glossary rules out (the rules of ``tests/test_vocabulary.py``, imported, not copied),

naming the page and the text. Needs the built book (the ``built_site`` fixture of ``tests/conftest.py``; set
``MIXERBOOK_SITE`` to reuse a built ``_build/html``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_vocabulary import RULES, scan_text
from visible_text import visible_blocks

#: (token, pattern, what to write instead). Patterns are case-sensitive; each names the form a reader must not see.
ENGLISH = (
    ("loss=", r"\bloss=", "mất mát"),
    ("test_acc=", r"\btest_acc\b", "độ chính xác kiểm tra"),
    ("Tensor", r"\bTensor\b", "tensor (chữ thường), hoặc tên tiếng Việt của lớp"),
    ("input", r"(?<![\w-])input(?![\w-])", "ảnh đầu vào"),
    ("stem", r"(?<![\w-])stem(?![\w-])", "nhúng patch / phần gốc"),
    ("blocks.N", r"\bblocks\.\d", "lớp Mixer N"),
    ("features.N", r"\bfeatures\.\d", "tầng N"),
    ("pre_head_norm", r"\bpre_head_norm\b", "LayerNorm cuối"),
    ("token_mixing", r"\btoken_mixing\b", "trộn token"),
    ("channel_mixing", r"\bchannel_mixing\b", "trộn kênh"),
    ("none", r"(?<![\w-])none(?![\w-])", "ảnh gốc"),
    ("global", r"(?<![\w-])global(?![\w-])", "xáo toàn cục"),
    ("patch order", r"\bpatch order\b", "thứ tự patch"),
    ("pixel order", r"\bpixel order\b", "thứ tự điểm ảnh"),
    # a PyTorch class name as a whole label or table cell (a checker may name `nn.Linear` inside a sentence)
    ("class name", r"^(?:Conv2d|Linear|Sequential|MixerBlock|PatchEmbedding|BatchNorm2d|MaxPool2d|"
                   r"AdaptiveAvgPool2d|Flatten|Dropout|BasicBlock|MlpBlock)$", "tên tiếng Việt của lớp"),
    ("True/False", r"(?<![\w-])(?:True|False)(?![\w-])", "có / không (mb.text.yes_no)"),
    ("English error", r"\bTraceback \(most recent call last\)|\b\w+(?:Error|Exception): [A-Za-z]+ [a-z]+ [a-z]+",
     "phần giải thích tiếng Việt của lỗi (err.vi)"),
    ("n.d.", r"\bn\.d\.", "không rõ năm"),
)
#: English names a page may show in parentheses after the Vietnamese term, as the glossary does ("(stem)").
GLOSS_ALLOWED = {"input", "stem", "global", "Tensor"}
#: A printed Python object (``print(model)``: ``MlpMixer(`` then its modules, one a line) shows code, not text.
REPR = re.compile(r"^[A-Za-z_]\w*\(\n")
#: The glossary lists English terms (its ``dt`` terms) and, in its table of decisions (``td``), the ruled-out forms.
LISTS_FORMS = {"book/glossary": {"dt", "td", "th"}}
#: Vocabulary rules left out here: a plain space between two numbers in printed output is most often a column
#: separator ("S  giá trị"), not a thousands group; tests/test_vocabulary.py checks the strings that print numbers.
RULES_HERE = tuple(r for r in RULES if r.shown != "60 000 (dấu cách thường)")


def _inside_parentheses(text: str, start: int) -> bool:
    before = text[:start]
    return before.rfind("(") > before.rfind(")")


def english_findings(text: str) -> list[str]:
    found = []
    for token, pattern, use in ENGLISH:
        for m in re.finditer(pattern, text):
            if token in GLOSS_ALLOWED and _inside_parentheses(text, m.start()):
                continue
            found.append(f"'{m.group(0)}' -> {use}")
    return found


def page_findings(page_html: str, page: str) -> list[str]:
    problems = []
    for tag, text in visible_blocks(page_html):
        if set(tag.split(">")) & LISTS_FORMS.get(page, set()) or REPR.match(text):
            continue
        shown = text if len(text) < 160 else text[:157] + "…"
        problems += [f"{page}: {f} in «{shown}»" for f in english_findings(text)]
        problems += [f"{page}: {f}" for f in scan_text(text, f"«{shown}»", RULES_HERE, code=True)]
    return problems


def test_the_reader_and_the_list_catch_what_they_should():
    page = """<html><head><script>var loss=1</script><style>.a{}</style></head><body><nav>Search input</nav>
    <article class="bd-article"><p>Thanh tiến trình: <code>stem</code> ổn.</p>
    <div class="cell_input"><pre>print("input")</pre></div>
    <div class="cell_output"><div class="output stream highlight-myst-ansi"><pre>MLP | none: 95%, loss=0.3
    </pre></div></div><table><tr><td>blocks.0</td><td>Tensor</td><td>Conv2d</td></tr></table>
    <div class="cell_output"><pre>MlpMixer(
      (stem): PatchEmbedding()
    )</pre></div><p>khớp số tham số của nn.Linear thật</p>
    <p>phần gốc (stem) của ResNet; 1,728 ảnh, một vectơ</p><img alt="Hình: pre_head_norm"/></article>
    <script type="application/vnd.jupyter.widget-state+json">{"state": {"a": {"model_name": "HTMLModel",
    "state": {"value": "10/10 [00:01, test_acc=0.9]"}}}}</script></body></html>"""
    found = page_findings(page, "thử")
    text = "\n".join(found)
    for want in ("'none'", "'loss='", "'blocks.0'", "'Tensor'", "'Conv2d'", "'pre_head_norm'", "'test_acc'",
                 "'1,728'", "'vectơ'"):
        assert want in text, (want, found)
    assert "'stem'" not in text and "'input'" not in text and "var loss" not in text, found
    assert "PatchEmbedding" not in text and "'Linear'" not in text, found  # a printed module; a code name in a sentence


@pytest.mark.book
def test_no_english_or_internal_text_on_any_page(built_site: Path, page: str):
    html_file = built_site / f"{page}.html"
    assert html_file.is_file(), f"{page}: no built page at {html_file}"
    problems = page_findings(html_file.read_text(encoding="utf-8"), page)
    assert not problems, f"{len(problems)} English or ruled-out forms a reader sees:\n" + "\n".join(problems)
