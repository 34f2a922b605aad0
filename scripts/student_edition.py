"""The student edition: the site and the chapters' notebooks, without solutions.

    python scripts/student_edition.py site [--out _build/student]   # the site with every solution removed
    python scripts/student_edition.py notebooks [--out student]     # student/<chapter>.ipynb, no solutions

The site is built by Jupyter Book with ``MIXERBOOK_EDITION=student`` (see ``book/_ext/student_edition.py``,
which removes every solution from the pages, and ``book/_ext/notebook_edition.py``, which writes the notebook
edition) into its own folder; the notebooks' executed outputs come from the normal build's execution cache when
it exists, so a site built right after the normal one does not run the chapters again. The site copies no page
source, and its ``notebooks/`` folder holds the student notebooks: the chapters as Colab and Jupyter render them,
exercises, stubs and checker calls kept, no solution, an empty code cell where a solution had code, no outputs.

``notebooks`` builds that site (incrementally) and copies its ``notebooks/`` to ``--out``; they are generated
from the resolved pages, not cut out of the sources.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: Where the site's build puts the generated notebooks (book/_ext/notebook_edition.py's NOTEBOOK_DIR).
NOTEBOOK_DIR = "notebooks"


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


def site_html(out_dir: Path) -> Path:
    """The built student site inside ``out_dir`` (``jupyter-book build --path-output``)."""
    return out_dir / "_build" / "html"


def write_notebooks(out_dir: Path, site_dir: Path, extra: list[str] | None = None) -> list[Path]:
    """Build the student site into ``site_dir`` and copy its notebooks to ``out_dir``.

    Raises:
        RuntimeError: when the build fails or leaves a chapter without its notebook.
    """
    if build_site(site_dir, extra or []) != 0:
        raise RuntimeError(f"the student site build failed (see above); no notebooks written to {out_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapter_notebooks():
        source = site_html(site_dir) / NOTEBOOK_DIR / path.name
        if not source.is_file():
            raise RuntimeError(f"the student site has no {NOTEBOOK_DIR}/{path.name}; is notebook_edition loaded?")
        target = out_dir / path.name
        shutil.copyfile(source, target)
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
        print(f"student site: {site_html(out_dir) / 'index.html'}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    nbs = sub.add_parser("notebooks", help="build the student site, copy its notebooks (no solutions) to --out")
    nbs.add_argument("--out", default=str(ROOT / "student"))
    nbs.add_argument("--site", default=str(ROOT / "_build" / "student"), help="where the student site is built")
    site = sub.add_parser("site", help="build the site with every solution removed")
    site.add_argument("--out", default=str(ROOT / "_build" / "student"))
    args, extra = parser.parse_known_args(argv)
    if args.what == "notebooks":
        try:
            write_notebooks(Path(args.out).resolve(), Path(args.site).resolve(), extra)
        except RuntimeError as exc:
            print(f"student_edition: {exc}", file=sys.stderr)
            return 1
        return 0
    return build_site(Path(args.out).resolve(), extra)


if __name__ == "__main__":
    raise SystemExit(main())
