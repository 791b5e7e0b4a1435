"""The issue's test: two `kolscope worker` processes refresh a 200-creator watchlist from replay pages
into PostgreSQL through Redis; one is SIGKILLed mid-run; every creator ends with exactly one new
snapshot (its unacknowledged tasks come back after the visibility timeout and are done by the other;
a task that had stored its snapshot before the kill stores nothing more)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from server.store import open_store
from server.workers.broker import VISIBILITY_ENV, BrokerRefreshes
from tests.conftest import ROOT
from tests.scraper.synthetic import write_replay_dir, x_capture

CREATORS = 200
VISIBILITY = 4.0  # seconds: a dead worker's tasks come back this soon


def start_worker(database: str, broker: str, replay_dir, log_path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{VISIBILITY_ENV: str(VISIBILITY)})
    env.pop("KOLSCOPE_DATA", None)
    argv = [sys.executable, "-c", "import sys; from server.cli import main; sys.exit(main(sys.argv[1:]))",
            "worker", "--database", database, "--broker", broker, "--concurrency", "2", "--replay", str(replay_dir)]
    # a session of its own: the kill takes the worker's Chromium with it, as a machine's OOM killer or a
    # pulled plug would, and leaves no browser behind
    return subprocess.Popen(argv, env=env, cwd=ROOT, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()



@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing_and_counts_nothing_twice(tmp_path, postgres_url, redis_url):
    handles = [f"kill_{i:03d}" for i in range(CREATORS)]
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture(h, 5000 + i) for i, h in enumerate(handles)])
    store = open_store({"DATABASE": postgres_url})
    wid = store.create_watchlist("Two hundred")["id"]
    for h in handles:
        store.add_to_watchlist(wid, "x", h)
    refreshes = BrokerRefreshes(store, redis_url, visibility=VISIBILITY)
    workers = [start_worker(postgres_url, redis_url, replay_dir, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        run, started = refreshes.start_background(wid)
        assert started and len(run.creators) == CREATORS

        def ended() -> int:
            return sum(1 for c in refreshes.current_run(wid).creators if c.status not in ("queued", "running"))

        deadline = time.monotonic() + 120  # a safety net: on a quiet machine it takes a few seconds
        while ended() < CREATORS // 4:
            assert time.monotonic() < deadline, "the workers did not get going"
            assert all(w.poll() is None for w in workers), (tmp_path / "worker0.log").read_text()[-2000:]
            time.sleep(0.05)
        stop(workers[0], signal.SIGKILL)  # mid-run: its tasks in hand are neither done nor acknowledged
        left_at_kill = CREATORS - ended()
        assert left_at_kill > CREATORS // 4

        deadline = time.monotonic() + 480  # ~30 s on a quiet machine; a safety net, not a timing
        while refreshes.current_run(wid).running:
            assert time.monotonic() < deadline, refreshes.current_run(wid).counts()
            assert workers[1].poll() is None, (tmp_path / "worker1.log").read_text()[-2000:]
            time.sleep(0.2)
        run = refreshes.current_run(wid)
    finally:
        for w in workers:
            stop(w)
        refreshes.close()
    assert run.counts() == {"ok": CREATORS}, run.counts()
    points = {h: len(store.history("x", h)) for h in handles}
    assert [h for h, n in points.items() if n != 1] == [], points
    assert all(store.refresh_status("x", h)["status"] == "ok" for h in handles)
    store.close()
