"""From a capture (or a parsed snapshot) to a stored, scored creator: shared by the API and the
scheduler's refresh (`ingest_snapshot(store, snapshot_dict)` is what a refresh should call)."""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from scraper import parse
from scraper.errors import Malformed
from server.store import Store, valid_handle


def brief_payload(doc: dict | None) -> dict | None:
    """The brief dict scoring takes, from a stored brief document."""
    return dict(doc["brief"]) if doc else None


def compute_scores(snapshot: dict, brief_doc: dict | None, history: list[dict],
                   now: datetime | None = None) -> dict:
    from server.scoring import score

    return score(snapshot, brief=brief_payload(brief_doc), history=history,
                 now=now or datetime.now(UTC))


def with_identity(snapshot: dict) -> dict:
    """A channel without an @handle (older YouTube pages) is known by its stable id, which is also
    its URL (/channel/UC...): the store keys it so, and the snapshot's `handle` says so."""
    if not snapshot.get("handle") and isinstance(snapshot.get("platform_id"), str) and snapshot["platform_id"]:
        return dict(snapshot, handle=snapshot["platform_id"])
    return snapshot


def ingest_snapshot(store: Store, snapshot: dict, *, now: datetime | None = None) -> tuple[dict, dict]:
    """Score `snapshot` (a kolscope.snapshot/1 dict) against the active brief and its history, store
    it; answer (creator summary, scores). Raises Malformed for a snapshot without a valid handle."""
    from server.scoring import history_point

    snapshot = with_identity(snapshot)
    platform, handle = snapshot.get("platform"), snapshot.get("handle")
    if not valid_handle(platform, handle):
        raise Malformed(f"The page gave a {platform} handle kolscope cannot store: {str(handle)[:60]!r}.")
    brief_doc = store.active_brief()
    history = store.history(platform, store.account_handle(platform, handle, snapshot.get("platform_id")))
    scores = compute_scores(snapshot, brief_doc, history, now)
    summary = store.add_snapshot(snapshot, scores, brief_id=brief_doc["id"] if brief_doc else None,
                                 history_point=history_point(snapshot))
    return summary, scores


def ingest_capture(store: Store, capture: dict[str, Any]) -> tuple[dict, dict, dict]:
    """Parse (CaptureError on a page that is no usable creator page; nothing stored), score, store.
    Answers (creator summary, snapshot dict, scores)."""
    snapshot = with_identity(parse(capture).to_dict())
    summary, scores = ingest_snapshot(store, snapshot)
    return summary, snapshot, scores
