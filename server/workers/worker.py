"""A refresh worker (`kolscope worker`): takes one creator at a time from the queue, fetches its page
with the worker's own browser, stores what parses, and records how it ended.

The browser is the worker's for its whole life: one Chromium with a pool of contexts (one per task
slot, `--concurrency`) on an event loop of its own thread, tasks handing it their pages; a browser
per task would cost ~1 s and ~150 MB each. Rate budgets, cool-downs and blocked creators are the
Redis politeness every worker and the server share.

A page that does not answer in time (or a network error, a 5xx) is retried as a new delivery of
the same task, after a jittered backoff (Politeness.retry_delay), up to `retries` times, then the
creator is marked stale with the reason, in the same words as an in-process refresh. A task is
acknowledged only after it has stored its snapshot and its outcome, and stores through
`ingest_snapshot(..., task_id=<the Celery task id>)`: delivered again after its worker died, it
stores nothing more.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from scraper.fetch import FetchRequest, FetchResult, Fetcher
from scraper.replay import Replay
from scraper.times import now_iso
from server.refresh import CreatorOutcome, RefreshError, begin_creator, load_replay, store_fetched
from server.store import Repository, StoreError, open_store
from server.workers.board import RunBoard
from server.workers.broker import REFRESH_TASK, broker_problem, close_celery, make_celery, redis_client
from server.workers.politeness import RedisPoliteness

log = logging.getLogger("kolscope.worker")

TASK_RETRIES = 2  # a page that timed out is asked this many more times before the creator is stale
FETCH_TIMEOUT = 20.0  # seconds a page may take (the in-process refresh's default)
# the flags' bounds: a delivery (one page, at most its timeout) must end well within the broker's
# visibility timeout (an hour), or the broker would hand a task still running to another worker;
# and a creator that keeps failing is marked stale after a few tries, not asked again all day
MAX_FETCH_TIMEOUT = 300.0
MAX_TASK_RETRIES = 10


class BrowserThread:
    """One Chromium and its context pool on an event loop in a thread of its own, kept across tasks;
    `fetch` (from any thread) hands it a page and waits for the result."""

    def __init__(self, **fetcher_options: Any):
        self.fetcher = Fetcher(**fetcher_options)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="kolscope-browser", daemon=True)

    def start(self) -> BrowserThread:
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.fetcher.start(), self.loop).result(timeout=120)
        except BaseException:
            self.close()
            raise
        return self

    def fetch(self, request: FetchRequest) -> FetchResult:
        # the fetcher bounds each attempt by its own page timeout; this bound only guards against a
        # browser that stopped answering altogether
        limit = self.fetcher.timeout * 3 + 60
        return asyncio.run_coroutine_threadsafe(self.fetcher.fetch(request), self.loop).result(timeout=limit)

    async def _shutdown(self) -> None:
        await self.fetcher.close()
        # what the closed browser left waiting (a route handler sleeping out a slow page) ends here
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in rest:
            t.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def close(self) -> None:
        if self._thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(timeout=30)
            except Exception:  # a browser already gone: nothing left to close
                log.debug("closing the browser failed", exc_info=True)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
        if not self.loop.is_running():
            self.loop.close()


class Worker:
    """What one worker process holds: its store, its browser, the Redis politeness and run board,
    and the Celery app with the refresh task registered."""

    def __init__(self, store: Repository, broker_url: str, *, concurrency: int = 1, replay: Replay | None = None,
                 timeout: float = FETCH_TIMEOUT, retries: int = TASK_RETRIES, visibility: float | None = None,
                 politeness: dict[str, Any] | None = None):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.store = store
        self.concurrency = concurrency
        self.retries = retries
        self.celery = make_celery(broker_url, visibility=visibility)
        self.redis = redis_client(broker_url)
        self.board = RunBoard(self.redis)
        # max_retries=0: the fetcher tries a page once; the task retries it (the slot is free meanwhile)
        options = {"max_retries": 0, **(politeness or {})}
        # a replay serves local files: no rate budget to keep (as in-process); blocks still cool down
        self.politeness = (RedisPoliteness.unlimited(self.redis, **options) if replay is not None
                           else RedisPoliteness(self.redis, **options))
        self.browser = BrowserThread(pool_size=concurrency, timeout=timeout, replay=replay,
                                     politeness=self.politeness, allow_network=replay is None)
        worker = self

        # shared=False: a shared task (Celery's default) is added to every Celery app made later in
        # the process, bound to this worker, even after it closed
        @self.celery.task(bind=True, name=REFRESH_TASK, acks_late=True, reject_on_worker_lost=True,
                          max_retries=retries, shared=False)
        def refresh_creator(task: Any, run_id: str, platform: str, handle: str, force: bool = False) -> str:
            return worker.refresh(task, run_id, platform, handle, force=force)

        self.task = refresh_creator

    def refresh(self, task: Any, run_id: str, platform: str, handle: str, *, force: bool = False) -> str:
        """One creator: fetch, store, record; a transient failure retries the task. Answers the status.

        Anything unforeseen ends the creator as an error with the reason (the task is acknowledged
        either way: left "running", its run would never end)."""
        from celery.exceptions import Retry  # loaded with Celery already; named here for the except

        try:
            return self._refresh(task, run_id, platform, handle, force=force)
        except Retry:
            raise
        except Exception as exc:
            log.exception("refreshing %s/%s failed", platform, handle)
            outcome = CreatorOutcome(platform=str(platform), handle=str(handle), status="error",
                                     reason=f"the refresh worker failed: {type(exc).__name__}: {str(exc)[:200]}",
                                     code="worker_failed", at=now_iso(ms=True), attempts=task.request.retries + 1)
            for write in (lambda: self.store.record_refresh(outcome.platform, outcome.handle, "error", outcome.reason,
                                                            at=outcome.at, code=outcome.code),
                          lambda: self.board.set_outcome(run_id, outcome)):
                try:
                    write()
                except Exception:  # the store or Redis is what failed: the log has it
                    log.exception("recording the failure of %s/%s failed", platform, handle)
            log.info("%s", outcome.line())
            return outcome.status

    def _refresh(self, task: Any, run_id: str, platform: str, handle: str, *, force: bool) -> str:
        task_id, retries = task.request.id, task.request.retries
        outcome = CreatorOutcome(platform=str(platform), handle=str(handle), status="running", attempts=retries)

        def ended(o: CreatorOutcome) -> None:
            self.board.set_outcome(run_id, o)
            log.info("%s", o.line())  # the worker's progress, in `kolscope refresh`'s words

        self.board.set_outcome(run_id, outcome)
        # a retry's creator is "running" in the store already: it is not taken for blocked
        url = begin_creator(self.store, outcome, datetime.now(UTC), force=force or retries > 0, on_result=ended)
        if url is None:
            return outcome.status
        request = FetchRequest(url=url, platform=platform, handle=handle)
        try:
            result = self.browser.fetch(request)
        except Exception as exc:  # a browser crash on one page: this creator says why, the worker goes on
            log.exception("fetching %s/%s failed", platform, handle)
            result = FetchResult(request, "error", "fetch_failed", f"{type(exc).__name__}: {str(exc)[:200]}")
        result.attempts += retries
        if result.status == "stale" and result.code != "cooldown" and retries < self.retries:
            outcome.reason, outcome.code, outcome.attempts = result.reason, result.code, result.attempts
            self.board.set_outcome(run_id, outcome)
            log.info("%s/%s: %s; retrying", platform, handle, result.reason)
            raise task.retry(countdown=self.politeness.retry_delay(retries), max_retries=self.retries)
        store_fetched(self.store, outcome, result, ended, task_id=task_id)
        return outcome.status

    def start(self) -> Worker:
        # Celery's pool threads find the task to run through the process's default app (a thread-local
        # "current" app is not theirs): a worker process has one Celery app, this one
        self.celery.set_default()
        self.browser.start()
        return self

    def close(self) -> None:
        try:
            self.browser.close()
            close_celery(self.celery)
        finally:
            self.redis.close()

    def controller(self, **options: Any) -> Any:
        """The Celery worker (a WorkController: no signal handlers, so it can run in a thread) taking
        this worker's tasks on `concurrency` threads."""
        defaults = {"pool_cls": "threads", "concurrency": self.concurrency, "without_mingle": True,
                    "without_gossip": True, "without_heartbeat": True, "loglevel": "WARNING"}
        return self.celery.WorkController(**{**defaults, **options})


def cmd_worker(args: Any) -> int:
    """`kolscope worker --database URL --broker URL [--concurrency N] [--replay DIR] [--timeout S] [--retries N]`."""
    def refuse(message: str) -> int:
        print(f"kolscope worker: {message}", file=sys.stderr)
        return 2

    if not args.database:
        return refuse("workers need a store several processes share: pass --database postgresql://... "
                      "(or set KOLSCOPE_DATABASE); a data directory (TinyDB) is one process's")
    problem = broker_problem(args.broker)
    if problem:
        return refuse(problem)
    if args.concurrency < 1:
        return refuse("--concurrency must be at least 1")
    timeout = FETCH_TIMEOUT if getattr(args, "timeout", None) is None else args.timeout
    retries = TASK_RETRIES if getattr(args, "retries", None) is None else args.retries
    if not 0 < timeout <= MAX_FETCH_TIMEOUT:  # also NaN
        return refuse(f"--timeout must be more than 0 and at most {MAX_FETCH_TIMEOUT:g} seconds (got {timeout:g})")
    if not 0 <= retries <= MAX_TASK_RETRIES:
        return refuse(f"--retries must be between 0 and {MAX_TASK_RETRIES} (got {retries})")
    try:
        replay = load_replay(args.replay)
    except RefreshError as exc:
        return refuse(exc.message)
    try:
        store = open_store({"DATABASE": args.database, "DATA_DIR": None})
    except StoreError as exc:
        return refuse(getattr(exc, "message", None) or str(exc))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return serve(Worker(store, args.broker, concurrency=args.concurrency, replay=replay,
                            timeout=timeout, retries=retries))
    finally:
        store.close()


def serve(worker: Worker, on_ready: Any = None) -> int:
    """Start `worker`'s browser and take tasks until SIGTERM/SIGINT (Celery's warm shutdown: tasks in
    hand finish first), in the main thread; `on_ready()` once the browser is up. The exit code."""
    try:
        worker.start()
        if on_ready is not None:
            on_ready()
        celery_worker = worker.celery.Worker(pool_cls="threads", concurrency=worker.concurrency,
                                             without_mingle=True, without_gossip=True, without_heartbeat=True,
                                             quiet=True, loglevel="INFO", redirect_stdouts=False)
        celery_worker.start()
        return int(celery_worker.exitcode or 0)
    finally:
        worker.close()
