"""The TinyDB engine's discovery table (issue 15), mixed into TinyDBStore: candidates with the paths
that found them. Uses the store's own lock (`self._lock`), directory (`self.dir`), envelope files
(`self._db(path, header=...)`) and ids (`self.new_id(prefix)`).

Layout: `<data>/discovery.json` (an envelope of kind "discovery", checked by `kolscope fsck`), one
TinyDB table "candidates". The file is opened on the first discovery call and its candidates kept in
memory beside it (this process holds the store's lock, so the copy is authoritative, as the creator
index is): two maps, (platform, key) and (platform, platform id) -> candidate id, make the
per-capture look-up ("is this creator a candidate?") a dict look-up, and a listing filters the
in-memory records instead of TinyDB building a Document of each (200 ms at 10,000 candidates).

Merging (`merge_candidates`): one candidate per account, found by its key (the store's identity
rule, so an alias or an old handle leads to the same one) or by its platform id. A path is one
(kind, via) pair ("mentioned by @anna"): seen again, it keeps the larger count and, with it, the
newer label ("in 3 posts"), so capturing the same page twice does not count twice.
"""

from __future__ import annotations

from typing import Any

from scraper.times import now_iso
from server.store import records
from server.store.base import CreatorPage, NotFound, StoreError

DISCOVERY_FILE = "discovery.json"
DISCOVERY_HEADER = {"kind": "discovery"}
TABLE = "candidates"
CANDIDATE_STATES = ("new", "queued", "checked", "failed")
# list-page kinds (scraper.listing.KINDS) and what a creator page points to
PATH_KINDS = ("search", "hashtag", "related", "followers", "following", "comments", "mention", "tag",
              "collab", "brand")
MAX_PATHS = 50  # per candidate: the most recent ones (a creator in every search is not 10,000 rows)


class DiscoveryTables:
    """Candidates (base.DiscoveryRepository). Every public method takes `self._lock`."""

    # -- the file and its in-memory copy ---------------------------------------------------------------

    def _candidates(self) -> dict:
        """The candidates' state, read from the file on first use: {storage, docs: {id: candidate}
        in the order found, doc_ids: {id: TinyDB doc id}, next (doc id), by_key, by_pid}."""
        state = self.__dict__.get("_discovery")
        if state is None:
            storage = self._db(self.dir / DISCOVERY_FILE, header=DISCOVERY_HEADER).storage
            state = {"storage": storage, "docs": {}, "doc_ids": {}, "by_key": {}, "by_pid": {}}
            raw = (storage.read() or {}).get(TABLE) or {}
            for n, doc in sorted(((int(n), d) for n, d in raw.items()), key=lambda nd: nd[0]):
                _remember(state, doc, n)
            state["next"] = max(state["doc_ids"].values(), default=0) + 1
            self.__dict__["_discovery"] = state
        return state

    def _write(self, state: dict, docs: list[dict]) -> None:
        """One atomic write of the file with `docs` added or replaced (TinyDB's layout, {table: {doc
        id: doc}}, written directly: TinyDB rebuilds the whole table for every insert or update, 15 ms
        each at 10,000 candidates). On failure the file keeps its previous version and the in-memory
        copy is dropped, to be read again from it."""
        try:
            data = dict(state["storage"].read() or {})
            table = dict(data.get(TABLE) or {})
            for doc in docs:
                n = state["doc_ids"].get(doc["id"])
                if n is None:
                    n = state["doc_ids"][doc["id"]] = state["next"]
                    state["next"] += 1
                table[str(n)] = doc
            data[TABLE] = table
            state["storage"].write(data)
        except BaseException:
            self.__dict__.pop("_discovery", None)
            raise
        for doc in docs:
            _remember(state, doc, state["doc_ids"][doc["id"]])

    def _captured_key(self, platform: str, key: str, pid: Any) -> str | None:
        """The stored key of this account when the store has a capture of it, else None."""
        known = self._known_key(platform, key, pid)
        if records.has_data(self._index.get((platform, known))):
            return known
        if isinstance(pid, str) and pid:
            other = self._pids.get((platform, pid))
            if other is not None and records.has_data(self._index.get((platform, other))):
                return other
        return None

    # -- writes ------------------------------------------------------------------------------------

    def add_candidates(self, items: list[dict]) -> int:
        """Merge `items` as candidates; how many were new."""
        return sum(1 for doc, new in self.merge_candidates(items) if doc is not None and new)

    def merge_candidates(self, items: list[dict]) -> list[tuple[dict | None, bool]]:
        """Merge each item ({platform, handle or platform_id, platform_id?, display_name?, followers?,
        followers_text?, rounded?, tier?, path: {kind, label, via, page_url, at, count}}) into the
        candidates; answers (candidate, new) per item in order, (None, False) for an item naming no
        valid account. One file write for the whole list."""
        now = now_iso(ms=True)
        with self._lock:
            state = self._candidates()
            merged: dict[str, dict] = {}  # this call's writes, by id (an account listed twice: once)
            out = []
            for item in items:
                doc, new = self._merge_one(state, merged, item, now)
                if doc is not None:
                    merged[doc["id"]] = doc
                out.append((doc, new))
            if merged:
                self._write(state, list(merged.values()))
            return [(_copy(doc) if doc is not None else None, new) for doc, new in out]

    def _merge_one(self, state: dict, merged: dict, item: dict, now: str) -> tuple[dict | None, bool]:
        platform, pid = item.get("platform"), item.get("platform_id")
        pid = pid if isinstance(pid, str) and pid else None
        handle = item.get("handle") or pid
        try:
            platform, key = self._identity(platform, handle)
        except StoreError:
            return None, False
        cid = (state["by_key"].get((platform, key)) or (pid and state["by_pid"].get((platform, pid)))
               or next((d["id"] for d in merged.values() if (d["platform"], d["key"]) == (platform, key)
                        or (pid and (d["platform"], d.get("platform_id")) == (platform, pid))), None))
        old = (merged.get(cid) or state["docs"].get(cid)) if cid else None
        doc = _merged(old, item, platform, key, pid, now) if old else _new(item, platform, key, pid, now,
                                                                          self.new_id("cd"))
        if self._captured_key(platform, key, pid) is not None and doc["state"] != "checked":
            doc.update(state="checked", state_reason=None, checked_at=now)
        return doc, old is None and cid not in merged

    def set_candidate_state(self, cand_id: str, state: str, reason: str | None = None) -> dict:
        """new | queued | checked | failed, with the reason a person reads (failed)."""
        return self.set_candidate_states([cand_id], state, reason)[0]

    def set_candidate_states(self, ids: list[str], state: str, reason: str | None = None) -> list[dict]:
        """set_candidate_state for several candidates, in one write (NotFound naming the first
        unknown id, before anything is written)."""
        if state not in CANDIDATE_STATES:
            raise ValueError(f"candidate state must be one of {CANDIDATE_STATES}, not {state!r}")
        with self._lock:
            maps = self._candidates()
            docs = []
            for cid in ids:
                doc = maps["docs"].get(cid)
                if doc is None:
                    raise NotFound(f"Candidate {cid}")
                doc = dict(doc, state=state, state_reason=reason)
                if state == "checked":
                    doc["checked_at"] = now_iso(ms=True)
                docs.append(doc)
            if docs:
                self._write(maps, docs)
            return [_copy(d) for d in docs]

    def candidate_captured(self, platform: str, handle: str, platform_id: str | None = None) -> dict | None:
        """A capture of this account was stored: its candidate (if any) becomes checked. A dict
        look-up when the account is no candidate (every capture asks)."""
        try:
            platform, key = self._identity(platform, handle)
        except StoreError:
            return None
        with self._lock:
            state = self._candidates()
            cid = state["by_key"].get((platform, key))
            if cid is None and isinstance(platform_id, str) and platform_id:
                cid = state["by_pid"].get((platform, platform_id))
            doc = state["docs"].get(cid) if cid else None
            if doc is None:
                return None
            if doc["state"] != "checked":
                doc = dict(doc, state="checked", state_reason=None, checked_at=now_iso(ms=True))
                self._write(state, [doc])
            return _copy(doc)

    # -- reads -------------------------------------------------------------------------------------

    def get_candidate(self, cand_id: str) -> dict:
        with self._lock:
            doc = self._candidates()["docs"].get(cand_id)
            if doc is None:
                raise NotFound(f"Candidate {cand_id}")
            return _copy(doc)

    def find_candidate(self, platform: str, handle: str) -> dict | None:
        """The candidate of this account, or None."""
        try:
            platform, key = self._identity(platform, handle)
        except StoreError:
            return None
        with self._lock:
            state = self._candidates()
            doc = state["docs"].get(state["by_key"].get((platform, key)))
            return _copy(doc) if doc is not None else None

    def list_candidates(self, *, source: str | None = None, platform: str | None = None,
                        tier: str | None = None, checked: bool | None = None, limit: int | None = 50,
                        offset: int = 0, across_platforms: bool = False) -> CreatorPage:
        """A page of candidates, most recently seen first (then in the order they were found).
        Filters combine: `source` (a path kind among the candidate's paths), `platform`, `tier`
        (case-insensitive), `checked` (state "checked", or any other state). `across_platforms`:
        one entry per handle, the same handle on other platforms listed in its `also_on`."""
        if offset < 0 or (limit is not None and limit < 1):
            raise ValueError("offset must be >= 0 and limit >= 1")
        wanted_tier = tier.casefold() if tier else None
        with self._lock:
            state = self._candidates()
            # in the order they were found (a list page's own order within one time)
            hits = [d for d in state["docs"].values()
                    if (source is None or any(p.get("kind") == source for p in d.get("paths") or []))
                    and (platform is None or d.get("platform") == platform)
                    and (wanted_tier is None or (d.get("tier") or "").casefold() == wanted_tier)
                    and (checked is None or (d.get("state") == "checked") == checked)]
            hits.sort(key=lambda d: d.get("last_seen") or "", reverse=True)  # stable: ties keep that order
            items = one_per_handle(hits) if across_platforms else [_copy(d) for d in hits]
            end = len(items) if limit is None else offset + limit
            return CreatorPage(items=items[offset:end], total=len(items), next=end if end < len(items) else None)


# -- the records (pure) --------------------------------------------------------------------------------

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
        item = dict(_copy(d), also_on=[])
        out.append(item)
        if key and key not in first:
            first[key] = item
    return out


def _copy(doc: dict) -> dict:
    """A candidate for a caller: changing it changes nothing stored."""
    return dict(doc, keys=list(doc.get("keys") or []), paths=[dict(p) for p in doc.get("paths") or []])


def _remember(state: dict, doc: dict, doc_id: int) -> None:
    state["docs"][doc["id"]] = dict(doc)
    state["doc_ids"][doc["id"]] = doc_id
    state["by_key"][(doc["platform"], doc["key"])] = doc["id"]
    for key in doc.get("keys") or ():
        state["by_key"].setdefault((doc["platform"], key), doc["id"])
    if doc.get("platform_id"):
        state["by_pid"][(doc["platform"], doc["platform_id"])] = doc["id"]


_SHOWN = ("display_name", "followers", "followers_text", "rounded", "tier")


def _new(item: dict, platform: str, key: str, pid: str | None, now: str, cid: str) -> dict:
    doc = {"id": cid, "platform": platform, "key": key, "keys": [key],
           "handle": item.get("handle") or pid, "platform_id": pid}
    doc.update({k: item.get(k) for k in _SHOWN})
    doc["rounded"] = bool(doc["rounded"])
    path = _path(item.get("path"), now)
    doc.update(paths=[path] if path else [], first_seen=now, last_seen=now, state="new", state_reason=None,
               checked_at=None)
    return doc


def _merged(old: dict, item: dict, platform: str, key: str, pid: str | None, now: str) -> dict:
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
