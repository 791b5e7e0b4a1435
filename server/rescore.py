"""Re-scoring stored creators when the brief in force changes, so listings, the dashboard and exports
show fit against the active brief rather than against whichever brief was active at capture time.

A `Rescorer` per app (server/services.py creates it) knows which re-score is the newest, so a brief
changed twice in a row stops the first run; two apps in one process never stop each other's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from server.ingest import compute_scores
from server.store import Repository, StoreError

log = logging.getLogger("kolscope.rescore")


def is_current(latest: dict, brief_doc: dict | None) -> bool:
    """The stored scores were computed against `brief_doc` as it is now (none: against no brief)."""
    brief_id = brief_doc["id"] if brief_doc else None
    return (latest.get("scores") is not None and latest.get("brief_id") == brief_id
            and (brief_doc is None or str(brief_doc.get("updated_at")) <= str(latest.get("scored_at") or "")))


def scores_for_latest(store: Repository, platform: str, key: str, latest: dict, brief_doc: dict | None) -> dict:
    """Scores of a creator's latest snapshot against `brief_doc`, with its history minus that snapshot."""
    snapshot = latest["snapshot"]
    history = [p for p in store.history(platform, key) if p.get("captured_at") != snapshot.get("captured_at")]
    return compute_scores(snapshot, brief_doc, history)


def rescore_all(store: Repository, brief_doc: dict | None, wanted: Callable[[], bool] | None = None) -> int:
    """Re-score every captured creator against `brief_doc`; answer how many were updated. `wanted`,
    asked before each creator, stops the run when it answers False (a newer brief took over).

    A capture arriving meanwhile is scored by ingest against the same active brief, and
    `update_scores` leaves a creator alone whose latest snapshot changed under it.
    """
    brief_id = brief_doc["id"] if brief_doc else None
    updated = 0
    for summary in store.list_creators():
        if wanted is not None and not wanted():
            break  # the brief changed again: the newer run takes over
        platform, key = summary["platform"], summary["key"]
        try:
            latest = store.latest(platform, key)
        except StoreError as exc:  # a damaged creator file (kolscope fsck): the others are re-scored
            log.error("re-scoring %s/%s skipped: %s", platform, key, exc.message)
            continue
        if not latest or not latest.get("snapshot"):
            continue
        if is_current(latest, brief_doc):
            continue
        try:
            scores = scores_for_latest(store, platform, key, latest, brief_doc)
        except Exception:  # one odd stored snapshot must not stop the others
            log.exception("re-scoring %s/%s failed", platform, key)
            continue
        if store.update_scores(platform, key, scores, brief_id,
                               captured_at=latest["snapshot"].get("captured_at")):
            updated += 1
    return updated


class Rescorer:
    """One app's re-scoring in the background: each start supersedes the runs started before it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0

    def _newest(self, generation: int) -> bool:
        with self._lock:
            return generation == self._generation

    def start(self, store: Repository, brief_doc: dict | None) -> threading.Thread:
        """Start re-scoring on a daemon thread (10,000 creators take minutes); answer the thread."""
        with self._lock:
            self._generation += 1
            generation = self._generation

        def run() -> None:
            try:
                n = rescore_all(store, brief_doc, lambda: self._newest(generation))
                log.info("re-scored %d creators against brief %s", n, brief_doc["id"] if brief_doc else None)
            except Exception:  # a closed store at shutdown, say: logged, never a crash of the server
                log.exception("re-scoring failed")

        thread = threading.Thread(target=run, name="kolscope-rescore", daemon=True)
        thread.start()
        return thread
