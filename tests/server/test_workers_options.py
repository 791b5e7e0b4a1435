"""The broker mode's edges, on a real Redis: what only the workers take (a replay, fetch options, the
page timeout and retries: `kolscope worker --timeout --retries`) is refused on the server's side in
plain words, never silently dropped; and the app's shutdown path (services.close_app, run by `serve`
on SIGTERM or Ctrl-C) closes the scheduler, the broker's connections and the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import redis

from server import create_app, services
from server.cli import main as cli_main
from server.refresh import RefreshError
from server.store import open_store
from server.workers import worker as worker_module
from server.workers.broker import WORKER_SIDE, BrokerRefreshes
from tests.conftest import ROOT
from tests.services import free_port

WORKER_ARGS = ["worker", "--database", "postgresql://127.0.0.1:1/x", "--broker", "redis://127.0.0.1:1/0"]


@pytest.fixture
def store(app_store_config):
    s = open_store(app_store_config)  # TinyDB, or PostgreSQL under KOLSCOPE_TEST_STORE=postgresql
    yield s
    s.close()


def _clients(url: str) -> int:
    """Connections Redis holds open, besides the one asking."""
    with redis.Redis.from_url(url) as c:
        return len(c.client_list()) - 1


# -- what the workers take, not the server ------------------------------------------------------------------


def test_a_replay_or_fetch_options_for_the_server_are_refused_with_a_broker(tmp_path, app_store_config, redis_url):
    replay_dir = tmp_path / "replay"
    replay_dir.mkdir()
    for extra in ({"REPLAY_DIR": str(replay_dir)}, {"REFRESH_FETCHER_OPTIONS": {"timeout": 5}}):
        with pytest.raises(RefreshError) as caught:
            create_app(dict(app_store_config, TESTING=True, BROKER=redis_url, **extra))
        assert caught.value.code == WORKER_SIDE and "kolscope worker" in caught.value.message
    # the store opened for the refused app was released: another opens it (a data directory's lock)
    open_store(app_store_config).close()

    store = open_store(app_store_config)
    broker = BrokerRefreshes(store, redis_url)
    try:
        wid = store.create_watchlist("Launch")["id"]
        store.add_to_watchlist(wid, "x", "ada_runs")
        for options in ({"replay": object()}, {"fetcher_options": {"timeout": 5}}):
            with pytest.raises(RefreshError) as caught:
                broker.start_background(wid, **options)
            assert caught.value.code == WORKER_SIDE and "--replay, --timeout, --retries" in caught.value.message
            with pytest.raises(RefreshError):
                broker.run([{"platform": "x", "handle": "ada_runs"}], **options)
        assert broker.current_run(wid) is None  # nothing was enqueued
        # the candidate checks hand over the app's politeness: accepted (the workers share it in Redis)
        run, started = broker.start_background(wid, politeness=broker.politeness)
        assert started and run.counts() == {"queued": 1}
    finally:
        broker.close()
        store.close()


def test_serve_refuses_a_replay_with_a_broker_in_one_line(capsys, tmp_path):
    argv = ["serve", "--database", "postgresql://127.0.0.1:1/x", "--broker", "redis://127.0.0.1:1/0",
            "--replay", str(tmp_path), "--port", str(free_port())]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "give --replay DIR to `kolscope worker`" in err and err.count("\n") == 1, err


# -- the worker's page timeout and retries ------------------------------------------------------------------


@pytest.mark.parametrize("extra, words", [
    (["--timeout", "0"], "--timeout must be more than 0"),
    (["--timeout", "-3"], "--timeout must be more than 0"),
    (["--timeout", "nan"], "--timeout must be more than 0"),
    (["--timeout", "301"], "at most 300 seconds"),
    (["--retries", "-1"], "--retries must be between 0 and 10"),
    (["--retries", "11"], "--retries must be between 0 and 10"),
])
def test_the_worker_refuses_a_bad_timeout_or_retries_in_one_line(extra, words, capsys, monkeypatch):
    monkeypatch.setattr(worker_module, "open_store", lambda *a, **k: pytest.fail("opened the store"))
    assert cli_main([*WORKER_ARGS, *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1, err


def test_the_worker_flags_reach_its_fetcher_and_its_task(monkeypatch, postgres_url, redis_url):
    seen = {}

    def serve(worker, on_ready=None):  # instead of taking tasks: what the command built
        try:
            seen.update(timeout=worker.browser.fetcher.timeout, retries=worker.retries,
                        task_retries=worker.task.max_retries)
        finally:
            worker.close()
        return 0

    monkeypatch.setattr(worker_module, "serve", serve)
    base = ["worker", "--database", postgres_url, "--broker", redis_url]
    assert cli_main([*base, "--timeout", "7.5", "--retries", "4"]) == 0
    assert seen == {"timeout": 7.5, "retries": 4, "task_retries": 4}
    assert cli_main([*base, "--retries", "0"]) == 0  # 0: a stuck page is not asked again
    assert seen == {"timeout": worker_module.FETCH_TIMEOUT, "retries": 0, "task_retries": 0}
    assert cli_main(base) == 0
    assert seen == {"timeout": 20.0, "retries": 2, "task_retries": 2}


# -- the app's shutdown ---------------------------------------------------------------------------------------


def test_close_app_closes_the_broker_connections_and_the_store(app_store_config, redis_url):
    before = _clients(redis_url)
    app = create_app(dict(app_store_config, TESTING=True, BROKER=redis_url))
    web = app.test_client()
    auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    wid = web.post("/api/v1/watchlists", json={"name": "Launch"}, headers=auth).get_json()["id"]
    web.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "ada_runs"}, headers=auth)
    assert web.post(f"/api/v1/watchlists/{wid}/refresh", headers=auth).status_code == 202  # Redis in use
    assert _clients(redis_url) > before
    store = services.store_of(app)

    services.close_app(app)

    assert _clients(redis_url) == before  # the run board's, the politeness' and Celery's connections
    assert services.REFRESHES not in app.extensions and services.STORE not in app.extensions
    # the store is closed: a data directory's lock is free again; a database's pool is closed
    if getattr(store, "dir", None) is not None:
        open_store(app_store_config).close()
    else:
        assert store.pool.closed
    services.close_app(app)  # a second call does nothing


def test_close_app_still_closes_the_store_when_the_refreshes_fail_to_close(app_store_config, redis_url):
    app = create_app(dict(app_store_config, TESTING=True, BROKER=redis_url))
    refreshes = services.refreshes_of(app)
    closed = []

    def broken_close():
        refreshes.redis.close()
        raise RuntimeError("the producer pool would not close")

    refreshes.close = broken_close
    store = services.store_of(app)
    real_close = store.close
    store.close = lambda: closed.append(real_close())
    with pytest.raises(RuntimeError, match="would not close"):
        services.close_app(app)
    assert closed == [None]


def test_serve_closes_the_app_on_sigterm(tmp_path, postgres_url, redis_url):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = _clients(redis_url)
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--database", postgres_url,
                             "--broker", redis_url, "--data", str(tmp_path / "data"), "--port", str(port),
                             "--no-scheduler"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        lines = []
        while not any("serving on" in line for line in lines):
            line = proc.stdout.readline()
            assert line and time.monotonic() < deadline, "".join(lines)
            lines.append(line)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, "".join(lines) + out
    assert "kolscope: stopped" in out and "Traceback" not in out, out
    assert _clients(redis_url) == before


# -- progress in one set of words -----------------------------------------------------------------------------


def test_an_outcome_line_is_short_and_says_how_the_creator_ended():
    from server.refresh import CreatorOutcome

    assert CreatorOutcome("x", "ada", "ok", followers=12345).line() == "x/ada: ok, 12,345 followers"
    assert CreatorOutcome("x", "bo", "stale", reason="the page did not load within 20 s",
                          code="timeout").line() == "x/bo: stale (timeout)"
    assert CreatorOutcome("tiktok", "cy", "running").line() == "tiktok/cy: running"


def test_the_worker_logs_each_creator_as_kolscope_refresh_shows_it(store, redis_url, caplog):
    from tests.server.test_workers import ThreadWorker, _replay

    broker = BrokerRefreshes(store, redis_url)
    worker = ThreadWorker(store, redis_url, replay=_replay(["ada_runs"]), timeout=8)
    try:
        with caplog.at_level("INFO", logger="kolscope.worker"):
            run = broker.run([{"platform": "x", "handle": "ada_runs"}], timeout=60)
    finally:
        worker.stop()
        broker.close()
    assert run.counts() == {"ok": 1}
    said = [r.getMessage() for r in caplog.records if r.name == "kolscope.worker"]
    assert said == [run.creators[0].line()] == ["x/ada_runs: ok, 1,000 followers"]


def test_serve_refuses_a_broker_it_cannot_use_in_one_line(capsys, postgres_url):
    """A --broker of another scheme is found when the app starts (after the database opened): one
    line and exit 2, not a traceback."""
    argv = ["serve", "--database", postgres_url, "--broker", "http://127.0.0.1:1/0", "--no-scheduler",
            "--port", str(free_port())]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "redis://" in err and "Traceback" not in err and err.count("\n") == 1, err
