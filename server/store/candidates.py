"""The rules of discovery's candidates, as pure functions (no I/O, no clock: `now` is passed in), as
records.py is for creators: both engines (tinydb_discovery.py, postgres_discovery.py) build, merge,
re-state, copy and page candidates only through these, so the two cannot drift apart.

Merging: one candidate per account, found by its key (the store's identity rule, so an alias or an
old handle leads to the same one) or by its platform id. A path is one (kind, via) pair ("mentioned by
@anna"): seen again, it keeps the larger count and, with it, the newer label ("in 3 posts"), so
capturing the same page twice does not count twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any

from scraper.text import without_lone_surrogates
from server.store.base import CreatorPage, NotFound

CANDIDATE_STATES = ("new", "queued", "checked", "failed")
# list-page kinds (scraper.listing.KINDS) and what a creator page points to
PATH_KINDS = ("search", "hashtag", "related", "followers", "following", "comments", "mention", "tag",
              "collab", "brand")
MAX_PATHS = 50  # per candidate: the most recent ones (a creator in every search is not 10,000 rows)
_SHOWN = ("display_name", "followers", "followers_text", "rounded", "tier")


class Shortcuts:
    """The DiscoveryRepository methods that are one call of another, for both engines' mixins."""

    def add_candidates(self, items: list[dict]) -> int:
        """Merge `items` as candidates; how many were new."""
        return sum(1 for doc, new in self.merge_candidates(items) if doc is not None and new)

    def set_candidate_state(self, cand_id: str, state: str, reason: str | None = None) -> dict:
        """new | queued | checked | failed, with the reason a person reads (failed)."""
        return self.set_candidate_states([cand_id], state, reason)[0]


# -- checks shared by the engines -----------------------------------------------------------------

def check_state(state: str) -> None:
    if state not in CANDIDATE_STATES:
        raise ValueError(f"candidate state must be one of {CANDIDATE_STATES}, not {state!r}")


def check_page(offset: int, limit: int | None) -> None:
    if offset < 0 or (limit is not None and limit < 1):
        raise ValueError("offset must be >= 0 and limit >= 1")


def platform_id(item: dict) -> str | None:
    """An item's platform id when it has one (a non-empty string), else None; as merge_item keeps it
    (half a surrogate pair: U+FFFD)."""
    pid = item.get("platform_id")
    return without_lone_surrogates(pid) if isinstance(pid, str) and pid else None


# -- building and changing a candidate --------------------------------------------------------------

def new(item: dict, platform: str, key: str, pid: str | None, now: str, cid: str) -> dict:
    """A candidate first seen now, from a merge item."""
    doc = {"id": cid, "platform": platform, "key": key, "keys": [key],
           "handle": item.get("handle") or pid, "platform_id": pid}
    doc.update({k: item.get(k) for k in _SHOWN})
    doc["rounded"] = bool(doc["rounded"])
    path = _path(item.get("path"), now)
    doc.update(paths=[path] if path else [], first_seen=now, last_seen=now, state="new", state_reason=None,
               checked_at=None)
    return doc


def merged(old: dict, item: dict, key: str, pid: str | None, now: str) -> dict:
    """`old` seen again in a merge item: the newest handle and name, the exact follower count over a
    rounded one, the item's path added."""
    doc = dict(old, last_seen=now)
    if item.get("handle"):  # a renamed account: the newest handle shows, every key leads here
        doc["handle"], doc["key"] = item["handle"], key
        doc["keys"] = list(dict.fromkeys([*(old.get("keys") or [old["key"]]), key]))
    if pid and not doc.get("platform_id"):
        doc["platform_id"] = pid
    if item.get("display_name"):
        doc["display_name"] = item["display_name"]
    if isinstance(item.get("followers"), int) and (not item.get("rounded") or old.get("rounded")
                                                   or old.get("followers") is None):
        # an exact count is not replaced by a rounded one
        doc.update({k: item.get(k) for k in ("followers", "followers_text", "tier")}, rounded=bool(item.get("rounded")))
    path = _path(item.get("path"), now)
    if path:
        doc["paths"] = _add_path(list(old.get("paths") or []), path)
    return doc


def merge_item(old: dict | None, item: dict, platform: str, key: str, pid: str | None, now: str,
               new_id: Callable[[], str], captured: Callable[[], bool]) -> dict:
    """The candidate a merge item makes: `old` merged, or a new one (id from `new_id()`); checked from
    the start when the store has a capture of the account (`captured()`, asked only then). Half a
    surrogate pair in the item's text (a list page's truncated emoji) becomes U+FFFD, as in a
    creator's snapshot: no engine can write it; a NUL is kept."""
    item = without_lone_surrogates(deepcopy(item))
    doc = merged(old, item, key, pid, now) if old else new(item, platform, key, pid, now, new_id())
    return checked(doc, now) if doc["state"] != "checked" and captured() else doc


def merge_all(items: list[dict], merge_one: Callable[[dict[str, dict], dict], tuple[dict | None, bool]]
              ) -> tuple[dict[str, dict], list[tuple[dict | None, bool]]]:
    """merge_candidates' loop: each item through `merge_one(this call's writes, item)`, in order.
    Answers (this call's writes by id, to store: an account listed twice is written once) and
    (candidate copy, new) per item, (None, False) for an item naming no valid account."""
    merged: dict[str, dict] = {}
    out = []
    for item in items:
        doc, new = merge_one(merged, item)
        if doc is not None:
            merged[doc["id"]] = doc
        out.append((doc, new))
    return merged, [(copy(doc) if doc is not None else None, new) for doc, new in out]


def in_call(merged_docs: dict[str, dict], platform: str, key: str, pid: str | None) -> dict | None:
    """The candidate written earlier in the same merge for this account (by key, else platform id):
    an account listed twice on one page becomes one candidate."""
    return next((d for d in merged_docs.values() if (d["platform"], d["key"]) == (platform, key)
                 or (pid and (d["platform"], d.get("platform_id")) == (platform, pid))), None)


def with_state(doc: dict, state: str, reason: str | None, now: str) -> dict:
    """`doc` in `state` (checked: since now), with the reason a person reads (as a merge item's text:
    half a surrogate pair becomes U+FFFD)."""
    out = dict(doc, state=state, state_reason=without_lone_surrogates(reason))
    if state == "checked":
        out["checked_at"] = now
    return out


def restated(found: Mapping[str, dict], ids: list[str], state: str, reason: str | None, now: str) -> list[dict]:
    """The candidates `ids` (read into `found`, by id) in `state`: set_candidate_states' rule, with
    NotFound naming the first unknown id, before anything is written."""
    check_state(state)
    docs = []
    for cid in ids:
        doc = found.get(cid)
        if doc is None:
            raise NotFound(f"Candidate {cid}")
        docs.append(with_state(doc, state, reason, now))
    return docs


def checked(doc: dict, now: str) -> dict:
    """`doc` checked (a capture of the account was stored); unchanged when it is already."""
    return doc if doc["state"] == "checked" else with_state(doc, "checked", None, now)


def copy(doc: dict) -> dict:
    """A candidate for a caller: changing it changes nothing stored."""
    return dict(doc, keys=list(doc.get("keys") or []), paths=[dict(p) for p in doc.get("paths") or []])


# -- listing ----------------------------------------------------------------------------------------

def page(items: list[dict], offset: int, limit: int | None) -> CreatorPage:
    """items[offset:offset + limit] as a page of all `items`."""
    end = len(items) if limit is None else offset + limit
    return CreatorPage(items=items[offset:end], total=len(items), next=end if end < len(items) else None)


def handle_key(doc: dict) -> str | None:
    """How one person's handle is recognised on another platform: the same letters and digits, case
    and `._-` aside ("Anna.Runs" on one is "anna_runs" on another); None for account ids (numbers)
    and handles too short to tell two people apart."""
    handle = str(doc.get("handle") or "")
    key = "".join(ch for ch in handle.casefold() if ch.isalnum())
    return key if len(key) >= 4 and not key.isdigit() else None


def one_per_handle(docs: list[dict]) -> list[dict]:
    """Candidates deduplicated across platforms by handle: the first of each handle (the most recently
    seen) stands for it, with the others in `also_on` [{id, platform, handle, followers, tier, state}]."""
    out: list[dict] = []
    first: dict[str, dict] = {}
    for d in docs:
        key = handle_key(d)
        lead = first.get(key) if key else None
        if lead is not None and lead["platform"] != d["platform"]:
            lead["also_on"].append({k: d.get(k) for k in ("id", "platform", "handle", "followers", "tier", "state")})
            continue
        item = dict(copy(d), also_on=[])
        out.append(item)
        if key and key not in first:
            first[key] = item
    return out


# -- paths ------------------------------------------------------------------------------------------

def _path(raw: Any, now: str) -> dict | None:
    if not isinstance(raw, dict) or raw.get("kind") not in PATH_KINDS or not raw.get("label"):
        return None
    count = raw.get("count")
    return {"kind": raw["kind"], "label": str(raw["label"]), "via": raw.get("via"),
            "page_url": raw.get("page_url"), "at": raw.get("at") or now,
            "count": count if isinstance(count, int) and count > 0 else 1}


def _add_path(paths: list[dict], path: dict) -> list[dict]:
    for n, p in enumerate(paths):
        if (p.get("kind"), p.get("via")) == (path["kind"], path["via"]):
            if path["count"] >= (p.get("count") or 1):
                paths[n] = path
            return paths
    return (paths + [path])[-MAX_PATHS:]
