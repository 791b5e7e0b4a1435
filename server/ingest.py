"""From a capture (or a parsed snapshot) to a stored, scored creator: shared by the API and the
scheduler's refresh (`ingest_snapshot(store, snapshot_dict)` is what a refresh should call)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, UTC
from typing import Any

from scraper import parse
from scraper.errors import Malformed
from scraper.limits import cap_snapshot
from scraper.times import parse_time
from server.campaigns.tracking import post_metrics
from server.discovery import note_capture
from server.store import Store, valid_handle

log = logging.getLogger("kolscope.ingest")

# A capture's time: the oldest of the platforms dates from 2005, and a clock a little ahead of
# the server's is tolerated; a capture dated later would stay the "latest" one for ever.
EARLIEST_CAPTURE = datetime(2004, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)


def captured_at_problem(value: Any, now: datetime | None = None) -> str | None:
    """Why `value` is not a usable capture time (an ISO 8601 date-time with a time zone or UTC, from
    2004 up to a few minutes ahead of the server's clock), or None when it is."""
    t = parse_time(value) if isinstance(value, str) else None
    if t is None:
        return "Must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z."
    if len(value.strip()) < 16:  # a bare date says nothing about the time of day the page was seen
        return "Must be an ISO 8601 date-time with a time, such as 2026-01-31T12:00:00Z."
    now = now or datetime.now(UTC)
    if t < EARLIEST_CAPTURE:  # parse_time has checked t has a UTC time, so comparing cannot overflow
        return f"Must not be before {EARLIEST_CAPTURE.year} (no platform existed yet)."
    if t > now + CLOCK_SKEW:
        return "Must not be in the future (more than a few minutes ahead of the server's clock)."
    return None


def brief_payload(doc: dict | None) -> dict | None:
    """The brief dict scoring takes, from a stored brief document."""
    return dict(doc["brief"]) if doc else None


def compute_scores(snapshot: dict, brief_doc: dict | None, history: list[dict],
                   now: datetime | None = None) -> dict:
    from server.scoring import score

    return score(snapshot, brief=brief_payload(brief_doc), history=history,
                 now=now or datetime.now(UTC))


def with_identity(snapshot: dict) -> dict:
    """A creator page without a handle (an older channel, a platform keyed by numeric id) is known by
    its stable id, which its profile URL also names: the store keys it so, and the snapshot's
    `handle` says so."""
    if not snapshot.get("handle") and isinstance(snapshot.get("platform_id"), str) and snapshot["platform_id"]:
        return dict(snapshot, handle=snapshot["platform_id"])
    return snapshot


def ingest_snapshot(store: Store, snapshot: dict, *, now: datetime | None = None,
                    task_id: str | None = None) -> tuple[dict, dict]:
    """Score `snapshot` (a kolscope.snapshot/1 dict) against the active brief and its history, store
    it; answer (creator summary, scores). Raises Malformed for a snapshot without a valid handle.

    One writer per creator: the history is read, scored against and appended to under the store's
    creator_lock, so captures of one creator arriving together are each scored with the ones stored
    before them. `task_id` (a refresh task's) makes the ingest idempotent: a task that already stored
    its snapshot (run again after a worker died before acknowledging it) stores nothing more."""
    from server.scoring import history_point

    snapshot = cap_snapshot(with_identity(dict(snapshot)))  # a snapshot not from parse() is capped too
    platform, handle = snapshot.get("platform"), snapshot.get("handle")
    if not valid_handle(platform, handle):
        raise Malformed(f"The page gave a {platform} handle kolscope cannot store: {str(handle)[:60]!r}.")
    if snapshot.get("captured_at") is not None:
        problem = captured_at_problem(snapshot["captured_at"], now)
        if problem:
            raise Malformed(f"The snapshot's captured_at {str(snapshot['captured_at'])[:40]!r}: {problem}")
    pid = snapshot.get("platform_id")
    with store.creator_lock(platform, handle, pid if isinstance(pid, str) else None):
        stored_as = store.account_handle(platform, handle, snapshot.get("platform_id"))
        if task_id and store.applied_task(platform, stored_as, task_id):
            log.info("refresh task %s already stored %s/%s: nothing more stored", task_id, platform, handle)
            latest = store.latest(platform, stored_as) or {}
            return store.get_creator(platform, stored_as) or {}, latest.get("scores") or {}
        brief_doc = store.active_brief()
        history = store.history(platform, stored_as)
        scores = compute_scores(snapshot, brief_doc, history, now)
        summary = store.add_snapshot(snapshot, scores, brief_id=brief_doc["id"] if brief_doc else None,
                                     history_point=history_point(snapshot), task_id=task_id)
    track_deliverables(store, snapshot, summary)
    note_capture(store, snapshot)  # discovery: its candidate is checked, the accounts it names are candidates
    return summary, scores


def track_deliverables(store: Store, snapshot: dict, summary: dict) -> int:
    """Record the current numbers of each campaign deliverable of this creator that the snapshot
    shows (issue 14); answers how many were recorded. The snapshot is already stored: a failure
    here is logged and loses nothing, and never fails the capture."""
    recorded = 0
    try:
        for cid, deliverable in store.deliverables_of(summary["platform"], summary.get("handle") or snapshot["handle"]):
            metrics = post_metrics(snapshot, deliverable)
            if metrics is not None:
                store.record_deliverable_metrics(cid, deliverable["id"], metrics)
                recorded += 1
    except Exception:
        log.exception("tracking the deliverables of %s/%s failed", summary.get("platform"), summary.get("handle"))
    return recorded


def ingest_capture(store: Store, capture: dict[str, Any]) -> tuple[dict, dict, dict]:
    """Parse (CaptureError on a page that is no usable creator page; nothing stored), score, store.
    Answers (creator summary, snapshot dict, scores)."""
    snapshot = with_identity(parse(capture).to_dict())
    summary, scores = ingest_snapshot(store, snapshot)
    return summary, snapshot, scores
