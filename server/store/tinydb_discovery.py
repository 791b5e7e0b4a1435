"""The TinyDB engine's discovery table (issue 15), mixed into TinyDBStore: candidates with the paths
that found them. Uses the store's own lock (`self._lock`), directory (`self.dir`), envelope files
(`self._db(path, header=...)`) and ids (`self.new_id(prefix)`).

Layout: `<data>/discovery.json` (an envelope of kind "discovery", checked by `kolscope fsck`), one
TinyDB table "candidates". The file is opened on the first discovery call and its candidates kept in
memory beside it (this process holds the store's lock, so the copy is authoritative, as the creator
index is): two maps, (platform, key) and (platform, platform id) -> candidate id, make the
per-capture look-up ("is this creator a candidate?") a dict look-up, and a listing filters the
in-memory records instead of TinyDB building a Document of each (200 ms at 10,000 candidates).

The rules of a candidate (merging, paths, states, one entry per handle) are candidates.py's, shared
with the PostgreSQL engine.
"""

from __future__ import annotations

from typing import Any

from scraper.times import now_iso
from server.store import candidates, records
from server.store.base import CreatorPage, NotFound, StoreError

DISCOVERY_FILE = "discovery.json"
DISCOVERY_HEADER = {"kind": "discovery"}
TABLE = "candidates"


class DiscoveryTables(candidates.Shortcuts):
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

    def _account(self, platform: Any, handle: Any) -> tuple[str, str] | None:
        """(platform, stored key) of an account; None for one no valid handle names (no candidate)."""
        try:
            return self._identity(platform, handle)
        except StoreError:
            return None

    def _find(self, platform: Any, handle: Any, pid: Any = None) -> tuple[dict, dict | None]:
        """(the candidates' state, the candidate of this account or None): by its key, else (with
        `pid`) by its platform id. The caller holds the lock."""
        state = self._candidates()
        account = self._account(platform, handle)
        if account is None:
            return state, None
        cid = state["by_key"].get(account)
        if cid is None and isinstance(pid, str) and pid:
            cid = state["by_pid"].get((account[0], pid))
        return state, state["docs"].get(cid) if cid else None

    # -- writes ------------------------------------------------------------------------------------

    def merge_candidates(self, items: list[dict]) -> list[tuple[dict | None, bool]]:
        """Merge each item ({platform, handle or platform_id, platform_id?, display_name?, followers?,
        followers_text?, rounded?, tier?, path: {kind, label, via, page_url, at, count}}) into the
        candidates; answers (candidate, new) per item in order, (None, False) for an item naming no
        valid account. One file write for the whole list."""
        now = now_iso(ms=True)
        with self._lock:
            state = self._candidates()
            merged, answers = candidates.merge_all(items, lambda done, item: self._merge_one(state, done, item, now))
            if merged:
                self._write(state, list(merged.values()))
            return answers

    def _merge_one(self, state: dict, merged: dict, item: dict, now: str) -> tuple[dict | None, bool]:
        pid = candidates.platform_id(item)
        account = self._account(item.get("platform"), item.get("handle") or pid)
        if account is None:
            return None, False
        platform, key = account
        cid = state["by_key"].get((platform, key)) or (pid and state["by_pid"].get((platform, pid)))
        old = (merged.get(cid) or state["docs"].get(cid)) if cid else candidates.in_call(merged, platform, key, pid)
        doc = candidates.merge_item(old, item, platform, key, pid, now, lambda: self.new_id("cd"),
                                    lambda: self._captured_key(platform, key, pid) is not None)
        return doc, old is None

    def set_candidate_states(self, ids: list[str], state: str, reason: str | None = None) -> list[dict]:
        """set_candidate_state for several candidates, in one write (NotFound naming the first
        unknown id, before anything is written)."""
        with self._lock:
            maps = self._candidates()
            docs = candidates.restated(maps["docs"], ids, state, reason, now_iso(ms=True))
            if docs:
                self._write(maps, docs)
            return [candidates.copy(d) for d in docs]

    def candidate_captured(self, platform: str, handle: str, platform_id: str | None = None) -> dict | None:
        """A capture of this account was stored: its candidate (if any) becomes checked. A dict
        look-up when the account is no candidate (every capture asks)."""
        with self._lock:
            state, doc = self._find(platform, handle, platform_id)
            if doc is None:
                return None
            if doc["state"] != "checked":
                doc = candidates.checked(doc, now_iso(ms=True))
                self._write(state, [doc])
            return candidates.copy(doc)

    # -- reads -------------------------------------------------------------------------------------

    def get_candidate(self, cand_id: str) -> dict:
        with self._lock:
            doc = self._candidates()["docs"].get(cand_id)
            if doc is None:
                raise NotFound(f"Candidate {cand_id}")
            return candidates.copy(doc)

    def find_candidate(self, platform: str, handle: str) -> dict | None:
        """The candidate of this account, or None."""
        with self._lock:
            doc = self._find(platform, handle)[1]
            return candidates.copy(doc) if doc is not None else None

    def list_candidates(self, *, source: str | None = None, platform: str | None = None,
                        tier: str | None = None, checked: bool | None = None, limit: int | None = 50,
                        offset: int = 0, across_platforms: bool = False) -> CreatorPage:
        """A page of candidates, most recently seen first (then in the order they were found).
        Filters combine: `source` (a path kind among the candidate's paths), `platform`, `tier`
        (case-insensitive), `checked` (state "checked", or any other state). `across_platforms`:
        one entry per handle, the same handle on other platforms listed in its `also_on`."""
        candidates.check_page(offset, limit)
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
            items = candidates.one_per_handle(hits) if across_platforms else [candidates.copy(d) for d in hits]
            return candidates.page(items, offset, limit)


# -- the in-memory maps --------------------------------------------------------------------------------

def _remember(state: dict, doc: dict, doc_id: int) -> None:
    state["docs"][doc["id"]] = dict(doc)
    state["doc_ids"][doc["id"]] = doc_id
    state["by_key"][(doc["platform"], doc["key"])] = doc["id"]
    for key in doc.get("keys") or ():
        state["by_key"].setdefault((doc["platform"], key), doc["id"])
    if doc.get("platform_id"):
        state["by_pid"][(doc["platform"], doc["platform_id"])] = doc["id"]
