"""Each content script's DOM selectors are checked data (as Refined GitHub's selectors.ts): the
script declares `const SELECTORS = {...}` of `[selector, saved page]` pairs and uses them from there;
here each selector must match at least one element of its saved page's HTML.

A saved page is `realpages/<platform>/<case>` or `listpages/<platform>/<case>` (the shared real
captures, KOLSCOPE_REALPAGES moves them), or `fixtures/<name>` (tests/fixtures). A pair whose page is
`live: ...` names a layout seen on the live site only, with no saved page to check it on (the saved
pages of some platforms are app shells the platform's scripts draw into)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scraper.registry import BY_NAME, NAMES
from tests.conftest import FIXTURES, LISTPAGES, REALPAGES, require_realpages

CONTENT = Path(__file__).resolve().parents[2] / "extension" / "content"
# A JavaScript string literal, single- or double-quoted; then a pair of them in brackets.
_STR = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_PAIR = re.compile(rf"\[\s*({_STR})\s*,\s*({_STR})\s*\]")


def _js_string(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def selectors(platform: str) -> list[tuple[str, str]]:
    """The [selector, saved page] pairs of content/<platform>.js's SELECTORS table."""
    text = (CONTENT / f"{platform}.js").read_text(encoding="utf-8")
    start = re.search(r"^(\s*)const SELECTORS = \{$", text, re.M)
    assert start, f"content/{platform}.js declares no `const SELECTORS = {{...}}` table of [selector, saved page]"
    end = text.index(f"\n{start.group(1)}}};", start.end())
    block = "\n".join(line.split(" // ")[0] for line in text[start.end():end].splitlines())
    return [(_js_string(css), _js_string(page)) for css, page in _PAIR.findall(block)]


def _cases() -> list[tuple[str, str, str]]:
    cases = [(platform, css, page) for platform in NAMES for css, page in selectors(platform)]
    return list(dict.fromkeys(cases))  # a selector used for two things is checked once


@functools.cache
def _soup(page: str) -> BeautifulSoup:
    kind, _, name = page.partition("/")
    if kind == "fixtures":
        path = FIXTURES / f"{name}.capture.json"
    elif kind in ("realpages", "listpages"):
        require_realpages()
        path = (REALPAGES if kind == "realpages" else LISTPAGES) / f"{name}.capture.json"
    else:
        raise AssertionError(f"{page!r}: a saved page is realpages/..., listpages/... or fixtures/..., or 'live: ...'")
    assert path.is_file(), f"saved page {page!r} not found at {path}"
    return BeautifulSoup(json.loads(path.read_text(encoding="utf-8"))["html"], "lxml")


@pytest.mark.parametrize("platform", NAMES)
def test_each_content_script_declares_its_selectors(platform: str) -> None:
    pairs = selectors(platform)
    assert pairs, f"content/{platform}.js: the SELECTORS table holds no [selector, saved page] pair"
    text = (CONTENT / f"{platform}.js").read_text(encoding="utf-8")
    assert "anchors: SELECTORS.anchors" in text, "the overlay's anchors come from the checked table"


@pytest.mark.parametrize(("platform", "css", "page"), [c for c in _cases() if not c[2].startswith("live:")])
def test_selector_matches_its_saved_page(platform: str, css: str, page: str) -> None:
    assert _soup(page).select(css), f"content/{platform}.js: {css!r} matches nothing in {page}"



def table(platform: str, key: str) -> list[tuple[str, str]]:
    """The [selector, saved page] pairs of one entry (`key: [...]`) of content/<platform>.js's SELECTORS."""
    text = (CONTENT / f"{platform}.js").read_text(encoding="utf-8")
    start = re.search(rf"^(\s*){key}: \[$", text, re.M)
    if not start:
        return []
    end = text.index(f"\n{start.group(1)}],", start.end())
    block = "\n".join(line.split(" // ")[0] for line in text[start.end():end].splitlines())
    return [(_js_string(css), _js_string(page)) for css, page in _PAIR.findall(block)]


@pytest.mark.parametrize("platform", NAMES)
def test_list_rows_are_counted_with_checked_selectors(platform: str) -> None:
    """A platform with pages that are only lists (searches, tags) counts their rendered rows, to notice a
    list that grew while the user scrolled, with the checked `listItems` selectors (each checked on
    its saved page above, where one shows a rendered list: TikTok's comments, X's posts)."""
    text = (CONTENT / f"{platform}.js").read_text(encoding="utf-8")
    rows = table(platform, "listItems")
    only_lists = {kind for kind, _ in BY_NAME[platform].list_pages} & {"search", "hashtag"}
    if only_lists:
        assert rows, f"content/{platform}.js has {sorted(only_lists)} pages but no SELECTORS.listItems"
    if rows:
        assert "SELECTORS.listItems.map(([css]) => css)" in text, "listSize counts the checked rows"
