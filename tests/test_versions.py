"""Declared versions are tested versions: pyproject.toml's lower bounds are Colab's versions.

``scripts/colab-versions.txt`` lists what Colab preinstalls. Each dependency's lower bound in
pyproject.toml is that version (torch and torchvision too, though only 2.14.1/0.29.1 are tested
here): never higher, or installing the package in Colab would reinstall it; never lower, because
the Colab mirror (tests/test_colab_mirror.py) and ``scripts/test_versions.sh`` test exactly these
versions and nothing older.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _colab_versions() -> dict[str, Version]:
    lines = (ROOT / "scripts" / "colab-versions.txt").read_text(encoding="utf-8").splitlines()
    pins = [Requirement(line) for line in lines if re.match(r"[A-Za-z]", line)]
    return {r.name.lower(): Version(next(iter(r.specifier)).version) for r in pins}


def _dependencies() -> list[Requirement]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)[1]
    return [Requirement(item) for item in re.findall(r'"([^"]+)"', block)]


def test_lower_bounds_are_colab_versions():
    colab = _colab_versions()
    deps = _dependencies()
    assert deps
    for req in deps:
        specs = list(req.specifier)
        assert [s.operator for s in specs] == [">="], f"{req}: a lower bound only (Colab keeps its own versions)"
        assert req.name.lower() in colab, f"{req.name} is not in scripts/colab-versions.txt"
        assert Version(specs[0].version) == colab[req.name.lower()], f"{req}: Colab has {colab[req.name.lower()]}"

