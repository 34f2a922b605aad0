"""Serve MathJax, RequireJS and the ipywidgets HTML manager from the built site itself.

By default Sphinx loads MathJax 3 from cdn.jsdelivr.net, and MyST-NB loads RequireJS from
cdnjs.cloudflare.com and ``@jupyter-widgets/html-manager`` (which draws ipywidgets from the
widget state saved in the notebooks) from cdn.jsdelivr.net. A reader without access to those
hosts then sees raw TeX and no widgets.

This extension makes the site self-contained whenever ``npm ci`` has been run in the repository
root (see ``package.json``):

* ``config-inited``: points ``mathjax_path`` (Sphinx; relative to ``_static``) and
  ``nb_ipywidgets_js`` (MyST-NB; default in ``myst_nb.core.config.ipywidgets_js_factory``) at
  local copies under ``_static/vendor/``. Values the book sets itself in ``_config.yml``
  (``sphinx: config:``) are kept.
* ``builder-inited``: copies the files from ``node_modules`` into ``<outdir>/_static/vendor/``
  (before the pages are written, so Sphinx adds its ``?v=<checksum>`` to the script tags), and
  writes ``widgets-glue.js`` (below), loaded between ``require.js`` and ``embed-amd.js``.

When ``node_modules`` lacks a package, the CDN defaults stay and an info message (not a
warning: the book is built with ``-W``) says so; the glue below is then not added either.

``widgets-glue.js`` fixes two faults of the stock set-up (CDN or local alike):

1. ``embed-amd.js`` (html-manager 1.x) looks for its Font Awesome fonts next to the URL that
   RequireJS derives for its AMD module, i.e. ``<page folder>/@jupyter-widgets/html-manager/
   dist/`` (404). The glue maps that module path to the folder holding the copied fonts.
2. ipywidgets' ``typeset()`` calls the MathJax 2 API ``MathJax.Hub.Queue`` whenever
   ``window.MathJax`` exists, but Sphinx 7.4 loads MathJax 3, so drawing any widget with a
   description on a page with math throws "Cannot read properties of undefined (reading
   'Queue')". The glue gives MathJax 3 a minimal ``Hub.Queue`` that typesets with MathJax 3.

Also, Sphinx 7.4 emits inline scripts added after ``Builder.init()`` twice (``None`` vs ``''``
filename; fixed upstream in sphinx-doc/sphinx#13402), so sphinx-thebe's
``const THEBE_JS_URL = ...`` is declared twice and every page throws "Identifier 'THEBE_JS_URL'
has already been declared". ``dedupe_scripts`` drops such exact duplicates from each page.

The book's explorers are anywidgets (``mixerbook.widgets``). For a module it does not bundle,
the manager first tries ``require("anywidget")`` and only then its CDN; the glue therefore maps
``anywidget`` to a copy of the AMD front end that ships inside the installed anywidget wheel
(``anywidget/nbextension/index.js``), copied to ``_static/vendor/anywidget/`` at
``builder-inited`` (outside the book's own ``_static``, whose ``.js`` files Jupyter Book would
link into every page as plain scripts). ``waitSeconds: 0`` keeps RequireJS from giving up on a
slow load and falling back to a second copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Repository root: this file lives in <root>/book/_ext/.
REPO_ROOT = Path(__file__).resolve().parents[2]

#: Folder under ``_static`` that receives the copies.
VENDOR = "vendor"

#: MathJax entry point: the same combined component Sphinx 7.4 loads from its CDN.
MATHJAX_ENTRY = "tex-mml-chtml.js"

#: (``node_modules``-relative source, ``_static/vendor``-relative destination)
REQUIREJS = ("requirejs/require.js", "requirejs/require.js")
WIDGETS_DIST = ("@jupyter-widgets/html-manager/dist", "html-manager")
WIDGETS_EMBED = "embed-amd.js"  # the RequireJS build of the manager that renders saved widget state
WIDGETS_GLUE = "widgets-glue.js"  # written by this extension, next to embed-amd.js
ANYWIDGET_AMD = ("nbextension/index.js", "anywidget/index.js")  # (in the anywidget package, in vendor/)
WIDGET_FONTS = ("*.woff2", "*.woff", "*.ttf", "*.eot", "*.svg")
MATHJAX_DIR = ("mathjax/es5", "mathjax")

WIDGETS_GLUE_JS = """\
/* Written by book/_ext/offline_assets.py; loaded after require.js, before embed-amd.js. */
(function () {
  "use strict";
  // 1. embed-amd.js finds its fonts relative to the URL of its AMD module, which RequireJS
  //    derives from the page's folder: point that module path at this script's folder.
  //    anywidget's AMD front end (the book's explorers) sits in ../anywidget/ beside this folder.
  var here = document.currentScript && document.currentScript.src;
  if (here && window.require && window.require.config) {
    var folder = here.replace(/\\/[^\\/]*$/, "");
    window.require.config({
      waitSeconds: 0,
      paths: {
        "@jupyter-widgets/html-manager/dist": folder,
        "anywidget": folder.replace(/\\/[^\\/]*$/, "") + "/anywidget/index"
      }
    });
  }
  // 2. ipywidgets typesets widget labels with the MathJax 2 API (MathJax.Hub.Queue);
  //    translate those calls for MathJax 3, which replaces window.MathJax when it loads
  //    (deferred, so before DOMContentLoaded; widgets are drawn on window "load").
  function typeset(element) {
    var mj = window.MathJax;
    mj.startup.promise
      .then(function () { return mj.typesetPromise(element ? [element] : undefined); })
      .catch(function (err) { console.error("MathJax typeset failed", err); });
  }
  function installHub() {
    var mj = window.MathJax;
    if (!mj || !mj.version || mj.Hub || !mj.startup) return;
    mj.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (cmd) {
          if (Array.isArray(cmd) && cmd[0] === "Typeset") typeset(cmd[2]);
        });
      }
    };
  }
  installHub();
  document.addEventListener("DOMContentLoaded", installHub);
})();
"""


def _anywidget_amd() -> Path | None:
    """anywidget's AMD front end inside the installed wheel, or None when anywidget is missing."""
    import importlib.util

    spec = importlib.util.find_spec("anywidget")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / ANYWIDGET_AMD[0]
    return path if path.is_file() else None


def _node_modules(app: Sphinx) -> Path | None:
    """The first ``node_modules`` found in the source folder or the repository root."""
    for base in (Path(app.srcdir), REPO_ROOT):
        candidate = base / "node_modules"
        if candidate.is_dir():
            return candidate
    return None


def _missing(node_modules: Path | None) -> list[str]:
    """The needed files that are absent (all of them when there is no node_modules)."""
    needed = [REQUIREJS[0], f"{WIDGETS_DIST[0]}/{WIDGETS_EMBED}", f"{MATHJAX_DIR[0]}/{MATHJAX_ENTRY}"]
    if node_modules is None:
        return needed
    return [rel for rel in needed if not (node_modules / rel).is_file()]


def _default_ipywidgets_js() -> dict[str, dict[str, str]] | None:
    try:
        from myst_nb.core.config import ipywidgets_js_factory
    except ImportError:  # MyST-NB absent or reorganised: treat any value as the book's own
        return None
    return ipywidgets_js_factory()


def configure(app: Sphinx, config: Config) -> None:
    """Point ``mathjax_path`` and ``nb_ipywidgets_js`` at the local copies (``config-inited``)."""
    missing = _missing(_node_modules(app))
    if missing:
        logger.info(
            "offline_assets: %s missing; the site will load MathJax and the widget manager "
            "from CDNs. Run `npm ci` in %s to bundle them.",
            ", ".join(f"node_modules/{m}" for m in missing),
            REPO_ROOT,
        )
        return

    from sphinx.ext.mathjax import MATHJAX_URL

    if config.mathjax_path == MATHJAX_URL:
        config.mathjax_path = f"{VENDOR}/{MATHJAX_DIR[1]}/{MATHJAX_ENTRY}"
    else:
        logger.info("offline_assets: keeping mathjax_path set by the book: %s", config.mathjax_path)

    if hasattr(config, "nb_ipywidgets_js"):
        if config.nb_ipywidgets_js == _default_ipywidgets_js():
            # Order matters: RequireJS defines `define`/`require`, the glue configures it, then
            # embed-amd.js defines the manager and renders the saved widget state on "load".
            config.nb_ipywidgets_js = {
                f"{VENDOR}/{REQUIREJS[1]}": {},
                f"{VENDOR}/{WIDGETS_DIST[1]}/{WIDGETS_GLUE}": {},
                f"{VENDOR}/{WIDGETS_DIST[1]}/{WIDGETS_EMBED}": {},
            }
        else:
            logger.info("offline_assets: keeping nb_ipywidgets_js set by the book")


def _copy_tree(src: Path, dst: Path, skip_top_level: set[str]) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.name in skip_top_level:
            continue
        if item.is_dir():
            shutil.copytree(item, dst / item.name, dirs_exist_ok=True)
        else:
            shutil.copy2(item, dst / item.name)


def write_widget_assets(node_modules: Path, vendor: Path) -> None:
    """Copy RequireJS, the widget manager (with its fonts) and anywidget into ``vendor``; write the glue.

    Also used by ``tests/widget_driver.py`` to serve a page of explorers without building the book.
    """
    (vendor / REQUIREJS[1]).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(node_modules / REQUIREJS[0], vendor / REQUIREJS[1])

    widgets_src, widgets_dst = node_modules / WIDGETS_DIST[0], vendor / WIDGETS_DIST[1]
    widgets_dst.mkdir(parents=True, exist_ok=True)
    for path in [widgets_src / WIDGETS_EMBED, *(p for pat in WIDGET_FONTS for p in widgets_src.glob(pat))]:
        shutil.copy2(path, widgets_dst / path.name)
    (widgets_dst / WIDGETS_GLUE).write_text(WIDGETS_GLUE_JS, encoding="utf-8")
    anywidget_amd = _anywidget_amd()
    if anywidget_amd is None:
        logger.info("offline_assets: anywidget is not installed; the explorers will not be drawn on the site")
    else:
        (vendor / ANYWIDGET_AMD[1]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(anywidget_amd, vendor / ANYWIDGET_AMD[1])


def copy_assets(app: Sphinx) -> None:
    """Copy the vendored files into ``<outdir>/_static/vendor`` (``builder-inited``)."""
    node_modules = _node_modules(app)
    if app.builder.format != "html" or node_modules is None or _missing(node_modules):
        return
    vendor = Path(app.outdir) / "_static" / VENDOR
    write_widget_assets(node_modules, vendor)

    # MathJax loads parts of itself at run time (TeX extensions through `autoload`, the menu,
    # accessibility and speech code, fonts), relative to the entry script's folder. Copy all of
    # es5/ but the other combined entry points (tex-svg.js, mml-chtml.js, ...): ~9 MB of 24 MB.
    mathjax_src = node_modules / MATHJAX_DIR[0]
    other_entries = {p.name for p in mathjax_src.glob("*.js") if p.name != MATHJAX_ENTRY}
    _copy_tree(mathjax_src, vendor / MATHJAX_DIR[1], skip_top_level=other_entries)
    logger.info("offline_assets: MathJax, RequireJS, the widget manager and anywidget copied to %s", vendor)


def _script_key(js: Any) -> tuple[str, int, str]:
    attributes = getattr(js, "attributes", {}) or {}
    return (
        str(getattr(js, "filename", js) or ""),  # None and "" are the same inline script
        getattr(js, "priority", 500),
        repr(sorted(attributes.items())),
    )


def dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Remove exact duplicates from the page's ``script_files`` (``html-page-context``)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, int, str]] = set()
    unique = []
    for js in scripts:
        key = _script_key(js)
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique  # in place: Sphinx restores the builder's own list after each page


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("builder-inited", copy_assets)
    app.connect("html-page-context", dedupe_scripts, priority=900)  # after others add theirs
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
