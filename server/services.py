"""The services one app owns (as flaskr's db.py): its store, its refreshes, its re-scoring and the
extension it answers, created by `init_app` and kept in `app.extensions`, never in module globals.

So two apps in one process (two data directories) share no run, lock, rate budget or cache. Inside a
request, the accessors below answer the current app's; code outside one (the CLI, the scheduler's
jobs) is handed the objects it needs. The scheduler (server/scheduler.py) and the dashboard sessions
(server/security.py) keep their own entries in `app.extensions` the same way.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app

from server.discovery import CandidateChecks
from server.refresh import RefreshError, Refreshes
from server.rescore import Rescorer
from server.store import Repository, open_store

STORE = "kolscope.store"
REFRESHES = "kolscope.refreshes"
RESCORER = "kolscope.rescorer"
EXTENSION = "kolscope.extension"
CANDIDATE_CHECKS = "kolscope.candidate_checks"


class ExtensionId:
    """The extension id registered by the options page, read from the store once (this app holds the
    store's lock, so nothing else changes it) and written through."""

    def __init__(self, store: Repository):
        self._store = store
        self._lock = threading.Lock()
        self._loaded = False
        self._id: str | None = None

    def get(self) -> str | None:
        with self._lock:
            if not self._loaded:
                self._id, self._loaded = self._store.extension_id(), True
            return self._id

    def set(self, ext_id: str | None) -> None:
        with self._lock:
            self._store.set_extension_id(ext_id)
            self._id, self._loaded = ext_id, True


def make_refreshes(store: Repository, config: Any) -> Refreshes:
    """In-process refreshes, or with config BROKER the workers' queue (server/workers: same interface)."""
    if not config.get("BROKER"):
        return Refreshes(store)
    # imported here, not at the top: only an app with a broker needs Celery and Redis
    from server.workers.broker import WORKER_SIDE, BrokerRefreshes, worker_side_problem

    problem = worker_side_problem(config.get("REPLAY_DIR"), config.get("REFRESH_FETCHER_OPTIONS"))
    if problem:  # said at start, not by every refresh later
        raise RefreshError(WORKER_SIDE, problem[0].upper() + problem[1:] + ".")
    return BrokerRefreshes(store, config["BROKER"], visibility=config.get("BROKER_VISIBILITY_TIMEOUT"))


def init_app(app: Flask) -> Repository:
    """Open the store the config names (open_store: DATA_DIR, locked here) and create the services over it."""
    store = open_store(app.config)
    app.extensions[STORE] = store
    try:
        app.extensions[REFRESHES] = make_refreshes(store, app.config)
    except BaseException:  # a broker the config cannot use: the store opened for it is released
        store.close()
        raise
    app.extensions[RESCORER] = Rescorer()
    app.extensions[EXTENSION] = ExtensionId(store)
    app.extensions[CANDIDATE_CHECKS] = CandidateChecks(store, app.extensions[REFRESHES])
    return store


def close_app(app: Flask) -> None:
    """The app's shutdown (Flask has no hook for it): stop its scheduler, close its refreshes (with a
    broker: the Celery producer pool and the Redis connections) and then its store (its lock, its
    connection pool). Each step runs even when one before it fails; a second call does nothing."""
    # imported here, not at the top: the scheduler imports this module (refreshes_of)
    from server import scheduler

    steps = [lambda: scheduler.shutdown(app)]
    refreshes = app.extensions.pop(REFRESHES, None)
    if callable(getattr(refreshes, "close", None)):
        steps.append(refreshes.close)
    store = app.extensions.pop(STORE, None)
    if store is not None:
        steps.append(store.close)
    failure: BaseException | None = None
    for step in steps:
        try:
            step()
        except Exception as exc:  # the rest still close; the first failure is raised at the end
            failure = failure or exc
    if failure is not None:
        raise failure


def store_of(app: Flask) -> Repository:
    return app.extensions[STORE]


def refreshes_of(app: Flask) -> Refreshes:
    return app.extensions[REFRESHES]


def get_store() -> Repository:
    """The current app's store (inside a request or an app context)."""
    return store_of(current_app)


def get_refreshes() -> Refreshes:
    return refreshes_of(current_app)


def get_candidate_checks() -> CandidateChecks:
    """The current app's queue of candidates to check (server/discovery.py)."""
    return current_app.extensions[CANDIDATE_CHECKS]


def rescore_in_background(store: Repository, brief_doc: dict | None) -> threading.Thread:
    """Re-score the current app's creators against `brief_doc` on a thread (its Rescorer's)."""
    return current_app.extensions[RESCORER].start(store, brief_doc)


def registered_extension() -> str | None:
    """The extension id registered with the current app, or None."""
    return current_app.extensions[EXTENSION].get()


def register_extension(ext_id: str | None) -> None:
    current_app.extensions[EXTENSION].set(ext_id)
