"""Audience samples over the real list pages in ../shared/listpages: followers lists and comment lists.

A followers list's accounts and a post's commenters are the creator's audience sample, in page order,
once each; the creator's own replies are not part of its audience. A following list (whom the creator
follows) is not an audience.
"""

from __future__ import annotations

import pytest

from scraper import parse
from tests.conftest import listpage_cases, load_listpage


@pytest.mark.realpages
@pytest.mark.parametrize("case", listpage_cases("followers", "comments"))
def test_audience_sample_matches_the_list(case: str) -> None:
    capture, expected = load_listpage(case)
    snap = parse(capture)
    assert snap.handle == expected["owner"]
    owner = expected["owner"].lower()
    want = [c for c in expected["creators"] if (c["handle"] or "").lower() != owner]
    got = snap.audience_sample[: len(want)]
    assert [a.username for a in got] == [c["handle"] for c in want]
    total = expected["creators_total"] - (len(expected["creators"]) - len(want))
    assert len(snap.audience_sample) == total
    for account, c in zip(got, want):
        assert account.verified == c["verified"], account.username
        if c["has_profile_pic"] is not None:
            assert account.has_profile_pic == c["has_profile_pic"], account.username
        if c["followers"] is not None:
            assert account.followers == c["followers"]["value"], account.username
        for key in ("following", "posts", "bio_length"):
            if c[key] is not None:
                assert getattr(account, key) == c[key], f"{account.username} {key}"
        if c["display_name"] is not None:
            assert account.display_name == c["display_name"], account.username


@pytest.mark.realpages
@pytest.mark.parametrize("case", listpage_cases("following"))
def test_following_list_is_no_audience(case: str) -> None:
    capture, expected = load_listpage(case)
    snap = parse(capture)
    assert snap.handle == expected["owner"]
    assert snap.audience_sample == []
