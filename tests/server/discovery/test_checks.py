"""Checking candidates: queued candidates are refreshed through the app's own refreshes (the real
fetcher on Chromium, pages from a replay), within the app's rate budget and never during a platform's
cool-down; each ends checked (stored, scored) or failed with the reason in words."""

from __future__ import annotations

import time

import pytest

from scraper.politeness import BLOCKED, Budget, Politeness, Verdict
from scraper.replay import Replay
from server.services import CANDIDATE_CHECKS, REFRESHES
from tests.scraper.synthetic import write_replay_dir, x_capture

pytestmark = pytest.mark.slow
FETCH = {"timeout": 8.0, "pool_size": 2}
HANDLES = ["ada_runs", "bo_bakes", "cy_codes"]


class RecordingPoliteness(Politeness):
    """The app's politeness, with every wait it hands out recorded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts: list[tuple[str, float]] = []  # (platform, when its request may go)

    def reserve(self, platform: str) -> float:
        now = self.clock()
        delay = super().reserve(platform)
        self.starts.append((platform, now + delay))
        return delay


def _candidates(store, handles) -> list[str]:
    store.add_candidates([{"platform": "x", "handle": h, "path": {
        "kind": "search", "label": '"bake" search on X, 2026-11-29', "via": "search:bake", "count": 1}}
        for h in handles])
    return [store.find_candidate("x", h)["id"] for h in handles]


def test_queued_candidates_are_checked_within_the_rate_budget(app):
    store, refreshes = app.extensions["kolscope.store"], app.extensions[REFRESHES]
    # the app's live politeness: two X requests per 3 s (the third waits its turn, even from a replay)
    refreshes.politeness = RecordingPoliteness(budgets={"x": Budget(2, 3.0)}, backoff_base=0.05, backoff_max=0.1)
    ids = _candidates(store, HANDLES)
    replay = Replay()
    for i, h in enumerate(HANDLES):
        replay.add_capture(x_capture(h, 1000 + i))
    checks = app.extensions[CANDIDATE_CHECKS]
    checks.queue(ids, replay=replay, fetcher_options=FETCH, wait=True)
    status = checks.status()
    assert not status["running"] and status["counts"] == {"checked": 3}, status
    starts = sorted(t for p, t in refreshes.politeness.starts if p == "x")
    assert len(starts) == 3 and starts[2] - starts[0] >= 3.0 - 1e-6  # never three in one window
    for i, (cid, h) in enumerate(zip(ids, HANDLES)):
        cand = store.get_candidate(cid)
        assert cand["state"] == "checked" and cand["checked_at"] and cand["state_reason"] is None
        assert store.latest("x", h)["snapshot"]["followers"] == 1000 + i  # captured, scored, stored
        assert store.latest("x", h)["scores"]


def test_a_platform_cooling_down_fails_its_candidates_with_the_reason(app):
    store, refreshes = app.extensions["kolscope.store"], app.extensions[REFRESHES]
    refreshes.politeness = Politeness.unlimited(backoff_base=0.05, backoff_max=0.1)
    refreshes.politeness.record("x", None, Verdict(BLOCKED, "blocked", "HTTP 429 (rate limited)"))
    ids = _candidates(store, HANDLES[:2])
    replay = Replay()
    for h in HANDLES[:2]:
        replay.add_capture(x_capture(h))
    app.extensions[CANDIDATE_CHECKS].queue(ids, replay=replay, fetcher_options=FETCH, wait=True)
    for cid, h in zip(ids, HANDLES):
        cand = store.get_candidate(cid)
        assert cand["state"] == "failed"
        assert cand["state_reason"].startswith("Paused: X is limiting requests") and "will retry" in cand["state_reason"], cand["state_reason"]
        assert store.latest("x", h) is None  # nothing fetched during the cool-down


def test_the_api_queues_and_reports_progress(app, client, auth, tmp_path):
    app.config["REPLAY_DIR"] = str(write_replay_dir(tmp_path / "replay", [x_capture(h) for h in HANDLES[:2]]))
    app.config["REFRESH_FETCHER_OPTIONS"] = FETCH
    store = app.extensions["kolscope.store"]
    ids = _candidates(store, HANDLES[:2])
    bad = client.post("/api/v1/candidates/refresh", json={"ids": [ids[0], "cd_000000000000", "nope"]}, headers=auth)
    assert bad.status_code == 400 and set(bad.json["error"]["fields"]) == {"ids.1", "ids.2"}
    assert store.get_candidate(ids[0])["state"] == "new"  # nothing queued
    assert client.post("/api/v1/candidates/refresh", json={"ids": []}, headers=auth).status_code == 400
    r = client.post("/api/v1/candidates/refresh", json={"ids": ids}, headers=auth)
    assert r.status_code == 202 and r.json["queued"] == ids and r.headers["Location"] == "/api/v1/candidates/refresh"
    again = client.post("/api/v1/candidates/refresh", json={"ids": ids[:1]}, headers=auth).json
    assert again["queued"] in ([], ids[:1])  # already queued unless the first check finished meanwhile
    end = time.monotonic() + 90
    while client.get("/api/v1/candidates/refresh", headers=auth).json["running"]:
        assert time.monotonic() < end, "checks never finished"
        time.sleep(0.2)
    status = client.get("/api/v1/candidates/refresh", headers=auth).json
    assert status["counts"] == {"checked": 2} and status["finished_at"]
    assert client.get("/api/v1/candidates?checked=true", headers=auth).json["total"] == 2
