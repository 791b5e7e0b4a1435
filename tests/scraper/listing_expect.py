"""Comparing a parsed Listing with a real list page's expected file (../shared/listpages/README.md)."""

from __future__ import annotations

import json

import pytest

from scraper.errors import CaptureError
from scraper.listing import Listing, parse_listing
from tests.conftest import listpage_cases, load_listpage

FIELDS = ("handle", "platform_id", "display_name", "followers", "verified", "posts", "following",
          "has_profile_pic", "bio_length")


def cases_of(platform: str) -> list[str]:
    """Every real list page of `platform` (any kind), or the placeholder that skips / fails."""
    every = listpage_cases("search", "hashtag", "related", "followers", "following", "comments")
    return [c for c in every if c.startswith(f"{platform}/") or c.startswith("<")] or ["<listpages missing>"]


def check_case(case: str) -> Listing:
    """Parse the case and compare kind, query, owner, creators_total and the first up-to-10 creators
    field by field with its expected file."""
    capture, expected = load_listpage(case)
    listing = parse_listing(capture)
    got = listing.to_dict()
    for key in ("platform", "kind", "query", "owner", "creators_total"):
        assert got[key] == expected[key], f"{case}: {key}"
    want = expected["creators"]
    assert len(got["creators"]) >= len(want), case
    for n, (have, exp) in enumerate(zip(got["creators"], want)):
        for key in FIELDS:
            assert have[key] == exp[key], f"{case}: creator {n} ({exp['handle']}) {key}"
    return listing


def list_capture(url: str, responses: list[dict], html: str) -> dict:
    """A synthetic `kolscope.capture/1` of a list page."""
    return {"format": "kolscope.capture/1", "url": url, "captured_at": "2026-01-01T00:00:00Z",
            "source": "extension", "html": html, "responses": responses}


def json_answer(url: str, body: dict) -> dict:
    """One recorded JSON answer of the page's API."""
    return {"url": url, "status": 200, "content_type": "application/json", "body": json.dumps(body)}


def error_code(capture: dict) -> str:
    """The typed error `parse_listing` raises for `capture` (never a crash of the parser)."""
    with pytest.raises(CaptureError) as info:
        parse_listing(capture)
    assert info.value.__cause__ is None, f"parser crashed: {info.value.__cause__!r}"
    return info.value.code
