"""Discovery (issue 15): candidates, the creators a user's browsing points to, each kept with the path
that found it, never scored until its own page is captured or refreshed.

Three sources, one shape (the store's `merge_candidates` items):
- list pages (search, tag, related, followers, following, comment lists; `scraper.listing`): every
  listed account, with a path like "followers of @XDevelopers on X, 2026-08-12";
- creator pages: the accounts a creator's posts name, "mentioned by @anna in 3 posts", or "tagged by
  @anna" for a post without text whose page names accounts anyway (a photo's tags). No parser gives a post's co-authors yet, so there is no "collaborated with" path to make;
- refreshes: `CandidateChecks` queues candidates for the app's own refreshes (its browser lock, rate
  budgets and cool-downs), and a candidate whose page was stored is "checked" (the ingest hook
  `note_capture`), one that failed is "failed" with the reason in words (server.plain).

The path and item builders are pure (data in, items out); the rest talks to the store it is given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scraper import registry
from scraper.errors import CaptureError
from scraper.listing import Listing, parse_listing
from scraper.times import now_iso
from server.plain import platform_label, refresh_words
from server.scoring.common import human
from server.scoring.tiers import tier_for
from server.store import Repository, StoreError, records

if TYPE_CHECKING:  # types only: server.refresh imports server.ingest, which imports this module
    from server.refresh import CreatorOutcome, Refreshes

log = logging.getLogger("kolscope.discovery")

MAX_ITEMS_PER_SNAPSHOT = 100  # accounts a creator page's posts name (a page of 50 posts could name 500)
# A parse error after which a page may still be a list page: a list page is "no creator page", and
# a search page without the creator parser's data reads as "malformed" to it.
LIST_PAGE_ERRORS = ("not_a_creator_page", "malformed")


# -- paths and items (pure) ------------------------------------------------------------------------------

def _day(at: Any) -> str:
    return at[:10] if isinstance(at, str) and len(at) >= 10 else ""


def listing_path(listing: dict) -> dict:
    """The path every creator of one list page gets, in words: "#trailrunning search on <platform
    label>, 2026-11-29", "followers of @anna on <label>, ...", "commented on @anna's post on <label>"."""
    kind, query, owner = listing.get("kind"), listing.get("query") or "", listing.get("owner") or ""
    words = {
        "search": f'"{query}" search',
        "hashtag": f"#{query} search",
        "related": f"channels related to @{owner}",
        "followers": f"followers of @{owner}",
        "following": f"accounts @{owner} follows",
        "comments": f"commented on @{owner}'s post",
    }.get(kind, kind)
    day = _day(listing.get("captured_at"))
    label = f"{words} on {platform_label(listing['platform'])}" + (f", {day}" if day else "")
    via = _via_creator(listing["platform"], owner) if owner else f"{kind}:{query.casefold()}"
    return {"kind": kind, "label": label, "via": via, "page_url": listing.get("url"),
            "at": listing.get("captured_at"), "count": 1}


def _via_creator(platform: str, handle: str) -> str:
    """A path's `via` when a creator led to it: "<platform>/<key>", the creator's identity (what
    server.scoring.similar matches a candidate's paths against)."""
    try:
        return f"{platform}/{registry.creator_key(platform, handle)}"
    except (ValueError, TypeError, KeyError):
        return f"{platform}/{handle.casefold()}"


def followers_text(value: int | None, rounded: bool) -> str | None:
    """A shown count in words: "12,345", or "~12.3k" when the page rounded it."""
    if value is None:
        return None
    return f"~{human(value)}" if rounded else f"{value:,}"


def _handle_of(platform: str, creator: dict) -> str | None:
    """The handle a listed account is stored under: its handle, or its id where the platform keys
    accounts by id (a channel a search shows only by its channel id)."""
    for value in (creator.get("handle"), creator.get("platform_id")):
        if isinstance(value, str) and registry.valid_handle(platform, value):
            return value
    return None


def _shown(creator: dict) -> dict:
    """What a list shows of an account's audience: {followers, followers_text, rounded, tier}."""
    count = creator.get("followers") or {}
    value = count.get("value") if isinstance(count.get("value"), int) else None
    rounded = bool(count.get("approx")) and value is not None
    return {"followers": value, "followers_text": followers_text(value, rounded), "rounded": rounded,
            "tier": tier_for(value)}


def listing_items(listing: dict) -> list[dict | None]:
    """One candidate item per listed creator (None for one that names no storable account, and for
    the list's owner: its own page is the one being looked at)."""
    platform, owner = listing["platform"], (listing.get("owner") or "").casefold()
    path = listing_path(listing)
    out: list[dict | None] = []
    for c in listing.get("creators") or []:
        handle = _handle_of(platform, c)
        if handle is None or (owner and handle.casefold() == owner):
            out.append(None)
            continue
        out.append({"platform": platform, "handle": handle, "platform_id": c.get("platform_id"),
                    "display_name": c.get("display_name"), **_shown(c), "path": path})
    return out


def snapshot_items(snapshot: dict) -> list[dict]:
    """The accounts a creator page's posts name, one item each with its count of posts: "mentioned"
    by a post with text (a caption, a tweet, a video's title and description), "tagged" by a post
    without any (a photo whose only words are the platform's "tagging @jlo")."""
    platform, own = snapshot.get("platform"), str(snapshot.get("handle") or "")
    if not own or platform not in records.PLATFORMS:
        return []
    seen: dict[tuple[str, str], list] = {}  # (kind, name case-folded) -> [name, posts]
    for post in snapshot.get("recent_posts") or []:
        if not isinstance(post, dict):
            continue
        has_text = bool(str(post.get("title") or "").strip())
        for name in dict.fromkeys(m for m in post.get("mentions") or [] if isinstance(m, str)):
            if name.casefold() == own.casefold() or not registry.valid_handle(platform, name):
                continue
            kind = "mention" if has_text else "tag"
            seen.setdefault((kind, name.casefold()), [name, 0])[1] += 1
    items = []
    for (kind, _), (name, posts) in list(seen.items())[:MAX_ITEMS_PER_SNAPSHOT]:
        verb = "mentioned by" if kind == "mention" else "tagged by"
        where = f" in {posts} posts" if posts > 1 else ""
        items.append({"platform": platform, "handle": name, "path": {
            "kind": kind, "label": f"{verb} @{own}{where} on {platform_label(platform)}",
            "via": _via_creator(platform, own), "page_url": snapshot.get("url"),
            "at": snapshot.get("captured_at"), "count": posts}})
    return items


_VIEW = ("id", "platform", "handle", "platform_id", "display_name", "followers", "followers_text", "rounded",
         "tier", "paths", "first_seen", "last_seen", "state", "state_reason", "checked_at")


def candidate_view(candidate: dict) -> dict:
    """A candidate as the API and the dashboard show it: its record and its profile URL."""
    out = {k: candidate.get(k) for k in _VIEW}
    if "also_on" in candidate:  # listed across platforms: the same handle elsewhere
        out["also_on"] = [dict(a) for a in candidate["also_on"]]
    try:
        out["url"] = registry.profile_url(candidate["platform"], candidate["handle"])
    except (ValueError, TypeError, KeyError):
        out["url"] = None
    return out


# -- list pages ------------------------------------------------------------------------------------------

def list_page(capture: dict, error: CaptureError) -> Listing | None:
    """The Listing of a capture the creator parser refused (`error`), when it is a list page."""
    if error.code not in LIST_PAGE_ERRORS:
        return None
    try:
        listing = parse_listing(capture)
    except CaptureError:
        return None
    if error.code == "malformed" and not listing.creators:
        return None  # a broken page that happens to sit at a list URL stays the error it was
    return listing


def side_listing(store: Repository, capture: dict) -> dict | None:
    """The list a creator page also shows (the followers tab of a profile, the comments under a
    post), added as candidates: its answer (add_listing), or None. The creator page is stored
    already, so a store problem here is logged, not the capture's failure."""
    try:
        listing = parse_listing(capture)
        return add_listing(store, listing) if listing.creators else None
    except CaptureError:
        return None
    except StoreError:
        log.exception("discovery could not keep the list shown on %s", str(capture.get("url"))[:200])
        return None


def _known(store: Repository, platform: str, handle: str | None) -> bool:
    if handle is None:
        return False
    try:
        return records.has_data(store.get_creator(platform, handle))
    except StoreError:
        return False


def add_listing(store: Repository, listing: Listing) -> dict:
    """Every creator of a list page becomes (or is counted again as) a candidate; the answer of a list
    capture: {kind, platform, query, owner, url, captured_at, creators: [...], creators_total,
    candidates_added}."""
    data = listing.to_dict()
    items = listing_items(data)
    merged = iter(store.merge_candidates([i for i in items if i is not None]))
    creators = []
    added = 0
    for listed, item in zip(data["creators"], items):
        cand, new = next(merged) if item is not None else (None, False)
        added += bool(cand is not None and new)
        handle = item["handle"] if item else _handle_of(data["platform"], listed)
        creators.append({
            "platform": data["platform"], "handle": handle, "platform_id": listed.get("platform_id"),
            "display_name": listed.get("display_name"), **_shown(listed),
            "known": cand["state"] == "checked" if cand else _known(store, data["platform"], handle),
            "candidate_id": cand["id"] if cand else None,
            "url": registry.profile_url(data["platform"], handle) if handle else None,
        })
    return {"kind": data["kind"], "platform": data["platform"], "query": data["query"], "owner": data["owner"],
            "url": data["url"], "captured_at": data["captured_at"], "creators": creators,
            "creators_total": data["creators_total"], "candidates_added": added}


# -- the ingest hook -------------------------------------------------------------------------------------

def note_capture(store: Repository, snapshot: dict) -> None:
    """After a snapshot was stored: its creator's candidate (if any) is checked, and the accounts its
    posts name become candidates. Never fails the capture (the snapshot is stored already): a store
    problem here is logged."""
    try:
        store.candidate_captured(snapshot["platform"], snapshot["handle"], snapshot.get("platform_id"))
        items = snapshot_items(snapshot)
        if items:
            store.merge_candidates(items)
    except StoreError:
        log.exception("discovery could not note the capture of %s/%s", snapshot.get("platform"),
                      snapshot.get("handle"))


# -- checking candidates (a polite refresh) ----------------------------------------------------------------

class CandidateChecks:
    """One app's candidate checks: candidates queued (POST /candidates/refresh, the dashboard's "Check
    selected") are refreshed on one worker thread, a run at a time, through the app's `Refreshes`
    (its browser lock, and its live rate budgets and cool-downs: the same politeness as watchlist
    refreshes, also when pages come from a replay). Each one ends "checked" (stored, scored) or
    "failed" with the reason in words; `status()` is the progress."""

    def __init__(self, store: Repository, refreshes: Refreshes):
        self.store = store
        self.refreshes = refreshes
        self._lock = threading.Lock()
        self._pending: list[dict] = []       # queued, not yet in a run
        self._active: dict[str, dict] = {}   # candidate id -> its entry (queued, running or done)
        self._worker: threading.Thread | None = None
        self._started_at: str | None = None
        self._finished_at: str | None = None

    def queue(self, ids: list[str], *, replay: Any = None, fetcher_options: dict | None = None,
              wait: bool = False) -> dict:
        """Queue these candidates (NotFound naming the first unknown id, before anything is queued);
        a candidate already queued or running is not queued twice. `wait`: run in this thread."""
        cands = [self.store.get_candidate(cid) for cid in dict.fromkeys(ids)]
        with self._lock:
            fresh = [c for c in cands if self._active.get(c["id"], {}).get("state") not in ("queued", "running")]
            self.store.set_candidate_states([c["id"] for c in fresh], "queued")
            for c in fresh:
                entry = {"id": c["id"], "platform": c["platform"], "handle": c["handle"], "state": "queued",
                         "reason": None, "at": None}
                self._active[c["id"]] = entry
                self._pending.append(entry)
            start = self._worker is None and bool(self._pending)
            if start:
                self._started_at, self._finished_at = now_iso(ms=True), None
                self._worker = threading.current_thread() if wait else threading.Thread(
                    target=self._work, args=(replay, fetcher_options), name="candidate-checks", daemon=True)
        if start and wait:
            self._work(replay, fetcher_options)
        elif start:
            self._worker.start()
        return {"queued": [c["id"] for c in fresh], "already": [c["id"] for c in cands if c not in fresh]}

    def _work(self, replay: Any, fetcher_options: dict | None) -> None:
        while True:
            with self._lock:
                batch, self._pending = self._pending, []
                if not batch:
                    self._worker, self._finished_at = None, now_iso(ms=True)
                    return
                for entry in batch:
                    entry["state"] = "running"
            try:
                self.refreshes.run([{"platform": e["platform"], "handle": e["handle"]} for e in batch],
                                   replay=replay, politeness=self.refreshes.politeness,
                                   fetcher_options=fetcher_options, on_result=self._on_result(batch))
            except Exception as exc:  # the run failed as a whole: every candidate of it says why
                log.exception("checking candidates failed")
                for entry in batch:
                    if entry["state"] == "running":
                        self._finish(entry, {"status": "error", "code": "browser_failed", "reason": str(exc)})

    def _on_result(self, batch: list[dict]) -> Callable[[CreatorOutcome], None]:
        by_account = {(e["platform"], e["handle"]): e for e in batch}

        def done(outcome: CreatorOutcome) -> None:
            entry = by_account.get((outcome.platform, outcome.handle))
            if entry is not None:
                self._finish(entry, {"status": outcome.status, "code": outcome.code, "reason": outcome.reason})

        return done

    def _finish(self, entry: dict, result: dict) -> None:
        ok = result["status"] == "ok"
        reason = None if ok else refresh_words(result, entry["platform"])
        try:
            self.store.set_candidate_state(entry["id"], "checked" if ok else "failed", reason)
        except StoreError:
            log.exception("recording the check of candidate %s failed", entry["id"])
        with self._lock:
            entry.update(state="checked" if ok else "failed", reason=reason, at=now_iso(ms=True))

    def status(self) -> dict:
        """{running, started_at, finished_at, counts: {state: n}, candidates: [{id, platform, handle,
        state, reason, at}]} of the candidates queued since this app started."""
        with self._lock:
            entries = [dict(e) for e in self._active.values()]
            running = self._worker is not None
            started, finished = self._started_at, self._finished_at
        counts: dict[str, int] = {}
        for e in entries:
            counts[e["state"]] = counts.get(e["state"], 0) + 1
        return {"running": running, "started_at": started, "finished_at": None if running else finished,
                "counts": counts, "candidates": entries}
