"""Whole-site tests: the book builds strictly, and every page works in a real browser, offline.

The browser tests open each page of ``_toc.yml`` in Debian's Chromium (``/usr/bin/chromium``,
driven by Playwright), served from the built ``_build/html`` by a local ``http.server``. Every
request to any other host is blocked and recorded, so the tests see the site the way a reader
without internet (or behind a CDN outage) sees it. Each page is visited once; the facts
gathered there are checked by several small tests, so a failure names what is wrong:

* ``test_page_loads``            HTTP 200 and no uncaught JavaScript error;
* ``test_no_error_output``       no traceback or error output in the executed cells;
* ``test_images_load``           every local image is decoded, and a page whose notebook
                                 made figures shows at least one;
* ``test_math_is_typeset``       MathJax turned every math node into ``mjx-container``;
* ``test_widgets_render``        every saved ipywidgets view is drawn (Image widgets show
                                 a decoded picture);
* ``test_assets_are_local``      no script, style, font or XHR request left the local
                                 server (MathJax and the widget manager are bundled), and
                                 no local request failed;
* ``test_explorers_react``       every explorer (``mixerbook.widgets``) reacts to each of its
                                 controls, operated from the keyboard, and shows what the
                                 package computes (``tests/widget_driver.py``);
* ``test_page_weight``           every chapter page, first load without cache, transfers
                                 less than 3 MB (HTML with its widget state, images, scripts,
                                 styles, fonts), served as GitHub Pages serves it (text files
                                 gzip-compressed); the table of all pages, with the raw sizes
                                 too, is printed in the test summary.

A full-page screenshot of each page is saved to ``_build/screenshots/<page>.png``.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM_ARGS  # noqa: F401 - re-exported for older callers
from widget_driver import WAIT_IMAGES_JS, WIDGETS_DRAWN_JS, exercise, saved_states

# Every test here needs the built book (the `built_site` fixture builds it unless MIXERBOOK_SITE
# names a built site), so `-m "not book"` deselects them all.
pytestmark = pytest.mark.book

#: How long to wait for MathJax, widgets and images, in milliseconds.
RENDER_TIMEOUT_MS = 30_000
#: Resource types that must never come from another host (Playwright's request.resource_type).
ASSET_TYPES = {"script", "stylesheet", "font", "xhr", "fetch"}
#: Cell tags under which MyST-NB shows an error on purpose (rendered as a ``tag_<name>`` class).
ALLOWED_ERROR_TAGS = ("raises-exception",)

WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
WIDGET_STATE = 'script[type="application/vnd.jupyter.widget-state+json"]'
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


# --------------------------------------------------------------------------- local web server
class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the built site as GitHub Pages serves it: text files gzip-compressed when the browser
    accepts gzip (Chromium always does), other files as they are. The page-weight test then measures
    what a reader really downloads."""

    COMPRESSED = {".html", ".js", ".css", ".json", ".svg", ".txt", ".xml", ".map"}
    _gzipped: dict[tuple[str, float], bytes] = {}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = Path(self.translate_path(self.path))
        if (path.suffix.lower() not in self.COMPRESSED or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            super().do_GET()
            return
        key = (str(path), path.stat().st_mtime)
        if key not in self._gzipped:
            self._gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=6)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    """Base URL (ending in '/') of ``built_site`` served on 127.0.0.1 at a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@dataclass
class Visit:
    """What one page showed in the browser."""

    page: str
    url: str
    status: int | None = None
    page_errors: list[str] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (resource type, url)
    failed_local: list[str] = field(default_factory=list)
    error_outputs: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    math: dict[str, Any] = field(default_factory=dict)
    widgets: dict[str, Any] = field(default_factory=dict)
    waits: list[str] = field(default_factory=list)  # waits that timed out
    screenshot: Path | None = None
    explorers: list = field(default_factory=list)  # widget_driver.ControlResult, one per control
    explorer_kinds: list[str] = field(default_factory=list)
    local_paths: set[str] = field(default_factory=set)  # URL paths served by the local server
    transfers: dict[str, int] = field(default_factory=dict)  # local URL path -> bytes transferred


# Text left in a `.math` node once MathJax has replaced its TeX with <mjx-container>.
_MATH_LEFTOVER_JS = """
() => Array.from(document.querySelectorAll('.math')).map(el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('mjx-container, .eqno, .headerlink').forEach(n => n.remove());
  return {typeset: el.querySelector('mjx-container') !== null,
          leftover: copy.textContent.trim(),
          source: el.textContent.slice(0, 80)};
})
"""

# Prose text (outside code, math and outputs) of the article, to find $...$ that no parser saw.
_PROSE_JS = """
() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, .math, mjx-container, .cell_output, '
                        + '.highlight, .MathJax, mjx-assistive-mml').forEach(n => n.remove());
  return copy.textContent;
}
"""

# Error outputs of executed cells (MyST-NB gives a cell's error output the classes
# `output traceback`; stderr and other outputs are searched for a Python traceback), except in
# cells tagged to raise on purpose.
_ERROR_OUTPUTS_JS = """
(allowed) => {
  const found = [];
  const allowedSel = allowed.map(t => '.tag_' + t).join(', ');
  document.querySelectorAll('.output.traceback, .output.error, .output.stderr, .cell_output .output')
    .forEach(el => {
      if (allowedSel && el.closest(allowedSel)) return;
      const text = el.textContent;
      if (el.matches('.output.traceback, .output.error')
          || text.includes('Traceback (most recent call last)')) {
        found.push(el.className + ': ' + text.trim().slice(0, 300));
      }
    });
  return Array.from(new Set(found));
}
"""


_IMAGES_JS = """
() => Array.from(document.querySelectorAll('main img')).map(img => ({
  src: img.currentSrc || img.src,
  naturalWidth: img.naturalWidth,
  inOutput: img.closest('.cell_output') !== null,
  isWidget: img.classList.contains('widget-image'),
}))
"""


_WIDGETS_JS = """
([viewSelector, stateSelector]) => {
  const views = Array.from(document.querySelectorAll(viewSelector));
  return {
    views: views.map(s => JSON.parse(s.textContent).model_id),
    drawn: views.map(s => {
      const area = s.previousElementSibling;
      return !!(area && area.classList.contains('widget-subarea')
                && area.querySelector('.jupyter-widgets, .mb-explorer[data-shows]'));
    }),
    classes: Array.from(document.querySelectorAll('.widget-subarea .jupyter-widgets, .widget-subarea .mb-explorer'))
                  .map(el => el.className),
    images: Array.from(document.querySelectorAll('.widget-subarea img.widget-image'))
                 .map(img => img.naturalWidth),
    state: (() => { const s = document.querySelector(stateSelector);
                    return s ? JSON.parse(s.textContent) : null; })(),
  };
}
"""


def _shown_image_widgets(model_ids: list[str], state: dict | None) -> int:
    """How many Image widget models are displayed, directly or inside containers.

    Follows the ``IPY_MODEL_<id>`` references (children of boxes, etc.) from the displayed
    views through the saved widget state.
    """
    models = (state or {}).get("state", {})
    seen: set[str] = set()
    todo = list(model_ids)
    while todo:
        model_id = todo.pop()
        if model_id in seen or model_id not in models:
            continue
        seen.add(model_id)
        refs = re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(models[model_id].get("state", {})))
        todo.extend(refs)
    return sum(1 for m in seen if models[m].get("model_name") == "ImageModel")


def _wait(visit: Visit, what: str, fn, *args, **kwargs) -> bool:
    """Run a Playwright wait; record a timeout in ``visit.waits`` instead of raising."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        fn(*args, **kwargs)
        return True
    except PlaywrightTimeout:
        visit.waits.append(f"timed out after {RENDER_TIMEOUT_MS} ms waiting for {what}")
        return False


def _visit(browser, base_url: str, page_name: str, screenshot_dir: Path) -> Visit:
    visit = Visit(page=page_name, url=f"{base_url}{page_name}.html")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(RENDER_TIMEOUT_MS)

    def route(route, request):
        if request.url.startswith(base_url):
            route.continue_()
        else:
            visit.blocked.append((request.resource_type, request.url))
            route.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
    page.on("console", lambda m: visit.page_errors.append(f"console error: {m.text}") if m.type == "error" else None)
    finished = []
    page.on("requestfinished", lambda r: finished.append(r))
    page.on("request", lambda r: visit.local_paths.add(r.url[len(base_url):].split("#")[0].split("?")[0])
            if r.url.startswith(base_url) else None)
    page.on(
        "response",
        lambda r: (
            visit.failed_local.append(f"HTTP {r.status} {r.url}")
            if r.url.startswith(base_url) and r.status >= 400
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda r: visit.failed_local.append(f"{r.failure} {r.url}") if r.url.startswith(base_url) else None,
    )
    try:
        response = page.goto(visit.url, wait_until="load")
        visit.status = response.status if response else None

        if page.locator(".math").count():
            loaded = _wait(
                visit,
                "MathJax to load",
                page.wait_for_function,
                "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)",
            )
            if loaded:  # resolves once MathJax has typeset the page
                page.evaluate("() => MathJax.startup.promise.then(() => true)")
            visit.math = {
                "nodes": page.evaluate(_MATH_LEFTOVER_JS),
                "errors": page.locator("mjx-merror").all_text_contents(),
            }
        visit.math["prose"] = page.evaluate(_PROSE_JS)

        if page.locator(WIDGET_VIEW).count():
            _wait(visit, "widgets to be drawn", page.wait_for_function, WIDGETS_DRAWN_JS, arg=WIDGET_VIEW)
        if not page.evaluate(WAIT_IMAGES_JS, RENDER_TIMEOUT_MS):
            visit.waits.append(f"timed out after {RENDER_TIMEOUT_MS} ms waiting for images to load")
        visit.widgets = page.evaluate(_WIDGETS_JS, [WIDGET_VIEW, WIDGET_STATE])
        visit.images = page.evaluate(_IMAGES_JS)
        visit.error_outputs = page.evaluate(_ERROR_OUTPUTS_JS, list(ALLOWED_ERROR_TAGS))
        page.wait_for_timeout(200)  # let late requests (fonts, MathJax extensions) be recorded

        visit.screenshot = screenshot_dir / f"{page_name}.png"
        visit.screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(visit.screenshot), full_page=True)
        for request in finished:  # first load, no cache: what the reader downloaded, headers included
            if request.url.startswith(base_url):
                sizes = request.sizes()
                rel = request.url[len(base_url):].split("#")[0].split("?")[0]
                visit.transfers[rel] = visit.transfers.get(rel, 0) + sizes["responseBodySize"] + \
                    sizes["responseHeadersSize"]

        # Explorers last: moving their controls changes the page.
        roots = page.locator(".mb-explorer")
        if roots.count():
            _wait(visit, "explorers to draw", page.wait_for_function,
                  f"() => document.querySelectorAll('.mb-explorer[data-shows]').length >= {roots.count()}")
            states = saved_states(page)
            for i in range(roots.count()):
                root = roots.nth(i)
                root.scroll_into_view_if_needed()
                kind = root.get_attribute("data-kind")
                visit.explorer_kinds.append(kind)
                visit.explorers += exercise(page, root, states)
                shot = screenshot_dir / "explorers" / f"{page_name.replace('/', '_')}-{i}-{kind}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                root.screenshot(path=str(shot))
    finally:
        context.close()
    return visit


@pytest.fixture(scope="session")
def visits() -> dict[str, Visit]:
    """Cache: page name -> Visit, so each page is opened once for all the checks."""
    return {}


@pytest.fixture
def visit(page: str, visits: dict[str, Visit], chromium, site_url: str, built_site: Path) -> Visit:
    if page not in visits:
        visits[page] = _visit(chromium, site_url, page, built_site.parent / "screenshots")
    return visits[page]


# --------------------------------------------------------------------------- tests
def test_book_builds(built_site: Path, toc_page_names: list[str]) -> None:
    """The book builds with -W -n (the fixture fails otherwise) and has every page of the toc."""
    missing = [p for p in toc_page_names if not (built_site / f"{p}.html").is_file()]
    assert not missing, f"pages in _toc.yml without HTML in {built_site}: {missing}"


def _where(visit: Visit) -> str:
    extra = f"; waits: {visit.waits}" if visit.waits else ""
    return f"{visit.url} (screenshot: {visit.screenshot}){extra}"


@pytest.mark.browser
def test_page_loads(visit: Visit) -> None:
    assert visit.status == 200, f"HTTP {visit.status} for {_where(visit)}"
    assert not visit.page_errors, f"uncaught JavaScript errors on {_where(visit)}: {visit.page_errors}"


@pytest.mark.browser
def test_no_error_output(visit: Visit) -> None:
    assert not visit.error_outputs, f"error output in executed cells on {_where(visit)}:\n" + "\n".join(
        visit.error_outputs
    )


def _executed_notebook(built_site: Path, page: str) -> dict | None:
    """The executed notebook behind ``page`` (None for Markdown pages or when not found).

    Read from the jupyter-cache of the build (``_build/.jupyter_cache``, as set in
    ``_config.yml``), because MyST-NB writes ``_build/jupyter_execute/<page>.ipynb`` without
    outputs when it took them from the cache; that copy is only the fallback.
    """
    source = built_site.parent.parent / f"{page}.ipynb"
    if not source.is_file():
        return None
    cache_dir = built_site.parent / ".jupyter_cache"
    if cache_dir.is_dir():
        from jupyter_cache import get_cache

        try:
            _, notebook = get_cache(cache_dir).merge_match_into_file(str(source))
            return notebook
        except KeyError:  # source changed since the build
            pass
    executed = built_site.parent / "jupyter_execute" / f"{page}.ipynb"
    return json.loads(executed.read_text(encoding="utf-8")) if executed.is_file() else None


def _notebook_has_figures(notebook: dict | None) -> bool:
    """Whether a visible cell of the executed notebook has an image output (not a widget)."""
    for cell in (notebook or {}).get("cells", []):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-output", "remove-cell"}:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            widget = "application/vnd.jupyter.widget-view+json" in data
            if not widget and any(m in data for m in IMAGE_MIME_TYPES):
                return True
    return False


@pytest.mark.browser
def test_images_load(visit: Visit, built_site: Path, site_url: str) -> None:
    local = [i for i in visit.images if i["src"].startswith((site_url, "data:"))]
    broken = [i["src"] for i in local if i["naturalWidth"] == 0]
    assert not broken, f"images that did not load on {_where(visit)}: {broken}"
    if _notebook_has_figures(_executed_notebook(built_site, visit.page)):
        shown = [i for i in local if i["inOutput"] and not i["isWidget"] and i["naturalWidth"] > 0]
        assert shown, f"the executed notebook has figures but none is shown on {_where(visit)}"


@pytest.mark.browser
def test_math_is_typeset(visit: Visit) -> None:
    # `$...$` or `\(...\)` left in prose means no math parser saw it (e.g. dollarmath off).
    raw = re.findall(r"\$[^$\s][^$\n]*?\$|\\\(.+?\\\)|\\\[.+?\\\]", visit.math.get("prose", ""))
    assert not raw, f"raw TeX outside math nodes on {_where(visit)}: {raw[:5]}"
    nodes = visit.math.get("nodes", [])
    if not nodes:
        pytest.skip("no math on this page")
    untypeset = [n["source"] for n in nodes if not n["typeset"] or n["leftover"]]
    assert not untypeset, (
        f"{len(untypeset)} of {len(nodes)} math nodes not typeset by MathJax on {_where(visit)}: {untypeset[:5]}"
    )
    assert not visit.math["errors"], f"MathJax TeX errors on {_where(visit)}: {visit.math['errors']}"


@pytest.mark.browser
def test_widgets_render(visit: Visit) -> None:
    views = visit.widgets.get("views", [])
    if not views:
        pytest.skip("no widgets on this page")
    assert visit.widgets["state"], f"widget views but no saved widget state on {_where(visit)}"
    not_drawn = [m for m, ok in zip(views, visit.widgets["drawn"], strict=True) if not ok]
    assert not not_drawn, f"{len(not_drawn)} of {len(views)} widgets not drawn on {_where(visit)}"
    assert any("widget-" in c or "mb-explorer" in c for c in visit.widgets["classes"]), visit.widgets["classes"]
    expected_images = _shown_image_widgets(views, visit.widgets["state"])
    images = visit.widgets["images"]
    assert len(images) >= expected_images, (
        f"{expected_images} Image widgets shown, {len(images)} drawn on {_where(visit)}"
    )
    assert all(w > 0 for w in images), f"Image widgets without a decoded picture on {_where(visit)}: {images}"


@pytest.mark.browser
def test_assets_are_local(visit: Visit) -> None:
    outside = [f"{kind} {url}" for kind, url in visit.blocked if kind in ASSET_TYPES]
    assert not outside, (
        f"requests to other hosts (blocked) on {_where(visit)}; bundle them or run `npm ci`:\n" + "\n".join(outside)
    )
    assert not visit.failed_local, f"failed local requests on {_where(visit)}:\n" + "\n".join(visit.failed_local)


@pytest.mark.browser
def test_explorers_react(visit: Visit) -> None:
    if not visit.explorer_kinds:
        pytest.skip("no explorers on this page")
    problems = [f"{r.kind}.{r.control} ({r.how}): {p}" for r in visit.explorers for p in r.problems]
    assert not problems, f"explorers on {_where(visit)}:\n" + "\n".join(problems)
    moved = {(r.kind, r.control) for r in visit.explorers if r.after is not None}
    assert moved, f"no control was moved on {_where(visit)}"


#: Most a chapter page may transfer on first load (bytes).
PAGE_WEIGHT_LIMIT = 3_000_000
#: Filled by test_page_weight, printed by test_page_weight_table.
_WEIGHTS: dict[str, dict[str, int]] = {}


def _weigh(visit: Visit, built_site: Path) -> dict[str, int]:
    """Bytes transferred for the page's first load, by kind, plus the uncompressed total and the raw
    size of the widget state inside the HTML (served gzip-compressed as GitHub Pages does)."""
    from urllib.parse import unquote

    kinds = {"html": 0, "images": 0, "scripts": 0, "styles": 0, "fonts": 0, "other": 0}
    suffixes = {"html": {".html"}, "images": {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp"},
                "scripts": {".js", ".mjs"}, "styles": {".css"}, "fonts": {".woff", ".woff2", ".ttf", ".eot", ".otf"}}
    raw_total = state = 0
    for rel, sent in visit.transfers.items():
        path = built_site / unquote(rel)
        if path.is_dir():
            path = path / "index.html"
        kind = next((k for k, sfx in suffixes.items() if path.suffix.lower() in sfx), "other")
        kinds[kind] += sent
        if path.is_file():
            raw_total += path.stat().st_size
            if kind == "html":
                text = path.read_text(encoding="utf-8", errors="replace")
                state += sum(len(m) for m in re.findall(
                    r'<script type="application/vnd\.jupyter\.widget-(?:state|view)\+json">(.*?)</script>', text,
                    re.S))
    return {**kinds, "total": sum(kinds.values()), "raw total": raw_total, "widget state (raw)": state}


@pytest.mark.browser
def test_page_weight(visit: Visit, built_site: Path) -> None:
    weights = _weigh(visit, built_site)
    _WEIGHTS[visit.page] = weights
    if (built_site.parent.parent / f"{visit.page}.ipynb").is_file():
        assert weights["total"] < PAGE_WEIGHT_LIMIT, (
            f"{visit.page} transfers {weights['total']:,} bytes on first load (limit {PAGE_WEIGHT_LIMIT:,}): {weights}"
        )


def test_page_weight_table(built_site: Path) -> None:
    """Write the page-weight table (kB per kind and page) to _build/page-weight.txt and print it."""
    if not _WEIGHTS:
        pytest.skip("no page was weighed (run the browser tests)")
    cols = ["html", "images", "scripts", "styles", "fonts", "other", "total", "raw total", "widget state (raw)"]
    lines = ["page".ljust(24) + "".join(c.rjust(12 if len(c) < 12 else len(c) + 2) for c in cols)
             + "   (kB transferred on first load without cache, text gzip-compressed as on GitHub Pages;"
             + " raw: the files' sizes)"]
    for page, w in _WEIGHTS.items():
        lines.append(page.ljust(24) + "".join(f"{w[c] / 1000:{12 if len(c) < 12 else len(c) + 2}.1f}" for c in cols))
    table = "\n".join(lines)
    (built_site.parent / "page-weight.txt").write_text(table + "\n", encoding="utf-8")
    from conftest import REPORT_TABLES

    REPORT_TABLES["page weight"] = table
    assert all(w["total"] > 0 for w in _WEIGHTS.values()), table


def test_every_explorer_appears_on_the_site(visits: dict[str, Visit], toc_page_names: list[str]) -> None:
    """All ten explorers of mixerbook.widgets are on some page, and were exercised there."""
    import mixerbook.widgets as mbw

    if len(visits) < len(toc_page_names):
        pytest.skip("not every page was visited in this run")
    seen = {k for v in visits.values() for k in v.explorer_kinds}
    assert seen == set(mbw.KINDS), f"explorers on the site: {sorted(seen)}; missing: {sorted(set(mbw.KINDS) - seen)}"
