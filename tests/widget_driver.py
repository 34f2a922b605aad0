"""Drive the book's explorers in Chromium: move every control, check what the picture shows.

Used by ``tests/test_site.py`` (on the built book) and ``tests/test_widgets_browser.py`` (on a
gallery page of explorers written here, without building the book). Both serve the page from a
local ``http.server`` and block every other host.

Protocol (``mixerbook/widgets/_common.js``): an explorer's root is ``.mb-explorer[data-kind]``;
each control carries ``data-control="<trait>"``; after every redraw the root's ``data-values``
and ``data-shows`` hold the control values and what the picture shows (JSON), and
``data-version`` counts redraws. For each control this driver

1. operates it from the keyboard (range: arrow keys; select: arrow keys; checkbox: space;
   toggle buttons: Tab to a button that is not pressed, Enter), after checking that it has an
   accessible name,
2. waits for a redraw, and checks that the picture (canvases, SVG, status line) changed, and
3. checks that ``data-shows`` equals ``mixerbook.widgets.<kind>.shows(values, state)``, computed
   in Python with the package's functions from the widget's saved state.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]

WIDGET_STATE = 'script[type="application/vnd.jupyter.widget-state+json"]'
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'

#: Loads lazy images too, then waits until every image has loaded or failed; False on timeout
#: (takes the timeout in milliseconds).
WAIT_IMAGES_JS = """
async (timeoutMs) => {
  const imgs = Array.from(document.querySelectorAll('img'));
  imgs.forEach(img => { img.loading = 'eager'; });
  const settled = Promise.all(imgs.map(img => img.complete ? null :
    new Promise(resolve => { img.addEventListener('load', resolve);
                             img.addEventListener('error', resolve); })));
  const timeout = new Promise(resolve => setTimeout(() => resolve('timeout'), timeoutMs));
  return (await Promise.race([settled, timeout])) !== 'timeout';
}
"""

#: True once every saved widget view of the page is drawn: an ipywidgets view, or an explorer that
#: has reported what it shows (takes ``WIDGET_VIEW`` as its argument).
WIDGETS_DRAWN_JS = """
(viewSelector) => Array.from(document.querySelectorAll(viewSelector)).every(s => {
  const area = s.previousElementSibling;
  return area && area.classList.contains('widget-subarea')
         && area.querySelector('.jupyter-widgets, .mb-explorer[data-shows]') !== null;
})
"""


def _offline_assets():
    sys.path.insert(0, str(REPO_ROOT / "book" / "_ext"))
    try:
        import offline_assets
    finally:
        sys.path.pop(0)
    return offline_assets


def write_gallery(folder: Path, widgets: list, title: str = "Explorers") -> Path:
    """Write ``folder/index.html`` showing ``widgets`` from their embedded state, with local assets.

    The page loads the same files as the built book (RequireJS, the widget-manager glue,
    ``embed-amd.js``, anywidget's AMD front end), copied from ``node_modules`` and the anywidget
    wheel by ``book/_ext/offline_assets.py``.
    """
    from ipywidgets.embed import embed_data

    assets = _offline_assets()
    node_modules = REPO_ROOT / "node_modules"
    missing = assets._missing(node_modules)
    if missing:
        raise FileNotFoundError(f"node_modules lacks {missing}; run `bash scripts/setup.sh` (npm ci).")
    folder.mkdir(parents=True, exist_ok=True)
    assets.write_widget_assets(node_modules, folder / "vendor")
    data = embed_data(views=widgets, drop_defaults=False)  # keep _esm, _css and the view names
    state = json.dumps(data["manager_state"]).replace("</", "<\\/")
    views = "\n".join(
        f'<section><h2>{i}</h2><script type="application/vnd.jupyter.widget-view+json">'
        f"{json.dumps(spec)}</script></section>"
        for i, spec in enumerate(data["view_specs"])
    )
    html = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<script src="vendor/requirejs/require.js"></script>
<script src="vendor/html-manager/widgets-glue.js"></script>
<script src="vendor/html-manager/embed-amd.js"></script>
<script type="application/vnd.jupyter.widget-state+json">{state}</script>
</head><body><main><h1>{title}</h1>
{views}
</main></body></html>
"""
    page = folder / "index.html"
    page.write_text(html, encoding="utf-8")
    return page


def decoded_state(model_state: dict) -> dict:
    """A saved widget model's ``state`` with its binary ``buffers`` put back as ``bytes``."""
    state = copy.deepcopy(model_state.get("state", {}))
    for buf in model_state.get("buffers", []):
        target = state
        *parents, last = buf["path"]
        for key in parents:
            target = target[key]
        raw = buf["data"]
        target[last] = base64.b64decode(raw) if buf.get("encoding", "base64") == "base64" else bytes.fromhex(raw)
    return state


# Hash of everything an explorer draws: canvases' pixels, SVG, the status line.
_FINGERPRINT_JS = """
(root) => {
  const parts = [];
  root.querySelectorAll('.mb-figure canvas').forEach(c => parts.push(c.width + 'x' + c.height + c.toDataURL()));
  root.querySelectorAll('.mb-figure svg').forEach(s => parts.push(s.outerHTML));
  parts.push(root.querySelector('.mb-status') ? root.querySelector('.mb-status').textContent : '');
  const text = parts.join('|');
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  return h.toString(16) + ':' + text.length;
}
"""

_READ_JS = """
(root) => ({version: Number(root.dataset.version || 0),
            values: JSON.parse(root.dataset.values || 'null'),
            shows: JSON.parse(root.dataset.shows || 'null'),
            alt: (root.querySelector('.mb-figure') || root).getAttribute('aria-label') || '',
            status: root.querySelector('.mb-status') ? root.querySelector('.mb-status').textContent : '',
            modelId: (() => {
              const area = root.closest('.widget-subarea');
              const view = area && area.nextElementSibling;
              try { return JSON.parse(view.textContent).model_id; } catch (e) { return null; }
            })()})
"""

_CONTROLS_JS = """
(root) => Array.from(root.querySelectorAll('[data-control]')).map(el => {
  const tag = el.tagName.toLowerCase();
  const kind = tag === 'input' ? el.type : (tag === 'select' ? 'select' : 'buttons');
  let name = '';
  if (el.labels && el.labels.length) name = el.labels[0].textContent.trim();
  else if (el.getAttribute('aria-labelledby')) {
    const l = document.getElementById(el.getAttribute('aria-labelledby'));
    name = l ? l.textContent.trim() : '';
  } else if (el.getAttribute('aria-label')) name = el.getAttribute('aria-label');
  return {name: el.dataset.control, kind, label: name,
          value: kind === 'checkbox' ? el.checked : el.value,
          min: el.min, max: el.max,
          disabled: !!el.disabled};
})
"""


@dataclass
class ControlResult:
    kind: str
    control: str
    how: str
    before: dict | None = None
    after: dict | None = None
    changed_picture: bool = False
    expected: Any = None
    problems: list[str] = field(default_factory=list)


def _press_on(page, locator, key: str) -> None:
    locator.focus()
    page.keyboard.press(key)


def _operate(page, root, control: dict) -> str:
    """Move one control from the keyboard; returns how."""
    sel = f'[data-control="{control["name"]}"]'
    el = root.locator(sel).first
    kind = control["kind"]
    if kind == "range":
        at_max = float(control["value"]) >= float(control["max"] or 0)
        key = "ArrowLeft" if at_max else "ArrowRight"
        _press_on(page, el, key)
        return f"range: {key}"
    if kind == "select":
        before = el.input_value()
        _press_on(page, el, "ArrowDown")
        if el.input_value() == before:
            _press_on(page, el, "ArrowUp")
        if el.input_value() == before:  # a one-option select cannot move
            return "select: no other option"
        return "select: arrow key"
    if kind == "checkbox":
        _press_on(page, el, "Space")
        return "checkbox: space"
    # toggle buttons: the first button that is not pressed, activated with Enter
    button = el.locator('button[aria-pressed="false"]').first
    _press_on(page, button, "Enter")
    return "buttons: enter on " + (button.text_content() or "").strip()


def exercise(page, root, state_by_model: dict[str, dict], timeout_ms: int = 10_000) -> list[ControlResult]:
    """Move every control of the explorer ``root`` (a Playwright locator) and check each redraw."""
    import mixerbook.widgets as mbw

    results: list[ControlResult] = []
    kind = root.get_attribute("data-kind")
    shows_fn = mbw.module_of(kind).shows
    controls = root.evaluate(_CONTROLS_JS)
    if not controls:
        return [ControlResult(kind, "-", "-", problems=["explorer without controls"])]
    for control in controls:
        before = root.evaluate(_READ_JS)
        print_before = root.evaluate(_FINGERPRINT_JS)
        result = ControlResult(kind, control["name"], "", before=before)
        if not control["label"]:
            result.problems.append(f"control {control['name']!r} has no accessible name")
        result.how = _operate(page, root, control)
        if result.how.endswith("no other option"):
            results.append(result)
            continue
        try:
            page.wait_for_function("([r, v]) => Number(r.dataset.version || 0) > v",
                                   arg=[root.element_handle(), before["version"]], timeout=timeout_ms)
        except Exception:  # noqa: BLE001 - reported as a problem below
            result.problems.append(f"no redraw after {result.how}")
        after = root.evaluate(_READ_JS)
        result.after = after
        result.changed_picture = root.evaluate(_FINGERPRINT_JS) != print_before
        if after["values"] == before["values"]:
            result.problems.append(f"control values did not change after {result.how}")
        if not result.changed_picture:
            result.problems.append(f"the picture did not change after {result.how}")
        if not after["alt"]:
            result.problems.append("the picture has no text alternative")
        state = state_by_model.get(after["modelId"] or "")
        if state is None:
            result.problems.append(f"no saved state for model {after['modelId']}")
        else:
            result.expected = json.loads(json.dumps(shows_fn(after["values"], state)))
            if result.expected != after["shows"]:
                result.problems.append(
                    f"shows {json.dumps(after['shows'])[:400]} but the package computes "
                    f"{json.dumps(result.expected)[:400]} for values {after['values']}"
                )
        results.append(result)
    return results


def saved_states(page) -> dict[str, dict]:
    """model id -> decoded state of every widget model saved in the page."""
    raw = page.evaluate(f"() => {{ const s = document.querySelector('{WIDGET_STATE}'); "
                        "return s ? s.textContent : null; }")
    if not raw:
        return {}
    models = json.loads(raw).get("state", {})
    return {mid: decoded_state(m) for mid, m in models.items()}
