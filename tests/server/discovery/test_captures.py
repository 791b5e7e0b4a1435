"""List pages through POST /api/v1/captures: every real list page answers 201 with its creators,
each kept as a candidate with its path; creator pages keep their answer (plus `listing` when the page
also shows a list), and a creator page's captures check candidates and name new ones."""

from __future__ import annotations

import pytest

from scraper.registry import BY_NAME
from tests.conftest import listpage_cases, load_case, load_listpage
from tests.server.api.conftest import post_capture, x_capture

ALL_KINDS = ("search", "hashtag", "related", "followers", "following", "comments")


def _listed(answer: dict) -> dict:
    return answer["listing"] if "listing" in answer else answer


@pytest.mark.realpages
@pytest.mark.parametrize("case", listpage_cases(*ALL_KINDS))
def test_every_real_list_page_gives_its_creators_as_candidates(client, auth, case):
    capture, expected = load_listpage(case)
    r = post_capture(client, auth, capture, gz=True)
    assert r.status_code == 201, r.json
    listing = _listed(r.json)
    assert (listing["kind"], listing["platform"], listing["query"], listing["owner"]) == (
        expected["kind"], expected["platform"], expected["query"], expected["owner"])
    assert listing["creators_total"] == expected["creators_total"]
    label = BY_NAME[expected["platform"]].label
    owner = (expected["owner"] or "").casefold()
    for want in expected["creators"]:
        got = next(c for c in listing["creators"] if c["platform_id"] == want["platform_id"]
                   and (want["handle"] is None or c["handle"] == want["handle"]))
        shown = want["followers"]
        assert got["followers"] == (shown["value"] if shown else None)
        assert got["rounded"] == bool(shown and shown["approx"])
        if want["handle"] and want["handle"].casefold() == owner:
            assert got["candidate_id"] is None  # the list's owner is the page, not a find
            continue
        assert got["candidate_id"], (case, want)
        cand = client.get(f"/api/v1/candidates/{got['candidate_id']}", headers=auth).json
        path = next(p for p in cand["paths"] if p["kind"] == expected["kind"])
        assert label in path["label"] and path["page_url"] == capture["url"]
        assert cand["state"] in ("new", "checked") and cand["tier"] == got["tier"]
    # the same page again: no new candidate, no path counted twice
    again = _listed(post_capture(client, auth, capture, gz=True).json)
    assert again["candidates_added"] == 0
    some = next(c["candidate_id"] for c in again["creators"] if c["candidate_id"])
    assert [p["count"] for p in client.get(f"/api/v1/candidates/{some}", headers=auth).json["paths"]] == [1]


def test_a_search_page_answers_the_list(client, auth):
    capture, _ = load_listpage("youtube/yt_search_channels_bbc_2026-01")
    r = post_capture(client, auth, capture)
    assert r.status_code == 201 and "creator" not in r.json
    assert r.json["candidates_added"] == r.json["creators_total"] == 20
    first = r.json["creators"][0]
    assert first == {
        "platform": "youtube", "handle": "BBCNews", "platform_id": "UC16niRr50-MSBwiO3YDb3RA",
        "display_name": "BBC News", "followers": 19_100_000, "followers_text": "~19.1M", "rounded": True,
        "tier": "mega", "known": False, "candidate_id": first["candidate_id"], "url": "https://www.youtube.com/@BBCNews"}
    # never scored: a list page stores no creator
    assert client.get("/api/v1/creators", headers=auth).json["total"] == 0
    cand = client.get(f"/api/v1/candidates/{first['candidate_id']}", headers=auth).json
    assert [p["label"] for p in cand["paths"]] == [f'"bbc" search on YouTube, {capture["captured_at"][:10]}']


def test_a_creator_page_keeps_its_answer(client, auth):
    r = post_capture(client, auth, x_capture("plain_prof"))
    assert r.status_code == 201 and set(r.json) == {"creator", "snapshot", "scores", "decision"}


def test_a_followers_tab_is_a_creator_page_with_its_list(client, auth):
    capture, expected = load_listpage("x/x_followers_TwitterDev_2023-04")
    r = post_capture(client, auth, capture)
    assert r.status_code == 201
    assert r.json["creator"]["handle"] == "TwitterDev"
    assert r.json["listing"]["kind"] == "followers" and r.json["listing"]["candidates_added"] == 40
    page = client.get("/api/v1/candidates?source=followers&limit=500", headers=auth).json
    assert page["total"] == 40
    assert all(c["paths"][0]["label"].startswith("followers of @TwitterDev on X, 2023-04") for c in page["items"])


def test_a_broken_page_at_a_list_url_stays_an_error(client, auth):
    capture = {"format": "kolscope.capture/1", "url": "https://www.youtube.com/results?search_query=x",
               "captured_at": "2026-01-01T00:00:00Z", "html": "<html><body>nothing</body></html>", "responses": []}
    r = post_capture(client, auth, capture)
    assert r.status_code == 422 and r.json["error"]["code"] in ("not_a_creator_page", "malformed")
    assert client.get("/api/v1/candidates", headers=auth).json["total"] == 0


def test_a_capture_checks_its_candidate_and_its_mentions_become_candidates(client, auth):
    capture, _ = load_case("x/x_profile_TwitterDev_2023-04")
    follows, _ = load_listpage("x/x_following_XDevelopers_2026-08")
    listed = _listed(post_capture(client, auth, follows).json)
    assert listed["candidates_added"] > 0
    # a candidate found on a list, then captured: checked
    r = post_capture(client, auth, x_capture("leslieberland"))
    assert r.status_code == 201
    cand = client.get("/api/v1/candidates?checked=true", headers=auth).json["items"]
    assert [c["handle"] for c in cand] == ["leslieberland"] and cand[0]["checked_at"]
    # TwitterDev's tweets name accounts: each is a candidate "mentioned by @TwitterDev"
    assert post_capture(client, auth, capture).status_code == 201
    mentioned = client.get("/api/v1/candidates?source=mention&limit=500", headers=auth).json["items"]
    by_dev = [p for c in mentioned for p in c["paths"] if p["via"] == "x/twitterdev"]
    assert len(by_dev) >= 3
    assert all(p["label"].startswith("mentioned by @TwitterDev") and p["label"].endswith(" on X") for p in by_dev)


@pytest.mark.parametrize("escape, kept", [("\\u0000", "\x00"), ("\\ud83d", "\ufffd")])
def test_a_listed_name_with_text_postgresql_cannot_hold_is_kept_alike(client, auth, escape, kept):
    # a NUL or half a surrogate pair in a page's JSON (valid JSON): a candidate on every engine, never a
    # misleading 404; the NUL kept as written, the half pair U+FFFD as in a creator's snapshot
    capture, _ = load_listpage("youtube/yt_search_channels_bbc_2026-01")
    capture = dict(capture, html=capture["html"].replace('"BBC News"', f'"BBC{escape}News"'))
    r = post_capture(client, auth, capture)
    assert r.status_code == 201, r.json
    first = r.json["creators"][0]
    assert first["display_name"] == f"BBC{kept}News"
    cand = client.get(f"/api/v1/candidates/{first['candidate_id']}", headers=auth)
    assert cand.status_code == 200 and cand.json["display_name"] == f"BBC{kept}News"
    listed = client.get("/api/v1/candidates?limit=100", headers=auth).json["items"]
    assert f"BBC{kept}News" in [c["display_name"] for c in listed]
