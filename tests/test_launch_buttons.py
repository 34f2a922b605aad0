"""Every chapter page's rocket menu opens that chapter in Colab and on Binder; its download button serves it.

The URLs are rebuilt here from ``_config.yml`` (``repository.url``, ``repository.branch``,
``launch_buttons``) and the notebook's path, and compared with the links in the built page (``built_site``;
``MIXERBOOK_SITE`` reuses a built site, e.g. one built with execution off). Colab opens the chapter's generated
notebook edition (book/_ext/notebook_edition.py) from the published branch ``gh-pages``, where the publish
workflow puts the site: ``notebooks/NN.ipynb``, and ``student/notebooks/NN.ipynb`` from a student page
(``student_site``). Binder runs the repository itself (it needs its requirements), so it opens the source. The
".ipynb" download button serves the same generated notebook, from the site itself.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

import pytest
import yaml
from test_notebooks import CHAPTERS, ROOT

PUBLISHED_BRANCH = "gh-pages"

pytestmark = pytest.mark.book

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _launch_links(page_html: str) -> dict[str, list[str]]:
    """``{title: [href, ...]}`` of the links in the page's launch-buttons dropdown."""
    match = re.search(r'<div class="dropdown dropdown-launch-buttons">(.*?)</ul>', page_html, re.DOTALL)
    assert match, "no launch-buttons dropdown in the page"
    links: dict[str, list[str]] = {}
    for href, title in re.findall(r'<a href="([^"]+)"[^>]*?title="([^"]+)"', match[1], re.DOTALL):
        links.setdefault(title, []).append(html.unescape(href))
    return links


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_launch_buttons_open_this_chapter_from_the_configured_repository(built_site, path):
    repo = CONFIG["repository"]
    url = repo["url"].rstrip("/")
    branch = repo["branch"]
    org_repo = urlparse(url).path.strip("/")
    assert urlparse(url).netloc == "github.com" and org_repo.count("/") == 1, url
    book_path = str(repo.get("path_to_book") or "").strip("/")
    notebook = path.relative_to(ROOT / book_path if book_path else ROOT).as_posix()
    in_repo = path.relative_to(ROOT).as_posix()  # e.g. book/01_flattening.ipynb
    assert notebook == in_repo, "path_to_book is empty: pages sit at their repository paths"
    launch = CONFIG["launch_buttons"]
    ui = "tree" if launch.get("notebook_interface", "classic") == "classic" else "lab/tree"

    page = built_site / path.relative_to(ROOT).with_suffix(".html")
    links = _launch_links(page.read_text(encoding="utf-8"))
    assert links.get("Launch on Colab") == [
        f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{PUBLISHED_BRANCH}/notebooks/{path.name}"
    ], links
    assert links.get("Launch on Binder") == [
        f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath={ui}/{in_repo}"
    ], links
    assert (ROOT / in_repo).is_file()


def _download_links(page_html: str) -> list[str]:
    match = re.search(r'<div class="dropdown dropdown-download-buttons">(.*?)</ul>', page_html, re.DOTALL)
    assert match, "no download dropdown in the page"
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]+)"', match[1])]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_page_opens_the_student_notebook(student_site, path):
    org_repo = urlparse(CONFIG["repository"]["url"].rstrip("/")).path.strip("/")
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    page = student_site / path.relative_to(ROOT).with_suffix(".html")
    links = _launch_links(page.read_text(encoding="utf-8"))
    assert links.get("Launch on Colab") == [
        f"{colab}/github/{org_repo}/blob/{PUBLISHED_BRANCH}/student/notebooks/{path.name}"
    ], links
    assert (student_site / "notebooks" / path.name).is_file()


@pytest.mark.parametrize("site_fixture", ["built_site", "student_site"])
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_download_button_serves_the_generated_notebook(request, site_fixture, path):
    site = request.getfixturevalue(site_fixture)
    page = site / path.relative_to(ROOT).with_suffix(".html")
    links = [h for h in _download_links(page.read_text(encoding="utf-8")) if h.endswith(".ipynb")]
    assert links == [f"../notebooks/{path.name}"], links
    assert (page.parent / links[0]).resolve().is_file()
    assert "_sources" not in page.read_text(encoding="utf-8").split('dropdown-download-buttons')[1].split("</ul>")[0]
