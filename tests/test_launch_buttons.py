"""Every chapter page's rocket menu opens that chapter's notebook in Colab and on Binder.

The URLs are rebuilt here from ``_config.yml`` (``repository.url``, ``repository.branch``,
``launch_buttons``) and the notebook's path in the repository, and compared with the links that
sphinx-book-theme wrote into the built page (``built_site``; ``MIXERBOOK_SITE`` reuses a built site,
e.g. one built with execution off).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

import pytest
import yaml
from test_notebooks import CHAPTERS, ROOT

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
        f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{in_repo}"
    ], links
    assert links.get("Launch on Binder") == [
        f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath={ui}/{in_repo}"
    ], links
    assert (ROOT / in_repo).is_file()
