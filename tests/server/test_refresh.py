"""Watchlist refresh end to end: the real fetcher on Chromium, replayed platform pages, the real store.

Covers: a refresh adds a snapshot per creator (synthetic and real pages); a 429, a login wall and a
timeout end blocked/stale with the old data intact; a blocked creator is not asked again at once;
the scheduler keeps its jobs across a restart and runs them; one scheduler per data directory; the
CLI's table and exit codes; a refresh running while the API takes captures loses no write.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from scraper.replay import Replay, normalise_url
from scraper.politeness import Politeness
from server import create_app
from server.ingest import ingest_capture
from server.refresh import load_replay, refresh_watchlist
from server.store import Store, open_store
from tests.conftest import REALPAGES, realpage_cases, require_realpages
from tests.scraper.synthetic import LOGIN_PAGE, RATE_LIMIT_PAGE, write_replay_dir, x_capture
from tests.waiting import wait_until

FETCH = {"timeout": 8.0, "pool_size": 2}


def quick_politeness(**kw) -> Politeness:
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_max", 0.1)
    return Politeness.unlimited(**kw)


@pytest.fixture
def store(app_store_config):
    s = open_store(app_store_config)  # TinyDB, or PostgreSQL under KOLSCOPE_TEST_STORE=postgresql
    yield s
    s.close()


def _watchlist(store: Store, name: str, creators: list[tuple[str, str]]) -> str:
    wid = store.create_watchlist(name)["id"]
    for platform, handle in creators:
        store.add_to_watchlist(wid, platform, handle)
    return wid


# -- refresh -----------------------------------------------------------------------------------------


def test_refresh_adds_a_snapshot_per_creator(store, tmp_path):
    handles = ["ada_runs", "bo_bakes", "cy_codes"]
    wid = _watchlist(store, "Launch", [("x", h) for h in handles])
    replay = Replay()
    for i, h in enumerate(handles):
        replay.add_capture(x_capture(h, 1000 + i))
    run = refresh_watchlist(store, wid, replay=replay, fetcher_options=FETCH)
    assert [(c.handle, c.status) for c in run.creators] == [(h, "ok") for h in handles], run.to_dict()
    for i, h in enumerate(handles):
        assert len(store.history("x", h)) == 1
        latest = store.latest("x", h)
        assert latest["snapshot"]["followers"] == 1000 + i
        assert latest["snapshot"]["source"] == "scraper"
        assert store.refresh_status("x", h)["status"] == "ok"
    # The next refresh sees new numbers: history grows by one point per creator.
    replay2 = Replay()
    for i, h in enumerate(handles):
        replay2.add_capture(x_capture(h, 2000 + i))
    run2 = refresh_watchlist(store, wid, replay=replay2, fetcher_options=FETCH)
    assert run2.counts() == {"ok": 3}
    for i, h in enumerate(handles):
        assert len(store.history("x", h)) == 2
        assert store.latest("x", h)["snapshot"]["followers"] == 2000 + i


def _real_profile_captures() -> list[tuple[dict, dict]]:
    """Real X and TikTok profile captures that replay serves at their creator's profile URL."""
    from scraper.registry import BY_NAME

    out = []
    for case in realpage_cases("x") + realpage_cases("tiktok"):
        cap = json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
        expected = json.loads((REALPAGES / f"{case}.expected.json").read_text(encoding="utf-8"))
        if expected.get("error"):
            continue
        module = BY_NAME[expected["platform"]]
        if normalise_url(module.profile_url(expected["handle"])) == normalise_url(cap["url"]):
            out.append((cap, expected))
    return out


def test_refresh_real_pages_routed_by_url(store):
    require_realpages()
    replay = Replay.from_dir(REALPAGES)
    pairs = _real_profile_captures()
    creators = {(e["platform"], e["handle"]): e for _, e in pairs}
    assert len(creators) >= 3
    wid = _watchlist(store, "Real", list(creators))
    run = refresh_watchlist(store, wid, replay=replay, fetcher_options=FETCH)
    assert {c.status for c in run.creators} == {"ok"}, run.to_dict()
    from scraper.registry import BY_NAME

    # One account under two handles is one creator: @TwitterDev became @XDevelopers (same user id),
    # and both are among the real pages. Each account gets one history point per handle refreshed.
    handles_of: dict[tuple[str, str], list[str]] = {}
    for platform, handle in creators:
        handles_of.setdefault((platform, store.get_creator(platform, handle)["key"]), []).append(handle)
    assert len(handles_of) < len(creators)  # the renamed account was recognised
    for (platform, _key), handles in handles_of.items():
        assert len(store.history(platform, handles[0])) == len(handles)
        snap = store.latest(platform, handles[0])["snapshot"]
        wants = []
        for handle in handles:
            # Several captures of one creator (2024 and 2026): replay serves the newest; compare with it.
            served = replay.page_for(BY_NAME[platform].profile_url(handle))
            wants.append(next(e for c, e in pairs if (e["platform"], e["handle"]) == (platform, handle)
                              and c.get("captured_at") == served.captured_at)["followers"])
        # the latest snapshot is the last handle's page refreshed
        assert any(abs(snap["followers"] - w["value"]) <= (0.01 * w["value"] if w["approx"] else 0) for w in wants)


def test_429_login_wall_and_timeout_keep_the_old_data(store):
    names = {"limited": "ada_runs", "walled": "bo_bakes", "slow": "cy_codes"}
    for i, h in enumerate(names.values()):
        ingest_capture(store, x_capture(h, 500 + i))  # the good data a failed refresh must not touch
    before = {h: (store.latest("x", h), store.history("x", h)) for h in names.values()}
    wid = _watchlist(store, "Fragile", [("x", h) for h in names.values()])

    replay = Replay()
    replay.add_page(f"https://x.com/{names['limited']}", RATE_LIMIT_PAGE, status=429)
    replay.add_page(f"https://x.com/{names['walled']}", LOGIN_PAGE)
    replay.add_capture(x_capture(names["slow"], 999), delay=20.0)
    # cooldown=0: each scenario reaches the page instead of meeting the first block's cool-down.
    pol = quick_politeness(cooldown=0.0, max_retries=1)
    run = refresh_watchlist(store, wid, replay=replay, politeness=pol,
                            fetcher_options={"timeout": 1.5, "pool_size": 3})
    got = {c.handle: (c.status, c.code) for c in run.creators}
    assert got == {names["limited"]: ("blocked", "blocked"), names["walled"]: ("blocked", "login_wall"),
                   names["slow"]: ("stale", "timeout")}
    for h in names.values():
        assert (store.latest("x", h), store.history("x", h)) == before[h]  # old data intact
        status = store.refresh_status("x", h)
        assert status["status"] == got[h][0] and status["reason"]
    assert "429" in store.refresh_status("x", names["limited"])["reason"]

    # Right after, the blocked creators are not asked again (the store remembers, across runs).
    run2 = refresh_watchlist(store, wid, replay=replay, politeness=quick_politeness(cooldown=0.0, max_retries=0),
                             fetcher_options={"timeout": 1.5, "pool_size": 3})
    again = {c.handle: (c.status, c.code, c.attempts) for c in run2.creators}
    assert again[names["limited"]] == ("blocked", "retry_later", 0)
    assert again[names["walled"]] == ("blocked", "retry_later", 0)
    assert again[names["slow"]][:2] == ("stale", "timeout")
    for h in names.values():
        assert (store.latest("x", h), store.history("x", h)) == before[h]


def test_a_page_of_another_creator_is_not_stored(store):
    wid = _watchlist(store, "Renamed", [("x", "old_name")])
    replay = Replay()
    replay.add_capture(x_capture("new_name"), url="https://x.com/old_name")
    run = refresh_watchlist(store, wid, replay=replay, fetcher_options=FETCH)
    # The X parser already refuses a page whose data names another account; the refresh checks too.
    assert run.creators[0].status == "error"
    assert run.creators[0].code in ("other_creator", "not_a_creator_page")
    assert store.history("x", "new_name") == [] and store.history("x", "old_name") == []


# -- CLI -----------------------------------------------------------------------------------------------


def test_cli_refresh_table_and_exit_codes(tmp_path, capsys):
    from server.cli import main

    data = tmp_path / "data"
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture("ada_runs", 1234), x_capture("bo_bakes", 5678)])
    with Store(data) as s:
        wid = _watchlist(s, "Launch", [("x", "ada_runs"), ("x", "bo_bakes")])
        other = _watchlist(s, "Ghosts", [("x", "not_replayed")])
    assert main(["refresh", "launch", "--replay", str(replay_dir), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "ada_runs" in out and "1,234" in out and "5,678" in out and "ok: 2" in out
    with Store(data) as s:
        assert len(s.history("x", "bo_bakes")) == 1
    # A creator the replay has no page for fails: exit 1, the table says why.
    assert main(["refresh", other, "--replay", str(replay_dir), "--data", str(data)]) == 1
    assert "not_replayed" in capsys.readouterr().out
    # Bad input: exit 2 with a message, no browser started.
    assert main(["refresh", "--data", str(data)]) == 2
    assert main(["refresh", wid, "--all", "--data", str(data)]) == 2
    assert main(["refresh", "nope", "--replay", str(replay_dir), "--data", str(data)]) == 2
    assert main(["refresh", "--all", "--replay", str(tmp_path / "missing"), "--data", str(data)]) == 2
    with Store(data):  # the directory in use (as by a running server)
        assert main(["refresh", "--all", "--replay", str(replay_dir), "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert "no watchlist 'nope'" in err and "does not exist" in err and "POST /api/v1/watchlists" in err


# -- scheduler -------------------------------------------------------------------------------------------


def _app(data, replay_dir=None, **extra):
    cfg = {"DATA_DIR": str(data), "TESTING": True, "SCHEDULER_ENABLED": True,
           "REPLAY_DIR": str(replay_dir) if replay_dir else None, "REFRESH_FETCHER_OPTIONS": FETCH}
    cfg.update(extra)
    return create_app(cfg)


def _close(app):
    from server import scheduler

    scheduler.shutdown(app)
    app.extensions["kolscope.store"].close()


def test_restart_keeps_the_schedules_and_jobs_run(tmp_path):
    from server import scheduler

    data = tmp_path / "data"
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture("ada_runs", 4321)])
    app = _app(data, replay_dir)
    wid = _watchlist(app.extensions["kolscope.store"], "Daily", [("x", "ada_runs")])
    try:
        sched = scheduler.start(app)
        assert sched is not None and scheduler.start(app) is sched  # one per data directory
        job = sched.get_job(scheduler.job_id(wid))
        assert job.func_ref == "server.scheduler:run_watchlist_job"
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, scheduler.MISFIRE_GRACE_SECONDS)
        first_next = scheduler.next_run(app, wid)
    finally:
        _close(app)
    assert (data / "scheduler.sqlite").is_file()

    app2 = _app(data, replay_dir)
    try:
        sched2 = scheduler.start(app2)
        job2 = sched2.get_job(scheduler.job_id(wid))
        assert job2 is not None and scheduler.next_run(app2, wid) == first_next  # not rescheduled
        assert job2.trigger.interval.total_seconds() == 24 * 3600
        # Run it now, as the clock would: the scheduled job refreshes through the app's store.
        sched2.modify_job(scheduler.job_id(wid), next_run_time=datetime.now(UTC))
        store = app2.extensions["kolscope.store"]
        wait_until(lambda: len(store.history("x", "ada_runs")) == 1)
        assert store.latest("x", "ada_runs")["snapshot"]["followers"] == 4321
        assert wait_until(lambda: store.refresh_status("x", "ada_runs").get("status") == "ok")
        # Watchlist changes through the API reschedule at once.
        client = app2.test_client()
        h = {"Authorization": f"Bearer {app2.config['TOKEN']}"}
        assert client.patch(f"/api/v1/watchlists/{wid}", json={"name": "Daily", "refresh_interval_hours": 2},
                            headers=h).status_code == 200
        assert sched2.get_job(scheduler.job_id(wid)).trigger.interval.total_seconds() == 2 * 3600
        new = client.post("/api/v1/watchlists", json={"name": "Weekly", "refresh_interval_hours": 168}, headers=h)
        assert sched2.get_job(scheduler.job_id(new.get_json()["id"])) is not None
        assert client.delete(f"/api/v1/watchlists/{wid}", headers=h).status_code == 204
        assert sched2.get_job(scheduler.job_id(wid)) is None
    finally:
        _close(app2)


def test_only_one_scheduler_per_data_directory(tmp_path, monkeypatch):
    from server import scheduler

    data = tmp_path / "data"
    app = _app(data)
    try:
        # Another process holds the scheduler's lock: this one does not start a second scheduler.
        holder = subprocess.Popen([sys.executable, "-c", (
            "import fcntl, sys, time\n"
            f"f = open({str(data / scheduler.LOCK_NAME)!r}, 'a+')\n"
            "fcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)\n")],
            stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            assert scheduler.start(app) is None
        finally:
            holder.kill()
            holder.wait()
        # Flask's reloader: the watcher process (debug, no WERKZEUG_RUN_MAIN) never schedules ...
        app.debug = True
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
        assert scheduler.start(app) is None
        # ... its serving child does.
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        assert scheduler.start(app) is not None
        # Disabled by config (tests, --no-scheduler): nothing starts.
        other = create_app({"DATA_DIR": str(tmp_path / "other"), "TESTING": True})
        assert scheduler.start(other) is None
        other.extensions["kolscope.store"].close()
    finally:
        _close(app)


# -- API and concurrency ----------------------------------------------------------------------------------


def test_api_refresh_while_captures_arrive_loses_no_write(tmp_path):
    watched = [f"w_{i}" for i in range(6)]
    # The API posts captures in a loop for as long as the refresh runs, so the writes interleave.
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture(h, 100 + i) for i, h in enumerate(watched)])
    app = _app(tmp_path / "data", replay_dir, SCHEDULER_ENABLED=False)
    client = app.test_client()
    h = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    try:
        wid = client.post("/api/v1/watchlists", json={"name": "Busy"}, headers=h).get_json()["id"]
        for handle in watched:
            assert client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": handle},
                               headers=h).status_code == 201
        assert client.post("/api/v1/watchlists/wl_000000000000/refresh", headers=h).status_code == 404
        assert client.post(f"/api/v1/watchlists/{wid}/refresh").status_code == 401
        r = client.post(f"/api/v1/watchlists/{wid}/refresh", headers=h)
        assert r.status_code == 202 and r.get_json()["started"] is True
        assert client.post(f"/api/v1/watchlists/{wid}/refresh", headers=h).get_json()["started"] is False
        status = client.get(f"/api/v1/watchlists/{wid}/refresh", headers=h).get_json()
        assert status["running"] is True
        assert {c["status"] for c in status["creators"]} <= {"running", "queued"}

        posted: dict[str, int] = {}
        n = 0
        # Captures for watched creators and for others, through the API, while the refresh writes.
        while n < 12 or client.get(f"/api/v1/watchlists/{wid}/refresh", headers=h).get_json()["running"]:
            handle = watched[n % len(watched)] if n % 2 == 0 else f"api_{n % 5}"
            resp = client.post("/api/v1/captures", json=x_capture(handle, 7000 + n), headers=h)
            assert resp.status_code == 201, resp.get_json()
            posted[handle] = posted.get(handle, 0) + 1
            n += 1
            assert n < 2000
        final = client.get(f"/api/v1/watchlists/{wid}/refresh", headers=h).get_json()
        assert final["counts"] == {"ok": len(watched)}, final
        assert all(c["last"]["status"] == "ok" and c["last"]["at"] for c in final["creators"])
        store = app.extensions["kolscope.store"]
        for handle in watched:
            assert len(store.history("x", handle)) == posted.get(handle, 0) + 1, handle
        for handle, count in posted.items():
            if handle.startswith("api_"):
                assert len(store.history("x", handle)) == count
    finally:
        app.extensions["kolscope.store"].close()


def test_bad_replay_dir_is_a_json_error(tmp_path):
    app = _app(tmp_path / "data", tmp_path / "missing", SCHEDULER_ENABLED=False)
    client = app.test_client()
    h = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    try:
        wid = client.post("/api/v1/watchlists", json={"name": "W"}, headers=h).get_json()["id"]
        r = client.post(f"/api/v1/watchlists/{wid}/refresh", headers=h)
        assert r.status_code == 503 and r.get_json()["error"]["code"] == "bad_replay"
    finally:
        app.extensions["kolscope.store"].close()
    assert load_replay(None) is None


def test_triggers_from_watchlist_settings():
    from apscheduler.triggers.cron import CronTrigger

    from server.scheduler import trigger_for

    assert trigger_for({"refresh_interval_hours": 6}).interval.total_seconds() == 6 * 3600
    assert trigger_for({"refresh_interval_hours": 0.01}).interval.total_seconds() == 15 * 60  # floor
    assert trigger_for({"refresh_interval_hours": "junk"}).interval.total_seconds() == 24 * 3600
    cron = trigger_for({"refresh_interval_hours": 6, "refresh_cron": "30 6 * * 1-5"})
    assert isinstance(cron, CronTrigger)
    assert str(cron.fields[cron.FIELD_NAMES.index("hour")]) == "6"


def test_youtube_channel_watched_by_its_id(store):
    """Older channels have no @handle: watched by channel id, refreshed from /channel/<id>."""
    require_realpages()
    replay = Replay.from_dir(REALPAGES / "youtube")
    channel = "UCsXVk37bltHxD1rDPwtNM8Q"  # kurzgesagt: a 2021 page without @handle, a 2026 one with it
    wid = _watchlist(store, "YT", [("youtube", channel)])
    run = refresh_watchlist(store, wid, replay=replay, fetcher_options=FETCH)
    assert (run.creators[0].status, run.creators[0].reason) == ("ok", None)
    snap = store.latest("youtube", channel)["snapshot"]
    assert snap["handle"] == channel and snap["platform_id"] == channel
    assert snap["followers"] > 10_000_000
