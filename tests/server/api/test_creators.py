"""GET /creators (filters, sorts, pages), one creator, history, scores; 400s and 404s."""

from __future__ import annotations

import pytest

from tests.server.api.conftest import post_capture, x_capture
from tests.conftest import x_about_response


@pytest.fixture
def three(client, auth):
    for handle, followers in (("alpha", 500), ("Beta_Two", 50_000), ("gamma", 2_000_000)):
        assert post_capture(client, auth, x_capture(handle, followers=followers)).status_code == 201


def _handles(r):
    return [c["handle"] for c in r.json["items"]]


def test_list_sort_and_page(client, auth, three):
    r = client.get("/api/v1/creators?sort=followers", headers=auth)
    assert r.status_code == 200 and r.json["total"] == 3
    assert _handles(r) == ["gamma", "Beta_Two", "alpha"]
    r = client.get("/api/v1/creators?sort=followers&order=asc&limit=2&offset=1", headers=auth)
    assert _handles(r) == ["Beta_Two", "gamma"] and r.json["limit"] == 2 and r.json["offset"] == 1
    assert _handles(client.get("/api/v1/creators?sort=handle", headers=auth)) == ["alpha", "Beta_Two", "gamma"]


def test_list_filters(client, auth, three):
    assert _handles(client.get("/api/v1/creators?q=beta", headers=auth)) == ["Beta_Two"]
    assert _handles(client.get("/api/v1/creators?tier=mega", headers=auth)) == ["gamma"]
    assert client.get("/api/v1/creators?platform=tiktok", headers=auth).json["total"] == 0
    wl = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "ALPHA"}, headers=auth)
    assert _handles(client.get(f"/api/v1/creators?watchlist={wl['id']}", headers=auth)) == ["alpha"]
    assert client.get("/api/v1/creators?watchlist=wl_000000000000", headers=auth).status_code == 404


@pytest.mark.parametrize("qs,fields", [
    ("limit=0", {"limit"}), ("limit=abc&offset=-1", {"limit", "offset"}), ("sort=nope&order=up", {"sort", "order"}),
    ("platform=myspace", {"platform"}), ("bogus=1", {"bogus"}),
])
def test_list_400(client, auth, qs, fields):
    r = client.get(f"/api/v1/creators?{qs}", headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == fields


def test_handles_match_case_insensitively(client, auth, three):
    r = client.get("/api/v1/creators/x/beta_two", headers=auth)
    assert r.status_code == 200 and r.json["creator"]["handle"] == "Beta_Two"
    assert set(r.json) == {"creator", "snapshot", "scores", "decision", "history"}
    post_capture(client, auth, x_capture("BETA_TWO", followers=60_000))
    assert client.get("/api/v1/creators", headers=auth).json["total"] == 3
    assert client.get("/api/v1/creators/x/Beta_two/history", headers=auth).json["points"][-1]["followers"] == 60_000


@pytest.mark.parametrize("path", ["/api/v1/creators/myspace/bob", "/api/v1/creators/x/bad%20handle",
                                  "/api/v1/creators/x/" + "a" * 60, "/api/v1/creators/x/..",
                                  "/api/v1/creators/x/a.b/history", "/api/v1/creators/tiktok/a%2Fb/scores"])
def test_creator_400_bad_path(client, auth, path):
    r = client.get(path, headers=auth)
    assert r.status_code in (400, 404)
    if r.status_code == 400:
        assert r.json["error"]["fields"]


def test_creator_404(client, auth):
    for suffix in ("", "/history", "/scores"):
        r = client.get(f"/api/v1/creators/x/nobody{suffix}", headers=auth)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_history_400(client, auth, three):
    assert client.get("/api/v1/creators/x/alpha/history?limit=0", headers=auth).status_code == 400
    assert client.get("/api/v1/creators/x/alpha/history?limit=1", headers=auth).status_code == 200


def test_scores_with_brief(client, auth, three):
    r = client.get("/api/v1/creators/x/alpha/scores", headers=auth)
    assert r.status_code == 200 and r.json["brief_id"] is None
    assert r.json["scores"]["fit"]["score"] is None  # no brief: fit needs one
    brief = client.post("/api/v1/briefs", json={"name": "Runners", "keywords": ["run"], "followers_min": 100}, headers=auth).json
    r = client.get(f"/api/v1/creators/x/alpha/scores?brief={brief['id']}", headers=auth)
    assert r.status_code == 200 and r.json["brief_id"] == brief["id"]
    assert r.json["scores"]["fit"]["score"] is not None
    assert client.get("/api/v1/creators/x/alpha/scores?brief=br_000000000000", headers=auth).status_code == 404
    assert client.get("/api/v1/creators/x/alpha/scores?x=1", headers=auth).status_code == 400


def test_scores_of_watchlisted_but_never_captured(client, auth):
    wl = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "later"}, headers=auth)
    r = client.get("/api/v1/creators/x/later", headers=auth)
    assert r.status_code == 200 and r.json["snapshot"] is None and r.json["creator"]["captured"] is False
    assert r.json["creator"]["url"] == "https://x.com/later"
    assert client.get("/api/v1/creators/x/later/scores", headers=auth).status_code == 409


def test_active_brief_scores_ingest(client, auth):
    brief = client.post("/api/v1/briefs", json={"name": "B", "keywords": ["run"], "followers_min": 100}, headers=auth).json
    assert client.put("/api/v1/briefs/active", json={"id": brief["id"]}, headers=auth).status_code == 200
    r = post_capture(client, auth, x_capture())
    assert r.json["scores"]["fit"]["score"] is not None
    assert client.get("/api/v1/creators/x/bo_runs/scores", headers=auth).json["brief_id"] == brief["id"]


def test_country_filter_and_export(client, auth):
    for handle, based_in in (("uk_runner", "United Kingdom"), ("us_runner", "United States"), ("nowhere", None)):
        cap = x_capture(handle)
        if based_in:
            cap["responses"].append(x_about_response(handle, based_in))
        assert post_capture(client, auth, cap).status_code == 201
    assert _handles(client.get("/api/v1/creators?country=gb", headers=auth)) == ["uk_runner"]
    assert client.get("/api/v1/creators/x/us_runner", headers=auth).json["creator"]["country"] == "US"
    assert client.get("/api/v1/creators?country=GBR", headers=auth).status_code == 400
    # a later capture without the About panel keeps the country already known
    assert post_capture(client, auth, x_capture("uk_runner", followers=900)).status_code == 201
    assert client.get("/api/v1/creators/x/uk_runner", headers=auth).json["creator"]["country"] == "GB"
    wl = client.post("/api/v1/watchlists", json={"name": "Runners"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "uk_runner"}, headers=auth)
    csv_text = client.get(f"/api/v1/watchlists/{wl['id']}/export.csv", headers=auth).get_data(as_text=True)
    header, row = csv_text.lstrip("\ufeff").splitlines()[:2]
    assert header.split(",")[header.split(",").index("country")] == "country"
    assert row.split(",")[header.split(",").index("country")] == "GB"
