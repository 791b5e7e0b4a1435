"""Refresh a watchlist: fetch each creator's profile with the Playwright fetcher, store what parses.

Only a capture that parses becomes a snapshot (through the same ingest as POST /captures: scored
against the active brief, appended to the history). A timeout, a block or a page that does not parse
marks the creator stale/blocked/error with the reason and leaves its stored snapshot and history as
they were. Used by the scheduler's jobs, POST /watchlists/<id>/refresh and `kolscope refresh`.

The state a refresh shares with the next one (the runs by watchlist, one browser at a time, the
platforms' rate budgets and cool-downs) lives in a `Refreshes` object, one per app (server/services.py
creates it beside the store), never in this module: two apps in one process share none of it.
`refresh_creators` / `refresh_watchlist` are one-off runs with their own (the CLI's, the benches').
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scraper.fetch import FetchRequest, FetchResult, fetch_all
from scraper.politeness import CREATOR_RETRY_AFTER, Politeness
from scraper.replay import Replay, ReplayError
from scraper.registry import profile_url
from scraper.times import iso, now_iso, parse_time
from server.ingest import ingest_snapshot, with_identity
from server.store import NotFound, Repository

log = logging.getLogger("kolscope.refresh")

# A creator blocked (403/429/captcha/login wall) is not asked again before this, even across runs
# and restarts (the time comes from the store): asking again at once only deepens a block.
BLOCKED_RETRY_AFTER = timedelta(seconds=CREATOR_RETRY_AFTER)


@dataclass
class CreatorOutcome:
    platform: str
    handle: str
    status: str  # ok | stale | blocked | error | running | queued
    reason: str | None = None
    code: str | None = None
    at: str | None = None
    followers: int | None = None
    attempts: int = 0
    seconds: float | None = None

    def line(self) -> str:
        """One short line on how the creator is doing: `kolscope refresh`'s progress and the worker's log."""
        text = f"{self.platform}/{self.handle}: {self.status}"
        if self.status == "ok" and isinstance(self.followers, int):
            return f"{text}, {self.followers:,} followers"
        return f"{text} ({self.code})" if self.code and self.status != "ok" else text


@dataclass
class RefreshRun:
    """One refresh of one watchlist (or of `--all`'s union): what each creator ended as."""

    watchlist_id: str | None
    started_at: str = field(default_factory=lambda: now_iso(ms=True))
    finished_at: str | None = None
    creators: list[CreatorOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def running(self) -> bool:
        return self.finished_at is None

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.creators:
            out[c.status] = out.get(c.status, 0) + 1
        return out

    @property
    def failed(self) -> int:
        return sum(1 for c in self.creators if c.status not in ("ok",))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["running"] = self.running
        d["counts"] = self.counts()
        return d


class RefreshError(Exception):
    """A refresh that cannot start: unknown watchlist, unusable replay directory."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


# -- the refresh ---------------------------------------------------------------------------------


def load_replay(directory: str | None) -> Replay | None:
    """The Replay for `--replay DIR` (RefreshError with a clear message when unusable)."""
    if not directory:
        return None
    try:
        return Replay.from_dir(directory)
    except ReplayError as exc:
        raise RefreshError("bad_replay", str(exc)) from None


def _as_watched(snapshot: dict, platform: str, handle: str) -> dict | None:
    """The snapshot to file under the watched creator, or None when the page shows someone else.

    A creator watched by its account id may come back from a page that shows its handle: the
    same account (platform_id), so it is filed under the id it is watched by, with a warning.
    """
    snap = with_identity(snapshot)
    if snap.get("platform") != platform:
        return None
    got = str(snap.get("handle") or "")
    if got.casefold() == handle.casefold():
        return snap
    if snap.get("platform_id") and str(snap["platform_id"]) == handle:
        warnings = list(snap.get("warnings") or []) + [f"refreshed by channel id; the page shows @{got}"]
        return dict(snap, handle=handle, warnings=warnings)
    return None


def _blocked_recently(store: Repository, platform: str, handle: str, now: datetime) -> str | None:
    status = store.refresh_status(platform, handle) or {}
    if status.get("status") != "blocked" or not status.get("at"):
        return None
    at = parse_time(status["at"])
    if at is None:
        return None
    if now - at < BLOCKED_RETRY_AFTER:
        nxt = iso(at + BLOCKED_RETRY_AFTER)
        return f"blocked at {status['at']} ({status.get('reason') or 'no reason'}); not retried before {nxt}"
    return None



def begin_creator(store: Repository, outcome: CreatorOutcome, now: datetime, *, force: bool = False,
                  on_result: Callable[[CreatorOutcome], None] | None = None) -> str | None:
    """Before fetching one creator: its profile URL, with the store saying "running"; or None when it
    is not fetched (no profile URL, blocked recently, a handle the store refuses), the outcome then
    finished with the reason. Shared by the in-process runs and the refresh workers (server/workers)."""
    platform, handle = outcome.platform, outcome.handle
    try:
        url = profile_url(platform, handle)
    except (ValueError, TypeError) as exc:
        _finish(store, outcome, "error", str(exc), "no_profile_url", on_result)
        return None
    try:
        why = None if force else _blocked_recently(store, platform, handle, now)
        if not why:
            store.record_refresh(platform, handle, "running")
    except Exception as exc:  # e.g. a handle the store refuses: this creator fails, the rest go on
        _finish(store, outcome, "error", str(exc), "store_failed", on_result)
        return None
    if why:
        _finish(store, outcome, "blocked", why, "retry_later", on_result)
        return None
    return url


def store_fetched(store: Repository, outcome: CreatorOutcome, result: FetchResult,
                  on_result: Callable[[CreatorOutcome], None] | None = None, *, task_id: str | None = None) -> None:
    """After fetching one creator: store what parsed (ingest, idempotent by `task_id` when given) and
    finish the outcome as ok, or with the fetch's or the store's reason."""
    outcome.attempts, outcome.seconds = result.attempts, round(result.elapsed, 3)
    if not result.ok:
        _finish(store, outcome, result.status, result.reason, result.code, on_result)
        return
    page_snapshot = result.snapshot.to_dict()
    snapshot = _as_watched(page_snapshot, outcome.platform, outcome.handle)
    if snapshot is None:
        # A redirect to another account (or a renamed one): storing it would file another
        # creator's numbers under this one.
        _finish(store, outcome, "error",
                f"the page showed {page_snapshot.get('platform')}/{page_snapshot.get('handle')}, "
                f"not {outcome.platform}/{outcome.handle}", "other_creator", on_result)
        return
    try:
        ingest_snapshot(store, snapshot, task_id=task_id)
    except Exception as exc:  # a store or scoring failure: recorded, the next creator goes on
        log.exception("storing the refreshed %s/%s failed", outcome.platform, outcome.handle)
        _finish(store, outcome, "error", f"could not store the snapshot: {exc}", "store_failed", on_result)
        return
    outcome.followers = snapshot.get("followers")
    _finish(store, outcome, "ok", None, None, on_result)


class Refreshes:
    """One app's refreshes over its store: the latest run of each watchlist (for GET .../refresh), one
    run at a time on the browser (runs share one browser budget on a small machine, and two runs on
    overlapping watchlists would ask the platforms twice), and the live politeness state that every
    run (scheduled, API, several watchlists) shares: the platforms' rate budgets and cool-downs."""

    # Runs here, in this process: the scheduler runs a watchlist to its end. server/workers'
    # BrokerRefreshes says True: it only enqueues, so the scheduler starts a run and returns.
    queued = False

    def __init__(self, store: Repository, politeness: Politeness | None = None):
        self.store = store
        self.politeness = politeness if politeness is not None else Politeness()
        self._browser = threading.Lock()
        self._runs: dict[str, RefreshRun] = {}
        self._runs_lock = threading.Lock()

    def current_run(self, watchlist_id: str) -> RefreshRun | None:
        """The running or most recent run of this watchlist, or None."""
        with self._runs_lock:
            return self._runs.get(watchlist_id)

    def _remember(self, run: RefreshRun) -> None:
        if run.watchlist_id:
            with self._runs_lock:
                self._runs[run.watchlist_id] = run

    def run(
        self,
        creators: list[dict],
        *,
        watchlist_id: str | None = None,
        replay: Replay | None = None,
        politeness: Politeness | None = None,
        fetcher_options: dict[str, Any] | None = None,
        on_result: Callable[[CreatorOutcome], None] | None = None,
        force: bool = False,
    ) -> RefreshRun:
        """Fetch, parse and store each creator (dicts with platform and handle); return the run.

        Without `politeness`, a replay is asked without a rate budget and the network with this app's.
        """
        store = self.store
        run = RefreshRun(watchlist_id)
        now = datetime.now(UTC)
        requests: list[FetchRequest] = []
        by_request: dict[int, CreatorOutcome] = {}
        for c in creators:
            platform, handle = c.get("platform"), c.get("handle")
            outcome = CreatorOutcome(platform=str(platform), handle=str(handle), status="queued")
            run.creators.append(outcome)
            url = begin_creator(store, outcome, now, force=force, on_result=on_result)
            if url is None:
                continue
            req = FetchRequest(url=url, platform=platform, handle=handle)
            requests.append(req)
            by_request[id(req)] = outcome
            outcome.status = "running"
        self._remember(run)

        def done(result: FetchResult) -> None:
            store_fetched(store, by_request[id(result.request)], result, on_result)

        options = {"pool_size": 4, "timeout": 20.0}
        options.update(fetcher_options or {})
        pol = politeness or (Politeness.unlimited() if replay is not None else self.politeness)

        try:
            if requests:
                with self._browser:
                    fetch_all(requests, on_result=done, replay=replay, politeness=pol, allow_network=replay is None,
                              **options)
        except Exception as exc:  # no browser, a crashed driver: every unfinished creator says why
            log.exception("refresh failed")
            run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
            for outcome in run.creators:
                if outcome.status in ("running", "queued"):
                    _finish(store, outcome, "error", f"the browser failed: {run.error}", "browser_failed", on_result)
        finally:
            run.finished_at = now_iso(ms=True)
        return run

    def _creators_of(self, watchlist_id: str) -> list[dict]:
        try:
            return self.store.watchlist_creators(watchlist_id)
        except NotFound:
            raise RefreshError("not_found", f"There is no watchlist {watchlist_id}.") from None

    def run_watchlist(self, watchlist_id: str, **options: Any) -> RefreshRun:
        """Refresh every creator of one watchlist (RefreshError 'not_found' for an unknown id)."""
        return self.run(self._creators_of(watchlist_id), watchlist_id=watchlist_id, **options)

    def start_background(self, watchlist_id: str, creators: list[dict] | None = None,
                         **options: Any) -> tuple[RefreshRun, bool]:
        """Start a refresh in a thread; (run, started). An already running refresh is answered, not doubled.
        `creators` replaces the watchlist's own (a campaign's partners, under a run id of its own)."""
        creators = self._creators_of(watchlist_id) if creators is None else creators
        with self._runs_lock:
            existing = self._runs.get(watchlist_id)
            if existing is not None and existing.running:
                return existing, False
            # A placeholder run, so a GET right after the 202 already says "running".
            placeholder = RefreshRun(watchlist_id, creators=[
                CreatorOutcome(platform=c["platform"], handle=str(c.get("handle")), status="queued")
                for c in creators])
            self._runs[watchlist_id] = placeholder

        def work() -> None:
            try:
                self.run(creators, watchlist_id=watchlist_id, **options)
            except Exception as exc:
                log.exception("background refresh of %s failed", watchlist_id)
                placeholder.error = str(exc)
                placeholder.finished_at = now_iso(ms=True)

        threading.Thread(target=work, name=f"refresh-{watchlist_id}", daemon=True).start()
        return placeholder, True


def refresh_creators(store: Repository, creators: list[dict], **options: Any) -> RefreshRun:
    """A one-off run with its own state (`kolscope refresh`, the benches): see Refreshes.run."""
    return Refreshes(store).run(creators, **options)


def refresh_watchlist(store: Repository, watchlist_id: str, **options: Any) -> RefreshRun:
    """A one-off refresh of one watchlist with its own state: see Refreshes.run_watchlist."""
    return Refreshes(store).run_watchlist(watchlist_id, **options)


def _finish(store: Repository, outcome: CreatorOutcome, status: str, reason: str | None, code: str | None,
            on_result: Callable[[CreatorOutcome], None] | None) -> None:
    outcome.status, outcome.reason, outcome.code, outcome.at = status, reason, code, now_iso(ms=True)
    try:
        store.record_refresh(outcome.platform, outcome.handle, status, reason, at=outcome.at, code=code)
    except Exception:  # an invalid handle cannot even be recorded; the run's own result still says why
        log.exception("recording the refresh of %s/%s failed", outcome.platform, outcome.handle)
    if on_result is not None:
        on_result(outcome)
