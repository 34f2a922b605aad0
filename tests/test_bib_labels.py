"""Bibliography labels (book/_ext/bib_labels.py): alpha labels, or an entry's own ``shorthand``.

Builds a one-page Sphinx project with the book's references.bib, the book's bibtex settings from _config.yml and
the extension, and reads the labels and the citation a reader sees for the report the book was written from.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("sphinxcontrib.bibtex", reason="the bibliography needs the book toolchain (requirements.txt)")

ROOT = Path(__file__).resolve().parents[1]


def test_the_report_has_a_readable_label_and_the_others_keep_theirs(tmp_path: Path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bib_labels']\n"
        "bibtex_bibfiles = ['references.bib']\n"
        f"bibtex_reference_style = {config['bibtex_reference_style']!r}\n"
        f"bibtex_default_style = {config['bibtex_default_style']!r}\n"
        "language = 'vi'\n", encoding="utf-8")
    (tmp_path / "index.rst").write_text("Thử\n====\n\n:cite:t:`baocaogoc`, :cite:p:`rosenblatt1958perceptron`.\n\n"
                                        ".. bibliography::\n   :all:\n", encoding="utf-8")
    # in a separate process: Sphinx's -W leaves its warning-is-error filter on the process-wide logger
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(tmp_path),
                            str(tmp_path / "_build")], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    text = re.sub(r"<[^>]+>", "", (tmp_path / "_build" / "index.html").read_text(encoding="utf-8"))
    assert "[BCG]" in text and "[Ros58]" in text, text
    assert "Khuyết danh [không rõ năm]" in text and "n.d." not in text and "Khuyetdanh" not in text, text
