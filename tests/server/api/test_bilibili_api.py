"""A Bilibili capture through the API: stored and scored under its numeric id (Bilibili has no
handles), listed in the OpenAPI document's per-platform paths, accepted by watchlists by id."""

from __future__ import annotations

from server.api.openapi import _document
from server.scoring.bands import band_for
from tests.server.api.conftest import post_capture
from tests.scraper.test_bilibili import MID, _state, capture, info, stat, video, videos


def space_capture(followers: int = 50_000) -> dict:
    items = [video(f"BV1aa411c7a{i}", f"Video {i}", 1_700_000_000 - i * 3 * 86_400, 20_000 + 100 * i, 50)
             for i in range(6)]
    return capture(info(), stat(follower=followers), videos(items, count=6))


def test_capture_is_stored_and_scored_under_the_numeric_id(client, auth):
    r = post_capture(client, auth, space_capture())
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["creator"]["platform"], body["creator"]["handle"]) == ("bilibili", MID)
    assert (body["snapshot"]["handle"], body["snapshot"]["platform_id"]) == (MID, MID)
    assert body["creator"]["url"] == f"https://space.bilibili.com/{MID}"
    factors = {f["key"]: f for f in body["scores"]["authenticity"]["factors"]}
    # the video list has plays but no likes: views per follower is scored, engagement withheld
    assert factors["views_per_follower"]["score"] is not None
    assert factors["engagement"]["score"] is None and factors["engagement"]["value"]["basis"] == "views"

    got = client.get(f"/api/v1/creators/bilibili/{MID}", headers=auth)
    assert got.status_code == 200 and got.json["creator"]["display_name"] == "Mea"
    listed = client.get("/api/v1/creators?platform=bilibili", headers=auth).json
    assert [c["handle"] for c in listed["items"]] == [MID]


def test_video_page_adds_to_the_same_creator_and_scores_engagement(client, auth):
    post_capture(client, auth, space_capture())
    r = post_capture(client, auth, capture(url="https://www.bilibili.com/video/BV1xx411c7mD", html=_state("BV1xx411c7mD")))
    assert r.status_code == 201, r.json
    assert r.json["creator"]["handle"] == MID
    engagement = next(f for f in r.json["scores"]["authenticity"]["factors"] if f["key"] == "engagement")
    assert engagement["value"]["rate"] == round((300 + 30) / 5000, 5)
    assert engagement["value"]["band"] == band_for("bilibili", 2000)
    history = client.get(f"/api/v1/creators/bilibili/{MID}/history", headers=auth).json
    assert len(history["points"]) == 2


def test_watchlists_take_a_mid_and_refuse_anything_else(client, auth):
    wl = client.post("/api/v1/watchlists", json={"name": "B"}, headers=auth).json
    ok = client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "bilibili", "handle": MID},
                     headers=auth)
    assert ok.status_code in (200, 201), ok.json
    for bad in ("007", "mea", "1" * 20):
        r = client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "bilibili", "handle": bad},
                        headers=auth)
        assert r.status_code == 400, (bad, r.json)
        assert "Not a valid bilibili account id (1-19 digits" in str(r.json), r.json


def test_openapi_has_the_bilibili_paths_with_its_id_rule():
    doc = _document()
    path = doc["paths"]["/creators/bilibili/{handle}"]["get"]
    handle = next(p for p in path["parameters"] if p["name"] == "handle")
    assert handle["schema"]["pattern"] == r"^[1-9][0-9]{0,18}$"
    assert handle["description"].startswith("the bilibili account id")
    listing = next(p for p in doc["paths"]["/creators"]["get"]["parameters"] if p["name"] == "platform")
    assert "bilibili" in listing["schema"]["enum"]
