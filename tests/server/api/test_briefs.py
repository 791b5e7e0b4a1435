"""Briefs: CRUD, the active one, validation by scoring's Brief model (every bad field in one 400)."""

from __future__ import annotations

import json

import pytest


def test_brief_crud_and_active(client, auth):
    r = client.post("/api/v1/briefs", json={"name": "Running shoes", "languages": ["EN"], "countries": ["de"],
                                            "tiers": ["micro"]}, headers=auth)
    assert r.status_code == 201, r.json
    b = r.json
    assert b["id"].startswith("br_") and b["languages"] == ["en"] and b["countries"] == ["DE"]
    assert b["active"] is False
    assert client.get("/api/v1/briefs/active", headers=auth).json == {"id": None, "brief": None}
    r = client.put("/api/v1/briefs/active", json={"id": b["id"]}, headers=auth)
    assert r.status_code == 200 and r.json["id"] == b["id"] and r.json["brief"]["name"] == "Running shoes"
    listed = client.get("/api/v1/briefs", headers=auth).json
    assert listed["active"] == b["id"] and listed["items"][0]["active"] is True
    # a PUT may send back what GET gave
    got = client.get(f"/api/v1/briefs/{b['id']}", headers=auth).json
    r = client.put(f"/api/v1/briefs/{b['id']}", json=dict(got, name="Trail shoes"), headers=auth)
    assert r.status_code == 200 and r.json["name"] == "Trail shoes"
    assert client.delete(f"/api/v1/briefs/{b['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/briefs/active", headers=auth).json["id"] is None
    assert client.get(f"/api/v1/briefs/{b['id']}", headers=auth).status_code == 404
    assert client.put("/api/v1/briefs/active", json={"id": b["id"]}, headers=auth).status_code == 404
    assert client.put("/api/v1/briefs/active", json={"id": None}, headers=auth).status_code == 200


def test_brief_400_lists_every_field(client, auth):
    r = client.post("/api/v1/briefs", json={"languages": ["english"], "countries": ["Germany"],
                                            "min_engagement_rate": 3, "tiers": "micro"}, headers=auth)
    assert r.status_code == 400
    assert {"name", "languages", "countries", "min_engagement_rate", "tiers"} <= set(r.json["error"]["fields"])


@pytest.mark.parametrize("payload", [None, [], "x", {"name": "a", "unknown": 1}])
def test_brief_400_shapes(client, auth, payload):
    assert client.post("/api/v1/briefs", data=json.dumps(payload), content_type="application/json", headers=auth).status_code == 400


def test_brief_put_400_404(client, auth):
    b = client.post("/api/v1/briefs", json={"name": "a"}, headers=auth).json
    assert client.put(f"/api/v1/briefs/{b['id']}", json={"name": ""}, headers=auth).status_code == 400
    assert client.put("/api/v1/briefs/br_000000000000", json={"name": "a"}, headers=auth).status_code == 404
    assert client.get("/api/v1/briefs?x=1", headers=auth).status_code == 400
    assert client.get(f"/api/v1/briefs/{b['id']}?x=1", headers=auth).status_code == 400


@pytest.mark.parametrize("payload", [{}, {"id": 5}, {"id": "a", "x": 1}, None])
def test_active_400(client, auth, payload):
    r = client.put("/api/v1/briefs/active", data=json.dumps(payload), content_type="application/json", headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"]
