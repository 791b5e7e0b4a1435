"""A creator whose capture supports no authenticity grade: the API, listing, exports and dashboard
carry the null score (and its reason) instead of failing or inventing a grade."""

from __future__ import annotations

from tests.api.conftest import x_capture


def test_no_grade_flows_through_api_listing_and_exports(app, client, auth) -> None:
    cap = x_capture("nograde_user")
    # keep the profile, drop every post: the follow ratio alone is no grade
    for r in cap.get("responses", []):
        if "UserTweets" in r.get("url", ""):
            r["body"] = '{"data": {}}'
    resp = client.post("/api/v1/captures", json=cap, headers=auth)
    assert resp.status_code == 201, resp.get_json()
    a = resp.get_json()["scores"]["authenticity"]
    assert a["score"] is None and a["grade"] is None and a["reason"].startswith("No grade")
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
