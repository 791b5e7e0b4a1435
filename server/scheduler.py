"""Scheduled refreshes: one persistent APScheduler job per watchlist, one scheduler per data directory.

Jobs live in `<data>/scheduler.sqlite` (APScheduler's SQLAlchemyJobStore) and name their function by
text (`server.scheduler:run_watchlist_job`), so a restart finds every schedule where it was, and a
refresh missed while the server was down runs once (coalesce) if it is not too late (grace time).
Exactly one scheduler runs per data directory: Flask's reloader parent never starts one, a second
`start` for an app answers the first, and a lock file keeps a second process (or a second app over
the same directory) from starting one.

With a database (config DATABASE: several server processes over one PostgreSQL store) nothing of
this needs a data directory: the jobs live in that database (table `kolscope_scheduler_jobs`), and
the one-scheduler lock is a PostgreSQL advisory lock held by a connection of the scheduler's own,
released by PostgreSQL when the process dies. With a broker the jobs only enqueue the watchlist's
creators for the workers (server/workers).

A started scheduler's `Runtime` lives in its app's `app.extensions`; the scheduler's executor hands
it to each job it runs, so no module-level registry maps data directories to apps.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from server.cron import crontab_trigger, stored_crontab_problem
from server.refresh import Refreshes, RefreshError, load_replay
from server.services import refreshes_of

log = logging.getLogger("kolscope.scheduler")

JOB_FUNC = "server.scheduler:run_watchlist_job"
JOB_PREFIX = "watchlist:"
SYNC_EVERY_SECONDS = 300  # safety net: watchlist changes made outside the API show up within this
MISFIRE_GRACE_SECONDS = 6 * 3600  # a daily refresh missed by a laptop asleep overnight still runs
LOCK_NAME = "scheduler.lock"
DB_NAME = "scheduler.sqlite"
PG_JOBS_TABLE = "kolscope_scheduler_jobs"
PG_LOCK = 0x6B6F6C5343  # "kolSC": the advisory lock of the one scheduler per database
PG_WHERE = "(database)"  # a job's first argument with a database: where it was stored, as text
FLOOR_HOURS = 0.25  # never hammer a platform more than every 15 minutes, whatever a watchlist says
RUNTIME = "kolscope.scheduler"  # the app.extensions entry of a started scheduler's Runtime
START_LOCK = "kolscope.scheduler.start"  # ... and of the lock that makes two starts one


@dataclass
class Runtime:
    """A started scheduler and what its jobs need: the app's refreshes over the app's store (whose
    lock serialises refresh writes with the API's), shared with the API's refreshes (one browser,
    one set of rate budgets, one status per watchlist)."""

    data_dir: str
    refreshes: Refreshes
    replay_dir: str | None
    lock_fh: Any
    fetcher_options: dict = field(default_factory=dict)
    scheduler: Any = None

    @property
    def store(self) -> Any:
        return self.refreshes.store

    def sync_quietly(self) -> None:
        """The periodic safety-net sync (a failure is retried by the next one)."""
        try:
            sync_jobs(self)
        except Exception:
            log.exception("syncing scheduler jobs failed")


class _RuntimeExecutor(ThreadPoolExecutor):
    """Runs the scheduler's jobs with its Runtime. A stored job holds only text (JOB_FUNC and its
    [data_dir, watchlist_id] arguments), which is what lets it survive restarts; the app it runs for is
    this executor's, passed in here. `_do_submit_job` is the method APScheduler's executors implement."""

    def __init__(self, runtime: Runtime, max_workers: int):
        super().__init__(max_workers)
        self.runtime = runtime

    def _do_submit_job(self, job, run_times):
        if job.func_ref == JOB_FUNC:
            # only this round's copy of the job (read from the job store); the stored one keeps its text
            job.func = functools.partial(run_watchlist_job, runtime=self.runtime)
        super()._do_submit_job(job, run_times)


def _key(data_dir: str | os.PathLike) -> str:
    return str(Path(data_dir).resolve())


def runtime_for(app: Any) -> Runtime | None:
    """The app's started scheduler runtime, or None."""
    return app.extensions.get(RUNTIME)


def job_id(watchlist_id: str) -> str:
    return f"{JOB_PREFIX}{watchlist_id}"


def trigger_for(watchlist: dict):
    """A CronTrigger for a watchlist with `refresh_cron` ("0 6 * * *"), else its interval in hours."""
    cron = watchlist.get("refresh_cron")
    if isinstance(cron, str) and cron.strip():
        # a line stored before the API checked lines: every minute, never, or not crontab at all
        problem = stored_crontab_problem(cron.strip(), int(FLOOR_HOURS * 60))
        if problem is None:
            return crontab_trigger(cron.strip(), timezone="UTC")
        log.warning("watchlist %s: refresh_cron %r is not used (%s); its interval is", watchlist.get("id"),
                    cron, problem)
    hours = watchlist.get("refresh_interval_hours")
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        hours = 24.0
    hours = min(max(hours, FLOOR_HOURS), 24 * 365)
    return IntervalTrigger(seconds=int(hours * 3600))


def _same_trigger(a: Any, b: Any) -> bool:
    if isinstance(a, IntervalTrigger) and isinstance(b, IntervalTrigger):
        return a.interval == b.interval
    return type(a) is type(b) and str(a) == str(b)


def run_watchlist_job(data_dir: str, watchlist_id: str, runtime: Runtime | None = None) -> None:
    """The scheduled job (referenced by text so it persists): refresh one watchlist now, through the
    app whose scheduler runs it (`runtime`, given by _RuntimeExecutor; `data_dir` is where the job
    was stored, kept for the stored format)."""
    if runtime is None:
        log.warning("scheduled refresh of %s skipped: not run by a kolscope scheduler (%s)", watchlist_id, data_dir)
        return
    try:
        if runtime.refreshes.queued:
            # the workers run it (server/workers): the job only enqueues, and ends at once
            run, started = runtime.refreshes.start_background(watchlist_id)
            log.info("scheduled refresh of %s: %s", watchlist_id,
                     "enqueued" if started else "still running from before; not doubled")
            return
        run = runtime.refreshes.run_watchlist(watchlist_id, replay=load_replay(runtime.replay_dir),
                                              fetcher_options=runtime.fetcher_options or None)
    except RefreshError as exc:
        log.warning("scheduled refresh of %s: %s", watchlist_id, exc.message)
        if exc.code == "not_found":
            sync_jobs(runtime)
        return
    log.info("scheduled refresh of %s: %s", watchlist_id, run.counts())


def sync_jobs(rt: Runtime) -> dict[str, list[str]]:
    """Make the jobs match the watchlists: add new ones, retime changed ones, drop deleted ones.

    An unchanged job is left alone, so its next run time survives restarts and syncs.
    """
    changes: dict[str, list[str]] = {"added": [], "updated": [], "removed": []}
    sched = rt.scheduler
    wanted = {job_id(w["id"]): w for w in rt.store.list_watchlists()}
    for job in sched.get_jobs(jobstore="default"):
        if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
            sched.remove_job(job.id, jobstore="default")
            changes["removed"].append(job.id)
    for jid, w in wanted.items():
        trigger = trigger_for(w)
        args = [rt.data_dir, w["id"]]
        job = sched.get_job(jid, jobstore="default")
        if job is None:
            sched.add_job(JOB_FUNC, trigger=trigger, id=jid, name=f"refresh {w.get('name') or w['id']}",
                          args=args, jobstore="default", replace_existing=True)
            changes["added"].append(jid)
        elif not _same_trigger(job.trigger, trigger) or list(job.args) != args:
            sched.add_job(JOB_FUNC, trigger=trigger, id=jid, name=f"refresh {w.get('name') or w['id']}",
                          args=args, jobstore="default", replace_existing=True)
            changes["updated"].append(jid)
    if any(changes.values()):
        log.info("scheduler jobs synced: %s", changes)
    return changes


def notify_watchlists_changed(app: Any) -> None:
    """Call after a watchlist is created, retimed or deleted (the refresh routes do, per request)."""
    rt = runtime_for(app)
    if rt is not None:
        rt.sync_quietly()


def _reloader_parent(app: Any) -> bool:
    """True in the process that Flask's/Werkzeug's reloader only watches files from.

    The reloader re-runs the program in a child with WERKZEUG_RUN_MAIN=true; the parent, in debug
    mode without that variable, must not schedule (the recipe of APScheduler's FAQ). The lock file
    still guards any other way two processes could meet.
    """
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":
        return False
    return bool(app.debug)


def _take_lock(data_dir: str):
    """The scheduler's own lock file, held for the process's life; None when another process holds it."""
    path = Path(data_dir) / LOCK_NAME
    fh = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "a+")  # the data directory's files are private
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{os.getpid()}\n")
    fh.flush()
    return fh


class _DatabaseLock:
    """The scheduler's lock over a PostgreSQL database: a session advisory lock on a connection of its
    own, held until `close` (or the process's death, when PostgreSQL drops the session)."""

    def __init__(self, conn: Any):
        self.conn = conn

    @classmethod
    def take(cls, url: str) -> _DatabaseLock | None:
        """The lock, or None when another process holds it."""
        # imported here, not at the top: only a scheduler over a database needs psycopg
        import psycopg

        conn = psycopg.connect(url, autocommit=True)
        try:
            taken = conn.execute("SELECT pg_try_advisory_lock(%s)", (PG_LOCK,)).fetchone()[0]
        except BaseException:
            conn.close()
            raise
        if not taken:
            conn.close()
            return None
        return cls(conn)

    def close(self) -> None:
        self.conn.close()  # the session ends: PostgreSQL releases its advisory locks


def _sqlalchemy_url(url: str) -> str:
    """The store's postgresql:// URL as SQLAlchemy's psycopg 3 dialect names it."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme.lower() in ("postgresql", "postgres") else url


def _job_store(app: Any, data_dir: str) -> Any:
    """The persistent job store: the database's own table with DATABASE, else <data>/scheduler.sqlite."""
    # imported here, not at the top: SQLAlchemy takes ~0.4 s to import, and only a serving app
    # with its scheduler on needs it (the API, the tests and the CLI do not)
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    if app.config.get("DATABASE"):
        return SQLAlchemyJobStore(url=_sqlalchemy_url(str(app.config["DATABASE"])), tablename=PG_JOBS_TABLE)
    # created 0600 before SQLite creates it 0644 (its journals take the database's mode)
    os.close(os.open(Path(data_dir) / DB_NAME, os.O_WRONLY | os.O_CREAT, 0o600))
    return SQLAlchemyJobStore(url=f"sqlite:///{Path(data_dir) / DB_NAME}")


def start(app: Any, *, force: bool = False, fetcher_options: dict | None = None):
    """Start the data directory's scheduler (called by server/serve.py); the BackgroundScheduler or None.

    None when the app does not enable it (SCHEDULER_ENABLED), in the reloader's parent process, or
    when another process (or app) already runs the scheduler of this data directory.
    """
    if not (force or app.config.get("SCHEDULER_ENABLED")):
        return None
    if _reloader_parent(app):
        log.info("scheduler not started in the reloader's watcher process")
        return None
    with app.extensions.setdefault(START_LOCK, threading.Lock()):
        existing = runtime_for(app)
        if existing is not None:
            return existing.scheduler
        database = app.config.get("DATABASE")
        data_dir = PG_WHERE if database else _key(app.config["DATA_DIR"])
        lock_fh = _DatabaseLock.take(str(database)) if database else _take_lock(data_dir)
        if lock_fh is None:
            log.warning("another process runs the scheduler of %s; not starting a second one",
                        "this database" if database else data_dir)
            return None
        rt = Runtime(data_dir=data_dir, refreshes=refreshes_of(app), replay_dir=app.config.get("REPLAY_DIR"),
                     lock_fh=lock_fh, fetcher_options=dict(fetcher_options or {}))
        try:
            rt.scheduler = BackgroundScheduler(
                jobstores={
                    "default": _job_store(app, data_dir),
                    "memory": MemoryJobStore(),  # the sync job: rebuilt at every start, never persisted
                },
                # Refreshes queue on one browser anyway (Refreshes holds it); 2 threads keep a long
                # refresh from delaying the sync job.
                executors={"default": _RuntimeExecutor(rt, 2)},
                job_defaults={"coalesce": True, "max_instances": 1,
                              "misfire_grace_time": MISFIRE_GRACE_SECONDS},
                timezone="UTC",
            )
            app.extensions[RUNTIME] = rt
            rt.scheduler.start()
            sync_jobs(rt)
            rt.scheduler.add_job(rt.sync_quietly, "interval", seconds=SYNC_EVERY_SECONDS,
                                 id="sync-watchlists", jobstore="memory", replace_existing=True)
        except BaseException:
            app.extensions.pop(RUNTIME, None)
            if rt.scheduler is not None and rt.scheduler.running:
                rt.scheduler.shutdown(wait=False)
            lock_fh.close()
            raise
    atexit.register(shutdown, app)
    log.info("scheduler started for %s with %d watchlist job(s)", data_dir,
             len(rt.scheduler.get_jobs(jobstore="default")))
    return rt.scheduler


def shutdown(app: Any, wait: bool = False) -> None:
    """Stop the app's scheduler and release its lock (atexit does this too)."""
    rt = app.extensions.pop(RUNTIME, None)
    if rt is None:
        return
    try:
        if rt.scheduler.running:
            rt.scheduler.shutdown(wait=wait)
    finally:
        try:
            if not isinstance(rt.lock_fh, _DatabaseLock):
                fcntl.flock(rt.lock_fh, fcntl.LOCK_UN)
        finally:
            rt.lock_fh.close()


def next_run(app: Any, watchlist_id: str) -> str | None:
    """When the watchlist's next scheduled refresh is due (ISO), or None without a scheduler."""
    rt = runtime_for(app)
    if rt is None:
        return None
    job = rt.scheduler.get_job(job_id(watchlist_id), jobstore="default")
    if job is None or job.next_run_time is None:
        return None
    return job.next_run_time.isoformat().replace("+00:00", "Z")


__all__ = [
    "next_run",
    "notify_watchlists_changed",
    "run_watchlist_job",
    "runtime_for",
    "shutdown",
    "start",
    "sync_jobs",
    "trigger_for",
]
