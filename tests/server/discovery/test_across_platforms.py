"""Candidates deduplicated across platforms by handle: one entry per person, the same handle on the
other platforms under `also_on` (API and discovery page); a platform filter lists each record."""

from __future__ import annotations

from server.store.candidates import handle_key, one_per_handle


def _item(platform: str, handle: str) -> dict:
    return {"platform": platform, "handle": handle, "display_name": handle.title(), "followers": 12000,
            "paths": [{"kind": "search", "label": f"#trail search on {platform}", "via": "search:trail",
                       "page_url": None, "at": "2026-11-29T10:00:00Z"}]}


def test_the_same_handle_on_two_platforms_is_one_candidate(app, client, auth):
    store = app.extensions["kolscope.store"]
    assert store.add_candidates([_item("x", "anna_runs"), _item("tiktok", "Anna.Runs"), _item("x", "bob_bikes")]) == 3
    r = client.get("/api/v1/candidates", headers=auth)
    assert r.status_code == 200, r.json
    assert r.json["total"] == 2
    (anna,) = [c for c in r.json["items"] if handle_key(c) == "annaruns"]
    assert [(a["platform"], a["handle"]) for a in anna["also_on"]] == [
        ("x" if anna["platform"] == "tiktok" else "tiktok", "anna_runs" if anna["platform"] == "tiktok" else "Anna.Runs")]
    every = client.get("/api/v1/candidates?across_platforms=false", headers=auth).json
    assert every["total"] == 3
    assert client.get("/api/v1/candidates?platform=x", headers=auth).json["total"] == 2


def test_ids_and_short_handles_are_never_joined():
    docs = [{"id": "a", "platform": "x", "handle": "1234567", "paths": []},
            {"id": "b", "platform": "bilibili", "handle": "1234567", "paths": []},
            {"id": "c", "platform": "x", "handle": "ab", "paths": []},
            {"id": "d", "platform": "tiktok", "handle": "ab", "paths": []}]
    assert [d["id"] for d in one_per_handle(docs)] == ["a", "b", "c", "d"]
