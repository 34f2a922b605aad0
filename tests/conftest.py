"""Shared fixtures for the whole-site tests: build the book once, list its pages.

* ``built_site`` builds the book with ``jupyter-book build <repo> --all -W -n --keep-going``
  once per test session (or uses the folder named by ``MIXERBOOK_SITE``, a built
  ``_build/html``, to skip the build while iterating locally). The caller provides the
  environment, including ``MIXERBOOK_DATA`` where the data set cannot be downloaded.
* ``student_site`` builds the student edition (``scripts/student_edition.py site``) after ``built_site``, reusing
  its execution cache (or uses ``MIXERBOOK_STUDENT_SITE``, a built student ``html`` folder).
* The build's wall time is printed in pytest's terminal summary ("book build: 123.4 s").
* Any test that takes a ``page`` argument is run once per page listed in ``_toc.yml``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Filled in by ``built_site``; read by ``pytest_terminal_summary``.
_BUILD_REPORT: dict[str, str] = {}

#: Debian's Chromium and how every browser test starts it (never `playwright install`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

#: Tables that tests add (page weights, accessibility counts); printed in the terminal summary.
REPORT_TABLES: dict[str, str] = {}

#: Lines of the build log shown when the build fails (the whole log is saved to a file).
_LOG_TAIL_LINES = 120


def toc_pages(toc_file: Path | None = None) -> list[str]:
    """Every page in ``_toc.yml``, as a path without suffix, e.g. ``book/intro``.

    ``toc_file`` defaults to ``$MIXERBOOK_TOC`` (for checking a site built from another table of
    contents, together with ``MIXERBOOK_SITE``), else the repository's ``_toc.yml``. Walks
    ``root`` and any nested ``parts`` / ``chapters`` / ``sections`` entries that name a
    ``file`` (entries with ``url`` or ``glob`` are not pages of this book).
    """
    if toc_file is None:
        toc_file = Path(os.environ.get("MIXERBOOK_TOC") or REPO_ROOT / "_toc.yml")
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    pages: list[str] = []

    def add(name: str) -> None:
        stem, suffix = os.path.splitext(name)
        page = stem if suffix in {".md", ".ipynb", ".rst"} else name
        if page not in pages:
            pages.append(page)

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                add(str(node["file"]))
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))

    add(str(toc["root"]))
    walk(toc)
    return pages


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that asks for ``page`` over the pages in ``_toc.yml``."""
    if "page" in metafunc.fixturenames:
        pages = toc_pages()
        metafunc.parametrize("page", pages, ids=pages)


@pytest.fixture(autouse=True)
def _fresh_hint_stages():
    """Every test starts with the checkers' staged hints at their first stage (no failures counted yet)."""
    core = sys.modules.get("mixerbook.checks._core")  # only where a test has imported the checkers
    if core is not None:
        core.reset_hint_stages()
    yield


@pytest.fixture(scope="session")
def toc_page_names() -> list[str]:
    return toc_pages()


def _jupyter_book() -> str:
    """The jupyter-book next to the running Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    if beside.exists():
        return str(beside)
    found = shutil.which("jupyter-book")
    if found is None:
        pytest.fail("jupyter-book is not installed; run `bash scripts/setup.sh`.")
    return found


def _given_site(variable: str, report: str) -> Path | None:
    """The built site named by the environment ``variable`` (checked), or None when it is not set."""
    given = os.environ.get(variable)
    if not given:
        return None
    site = Path(given).resolve()
    if not (site / "index.html").is_file():
        pytest.fail(f"{variable}={given!r} is not a built site (no index.html there).")
    _BUILD_REPORT[report] = f"skipped, using {variable}={site}"
    return site


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Path to the built HTML site (``<repo>/_build/html``), building the whole book once.

    ``--all`` re-reads every page, so warnings of pages unchanged since an earlier local build
    are reported again (``-W`` turns them into a failure); executed notebooks still come from
    the jupyter-cache in ``_build/.jupyter_cache`` when their code has not changed.
    """
    given = _given_site("MIXERBOOK_SITE", "book build")
    if given is not None:
        return given

    build_dir = REPO_ROOT / "_build"
    build_dir.mkdir(exist_ok=True)
    log_file = build_dir / "book-build.log"
    cmd = [_jupyter_book(), "build", str(REPO_ROOT), "--all", "-W", "-n", "--keep-going"]
    timeout = float(os.environ.get("MIXERBOOK_BUILD_TIMEOUT", "3600"))
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
        output, returncode = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode(errors="replace")
        output += f"\n[timed out after {timeout:.0f} s]\n"
        returncode = -1
    elapsed = time.perf_counter() - start
    log_file.write_text(output, encoding="utf-8")
    _BUILD_REPORT["book build"] = f"{elapsed:.1f} s (exit code {returncode}; log: {log_file})"
    for path, seconds in re.findall(r"(\S+\.(?:ipynb|md)): Executed notebook in ([0-9.]+) seconds", output):
        _BUILD_REPORT[f"  executed {Path(path).name}"] = f"{float(seconds):.1f} s"

    if returncode != 0:
        tail = "\n".join(output.splitlines()[-_LOG_TAIL_LINES:])
        pytest.fail(
            f"`{' '.join(cmd)}` failed with exit code {returncode} after {elapsed:.1f} s.\n"
            f"Full log: {log_file}\nLast {_LOG_TAIL_LINES} lines:\n{tail}",
            pytrace=False,
        )
    return build_dir / "html"


@pytest.fixture(scope="session")
def student_site(built_site: Path) -> Path:
    """Path to the built student site (``<repo>/_build/student/_build/html``), built once after ``built_site``
    (whose execution cache it reuses, so no chapter runs again)."""
    given = _given_site("MIXERBOOK_STUDENT_SITE", "student build")
    if given is not None:
        return given
    out = REPO_ROOT / "_build" / "student"
    cmd = [sys.executable, str(REPO_ROOT / "scripts" / "student_edition.py"), "site", "--out", str(out), "--all"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, errors="replace", check=False)
    elapsed = time.perf_counter() - start
    log_file = REPO_ROOT / "_build" / "student-build.log"
    log_file.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    _BUILD_REPORT["student build"] = f"{elapsed:.1f} s (exit code {proc.returncode}; log: {log_file})"
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-_LOG_TAIL_LINES:])
        pytest.fail(f"`{' '.join(cmd)}` failed with exit code {proc.returncode}.\nFull log: {log_file}\n{tail}",
                    pytrace=False)
    return out / "_build" / "html"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    for name, value in _BUILD_REPORT.items():
        terminalreporter.write_sep("-", "site")
        terminalreporter.write_line(f"{name}: {value}")
    for title, table in REPORT_TABLES.items():
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(table)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright, one per test session (Playwright's sync API allows one
    running instance per thread); fails (not skips) when it is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with "
            "`apt-get install -y chromium` (or run `bash scripts/setup.sh --browser` as root).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
