"""Accessibility: every page of the built site passes axe-core's WCAG 2.1 A/AA rules.

Each page of ``_toc.yml`` is opened twice in Debian's Chromium (Playwright), once in the light
and once in the dark theme (pydata-sphinx-theme reads the mode from ``localStorage["mode"]``
before it paints), served from the built site by a local ``http.server`` with every request to
another host blocked. Once MathJax has typeset the page, the saved widgets are drawn and the
images have loaded, axe-core (``node_modules/axe-core/axe.min.js``, pinned in
``package.json``; ``npm ci`` installs it) is injected and run with the tags ``wcag2a``,
``wcag2aa``, ``wcag21a`` and ``wcag21aa``.

A page fails on any violation of impact *critical* or *serious*; the message names the rule,
the impact, the CSS selectors of the offending nodes and a short snippet of their HTML.
*moderate* and *minor* violations are counted but allowed. A table of counts per page and mode
is printed, written to ``<built site>/../accessibility.txt`` (``_build/accessibility.txt``)
after every page, and included in the failure message of ``test_accessibility_summary``.
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from widget_driver import WAIT_IMAGES_JS, WIDGETS_DRAWN_JS

pytestmark = [pytest.mark.book, pytest.mark.browser]

REPO_ROOT = Path(__file__).resolve().parents[1]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

RENDER_TIMEOUT_MS = 30_000
MODES = ("light", "dark")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING_IMPACTS = {"critical", "serious"}
#: At most this many nodes are listed per rule in a failure message.
MAX_NODES_SHOWN = 5

WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'

# Sets the theme before any script of the page runs (pydata-sphinx-theme reads these keys).
_MODE_INIT_JS = """
(() => { try { localStorage.setItem("mode", "%(mode)s"); localStorage.setItem("theme", "%(mode)s"); }
         catch (e) {} })();
"""



_AXE_RUN_JS = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t),
                              html: n.html, summary: n.failureSummary || ''})),
  }));
}
"""

#: (page, mode) -> {impact: number of violating nodes}; filled by ``test_axe``.
_COUNTS: dict[tuple[str, str], dict[str, int]] = {}


# --------------------------------------------------------------------------- fixtures
class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def a11y_site_url(built_site: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, name="a11y-site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def a11y_browser(chromium):
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci --ignore-scripts` (or `bash scripts/setup.sh`).", pytrace=False)
    return chromium


@pytest.fixture(scope="module")
def report_file(built_site: Path) -> Path:
    return built_site.parent / "accessibility.txt"


# --------------------------------------------------------------------------- helpers
def _count(violations: list[dict]) -> dict[str, int]:
    counts = dict.fromkeys(IMPACTS, 0)
    for v in violations:
        counts[v["impact"] or "minor"] = counts.get(v["impact"] or "minor", 0) + len(v["nodes"])
    return counts


def _table() -> str:
    """Counts of violating nodes per page and mode, as a fixed-width text table."""
    width = max([len("page")] + [len(p) for p, _ in _COUNTS])
    lines = [f"{'page':<{width}}  {'mode':<5}  " + "  ".join(f"{i:>8}" for i in IMPACTS)]
    totals = dict.fromkeys(IMPACTS, 0)
    for (page, mode), counts in _COUNTS.items():
        lines.append(f"{page:<{width}}  {mode:<5}  " + "  ".join(f"{counts[i]:>8}" for i in IMPACTS))
        for i in IMPACTS:
            totals[i] += counts[i]
    lines.append(f"{'total':<{width}}  {'':<5}  " + "  ".join(f"{totals[i]:>8}" for i in IMPACTS))
    return "axe-core " + _axe_version() + ", WCAG 2.1 A/AA; violating nodes per impact\n" + "\n".join(lines) + "\n"


def _axe_version() -> str:
    import json

    package = AXE_JS.parent / "package.json"
    return json.loads(package.read_text(encoding="utf-8")).get("version", "?") if package.is_file() else "?"


def _describe(violations: list[dict]) -> str:
    out = []
    for v in violations:
        out.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodes]")
        for node in v["nodes"][:MAX_NODES_SHOWN]:
            html = " ".join(node["html"].split())
            html = html if len(html) <= 160 else html[:157] + "..."
            out.append(f"    {', '.join(node['target'])}\n      {html}")
        if len(v["nodes"]) > MAX_NODES_SHOWN:
            out.append(f"    ... and {len(v['nodes']) - MAX_NODES_SHOWN} more")
    return "\n".join(out)


def _run_axe(browser, base_url: str, page_name: str, mode: str) -> tuple[list[dict], list[str]]:
    """axe-core's violations on one page in one theme mode, and the waits that timed out."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    waits: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=mode)
    context.add_init_script(_MODE_INIT_JS % {"mode": mode})
    page = context.new_page()
    page.set_default_timeout(RENDER_TIMEOUT_MS)
    page.route("**/*", lambda route, request: route.continue_() if request.url.startswith(base_url) else route.abort())

    def wait(what: str, fn, *args, **kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except PlaywrightTimeout:
            waits.append(f"timed out after {RENDER_TIMEOUT_MS} ms waiting for {what}")

    try:
        page.goto(f"{base_url}{page_name}.html", wait_until="load")
        if page.locator(".math").count():
            wait(
                "MathJax",
                page.wait_for_function,
                "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
            )
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : false")
        if page.locator(WIDGET_VIEW).count():
            wait("widgets to be drawn", page.wait_for_function, WIDGETS_DRAWN_JS, arg=WIDGET_VIEW)
        if not page.evaluate(WAIT_IMAGES_JS, RENDER_TIMEOUT_MS):
            waits.append("timed out waiting for images")
        wait(
            f"the {mode} theme",
            page.wait_for_function,
            "(mode) => document.documentElement.dataset.theme === mode",
            arg=mode,
        )
        page.wait_for_timeout(300)  # let CSS transitions of the theme switch finish
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(_AXE_RUN_JS, WCAG_TAGS)
    finally:
        context.close()
    return violations, waits


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("mode", MODES)
def test_axe(page: str, mode: str, a11y_browser, a11y_site_url: str, report_file: Path) -> None:
    violations, waits = _run_axe(a11y_browser, a11y_site_url, page, mode)
    _COUNTS[(page, mode)] = _count(violations)
    report_file.parent.mkdir(parents=True, exist_ok=True)
    report_file.write_text(_table(), encoding="utf-8")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    counts = ", ".join(f"{k} {n}" for k, n in _COUNTS[(page, mode)].items())
    print(f"axe {page} [{mode}]: {counts}")
    extra = f"\n(waits: {waits})" if waits else ""
    # a page whose widgets never drew was not really audited: the explorers are part of the page
    assert not [w for w in waits if "widgets" in w], f"{page} [{mode}]: {waits}"
    assert not failing, (
        f"{len(failing)} critical/serious axe-core rule(s) violated on {page} in the {mode} theme:\n"
        f"{_describe(failing)}{extra}"
    )


def test_accessibility_summary(report_file: Path) -> None:
    """Prints (and saves) the table of counts; fails when any page had critical/serious violations."""
    if not _COUNTS:
        pytest.skip("no page was checked")
    table = _table()
    report_file.write_text(table, encoding="utf-8")
    print("\n" + table)
    bad = [f"{p} [{m}]" for (p, m), c in _COUNTS.items() if c["critical"] or c["serious"]]
    assert not bad, f"critical/serious violations on {len(bad)} page views ({report_file}):\n{table}"
