"""One vocabulary and one number format for everything a reader sees.

The glossary (book/glossary.md, section "Cách viết thống nhất") records each decision: one Vietnamese form
per term, English in parentheses at first use, one spelling of loan words, new-style tone marks, and the
number format stated in the intro (decimal point; thousands grouped by a no-break space from five digits).
This test scans

- the markdown cells of every chapter and every book/*.md page (code spans, math, URLs, role targets,
  directive options and code blocks excluded),
- the strings the package and the chapters' code cells show to readers (string literals with Vietnamese
  text or passed to print/tqdm/figure-text calls; docstrings, exception and warning messages excluded:
  those stay English),
- the user-visible strings of the widgets' JavaScript,

for the forms ruled out below, and fails naming the file, the cell or line, and the form to use.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
PACKAGE = ROOT / "src" / "mixerbook"
GLOSSARY = BOOK / "glossary.md"
NBSP = "\u00a0"

# A Vietnamese letter: a string that contains one is meant for a reader.
VI_LETTER = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
W = r"(?<![\w-])"  # start of a word (a hyphen joins words: "MLP-Mixer")
E = r"(?![\w-])"  # end of a word


@dataclass(frozen=True)
class Rule:
    """One ruled-out form: ``pattern`` (a regex, case-insensitive) and the form to use instead."""

    shown: str  # the ruled-out form as the glossary lists it
    pattern: str
    use: str
    english: bool = False  # an English term: allowed inside parentheses, as the gloss at first use
    prose_only: bool = False  # not applied to strings in code (e.g. "nn.Linear(150528, 1024)" is code notation)

    @property
    def regex(self) -> re.Pattern:
        return re.compile(self.pattern, re.I)


RULES: tuple[Rule, ...] = (
    # Terms
    Rule("mảnh", W + r"(?<!phân )(?<!từng )mảnh" + E + r"(?! vuông)", "patch"),
    Rule("vectơ", W + r"vectơ" + E, "vector"),
    Rule("tenxơ", W + r"tenxơ" + E, "tensor"),
    Rule("mô-đun", W + r"mô[-‑ ]đun" + E, "module"),
    Rule("phép chú ý", W + r"phép chú ý" + E, "tự chú ý (self-attention)"),
    Rule("cơ chế chú ý", W + r"cơ chế chú ý" + E, "cơ chế tự chú ý"),
    Rule("self-attention", W + r"self[-‑ ]attention" + E, "tự chú ý (self-attention)", english=True),
    Rule("khối Mixer", W + r"khối Mixer" + E, "lớp Mixer (Mixer layer)"),
    Rule("chia sẻ trọng số", W + r"chia sẻ trọng số" + E, "chia sẻ tham số"),
    Rule("precision", W + r"precision" + E, "độ chính xác dương (precision)", english=True),
    Rule("recall", W + r"recall" + E, "độ phủ (recall)", english=True),
    Rule("tinh chỉnh siêu tham số", W + r"tinh chỉnh (?:các )?(?:siêu )?tham số" + E, "dò siêu tham số"),
    Rule("CNN được tinh chỉnh trên", W + r"được tinh chỉnh trên Fashion-MNIST", "được dò siêu tham số trên"),
    Rule("đổi dây", W + r"đổi dây" + E, "hoán vị lại trọng số (rewiring)"),
    Rule("hấp thụ", W + r"hấp thụ" + E, "bù (bù được phép xáo)"),
    Rule("đường ống", W + r"đường ống" + E, "quy trình"),
    Rule("pipeline", W + r"pipeline" + E, "quy trình"),
    Rule("kiểm định chéo", W + r"kiểm định chéo" + E, "kiểm tra chéo (cross-validation)"),
    Rule("phẳng như mặt bàn", W + r"mặt bàn" + E, "đẳng hướng ('phẳng' chỉ dùng cho làm phẳng)"),
    Rule("móc tiến", W + r"móc(?: tiến)?" + E, "hook"),
    Rule("lượt tiến", W + r"lượt (?:tính )?tiến" + E, "lượt lan truyền tiến (forward pass)"),
    Rule("nhân nhúng patch", W + r"nhân nhúng" + E, "lớp nhúng patch"),
    Rule("tích chập theo chiều sâu", W + r"tích chập theo chiều sâu" + E, "tích chập từng kênh (depthwise)"),
    Rule("độ chính xác số", W + r"độ chính xác số" + E, "kiểu số (float32)"),
    Rule("stem", W + r"stem" + E, "phần gốc (stem)", english=True),
    Rule("batch", W + r"batch" + E, "lô (batch)", english=True),
    # Spelling: new-style tone marks on oa, oe, uy (hoá, xoá, khoẻ, tuỳ), as most chapters write
    Rule("hóa, xóa, tùy", W + r"\w*(?<!q)(?:[òóỏõọ][ae]|[ùúủũụ]y)" + E, "dấu thanh kiểu mới: hoá, xoá, khoẻ, tuỳ"),
    # Numbers: a decimal point; thousands grouped by a no-break space from five digits on
    Rule("1,728", r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])", f"60{NBSP}000 (dấu cách không ngắt, không dùng dấu phẩy)"),
    Rule("1.000", r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.])|(?<![\d.,])\d{1,3}\.000(?![\d.])",
         f"60{NBSP}000 (dấu chấm chỉ dùng cho phần thập phân)"),
    Rule("60 000 (dấu cách thường)", r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])", f"60{NBSP}000 (dấu cách không ngắt)"),
    Rule("1 000", rf"(?<![\d.,{NBSP} ])\d[{NBSP}]\d{{3}}(?![\d.,]|[{NBSP} ]\d)", "1000 (số bốn chữ số viết liền)"),
    Rule("12700", r"(?<![\d.,\w\\/-])\d{5,}(?![\d\w])", f"12{NBSP}700 (nhóm ba chữ số từ năm chữ số)",
         prose_only=True),
)
RULES_BY_NAME = {r.shown: r for r in RULES}


@dataclass(frozen=True)
class Finding:
    where: str
    text: str
    rule: Rule

    def __str__(self) -> str:
        return f"{self.where}: '{self.text}' -> dùng: {self.rule.use}"


def _inside_parentheses(text: str, start: int) -> bool:
    before = text[:start]
    return before.rfind("(") > before.rfind(")")


def _one_line(text: str) -> tuple[str, list[int]]:
    """``text`` with every run of white space (line breaks, list indents) made one space, and for each
    character of the result its offset in ``text``: a term wrapped over two lines is still found."""
    chars, where = [], []
    for m in re.finditer(r"\s+|\S", text):
        chars.append(" " if m.group(0).isspace() and m.group(0) not in (NBSP,) else m.group(0))
        where.append(m.start())
    return "".join(chars), where


def scan_text(text: str, where: str, rules: tuple[Rule, ...] = RULES, code: bool = False) -> list[Finding]:
    """Findings of ``rules`` in cleaned reader-visible ``text``; ``where`` names its place."""
    flat, offsets = _one_line(text)
    found = []
    for rule in rules:
        if code and rule.prose_only:
            continue
        for m in rule.regex.finditer(flat):
            if rule.english and _inside_parentheses(flat, m.start()):
                continue
            line = text.count("\n", 0, offsets[m.start()]) + 1
            found.append(Finding(f"{where}, dòng {line}", m.group(0), rule))
    return found


# ---------------------------------------------------------------------------------------------- markdown
def _blank(m: re.Match) -> str:
    """Replace a match by as many newlines as it spanned, so that line numbers stay right."""
    return "\n" * m.group(0).count("\n") + " "


NO_ARGUMENT_TEXT = {"literalinclude", "code-block", "code", "figure", "image", "bibliography", "include",
                    "code-cell", "raw", "math"}


def clean_markdown(text: str) -> str:
    """The reader-visible prose of a MyST markdown text, with line numbers kept."""
    text = re.sub(r"<!--.*?-->", _blank, text, flags=re.S)
    out, in_code = [], None
    for line in text.split("\n"):
        fence = re.match(r"^\s*(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?\s*(.*)$", line)
        if in_code is not None:  # inside a code block: nothing is prose until the closing fence
            if fence and fence.group(1) == in_code and not fence.group(2) and not fence.group(4):
                in_code = None
            out.append("")
            continue
        if fence:
            directive, argument = fence.group(3), fence.group(4)
            if directive is None and argument and fence.group(1)[0] != ":":  # ```python: a code block
                in_code = fence.group(1)
                out.append("")
            elif directive is None and not argument:  # a closing fence, or a bare ``` code block opener
                out.append("")
            elif directive in NO_ARGUMENT_TEXT or directive is None:
                out.append("")
            else:
                out.append(argument)  # e.g. the exercise title
            continue
        if re.match(r"^\s*:[\w-]+:", line) or re.match(r"^\s*\([\w:-]+\)=\s*$", line):
            out.append("")  # directive options, labels
            continue
        out.append(line)
    text = "\n".join(out)
    text = re.sub(r"\$\$.*?\$\$", _blank, text, flags=re.S)
    text = re.sub(r"(?<![\\$])\$[^$\n]+\$", " ", text)
    text = re.sub(r"\{[\w:-]+\}`([^`<]*?)\s*<[^`>]*>`", r"\1", text)  # {term}`patch <Patch>` -> patch
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)  # {ref}`sec-x`: the target is not prose
    text = re.sub(r"`[^`\n]*`", " ", text)  # code spans
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"<[^<>\n]*>", " ", text)  # html tags
    text = re.sub(r"(?:https?|ftp)://\S+|www\.\S+", " ", text)  # URLs
    return text


def _decisions_section(text: str) -> tuple[int, int]:
    """Character span of the glossary's table of ruled-out forms (it quotes them on purpose)."""
    start = text.find("<!-- vocabulary-decisions -->")
    end = text.find("<!-- /vocabulary-decisions -->")
    return (start, end) if 0 <= start < end else (-1, -1)


def markdown_sources() -> list[tuple[str, str]]:
    """(where, reader-visible text) of every chapter's markdown cell and every book page."""
    sources = []
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"])
                sources.append((f"{path.name}, ô {i}", clean_markdown(source)))
    for path in sorted(BOOK.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        a, b = _decisions_section(text)
        if a >= 0:
            text = text[:a] + "\n" * text[a:b].count("\n") + text[b:]
        sources.append((path.name, clean_markdown(text)))
    return sources


# ----------------------------------------------------------------------------------------- Python strings
READER_CALLS = {"print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "text", "annotate", "figtext",
                "set_xticks", "set_yticks", "Markdown", "run_checks", "Property", "tqdm", "trange", "Label",
                "HTML", "display"}
READER_KEYWORDS = {"desc", "unit", "label", "title", "description", "xlabel", "ylabel", "name", "hint"}
ALLOW_PRAGMA = "vocabulary: allow"  # a line not for readers (an exception built ahead of its raise; the formatter)


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def _string_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def python_strings(source: str) -> list[tuple[int, str, bool]]:
    """(line, text, grouped_by_comma) of the strings in ``source`` that a reader may see.

    Docstrings and everything under ``raise`` or ``warnings.warn`` are skipped (they stay English).
    ``grouped_by_comma`` is True for an f-string with a ``,`` format spec or a ``"{:,}"`` template.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    skip: set[int] = set()
    reader: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Raise,)) or (isinstance(node, ast.Call) and _call_name(node) == "warn"):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.Call):
            args = list(node.args) if _call_name(node) in READER_CALLS else []
            args += [k.value for k in node.keywords if k.arg in READER_KEYWORDS]
            for a in args:
                reader.update(id(n) for n in ast.walk(a))
    inner = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in ast.walk(n) if v is not n}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inner:
            continue
        text = _string_text(node)
        if text is None:
            continue
        line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
        if ALLOW_PRAGMA in line:
            continue
        comma = (isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) and v.format_spec is not None
            and "," in (_string_text(v.format_spec) or "") for v in ast.walk(node))) or bool(
            re.search(r"\{[^{}]*:[<>^=]?[+-]?\d*,[^{}]*\}", text))
        if VI_LETTER.search(text) or id(node) in reader or comma:
            found.append((node.lineno, text, comma))
    return found


COMMA_FORMAT = Rule("{n:,}", r"$^", "mb.text.number(n) (nhóm nghìn bằng dấu cách không ngắt)")


def scan_python(source: str, where: str) -> list[Finding]:
    found = []
    for line, text, comma in python_strings(source):
        if comma:
            found.append(Finding(f"{where}, dòng {line}", text, COMMA_FORMAT))
        for f in scan_text(text, where, code=True):
            found.append(Finding(f"{where}, dòng {line}", f.text, f.rule))
    return found


def _code_cell_python(source: str) -> str:
    """A code cell as plain Python: IPython magics and shell lines become blank lines."""
    return "\n".join("" if re.match(r"^\s*[%!]", ln) else ln for ln in source.split("\n"))


def python_sources() -> list[tuple[str, str]]:
    sources = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))]
    for path in sorted(BOOK.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                sources.append((f"{path.name}, ô mã {i}", _code_cell_python("".join(cell["source"]))))
    return sources


JS_STRING = re.compile(r"`(?:[^`\\]|\\.)*`|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")


def js_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of the Vietnamese string and template literals of a widget's JavaScript."""
    source = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    source = re.sub(r"(?m)//.*$", "", source)
    out = []
    for m in JS_STRING.finditer(source):
        text = re.sub(r"\$\{[^}]*\}", "{}", m.group(0)[1:-1])
        if VI_LETTER.search(text):
            out.append((source.count("\n", 0, m.start()) + 1, text))
    return out


# ------------------------------------------------------------------------------------------------ tests
def test_the_rules_flag_bad_sentences_and_spare_good_ones():
    bad = {
        "Mỗi mảnh có 49 điểm ảnh.": "mảnh",
        "Ảnh thành một vectơ dài.": "vectơ",
        "một tenxơ ba chiều": "tenxơ",
        "Lớp self-attention của ViT.": "self-attention",
        "nhờ chia sẻ trọng số": "chia sẻ trọng số",
        "precision của mô hình": "precision",
        "recall của mô hình": "recall",
        "CNN được tinh chỉnh trên Fashion-MNIST": "CNN được tinh chỉnh trên",
        "không có cách đổi dây nào": "đổi dây",
        "Mixer hấp thụ được phép xáo": "hấp thụ",
        "đánh giá bằng kiểm định chéo": "kiểm định chéo",
        "phẳng như mặt bàn": "phẳng như mặt bàn",
        "gắn móc tiến vào module": "móc tiến",
        "bằng móc\n  tiến (forward hook)": "móc tiến",
        "mỗi khối Mixer": "khối Mixer",
        "mã hóa vị trí": "hóa, xóa, tùy",
        "tùy bạn": "hóa, xóa, tùy",
        "đếm 50,432 tham số": "1,728",
        "trên 1.000 ảnh": "1.000",
        "60 000 ảnh huấn luyện": "60 000 (dấu cách thường)",
        "khoảng 12700 ảnh": "12700",
        f"1{NBSP}000 ảnh": "1 000",
    }
    for sentence, rule in bad.items():
        found = scan_text(clean_markdown(sentence), "câu thử")
        assert [f.rule.shown for f in found] == [rule], (sentence, [str(f) for f in found])
        assert RULES_BY_NAME[rule].use in str(found[0]) and "câu thử, dòng 1" in str(found[0])
    good = [
        "Mỗi patch có 49 điểm ảnh; ít phân mảnh bộ nhớ; dựng từng mảnh; một mảnh vuông.",
        "cơ chế tự chú ý (self-attention) của ViT",
        "độ chính xác dương (precision) và độ phủ (recall)",
        "Gọi `mb.permute.rewire(model, pipeline)` hoặc `x.stem` trong mã.",
        "Xem https://example.org/precision-recall/tenxơ và [trang](https://a.b/mảnh).",
        "Mã hoá vị trí, xoá, tuỳ, khoẻ, quý, hoàn toàn, toán.",
        f"60{NBSP}000 ảnh, 154{NBSP}141{NBSP}696 tham số, 84.15%, 0.915, 1024 nơ-ron, năm 2021, 1000 ảnh.",
        "Số học $150\\,528$ và $$1,728$$ nằm trong công thức.",
        "Một {term}`tensor <Tensor (tensor)>` và {ref}`ex-06-2`.",
        "JFT-300M, arXiv 2105.01601, Mixer-B/16 với 12 lớp.",
    ]
    for sentence in good:
        assert scan_text(clean_markdown(sentence), "câu thử") == [], sentence


def test_the_scanner_reads_python_strings_a_reader_sees():
    source = '''
"""Docstring with precision and 1,728: never shown."""
import warnings
def f(n, perm):
    """Another docstring: vectơ."""
    print(f"Có {n:,} ảnh")
    bar = tqdm(total=n, desc="MLP", unit="batch")
    label = "mỗi mảnh"
    if n < 0:
        raise ValueError(f"No rewiring for {n:,} pipeline")
    warnings.warn("self-attention is slow")
    x = f"{n:,}"  # vocabulary: allow
'''
    found = [(f.where.rsplit(" ", 1)[-1], f.rule.shown) for f in scan_python(source, "mã thử")]
    assert sorted(found) == sorted([("6", "{n:,}"), ("7", "batch"), ("8", "mảnh")]), found


def test_glossary_records_every_decision():
    text = GLOSSARY.read_text(encoding="utf-8")
    a, b = _decisions_section(text)
    assert a >= 0, "book/glossary.md needs its table of decisions between the vocabulary-decisions markers"
    table = text[a:b]
    missing = [r.shown for r in RULES if r.shown.split(" (")[0] not in table]
    assert not missing, f"book/glossary.md does not record these ruled-out forms: {missing}"


def test_intro_states_the_number_format():
    intro = (BOOK / "intro.md").read_text(encoding="utf-8")
    assert "dấu chấm" in intro and "dấu cách không ngắt" in intro and f"60{NBSP}000" in intro, (
        "book/intro.md must state the number format once: decimal point, thousands by a no-break space")


def test_chapters_and_pages_use_one_vocabulary():
    found = [f for where, text in markdown_sources() for f in scan_text(text, where)]
    assert not found, "Dạng đã loại trong phần chữ của sách:\n" + "\n".join(map(str, found))


def test_printed_strings_use_one_vocabulary():
    found = [f for where, source in python_sources() for f in scan_python(source, where)]
    assert not found, "Dạng đã loại trong chuỗi in cho người đọc:\n" + "\n".join(map(str, found))


def test_widget_strings_use_one_vocabulary():
    found = []
    for path in sorted((PACKAGE / "widgets").glob("*.js")):
        for line, text in js_strings(path.read_text(encoding="utf-8")):
            found += [Finding(f"{path.relative_to(ROOT)}, dòng {line}", f.text, f.rule)
                      for f in scan_text(text, path.name, code=True)]
    assert not found, "Dạng đã loại trong chữ của widget:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize(("value", "decimals", "want"), [
    (154_141_696, 0, f"154{NBSP}141{NBSP}696"), (60_000, 0, f"60{NBSP}000"), (1024, 0, "1024"),
    (9999.6, 0, f"10{NBSP}000"), (-12_700.46, 1, f"-12{NBSP}700.5"), (0.5, 2, "0.50"), (3.0, 0, "3"),
])
def test_number_format(value, decimals, want):
    from mixerbook.text import number

    assert number(value, decimals) == want


def test_number_rejects_what_is_not_a_number():
    from mixerbook.text import number

    for bad in ("12", None, True):
        with pytest.raises(TypeError, match="real number"):
            number(bad)
    with pytest.raises(TypeError, match="non-negative int"):
        number(1.5, -1)


# ------------------------------------------------------------------ errors a chapter shows on purpose
def test_chapters_print_the_vietnamese_side_of_the_errors_they_show():
    """A chapter that catches an error to show it prints ``err.vi``; the English message stays in the exception."""
    problems = []
    for path in sorted(BOOK.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            source = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            for m in re.finditer(r"except\s+[\w.]+\s+as\s+(\w+):", source):
                rest = source[m.end():]
                problems += [f"{path.name}, ô mã {i}: '{u.group(0)}' prints the English message; print {m.group(1)}.vi"
                             for u in re.finditer(rf"(?<!as )\b{m.group(1)}\b(?!\.vi\b)", rest)]
    assert not problems, "\n".join(problems)


def test_errors_the_chapters_show_are_english_with_a_vietnamese_explanation():
    import torch

    import mixerbook as mb

    mixer = mb.experiments.build_model("Mixer-tiny", seed=0)
    shuffle = mb.permute.make_permutation("global", 28, 28, 7, seed=0)
    cases = {
        "PatchEmbedding, side not divisible": lambda: mb.models.PatchEmbedding(28, 5, 1, 8),
        "patchify, side not divisible": lambda: mb.models.mixer.patchify(torch.zeros(1, 3, 224, 224), 12),
        "Mixer, image of another size": lambda: mixer(torch.zeros(1, 1, 56, 56)),
        "rewire a Mixer, global shuffle": lambda: mb.permute.rewire(mixer, shuffle),
        "rewire a CNN": lambda: mb.permute.rewire(mb.experiments.build_model("CNN", seed=0), shuffle),
    }
    for name, call in cases.items():
        with pytest.raises(ValueError) as info:
            call()
        assert type(info.value) is ValueError, f"{name}: a plain ValueError, as PyTorch raises"
        assert not VI_LETTER.search(str(info.value)), f"{name}: the exception message stays English"
        assert VI_LETTER.search(info.value.vi), f"{name}: .vi explains it in Vietnamese"
        assert scan_text(info.value.vi, name, code=True) == [], name


# ------------------------------------------------------------------ truth values a chapter prints
def test_yes_no():
    import numpy as np
    import torch

    from mixerbook.text import yes_no

    assert [yes_no(f) for f in (True, False, np.bool_(True), torch.tensor(False))] == ["có", "không", "có", "không"]
    for bad in (1, 0.0, "True", None, torch.tensor([True, False])):
        with pytest.raises(TypeError, match="takes a bool"):
            yes_no(bad)


def _printed_truth_values(source: str) -> list[str]:
    """Comparisons placed straight into an f-string or a print(): the reader would see True/False."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    raw = (ast.Compare, ast.BoolOp)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and isinstance(node.value, raw):
            found.append(ast.unparse(node.value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            found += [ast.unparse(a) for a in node.args if isinstance(a, raw)]
    return found


def test_chapters_print_truth_values_in_vietnamese():
    """A chapter prints 'có'/'không' (mb.text.yes_no), never Python's True/False (review: printed True/False)."""
    assert sorted(_printed_truth_values('print(f"{a <= 1}", b is None)\nprint(f"{mb.text.yes_no(a <= 1)}")')) == [
        "a <= 1", "b is None"]
    problems = []
    for path in sorted(BOOK.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] == "code":
                found = _printed_truth_values("".join(cell["source"]))
                problems += [f"{path.name}, ô mã {i}: {expr}" for expr in found]
    assert not problems, "In True/False cho người đọc; dùng mb.text.yes_no:\n" + "\n".join(problems)


# ------------------------------------------------------------------ "khối": block-diagonal and token blocks only
_KHOI_NEXT_OK = ("chéo", "token", "lượng")  # ma trận khối chéo, khối token, khối lượng (amount)


def _layer_khoi(text: str) -> list[str]:
    """Each "khối" in ``text`` that is not "khối chéo", "khối token" or "khối lượng", with its context."""
    flat = " ".join(text.split())
    return [flat[max(0, m.start() - 40):m.end() + 30] for m in re.finditer(W + r"khối" + E, flat, re.I)
            if not flat[m.end():].lstrip(" *").startswith(_KHOI_NEXT_OK)]


def test_khoi_is_kept_for_block_diagonal_matrices_and_token_blocks():
    """The glossary rules "lớp Mixer" for a Mixer layer and keeps "khối" for the block-diagonal matrix and the token
    blocks of chapter 7's fine-tuning section (review: "khối" meant three things). Anywhere else a bare "khối" is a
    layer written the ruled-out way ("4 khối", "sau khối 1", "mỗi khối")."""
    sample = "4 khối, mỗi khối token, ma trận khối chéo, **khối** chéo"
    assert [c.split(",")[0] for c in _layer_khoi(sample)] == ["4 khối"]
    found = []
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells]
        start = next((i for i, s in enumerate(sources) if "(sec-mixer-finetune)=" in s), len(sources))
        for i, source in enumerate(sources):
            if not (path.name == "07_mixer.ipynb" and i >= start):  # token blocks of the fine-tuning section
                found += [f"{path.name}, ô {i}: …{context}…" for context in _layer_khoi(source)]
    for page in ("intro.md", "teacher_guide.md", "references.md", "status.md"):
        if (BOOK / page).exists():
            found += [f"{page}: …{context}…" for context in _layer_khoi((BOOK / page).read_text(encoding="utf-8"))]
    assert not found, "\"khối\" cho một lớp; dùng \"lớp Mixer\" hoặc \"lớp\":\n" + "\n".join(found)
