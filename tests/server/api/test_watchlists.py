"""Watchlists (CRUD, members by handle or URL), notes, exports; a 400 for each route."""

from __future__ import annotations

import csv
import io

import json
import re

import pytest

from tests.server.api.conftest import post_capture, x_capture


@pytest.fixture
def wl(client, auth):
    r = client.post("/api/v1/watchlists", json={"name": "Spring run"}, headers=auth)
    assert r.status_code == 201
    return r.json


def test_watchlist_crud(client, auth, wl):
    assert wl["id"].startswith("wl_") and wl["name"] == "Spring run" and wl["refresh_interval_hours"] == 24
    r = client.patch(f"/api/v1/watchlists/{wl['id']}", json={"name": "Summer", "refresh_interval_hours": 6},
                     headers=auth)
    assert r.status_code == 200 and (r.json["name"], r.json["refresh_interval_hours"]) == ("Summer", 6)
    items = client.get("/api/v1/watchlists", headers=auth).json["items"]
    assert [w["name"] for w in items] == ["Summer"]
    assert client.delete(f"/api/v1/watchlists/{wl['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/watchlists/{wl['id']}", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/watchlists/{wl['id']}", headers=auth).status_code == 404


def test_watchlist_duplicate_name_409(client, auth, wl):
    r = client.post("/api/v1/watchlists", json={"name": "SPRING RUN"}, headers=auth)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"


@pytest.mark.parametrize("payload,fields", [
    ({}, {"name"}), ({"name": ""}, {"name"}), ({"name": 5, "refresh_interval_hours": 0}, {"name", "refresh_interval_hours"}),
    ({"name": "a", "color": "red"}, {"color"}), (None, {"body"}),
])
def test_watchlist_create_400(client, auth, payload, fields):
    r = client.post("/api/v1/watchlists", data=json.dumps(payload), content_type="application/json", headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == fields


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"refresh_interval_hours": -1}, [], None])
def test_watchlist_patch_400(client, auth, wl, payload):
    r = client.patch(f"/api/v1/watchlists/{wl['id']}", data=json.dumps(payload), content_type="application/json", headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"]


def test_watchlist_get_list_400(client, auth, wl):
    assert client.get("/api/v1/watchlists?x=1", headers=auth).status_code == 400
    assert client.get(f"/api/v1/watchlists/{wl['id']}?x=1", headers=auth).status_code == 400


def test_members_by_handle_and_url(client, auth, wl):
    post_capture(client, auth, x_capture("AdaRuns"))
    wid = wl["id"]
    r = client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "@adaruns"}, headers=auth)
    assert r.status_code == 201 and r.json["creator"]["handle"] == "AdaRuns"
    assert r.json["creator"]["watchlists"] == [wid]
    # a profile never captured yet, by URL
    r = client.post(f"/api/v1/watchlists/{wid}/creators", json={"url": "https://twitter.com/NewFace/media"},
                    headers=auth)
    assert r.status_code == 201, r.json
    assert (r.json["creator"]["handle"], r.json["creator"]["captured"]) == ("NewFace", False)
    got = client.get(f"/api/v1/watchlists/{wid}", headers=auth).json
    assert [c["handle"] for c in got["creators"]] == ["AdaRuns", "NewFace"] and got["creator_count"] == 2
    # adding twice keeps one
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "ADARUNS"}, headers=auth)
    assert client.get(f"/api/v1/watchlists/{wid}", headers=auth).json["creator_count"] == 2
    # a capture of the URL-added creator fills it in and keeps its membership
    c = post_capture(client, auth, x_capture("newface")).json["creator"]
    assert c["captured"] is True and c["watchlists"] == [wid]
    assert client.delete(f"/api/v1/watchlists/{wid}/creators/x/newface", headers=auth).status_code == 204
    assert client.delete(f"/api/v1/watchlists/{wid}/creators/x/newface", headers=auth).status_code == 404
    assert client.get(f"/api/v1/watchlists/{wid}", headers=auth).json["creator_count"] == 1


@pytest.mark.parametrize("payload,field", [
    ({}, "body"), ({"platform": "x"}, "body"), ({"platform": "myspace", "handle": "a"}, "platform"),
    ({"platform": "x", "handle": "no spaces"}, "handle"), ({"url": "https://example.com/a"}, "url"),
    ({"url": "https://x.com/home"}, "url"), ({"platform": 1, "handle": []}, "platform"),
])
def test_members_400(client, auth, wl, payload, field):
    r = client.post(f"/api/v1/watchlists/{wl['id']}/creators", data=json.dumps(payload), content_type="application/json", headers=auth)
    assert r.status_code == 400 and field in r.json["error"]["fields"], r.json


def test_members_404_and_remove_400(client, auth, wl):
    r = client.post("/api/v1/watchlists/wl_000000000000/creators", json={"platform": "x", "handle": "a"}, headers=auth)
    assert r.status_code == 404
    r = client.delete(f"/api/v1/watchlists/{wl['id']}/creators/myspace/a", headers=auth)
    assert r.status_code == 400 and "platform" in r.json["error"]["fields"]


def test_notes(client, auth):
    post_capture(client, auth, x_capture())
    url = "/api/v1/creators/x/BO_RUNS/notes"
    r = client.post(url, json={"text": "Agreed: 2 posts in May, 800 EUR"}, headers=auth)
    assert r.status_code == 201 and r.json["id"].startswith("nt_") and r.json["created_at"]
    client.post(url, json={"text": "Second"}, headers=auth)
    notes = client.get(url, headers=auth).json["items"]
    assert [n["text"] for n in notes] == ["Agreed: 2 posts in May, 800 EUR", "Second"]
    assert client.delete(f"{url}/{notes[0]['id']}", headers=auth).status_code == 204
    assert client.delete(f"{url}/{notes[0]['id']}", headers=auth).status_code == 404
    assert len(client.get(url, headers=auth).json["items"]) == 1


@pytest.mark.parametrize("payload", [{}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "a", "x": 1}, None])
def test_notes_400(client, auth, payload):
    post_capture(client, auth, x_capture())
    r = client.post("/api/v1/creators/x/bo_runs/notes", data=json.dumps(payload), content_type="application/json", headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"]


def test_notes_400_404_paths(client, auth):
    assert client.get("/api/v1/creators/x/nobody/notes", headers=auth).status_code == 404
    assert client.post("/api/v1/creators/x/nobody/notes", json={"text": "a"}, headers=auth).status_code == 404
    assert client.get("/api/v1/creators/x/bad%20h/notes", headers=auth).status_code == 400
    assert client.delete("/api/v1/creators/zz/a/notes/nt_000000000000", headers=auth).status_code == 400


def test_exports(client, auth, wl):
    post_capture(client, auth, x_capture("eve", name="=HYPERLINK(evil)"))
    wid = wl["id"]
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "eve"}, headers=auth)
    client.post("/api/v1/creators/x/eve/notes", json={"text": "call back\nin May"}, headers=auth)
    r = client.get(f"/api/v1/watchlists/{wid}/export.csv", headers=auth)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["handle"] == "eve" and row["followers"] == "800" and row["watchlist"] == "Spring run"
    assert row["display_name"] == "'=HYPERLINK(evil)"  # shown as text, never run as a formula
    assert row["notes"] == "call back in May"
    # spreadsheet units: percents as percents, UTC times as YYYY-MM-DD HH:MM
    assert float(row["engagement_rate_percent"]) > 1 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["captured_at_utc"])
    assert "engagement_rate" not in row and "captured_at" not in row  # renamed with their unit
    j = client.get(f"/api/v1/watchlists/{wid}/export.json", headers=auth).json
    assert j["watchlist"]["id"] == wid and j["creators"][0]["display_name"] == "=HYPERLINK(evil)"
    assert j["creators"][0]["notes"][0]["text"] == "call back\nin May"
    assert client.get("/api/v1/watchlists/wl_000000000000/export.csv", headers=auth).status_code == 404


def test_member_errors_name_the_registry_platforms(client, auth, wl):
    from scraper import registry

    url = f"/api/v1/watchlists/{wl['id']}/creators"
    r = client.post(url, json={"url": "https://example.com/a"}, headers=auth)
    labels = ", ".join(p.label for p in registry.PLATFORMS)
    assert r.json["error"]["fields"]["url"] == f"Not a URL of a supported platform ({labels})."
    r = client.post(url, json={"platform": "myspace", "handle": "a"}, headers=auth)
    assert r.json["error"]["fields"]["platform"] == f"Must be one of {', '.join(registry.NAMES)}."
