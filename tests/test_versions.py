"""Declared versions are tested versions: pyproject.toml's lower bounds are Colab's versions.

``scripts/colab-versions.txt`` lists what Colab preinstalls. Each dependency's lower bound in
pyproject.toml is that version: never higher, or installing the package in Colab would reinstall it;
never lower, because ``scripts/test_versions.sh`` tests exactly these versions (on Python 3.10 and
3.13) and nothing older. Where a Python has no wheel of a lower bound, the script's
``OLDEST_WITH_WHEEL`` names the version tested instead, and the maintainers' notes (docs/maintainers.md) say so.
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



def _oldest_with_wheel() -> dict[str, list[Requirement]]:
    """``OLDEST_WITH_WHEEL`` of scripts/test_versions.sh: Python version -> pins replacing a lower bound."""
    text = (ROOT / "scripts" / "test_versions.sh").read_text(encoding="utf-8")
    block = re.search(r"^declare -A OLDEST_WITH_WHEEL=\((.*?)^\)", text, re.MULTILINE | re.DOTALL)[1]
    entries = re.findall(r'^\s*\[([\d.]+)\]="([^"]+)"', block, re.MULTILINE)
    return {python: [Requirement(pin) for pin in pins.split()] for python, pins in entries}


def test_untested_lower_bounds_are_named_in_the_maintainers_notes():
    """Where a Python cannot install a lower bound, the version tested instead is newer and documented."""
    bounds = {r.name.lower(): Version(next(iter(r.specifier)).version) for r in _dependencies()}
    overrides = _oldest_with_wheel()
    assert overrides  # the table was found (numpy 2.0.2 has no wheel for Python 3.13)
    notes = (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")
    tested = notes.split("## Tested versions", 1)[1].split("\n## ", 1)[0]
    for python, pins in overrides.items():
        for pin in pins:
            version = Version(next(iter(pin.specifier)).version)
            assert pin.name.lower() in bounds, f"{pin}: not a dependency in pyproject.toml"
            assert version > bounds[pin.name.lower()], f"{pin} on Python {python}: not above the declared bound"
            said = f"{pin.name} {version}"
            assert said in tested, f"docs/maintainers.md 'Tested versions' does not say {said} (on Python {python})"
