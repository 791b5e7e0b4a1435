"""Scores through the API (issue 10): a capture that supports no authenticity grade carries the null
score and its reason through the API, listing, exports and dashboard; reloads and a brief change
leave authenticity as it was."""

from __future__ import annotations

import pytest

from tests.server.api.conftest import x_capture
from tests.conftest import load_case


def test_no_grade_flows_through_api_listing_and_exports(app, client, auth) -> None:
    cap = x_capture("nograde_user")
    # keep the profile, drop every post: the follow ratio alone is no grade
    for r in cap.get("responses", []):
        if "UserTweets" in r.get("url", ""):
            r["body"] = '{"data": {}}'
    resp = client.post("/api/v1/captures", json=cap, headers=auth)
    assert resp.status_code == 201, resp.get_json()
    a = resp.get_json()["scores"]["authenticity"]
    assert a["score"] is None and a["grade"] is None and a["reason"].startswith("Only ")
    listing = client.get("/api/v1/creators?sort=authenticity", headers=auth)
    assert listing.status_code == 200
    mine = [c for c in listing.get_json()["items"] if c["handle"] == "nograde_user"]
    assert mine and mine[0]["authenticity"]["score"] is None and mine[0]["authenticity"]["grade"] is None
    wid = client.post("/api/v1/watchlists", json={"name": "check"}, headers=auth).get_json()["id"]
    added = client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "nograde_user"},
                        headers=auth)
    assert added.status_code == 201
    csv = client.get(f"/api/v1/watchlists/{wid}/export.csv", headers=auth)
    assert csv.status_code == 200 and b"nograde_user" in csv.data
    exported = client.get(f"/api/v1/watchlists/{wid}/export.json", headers=auth)
    assert exported.status_code == 200
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303  # the dashboard login
    page = client.get("/creator/x/nograde_user")
    assert page.status_code == 200 and b"No grade" in page.data
    assert client.get("/").status_code == 200


@pytest.mark.realpages
def test_reloading_a_real_page_and_activating_a_brief_leave_authenticity_unchanged(app, client, auth) -> None:
    """Issue 10: Coachella captured three times within seconds read 62 -> 68 -> 74, and activating a
    brief changed authenticity (Gronkh 76 -> 80)."""
    from server.rescore import rescore_all

    seen: dict[str, list] = {}
    for case in ("youtube/yt_channel_carouselheader_2023-07", "youtube/yt_channel_gronkh_2024-04"):
        capture, _ = load_case(case)
        for _ in range(3):
            r = client.post("/api/v1/captures", json=capture, headers=auth)
            assert r.status_code == 201, r.get_json()
            seen.setdefault(case, []).append(r.get_json()["scores"]["authenticity"]["score"])
    for case, scores in seen.items():
        assert len(set(scores)) == 1, (case, scores)
    bid = client.post("/api/v1/briefs", json={"name": "Science", "keywords": ["science"]}, headers=auth).get_json()["id"]
    assert client.put("/api/v1/briefs/active", json={"id": bid}, headers=auth).status_code == 200
    app.extensions["kolscope_rescore"].join(timeout=60)
    rescore_all(app.extensions["kolscope.store"], app.extensions["kolscope.store"].active_brief())
    listing = client.get("/api/v1/creators", headers=auth).get_json()["items"]
    by_handle = {c["handle"].lower(): c["authenticity"]["score"] for c in listing}
    assert by_handle["coachella"] == seen["youtube/yt_channel_carouselheader_2023-07"][0]
    assert by_handle["gronkh"] == seen["youtube/yt_channel_gronkh_2024-04"][0]
