"""Every real capture in ../shared/realpages parses to its .expected.json."""

from __future__ import annotations

import pytest

from scraper import parse
from scraper.errors import CaptureError
from tests.conftest import cases_or_placeholder, load_case

COUNTS = ("followers", "following", "posts", "likes")


def _check_count(name: str, got: int | None, approximate: list[str], expected: dict | None) -> None:
    if expected is None:
        assert got is None, f"{name}: the page does not show it, parser answered {got}"
        return
    assert got is not None, f"{name}: expected {expected['value']}, got None"
    if expected["approx"]:
        assert abs(got - expected["value"]) <= 0.01 * expected["value"], f"{name}: {got} vs ~{expected['value']}"
    else:
        assert got == expected["value"], f"{name}: {got} vs exact {expected['value']}"
        assert name not in approximate, f"{name} is exact on the page but marked approximate"


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_or_placeholder())
def test_realpage_matches_expected(case: str) -> None:
    capture, expected = load_case(case)
    if expected["error"]:
        with pytest.raises(CaptureError) as info:
            parse(capture)
        assert info.value.code == expected["error"], info.value.message
        assert info.value.message
        return
    snap = parse(capture)
    assert snap.platform == expected["platform"]
    assert snap.handle == expected["handle"]
    assert snap.platform_id == expected["platform_id"]
    assert snap.display_name == expected["display_name"]
    assert snap.verified == expected["verified"]
    for name in COUNTS:
        _check_count(name, getattr(snap, name), snap.approximate, expected[name])

    want_posts = expected["recent_posts"]
    got_posts = snap.recent_posts[: len(want_posts)]
    assert [p.id for p in got_posts] == [p["id"] for p in want_posts]
    for got, want in zip(got_posts, want_posts):
        for key in ("views", "likes", "comments"):
            assert getattr(got, key) == want[key], f"post {want['id']} {key}: {getattr(got, key)} vs {want[key]}"

    want_comments = expected["comments"]
    got_comments = snap.comments[: len(want_comments)]
    assert [c.author for c in got_comments] == [c["author"] for c in want_comments]
    for got, want in zip(got_comments, want_comments):
        if want["likes"] is None:
            assert got.likes is None
        elif want["likes"]["approx"]:
            assert abs(got.likes - want["likes"]["value"]) <= 0.01 * want["likes"]["value"]
        else:
            assert got.likes == want["likes"]["value"]

    if expected["audience_sample_size"] is not None:
        assert len(snap.audience_sample) == expected["audience_sample_size"]

    # the snapshot round-trips through its JSON form
    data = snap.to_dict()
    assert data["format"] == "kolscope.snapshot/1"
    assert type(snap).from_dict(data) == snap
