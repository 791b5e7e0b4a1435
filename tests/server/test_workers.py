"""Refresh workers on a real Redis: the shared politeness, the queue and the worker (server/workers).

Covers: the Redis rate budget's arithmetic, cool-downs and creator retry-afters seen by every
instance; two processes on a 3 requests / 3 s budget never send more than 3 in any window; an API
refresh through the broker with one worker (in a thread, the TinyDB store shared in this process)
reads the same as an in-process one; a stuck page times out, is retried with backoff and ends stale
with the reason; a task delivered twice stores one snapshot; `kolscope worker` refuses a data
directory or a missing broker in one line. The multi-process SIGKILL test is test_workers_kill.py.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import pytest
import redis

from scraper.politeness import BLOCKED, OK, Budget, Verdict
from scraper.replay import Replay
from server import create_app
from server.cli import main as cli_main
from server.refresh import Refreshes
from server.store import open_store
from server.workers.board import RunBoard
from server.workers.broker import REFRESH_TASK, BrokerRefreshes
from server.workers.politeness import RedisPoliteness
from server.workers.worker import Worker
from tests.conftest import ROOT
from tests.scraper.synthetic import write_replay_dir, x_capture
from tests.waiting import wait_until


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


# -- the shared politeness ------------------------------------------------------------------------------


def test_reserve_gives_the_budget_then_spaces_the_rest(client):
    pol = RedisPoliteness(client, {"x": Budget(3, 2.0)})
    waits = [pol.reserve("x") for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    # the 4th and 5th slots free when the 1st and 2nd leave the window, ~2 s on
    assert 1.8 < waits[3] <= 2.0 and 1.8 < waits[4] <= 2.0, waits
    # another platform has its own budget; another instance sees this one's
    assert pol.reserve("tiktok") == 0.0
    other = RedisPoliteness(client, {"x": Budget(3, 2.0)})
    assert 1.8 < other.reserve("x") <= 2.0  # the window from ~2 s holds three: the third is this one
    assert 3.8 < other.reserve("x") <= 4.0


def test_a_block_cools_the_platform_down_for_every_instance(client):
    a = RedisPoliteness(client, cooldown=60, cooldown_max=200, creator_retry_after=300)
    b = RedisPoliteness(client, cooldown=60, cooldown_max=200, creator_retry_after=300)
    assert b.cooldown_left("x") == 0 and b.creator_wait("x", "Ada") == 0
    a.record("x", "ada", Verdict(BLOCKED, "blocked", "HTTP 429 (rate limited)"))
    assert 59 < b.cooldown_left("x") <= 60
    assert b.cooldown_reason("x") == "HTTP 429 (rate limited)"
    assert 299 < b.creator_wait("x", "ADA") <= 300
    assert b.cooldown_left("tiktok") == 0
    # blocks in a row double the cool-down, up to its maximum
    b.record("x", None, Verdict(BLOCKED, "blocked", "again"))
    assert 119 < a.cooldown_left("x") <= 120
    a.record("x", None, Verdict(BLOCKED, "blocked", "again"))
    assert 199 < a.cooldown_left("x") <= 200
    # an OK answer clears the creator and the run of blocks (the cool-down itself runs its course)
    a.record("x", "ada", Verdict(OK))
    assert b.creator_wait("x", "ada") == 0
    a.record("x", None, Verdict(BLOCKED, "blocked", "after an ok"))
    assert 199 < b.cooldown_left("x") <= 200  # never shortened by a new, shorter cool-down


SENDER = """
import sys, time, redis
from scraper.politeness import Budget
from server.workers.politeness import RedisPoliteness
client = redis.Redis.from_url(sys.argv[1])
pol = RedisPoliteness(client, {"x": Budget(3, 3.0)})
client.incr("ready")
while int(client.get("ready")) < 2:  # both processes start sending together
    time.sleep(0.005)
for _ in range(int(sys.argv[2])):
    time.sleep(pol.reserve("x"))
    client.rpush("sent", repr(time.time()))
"""


def test_two_processes_share_a_budget_of_3_requests_in_3_seconds(client, redis_url):
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", SENDER, redis_url, "4"], env=env, cwd=ROOT) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=60) == 0
    sent = sorted(float(t) for t in client.lrange("sent", 0, -1))
    assert len(sent) == 8
    # No 4 sends within one window. The slack covers a sleep that ends a little late: it can only
    # move a send later, never earlier, so a send early by more than it is the budget broken.
    slack = 0.05
    gaps = [round(sent[i + 3] - sent[i], 3) for i in range(len(sent) - 3)]
    assert min(gaps) >= 3.0 - slack, gaps
    # and the budget was what held them back: 8 sends at 3 per window take over two windows
    assert sent[-1] - sent[0] >= 6.0 - slack


# -- the run board ----------------------------------------------------------------------------------------


def test_a_run_on_the_board_reads_like_an_in_process_run(client):
    from server.refresh import CreatorOutcome

    board = RunBoard(client)
    creators = [{"platform": "x", "handle": "Ada"}, {"platform": "x", "handle": "bo"}]
    run_id = board.create("wl_1", creators, "2026-01-01T00:00:00.000Z")
    run = board.current("wl_1")
    assert run.running and [c.status for c in run.creators] == ["queued", "queued"]
    done = CreatorOutcome("x", "Ada", "ok", at="2026-01-01T00:00:02.000Z")
    assert board.set_outcome(run_id, done)
    # a late "running" (the same task delivered again) does not undo an ended creator
    assert not board.set_outcome(run_id, CreatorOutcome("x", "ada", "running"))
    board.set_outcome(run_id, CreatorOutcome("x", "bo", "stale", reason="timeout", at="2026-01-01T00:00:05.000Z"))
    run = board.run(run_id)
    assert not run.running and run.finished_at == "2026-01-01T00:00:05.000Z"
    assert run.counts() == {"ok": 1, "stale": 1}
    assert run.to_dict()["creators"][1]["reason"] == "timeout"
    # a task of a run that expired writes nothing (no run without its start comes back to life)
    assert not board.set_outcome("gone", done) and board.run("gone") is None


# -- a worker in a thread ---------------------------------------------------------------------------------


class ThreadWorker:
    """A refresh worker (its own browser, Celery's worker on threads) running in this process."""

    def __init__(self, store, broker_url: str, **options):
        self.worker = Worker(store, broker_url, **options).start()
        self.controller = self.worker.controller()
        self.thread = threading.Thread(target=self.controller.start, name="test-worker", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.controller.stop()
        self.thread.join(timeout=20)
        self.worker.close()


@pytest.fixture
def store(app_store_config):
    s = open_store(app_store_config)  # TinyDB, or PostgreSQL under KOLSCOPE_TEST_STORE=postgresql
    yield s
    s.close()


def _replay(handles: list[str]) -> Replay:
    replay = Replay()
    for i, h in enumerate(handles):
        replay.add_capture(x_capture(h, 1000 + i))
    return replay


def test_an_api_refresh_through_the_broker_with_one_worker(tmp_path, app_store_config, redis_url):
    handles = ["ada_runs", "bo_bakes", "cy_codes", "di_draws"]
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture(h, 1000 + i) for i, h in enumerate(handles)])
    app = create_app(dict(app_store_config, TESTING=True, BROKER=redis_url))  # the worker has the replay
    store = app.extensions["kolscope.store"]
    assert isinstance(app.extensions["kolscope.refreshes"], BrokerRefreshes)
    web = app.test_client()
    auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    wid = web.post("/api/v1/watchlists", json={"name": "Launch"}, headers=auth).get_json()["id"]
    for h in handles:
        assert web.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": h},
                        headers=auth).status_code in (200, 201)
    resp = web.post(f"/api/v1/watchlists/{wid}/refresh", headers=auth)
    assert resp.status_code == 202 and resp.get_json()["creators"] == 4
    # queued on the broker: nothing runs them yet, and the status says so
    status = web.get(f"/api/v1/watchlists/{wid}/refresh", headers=auth).get_json()
    assert status["running"] and status["counts"] == {"queued": 4}
    again = web.post(f"/api/v1/watchlists/{wid}/refresh", headers=auth).get_json()
    assert again["started"] is False  # a run still going is answered, not doubled
    assert web.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    assert "Refreshing 0 of 4" in web.get(f"/watchlists/{wid}").get_data(as_text=True)  # the dashboard too

    worker = ThreadWorker(store, redis_url, concurrency=2, replay=Replay.from_dir(replay_dir), timeout=8)
    try:
        status = wait_until(lambda: (s := web.get(f"/api/v1/watchlists/{wid}/refresh", headers=auth).get_json())
                            and not s["running"] and s)
    finally:
        worker.stop()
    assert status["counts"] == {"ok": 4}, status
    assert status["run"]["counts"] == {"ok": 4} and status["run"]["finished_at"]
    for i, h in enumerate(handles):
        assert len(store.history("x", h)) == 1
        assert store.latest("x", h)["snapshot"]["followers"] == 1000 + i
        assert store.refresh_status("x", h)["status"] == "ok"
    assert "Refreshing" not in web.get(f"/watchlists/{wid}").get_data(as_text=True)
    app.extensions["kolscope.refreshes"].close()
    store.close()


def test_a_stuck_page_times_out_retries_with_backoff_then_ends_stale(store, redis_url):
    replay = _replay(["ada_runs"])
    replay.add_page("https://x.com/stuck_one", "<html></html>", delay=30.0)  # never answers in time
    broker = BrokerRefreshes(store, redis_url)
    worker = ThreadWorker(store, redis_url, replay=replay, timeout=1.0, retries=2,
                          politeness={"backoff_base": 0.2, "backoff_max": 0.4})
    try:
        t0 = time.monotonic()
        heard = []  # the candidate checks' way: told of each creator as it ends, once
        run = broker.run([{"platform": "x", "handle": "stuck_one"}, {"platform": "x", "handle": "ada_runs"}],
                         timeout=60, on_result=lambda o: heard.append((o.handle, o.status)))
        took = time.monotonic() - t0
    finally:
        worker.stop()
        broker.close()
    by = {c.handle: c for c in run.creators}
    assert by["ada_runs"].status == "ok"
    assert sorted(heard) == [("ada_runs", "ok"), ("stuck_one", "stale")]
    stuck = by["stuck_one"]
    assert (stuck.status, stuck.code, stuck.attempts) == ("stale", "timeout", 3), stuck
    assert "did not load within 1 s" in stuck.reason
    assert store.refresh_status("x", "stuck_one")["status"] == "stale"
    assert store.history("x", "stuck_one") == []
    assert took >= 3 * 1.0 + 0.1 + 0.2  # three timeouts and two backoffs of at least base/2, base


def test_a_task_delivered_twice_stores_one_snapshot(store, redis_url):
    """The same task (same Celery id) run again, as after its worker died before acknowledging it."""
    broker = BrokerRefreshes(store, redis_url)
    worker = ThreadWorker(store, redis_url, replay=_replay(["ada_runs"]), timeout=8)
    try:
        runs = []
        for _ in range(2):  # two runs, one task id: the second delivery finds its snapshot stored
            run_id = broker.board.create(None, [{"platform": "x", "handle": "ada_runs"}], "2026-01-01T00:00:00Z")
            broker.celery.send_task(REFRESH_TASK, args=[run_id, "x", "ada_runs"], task_id="the-same-task")
            runs.append(wait_until(lambda run_id=run_id: (r := broker.board.run(run_id)) and not r.running and r))
    finally:
        worker.stop()
        broker.close()
    assert [r.creators[0].status for r in runs] == ["ok", "ok"]
    assert len(store.history("x", "ada_runs")) == 1


def test_the_scheduler_enqueues_with_a_broker(store, redis_url):
    from server.scheduler import Runtime, run_watchlist_job

    wid = store.create_watchlist("Daily")["id"]
    store.add_to_watchlist(wid, "x", "ada_runs")
    broker = BrokerRefreshes(store, redis_url)
    try:
        rt = Runtime(data_dir="unused", refreshes=broker, replay_dir=None, lock_fh=None)
        t0 = time.monotonic()
        run_watchlist_job("unused", wid, runtime=rt)  # no worker: the job only enqueues, and returns
        assert time.monotonic() - t0 < 5
        run = broker.current_run(wid)
        assert run.running and run.counts() == {"queued": 1}
        assert redis.Redis.from_url(redis_url).llen("kolscope.refresh") == 1
    finally:
        broker.close()


def test_without_a_broker_refreshes_stay_in_process(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "STORE_FSYNC": False, "TESTING": True})
    assert type(app.extensions["kolscope.refreshes"]) is Refreshes
    app.extensions["kolscope.store"].close()


# -- the command --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, words", [
    (["worker", "--broker", "redis://127.0.0.1:1/0"], "a data directory (TinyDB) is one process's"),
    (["worker", "--database", "postgresql://127.0.0.1:1/x"], "no broker"),
    (["worker", "--database", "postgresql://127.0.0.1:1/x", "--broker", "amqp://h/"], "must be a redis://"),
    (["worker", "--database", "postgresql://127.0.0.1:1/x", "--broker", "redis://127.0.0.1:1/0",
      "--concurrency", "0"], "--concurrency"),
])
def test_the_worker_command_refuses_in_one_line(argv, words, capsys, monkeypatch):
    monkeypatch.delenv("KOLSCOPE_DATABASE", raising=False)
    monkeypatch.delenv("KOLSCOPE_BROKER", raising=False)
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


# -- the scheduler over a database --------------------------------------------------------------------------


def test_one_scheduler_per_database_with_its_jobs_in_the_database(tmp_path, postgres_url, redis_url):
    """Two server processes over one PostgreSQL database (two apps here: two sessions): one scheduler,
    its jobs in the database, nothing in a data directory; the second takes over once the first stops."""
    import psycopg

    from server import scheduler

    def app(name: str):
        return create_app({"DATA_DIR": str(tmp_path / name), "DATABASE": postgres_url, "BROKER": redis_url,
                           "TESTING": True, "SCHEDULER_ENABLED": True})

    first, second = app("one"), app("two")
    try:
        wid = first.extensions["kolscope.store"].create_watchlist("Daily")["id"]
        sched = scheduler.start(first)
        assert sched is not None and sched.get_job(scheduler.job_id(wid)) is not None
        due = scheduler.next_run(first, wid)
        assert scheduler.start(second) is None  # the database's scheduler runs in the first
        scheduler.shutdown(first)
        sched2 = scheduler.start(second)
        assert sched2 is not None and scheduler.next_run(second, wid) == due  # the same job, not a new one
        with psycopg.connect(postgres_url) as conn:
            ids = [r[0] for r in conn.execute(f"SELECT id FROM {scheduler.PG_JOBS_TABLE}")]
        assert ids == [scheduler.job_id(wid)]
        for name in ("one", "two"):
            assert not (tmp_path / name / scheduler.DB_NAME).exists()
            assert not (tmp_path / name / scheduler.LOCK_NAME).exists()
        # with the broker, the job enqueues: the creators wait for a worker
        second.extensions["kolscope.store"].add_to_watchlist(wid, "x", "ada_runs")
        sched2.modify_job(scheduler.job_id(wid), next_run_time=datetime.now(UTC))
        run = wait_until(lambda: second.extensions["kolscope.refreshes"].current_run(wid))
        assert run.counts() == {"queued": 1}
    finally:
        for a in (first, second):
            scheduler.shutdown(a)
            a.extensions["kolscope.refreshes"].close()
            a.extensions["kolscope.store"].close()


def test_an_unreachable_broker_is_a_clear_503_and_status_still_reads(app_store_config):
    from tests.services import free_port

    app = create_app(dict(app_store_config, TESTING=True, BROKER=f"redis://127.0.0.1:{free_port()}/0"))
    web = app.test_client()
    auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    try:
        wid = web.post("/api/v1/watchlists", json={"name": "Launch"}, headers=auth).get_json()["id"]
        resp = web.post(f"/api/v1/watchlists/{wid}/refresh", headers=auth)
        assert resp.status_code == 503, resp.get_data(as_text=True)
        error = resp.get_json()["error"]
        assert error["code"] == "queue_unavailable" and "refresh queue" in error["message"]
        status = web.get(f"/api/v1/watchlists/{wid}/refresh", headers=auth)
        assert status.status_code == 200 and status.get_json()["running"] is False
    finally:
        app.extensions["kolscope.refreshes"].close()
        app.extensions["kolscope.store"].close()
