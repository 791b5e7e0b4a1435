"""Two apps in one process (two data directories) share nothing: not the store, not a refresh run nor
the browser lock, not the rate budgets, not re-scoring, not the dashboard sessions, the registered
extension or the scheduler. Each test starts something on one app and checks the other."""

from __future__ import annotations

import threading

import pytest

from scraper.fetch import FetchResult
from server import create_app, rescore, scheduler, services
from server.refresh import Refreshes
from tests.server.api.conftest import post_capture, x_capture

BRIEF = {"name": "Running gear", "keywords": ["running", "marathon"], "languages": ["en"]}
EXT_ID = "a" * 32


@pytest.fixture
def two_apps(tmp_path):
    apps = [create_app({"DATA_DIR": str(tmp_path / name), "TESTING": True, "STORE_FSYNC": False})
            for name in ("one", "two")]
    yield apps
    for app in apps:
        scheduler.shutdown(app)
        services.store_of(app).close()


def _auth(app) -> dict:
    return {"Authorization": f"Bearer {app.config['TOKEN']}"}


def _watchlist(app, handles: list[str]) -> str:
    store = services.store_of(app)
    wid = store.create_watchlist("Launch")["id"]
    for handle in handles:
        store.add_to_watchlist(wid, "x", handle)
    return wid


def test_each_app_creates_its_own_services(two_apps):
    one, two = two_apps
    for key in (services.STORE, services.REFRESHES, services.RESCORER, services.EXTENSION, "kolscope.sessions"):
        assert one.extensions[key] is not two.extensions[key], key
    assert services.refreshes_of(one).store is services.store_of(one)
    assert services.refreshes_of(one).politeness is not services.refreshes_of(two).politeness  # rate budgets


def test_a_refresh_on_one_app_neither_shows_on_nor_blocks_the_other(two_apps, monkeypatch):
    one, two = two_apps
    wid_one, wid_two = _watchlist(one, ["ada_runs"]), _watchlist(two, ["bo_bakes"])
    release, holding = threading.Event(), threading.Event()

    def fake_fetch_all(requests, on_result, **_):
        """App one's fetch holds its browser until released; app two's answers at once."""
        for req in requests:
            if req.handle == "ada_runs":
                holding.set()
                assert release.wait(30)
            on_result(FetchResult(request=req, status="stale", code="timeout", reason="no answer"))

    monkeypatch.setattr("server.refresh.fetch_all", fake_fetch_all)
    try:
        r = one.test_client().post(f"/api/v1/watchlists/{wid_one}/refresh", headers=_auth(one))
        assert r.status_code == 202 and r.get_json()["started"] is True
        assert holding.wait(30)  # app one's run now holds its browser lock
        status_one = one.test_client().get(f"/api/v1/watchlists/{wid_one}/refresh", headers=_auth(one)).get_json()
        assert status_one["running"] is True

        # app two: no run of its own yet, and a run of its own finishes while app one's still holds on
        client_two = two.test_client()
        assert client_two.get(f"/api/v1/watchlists/{wid_two}/refresh", headers=_auth(two)).get_json()["run"] is None
        done = threading.Event()
        worker = threading.Thread(target=lambda: (services.refreshes_of(two).run_watchlist(wid_two), done.set()))
        worker.start()
        assert done.wait(10), "app two's refresh waited for app one's browser"
        status_two = client_two.get(f"/api/v1/watchlists/{wid_two}/refresh", headers=_auth(two)).get_json()
        assert status_two["running"] is False and status_two["counts"] == {"stale": 1}
        assert services.refreshes_of(two).current_run(wid_one) is None
    finally:
        release.set()
    run = services.refreshes_of(one).current_run(wid_one)
    for _ in range(300):
        if not run.running:
            break
        threading.Event().wait(0.1)
    assert not run.running and run.counts() == {"stale": 1}


def test_one_off_refreshes_share_nothing_with_the_app(two_apps):
    one, _ = two_apps
    own = Refreshes(services.store_of(one))
    assert own.politeness is not services.refreshes_of(one).politeness


def test_a_new_rescore_on_one_app_does_not_stop_the_other_apps(two_apps, monkeypatch):
    one, two = two_apps
    for app in two_apps:
        for handle in ("ada_runs", "bo_runs", "cy_runs"):
            assert post_capture(app.test_client(), _auth(app), x_capture(handle)).status_code == 201
    briefs = {id(app): services.store_of(app).create_brief(BRIEF) for app in two_apps}
    real = rescore.scores_for_latest
    entered, release = threading.Event(), threading.Event()

    def slow_for_app_one(store, *args):
        if store is services.store_of(one):
            entered.set()
            assert release.wait(30)
        return real(store, *args)

    monkeypatch.setattr(rescore, "scores_for_latest", slow_for_app_one)
    thread_one = one.extensions[services.RESCORER].start(services.store_of(one), briefs[id(one)])
    assert entered.wait(30)  # app one's re-score is inside its first creator
    thread_two = two.extensions[services.RESCORER].start(services.store_of(two), briefs[id(two)])
    thread_two.join(30)
    release.set()
    thread_one.join(30)
    for app in two_apps:  # app two's start superseded nothing of app one's: every creator re-scored
        store = services.store_of(app)
        assert [store.latest("x", h)["brief_id"] for h in ("ada_runs", "bo_runs", "cy_runs")] == [briefs[id(app)]["id"]] * 3


def test_a_newer_rescore_on_the_same_app_stops_the_older(two_apps, monkeypatch):
    one, _ = two_apps
    for handle in ("ada_runs", "bo_runs", "cy_runs"):
        assert post_capture(one.test_client(), _auth(one), x_capture(handle)).status_code == 201
    store = services.store_of(one)
    first, second = store.create_brief(BRIEF), store.create_brief(dict(BRIEF, name="Trail"))
    real = rescore.scores_for_latest
    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_first(store_, platform, key, latest, brief_doc):
        calls.append(brief_doc["id"])
        if brief_doc["id"] == first["id"]:
            entered.set()
            assert release.wait(30)
        return real(store_, platform, key, latest, brief_doc)

    monkeypatch.setattr(rescore, "scores_for_latest", slow_first)
    rescorer = one.extensions[services.RESCORER]
    older = rescorer.start(store, first)
    assert entered.wait(30)
    newer = rescorer.start(store, second)
    newer.join(30)
    release.set()
    older.join(30)
    assert calls.count(first["id"]) == 1  # the older run stopped after the creator it was on


def test_sessions_and_extension_registration_are_per_app(two_apps):
    one, two = two_apps
    login = one.test_client()
    assert login.post("/login", data={"token": one.config["TOKEN"]}).status_code == 303
    cookie = login.get_cookie("kolscope_session").value
    other = two.test_client()
    other.set_cookie("kolscope_session", cookie)
    assert other.get("/api/v1/creators").status_code == 401  # app one's session means nothing to app two

    r = one.test_client().put("/api/v1/extension", json={"id": EXT_ID}, headers=_auth(one))
    assert r.status_code == 200
    assert one.test_client().get("/api/v1/extension", headers=_auth(one)).get_json()["id"] == EXT_ID
    assert two.test_client().get("/api/v1/extension", headers=_auth(two)).get_json()["id"] is None


def test_each_app_runs_its_own_scheduler(two_apps):
    one, two = two_apps
    wid_one, wid_two = _watchlist(one, ["ada_runs"]), _watchlist(two, ["bo_bakes"])
    sched_one, sched_two = scheduler.start(one, force=True), scheduler.start(two, force=True)
    assert sched_one is not None and sched_two is not None and sched_one is not sched_two
    assert scheduler.runtime_for(one).refreshes is services.refreshes_of(one)
    assert sched_one.get_job(scheduler.job_id(wid_two)) is None and sched_two.get_job(scheduler.job_id(wid_two))
    assert scheduler.next_run(one, wid_one) and scheduler.next_run(two, wid_one) is None
    scheduler.shutdown(one)
    assert scheduler.runtime_for(one) is None and sched_two.running


def test_a_job_run_outside_a_kolscope_scheduler_does_nothing(tmp_path, caplog):
    scheduler.run_watchlist_job(str(tmp_path), "wl_000000000000")
    assert "not run by a kolscope scheduler" in caplog.text
