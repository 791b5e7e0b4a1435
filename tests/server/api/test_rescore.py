"""Changing the brief in force re-scores stored creators, so listings show fit against it."""

from __future__ import annotations

from tests.server.api.conftest import post_capture, x_capture

BRIEF = {"name": "Running gear", "keywords": ["running", "marathon"], "languages": ["en"]}


def _wait(app) -> None:
    thread = app.extensions.get("kolscope_rescore")
    if thread is not None:
        thread.join(30)


def _fit(client, auth, handle):
    items = client.get("/api/v1/creators", headers=auth).json["items"]
    c = next(c for c in items if c["handle"] == handle)
    return c["fit"], c["fit_brief_id"]


def test_active_brief_change_rescores_listing(app, client, auth):
    for handle in ("bo_runs", "ann_runs"):
        assert post_capture(client, auth, x_capture(handle)).status_code == 201
    fit, brief_id = _fit(client, auth, "bo_runs")
    assert fit["score"] is None and brief_id is None  # no brief yet

    brief = client.post("/api/v1/briefs", json=BRIEF, headers=auth).json
    assert client.put("/api/v1/briefs/active", json={"id": brief["id"]}, headers=auth).status_code == 200
    _wait(app)
    for handle in ("bo_runs", "ann_runs"):
        fit, brief_id = _fit(client, auth, handle)
        assert fit["score"] is not None and brief_id == brief["id"]
    # the stored scores now answer the scores route without recomputing, and agree with it
    got = client.get("/api/v1/creators/x/bo_runs/scores", headers=auth).json
    assert got["brief_id"] == brief["id"] and got["scores"]["fit"]["score"] == _fit(client, auth, "bo_runs")[0]["score"]

    # deleting the active brief takes fit back to "needs a brief"
    app.extensions.pop("kolscope_rescore", None)
    assert client.delete(f"/api/v1/briefs/{brief['id']}", headers=auth).status_code == 204
    _wait(app)
    fit, brief_id = _fit(client, auth, "bo_runs")
    assert fit["score"] is None and brief_id is None


def test_rescore_leaves_a_newer_capture_alone(app, client, auth):
    from server.services import get_store

    assert post_capture(client, auth, x_capture("bo_runs", followers=800)).status_code == 201
    with app.app_context():
        store = get_store()
        latest = store.latest("x", "bo_runs")
        assert store.update_scores("x", "bo_runs", latest["scores"], None, captured_at="1999-01-01T00:00:00Z") is False
        assert store.update_scores("x", "bo_runs", latest["scores"], None,
                                   captured_at=latest["snapshot"]["captured_at"]) is True
