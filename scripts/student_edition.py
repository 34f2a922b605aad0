"""The student edition: chapters without solutions, as notebooks to hand out and as a site.

    python scripts/student_edition.py notebooks [--out student]   # student/<chapter>.ipynb, no solutions
    python scripts/student_edition.py site [--out _build/student] # the site with every solution removed

A notebook loses every cell from a ``{solution-start}`` marker to its ``{solution-end}`` marker
(inclusive), and every plain ``{solution}`` block inside a markdown cell; the exercises, their stub
cells and the checker calls stay, so students can work and check themselves. Outputs are cleared.

The site is built by Jupyter Book with ``MIXERBOOK_EDITION=student`` (see
``book/_ext/student_edition.py``) into its own folder; the notebooks' executed outputs come from the
normal build's execution cache when it exists, so a site built right after the normal one does not
run the chapters again.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
START = re.compile(r"^\s*(```+|:::+)\s*\{solution-start\}", re.MULTILINE)
END = re.compile(r"^\s*(```+|:::+)\s*\{solution-end\}", re.MULTILINE)
PLAIN = re.compile(r"^(?P<fence>```+|:::+)\s*\{solution\}.*?^(?P=fence)\s*$", re.MULTILINE | re.DOTALL)


def chapter_notebooks(toc_file: Path = ROOT / "_toc.yml") -> list[Path]:
    """The .ipynb pages listed in the table of contents, in order."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    found: list[Path] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root") and (ROOT / f"{value}.ipynb").exists():
                    found.append(ROOT / f"{value}.ipynb")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return found


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solutions and without outputs.

    Raises:
        ValueError: when a ``solution-start`` has no matching ``solution-end``.
    """
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    out.metadata.pop("widgets", None)
    inside = False
    for cell in nb.cells:
        source = cell.source
        if cell.cell_type == "markdown" and START.search(source):
            if inside:
                raise ValueError("a solution-start marker appears inside another solution")
            inside = not END.search(source)
            continue
        if inside:
            if cell.cell_type == "markdown" and END.search(source):
                inside = False
            continue
        cell = nbformat.from_dict(dict(cell))
        if cell.cell_type == "markdown":
            cell.source = PLAIN.sub("", cell.source)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        out.cells.append(cell)
    if inside:
        raise ValueError("a solution-start marker has no matching solution-end")
    return out


def write_notebooks(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapter_notebooks():
        nb = nbformat.read(path, as_version=4)
        target = out_dir / path.name
        nbformat.write(strip_solutions(nb), target)
        written.append(target)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return written


def build_site(out_dir: Path, extra: list[str]) -> int:
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb if jb.exists() else "jupyter-book"), "build", str(ROOT), "--path-output", str(out_dir),
           "-W", "-n", "--keep-going", *extra]
    env = {**os.environ, "MIXERBOOK_EDITION": "student"}
    print("$ MIXERBOOK_EDITION=student " + " ".join(cmd))
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if code == 0:
        print(f"student site: {out_dir / '_build' / 'html' / 'index.html'}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    nbs = sub.add_parser("notebooks", help="write the chapters without solutions")
    nbs.add_argument("--out", default=str(ROOT / "student"))
    site = sub.add_parser("site", help="build the site with every solution removed")
    site.add_argument("--out", default=str(ROOT / "_build" / "student"))
    args, extra = parser.parse_known_args(argv)
    if args.what == "notebooks":
        write_notebooks(Path(args.out).resolve())
        return 0
    return build_site(Path(args.out).resolve(), extra)


if __name__ == "__main__":
    raise SystemExit(main())
