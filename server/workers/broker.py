"""The queue between the app and the refresh workers: a Celery app over a Redis broker, and the
app's side of it, `BrokerRefreshes` (what `Refreshes` is in-process: same methods, same runs).

One task per creator (REFRESH_TASK), acknowledged late (after the task has stored its snapshot and
its outcome) and rejected back to the queue when its worker is lost, one task prefetched per worker
slot: a worker SIGKILLed mid-page leaves its unacknowledged tasks in the broker, which delivers them
again once the visibility timeout has passed. The task is idempotent (its Celery id is the store's
task id), so a task delivered twice stores one snapshot.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scraper.times import now_iso
from server.refresh import CreatorOutcome, RefreshError, RefreshRun
from server.store import NotFound, Repository
from server.workers.board import ENDED, RunBoard
from server.workers.politeness import RedisPoliteness

log = logging.getLogger("kolscope.workers")

REFRESH_TASK = "kolscope.refresh_creator"
QUEUE = "kolscope.refresh"
# A task not acknowledged this long after delivery is delivered again (its worker is taken for dead).
# It must exceed a task's longest run (a page's timeout and retries: well under a minute).
VISIBILITY_TIMEOUT = 3600.0
VISIBILITY_ENV = "KOLSCOPE_BROKER_VISIBILITY_TIMEOUT"
BROKER_SCHEMES = ("redis", "rediss")
QUEUE_UNAVAILABLE = "queue_unavailable"  # RefreshError's code when Redis does not answer (the API's 503)
WORKER_SIDE = "worker_side"  # RefreshError's code for fetch settings only the workers take
WORKER_SIDE_WORDS = ("with a broker, the refresh workers fetch the pages: give a replay directory, a "
                     "page timeout or retries to `kolscope worker` (--replay, --timeout, --retries), "
                     "not to the server")


def worker_side_problem(replay: Any = None, fetcher_options: dict | None = None) -> str | None:
    """Why these fetch settings cannot go with a broker (they are the workers'), or None."""
    given = [name for name, value in (("a replay directory", replay), ("fetcher options", fetcher_options))
             if value]
    if not given:
        return None
    return f"{' and '.join(given)} given to a server with a broker: {WORKER_SIDE_WORDS}"


def broker_problem(url: str | None) -> str | None:
    """Why `url` is not a broker kolscope can use, or None."""
    if not url:
        return "no broker: pass --broker redis://host:port/db (or set KOLSCOPE_BROKER)"
    scheme = urlsplit(str(url)).scheme.lower()
    if scheme not in BROKER_SCHEMES:
        return f"the broker must be a redis:// (or rediss://) URL, not {scheme or 'a bare string'}://..."
    return None


def visibility_timeout(value: float | None = None) -> float:
    """The configured visibility timeout: `value`, else $KOLSCOPE_BROKER_VISIBILITY_TIMEOUT, else an hour."""
    if value is None:
        raw = os.environ.get(VISIBILITY_ENV, "").strip()
        value = float(raw) if raw else VISIBILITY_TIMEOUT
    if value <= 0:
        raise ValueError("the broker visibility timeout must be positive")
    return float(value)


def make_celery(broker_url: str, *, visibility: float | None = None) -> Any:
    """A Celery app for the refresh queue over `broker_url` (no result backend: outcomes go to the
    store and the run board)."""
    # imported here, not at the top: Celery takes ~0.3 s to import, and only an app or a worker
    # with a broker needs it
    from celery import Celery

    vt = visibility_timeout(visibility)
    celery = Celery("kolscope", broker=broker_url, set_as_current=False)
    celery.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_enable_remote_control=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": vt,
            # look for tasks of dead workers often enough that a short timeout (tests) is honoured
            "unacked_restore_interval": max(1.0, min(10.0, vt / 2)),
            "unacked_restore_throttle": 1,
        },
    )
    return celery


def close_celery(celery: Any) -> None:
    """Close a Celery app made by make_celery, its broker connections with it: Celery.close() only
    forgets its connection pool, whose sockets to Redis then stay open until the process ends."""
    try:
        celery.amqp.producer_pool.force_close_all()  # the producers' connections (send_task's)
        celery.pool.force_close_all()  # and what is left in the pool: the worker's, the idle ones
    finally:
        celery.close()


def redis_client(url: str) -> Any:
    """A Redis client that rides out a blip (3 quick retries) but says within a second when Redis is down."""
    import redis  # here, as Celery above: only a broker's users need it
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
                                socket_connect_timeout=5)


class BrokerRefreshes:
    """The app's refreshes when a broker is configured: `Refreshes`' interface, each creator a task for
    the workers (`kolscope worker`), the runs on the run board in Redis, the politeness in Redis
    shared with the workers.

    The workers fetch with their own browser, their own `--replay`, `--timeout` and `--retries`: a
    task carries only the creator and `force`. So a `replay` or `fetcher_options` given here is
    refused (RefreshError WORKER_SIDE), never silently dropped; `politeness` is accepted and unused,
    as every worker already keeps the one in Redis this object shares."""

    queued = True  # the scheduler only starts runs (server/refresh.py's Refreshes runs them)

    def __init__(self, store: Repository, broker_url: str, *, visibility: float | None = None):
        problem = broker_problem(broker_url)
        if problem:
            raise RefreshError("bad_broker", problem)
        self.store = store
        self.broker_url = broker_url
        self.celery = make_celery(broker_url, visibility=visibility)
        self.redis = redis_client(broker_url)
        self.board = RunBoard(self.redis)
        self.politeness = RedisPoliteness(self.redis)

    def close(self) -> None:
        try:
            close_celery(self.celery)
        finally:
            self.redis.close()

    def current_run(self, watchlist_id: str) -> RefreshRun | None:
        """The watchlist's latest run; None while Redis is unreachable (each creator's last status is
        still the store's, so a status page reads, without the run)."""
        import redis  # here, as in redis_client: the module is loaded already by then

        try:
            return self.board.current(watchlist_id)
        except redis.RedisError as exc:
            log.warning("reading the refresh run of %s from Redis failed: %s", watchlist_id, exc)
            return None

    def _unreachable(self, exc: Exception) -> RefreshError:
        where = urlsplit(self.broker_url)
        return RefreshError(QUEUE_UNAVAILABLE, f"The refresh queue (Redis at {where.hostname}:{where.port or 6379}) "
                            f"is unreachable, so no refresh was started: {exc}")

    def _creators_of(self, watchlist_id: str) -> list[dict]:
        try:
            return self.store.watchlist_creators(watchlist_id)
        except NotFound:
            raise RefreshError("not_found", f"There is no watchlist {watchlist_id}.") from None

    def _enqueue(self, watchlist_id: str | None, creators: list[dict], force: bool) -> tuple[str, RefreshRun]:
        creators = [{"platform": str(c.get("platform")), "handle": str(c.get("handle"))} for c in creators]
        started_at = now_iso(ms=True)
        run_id = self.board.create(watchlist_id, creators, started_at)
        try:
            with self.celery.producer_or_acquire() as producer:
                for c in creators:
                    self.celery.send_task(REFRESH_TASK, args=[run_id, c["platform"], c["handle"]],
                                          kwargs={"force": force}, queue=QUEUE, producer=producer)
        except Exception as exc:  # the broker is down: every creator of the run says so
            log.exception("enqueuing refresh run %s failed", run_id)
            self.board.fail_unfinished(run_id, "error", f"the refresh queue is unreachable: {exc}",
                                       "broker_failed", now_iso(ms=True))
        return run_id, self.board.run(run_id) or RefreshRun(watchlist_id, started_at=started_at)

    @staticmethod
    def _refuse_worker_side(replay: Any, fetcher_options: dict | None) -> None:
        problem = worker_side_problem(replay, fetcher_options)
        if problem:
            raise RefreshError(WORKER_SIDE, problem[0].upper() + problem[1:] + ".")

    def start_background(self, watchlist_id: str, creators: list[dict] | None = None, *,
                         force: bool = False, replay: Any = None, fetcher_options: dict | None = None,
                         politeness: Any = None) -> tuple[RefreshRun, bool]:
        """Enqueue a run (one task per creator); (run, started). A run still going is answered, not doubled."""
        import redis  # here, as in redis_client

        self._refuse_worker_side(replay, fetcher_options)
        creators = self._creators_of(watchlist_id) if creators is None else creators
        try:
            return self._start(watchlist_id, creators, force)
        except redis.RedisError as exc:
            raise self._unreachable(exc) from None

    def _start(self, watchlist_id: str, creators: list[dict], force: bool) -> tuple[RefreshRun, bool]:
        # several server processes may start the same watchlist at once: one Redis lock for all of them
        with self.redis.lock(f"{self.board.prefix}:starting:{watchlist_id}", timeout=60, blocking_timeout=30):
            existing = self.board.current(watchlist_id)
            if existing is not None and existing.running:
                return existing, False
            _, run = self._enqueue(watchlist_id, creators, force)
        return run, True

    def run(self, creators: list[dict], *, watchlist_id: str | None = None, force: bool = False,
            on_result: Callable[[CreatorOutcome], None] | None = None, timeout: float | None = None,
            poll: float = 0.25, replay: Any = None, fetcher_options: dict | None = None,
            politeness: Any = None) -> RefreshRun:
        """Enqueue a run and wait for it to end, calling `on_result` as each creator ends (the candidate
        checks' way); answers the run (unfinished creators still running when `timeout` passes)."""
        import redis  # here, as in redis_client

        self._refuse_worker_side(replay, fetcher_options)
        try:
            run_id, run = self._enqueue(watchlist_id, creators, force)
        except redis.RedisError as exc:
            raise self._unreachable(exc) from None
        reported: set[tuple[str, str]] = set()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            run = self.board.run(run_id) or run
            for outcome in run.creators:
                key = (outcome.platform, outcome.handle)
                if outcome.status in ENDED and key not in reported:
                    reported.add(key)
                    if on_result is not None:
                        on_result(outcome)
            if not run.running or (deadline is not None and time.monotonic() > deadline):
                return run
            time.sleep(poll)

    def run_watchlist(self, watchlist_id: str, **options: Any) -> RefreshRun:
        return self.run(self._creators_of(watchlist_id), watchlist_id=watchlist_id, **options)
