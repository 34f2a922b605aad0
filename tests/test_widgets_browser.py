"""Every explorer reacts to every control in Chromium, on a page with no kernel and no network.

A gallery page (``_build/widget-gallery/index.html``) embeds one ``example()`` of each explorer
in ``mixerbook.widgets`` from its saved state, with the same local assets as the built book, and
``tests/widget_driver.py`` moves each control from the keyboard and checks the redraw against
the package. The same driver runs over the built book in ``tests/test_site.py``.
"""

from __future__ import annotations

import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from widget_driver import exercise, saved_states, write_gallery

import mixerbook.widgets as mbw

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[1]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def gallery():
    folder = REPO_ROOT / "_build" / "widget-gallery"
    # MIXERBOOK_GALLERY_KINDS=flatten,shift restricts the page while working on some explorers.
    kinds = [k for k in os.environ.get("MIXERBOOK_GALLERY_KINDS", "").split(",") if k] or mbw.KINDS
    widgets = [mbw.module_of(kind).example() for kind in kinds]
    write_gallery(folder, widgets, title="Các trình khám phá của sách")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder, len(widgets)
    server.shutdown()


def test_every_explorer_reacts_to_every_control(gallery, chromium):
    url, folder, expected = gallery
    blocked, errors, console = [], [], []
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()

        def route(route, request):
            if request.url.startswith(url) or request.url.startswith(("blob:", "data:")):
                route.continue_()
            else:
                blocked.append(request.url)
                route.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.goto(url + "index.html", wait_until="load")
        page.wait_for_function(f"() => document.querySelectorAll('.mb-explorer[data-shows]').length >= {expected}",
                               timeout=30_000)
        states = saved_states(page)
        roots = page.locator(".mb-explorer")
        results = []
        for i in range(roots.count()):
            results += exercise(page, roots.nth(i), states)
        page.screenshot(path=str(folder / "gallery.png"), full_page=True)
    finally:
        context.close()
    problems = [f"{r.kind}.{r.control} ({r.how}): {p}" for r in results for p in r.problems]
    assert not blocked, f"requests that left the host: {blocked}"
    assert not errors and not console, f"JavaScript errors: {errors + console}"
    assert not problems, "\n".join(problems)
    kinds = {r.kind for r in results}
    assert len(kinds) == expected, f"explorers exercised: {sorted(kinds)}"
