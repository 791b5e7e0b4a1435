"""The PostgreSQL table of discovery's candidates (DiscoveryRepository, issue 15), a mixin of
PostgresStore; the same behaviour as the TinyDB engine's (tinydb_discovery.py, whose pure merging
rules `_new`, `_merged` and `one_per_handle` it reuses, so the two engines cannot drift apart).

One row per candidate, a column per field of the candidate document (paths as a JSON array, every key
the account was known by as a text array), plus `seq`, the order candidates were found in (a list
page's own order, the tie-break of a listing). Unique on (platform, key): one candidate per account.
Indexed by every key (GIN on `keys`) and by platform id, so "is this creator a candidate?" (every
capture asks) is an index look-up.

Writes (merging, states) take one transaction-scoped advisory lock, CANDIDATES_LOCK: a merge reads a
candidate, merges paths and counts in Python and writes it back, and an account new to both of two
processes' list pages must become one candidate, not two. Holding the lock for the length of one
merge (milliseconds per page) is simpler and cheaper than locking rows that may not exist yet; the
unique key stays as the backstop. Reads take no lock.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Json

from scraper.times import now_iso
from server.store import records
from server.store.base import CreatorPage, NotFound, StoreError
from server.store.postgres_campaigns import plain_id
from server.store.tinydb_discovery import CANDIDATE_STATES, _copy, _merged, _new, one_per_handle

CANDIDATES_LOCK = 0x6B6F6C64  # "kold": the advisory lock held by a transaction writing candidates
COLUMNS = ("id", "platform", "key", "keys", "handle", "platform_id", "display_name", "followers", "followers_text",
           "rounded", "tier", "paths", "first_seen", "last_seen", "state", "state_reason", "checked_at")
_COLUMNS = ", ".join(COLUMNS)
_SELECT = f"SELECT {_COLUMNS} FROM candidates"
_UPSERT = (f"INSERT INTO candidates ({_COLUMNS}, kinds) VALUES ({', '.join(['%s'] * (len(COLUMNS) + 1))}) "
           f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in (*COLUMNS[1:], 'kinds'))}")

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS candidates (
    seq             bigserial,
    id              text PRIMARY KEY,
    platform        text NOT NULL,
    key             text NOT NULL,
    keys            text[] NOT NULL,
    handle          text,
    platform_id     text,
    display_name    text,
    followers       bigint,
    followers_text  text,
    rounded         boolean NOT NULL DEFAULT false,
    tier            text,
    paths           json NOT NULL DEFAULT '[]',
    kinds           text[] NOT NULL DEFAULT '{}',
    first_seen      text,
    last_seen       text COLLATE "C",
    state           text NOT NULL,
    state_reason    text,
    checked_at      text,
    UNIQUE (platform, key)
);
CREATE INDEX IF NOT EXISTS candidates_keys ON candidates USING gin (keys);
CREATE INDEX IF NOT EXISTS candidates_pid ON candidates (platform, platform_id);
CREATE INDEX IF NOT EXISTS candidates_listed ON candidates (last_seen DESC, seq);
"""


def _values(doc: dict) -> list:
    """A candidate's row: its fields, and the kinds of its paths (the `source` filter's column). A
    follower count past 64 bits (no account has one: a page's garbage) is kept as unknown."""
    paths = doc.get("paths") or []
    followers = doc.get("followers")
    if isinstance(followers, int) and not -2**63 <= followers < 2**63:
        doc = dict(doc, followers=None)
    return [*(Json(paths) if c == "paths" else doc.get(c) for c in COLUMNS),
            sorted({p.get("kind") for p in paths if isinstance(p.get("kind"), str)})]


class DiscoveryTables:
    """Candidates for PostgresStore (see the module docstring for the table and its lock)."""

    SCHEMA_SQL = SCHEMA_SQL

    # -- look-ups ----------------------------------------------------------------------------------

    def _candidate_of(self, conn: Any, platform: str, key: str, pid: str | None = None) -> dict | None:
        """The candidate of an account: the one whose key it is, else one that was known by it, else
        (with `pid`) the one with that platform id; the first found wins, as in the TinyDB engine."""
        row = conn.execute(f"{_SELECT} WHERE platform = %s AND (key = %s OR keys @> ARRAY[%s]) "
                           "ORDER BY key = %s DESC, seq LIMIT 1", (platform, key, key, key)).fetchone()
        if row is None and pid:
            row = conn.execute(f"{_SELECT} WHERE platform = %s AND platform_id = %s ORDER BY seq DESC LIMIT 1",
                               (platform, pid)).fetchone()
        return row

    def _captured(self, conn: Any, platform: str, key: str, pid: str | None) -> bool:
        """Whether the store has a capture of this account (under its key, or the one its platform
        id leads to): its candidate is then "checked" from the start."""
        return records.has_data(self._summary(conn, platform, self._known_key(conn, platform, key, pid)))

    def _lock_candidates(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CANDIDATES_LOCK,))

    # -- writes ------------------------------------------------------------------------------------

    def add_candidates(self, items: list[dict]) -> int:
        """Merge `items` as candidates; how many were new."""
        return sum(1 for doc, new in self.merge_candidates(items) if doc is not None and new)

    def merge_candidates(self, items: list[dict]) -> list[tuple[dict | None, bool]]:
        """Merge each item ({platform, handle or platform_id, platform_id?, display_name?, followers?,
        followers_text?, rounded?, tier?, path: {kind, label, via, page_url, at, count}}) into the
        candidates; answers (candidate, new) per item in order, (None, False) for an item naming no
        valid account. One transaction for the whole list."""
        now = now_iso(ms=True)
        with self._tx() as conn:
            self._lock_candidates(conn)
            merged: dict[str, dict] = {}  # this call's writes, by id (an account listed twice: once)
            out = []
            for item in items:
                doc, new = self._merge_one(conn, merged, item, now)
                if doc is not None:
                    merged[doc["id"]] = doc
                out.append((doc, new))
            with conn.cursor() as cur:  # in the order found: a new one's seq keeps the page's order
                cur.executemany(_UPSERT, [_values(doc) for doc in merged.values()])
            return [(_copy(doc) if doc is not None else None, new) for doc, new in out]

    def _merge_one(self, conn: Any, merged: dict, item: dict, now: str) -> tuple[dict | None, bool]:
        platform, pid = item.get("platform"), item.get("platform_id")
        pid = pid if isinstance(pid, str) and pid else None
        handle = item.get("handle") or pid
        try:
            platform, key = self._identity(conn, platform, handle)
        except StoreError:
            return None, False
        # as the TinyDB engine looks: the stored candidates by key, then by platform id, then this call's new ones
        old = self._candidate_of(conn, platform, key, pid)
        if old is not None:
            old = merged.get(old["id"], old)
        else:
            old = next((d for d in merged.values() if (d["platform"], d["key"]) == (platform, key)
                        or (pid and (d["platform"], d.get("platform_id")) == (platform, pid))), None)
        doc = _merged(old, item, platform, key, pid, now) if old else _new(item, platform, key, pid, now,
                                                                          self.new_id("cd"))
        if doc["state"] != "checked" and self._captured(conn, platform, key, pid):
            doc.update(state="checked", state_reason=None, checked_at=now)
        return doc, old is None

    def set_candidate_state(self, cand_id: str, state: str, reason: str | None = None) -> dict:
        """new | queued | checked | failed, with the reason a person reads (failed)."""
        return self.set_candidate_states([cand_id], state, reason)[0]

    def set_candidate_states(self, ids: list[str], state: str, reason: str | None = None) -> list[dict]:
        """set_candidate_state for several candidates, in one transaction (NotFound naming the first
        unknown id, before anything is written)."""
        if state not in CANDIDATE_STATES:
            raise ValueError(f"candidate state must be one of {CANDIDATE_STATES}, not {state!r}")
        with self._tx() as conn:
            self._lock_candidates(conn)
            found = {r["id"]: r for r in conn.execute(f"{_SELECT} WHERE id = ANY(%s)",
                                                      ([plain_id(i, "Candidate") for i in ids],))}
            docs = []
            for cid in ids:
                doc = found.get(cid)
                if doc is None:
                    raise NotFound(f"Candidate {cid}")
                doc = dict(doc, state=state, state_reason=reason)
                if state == "checked":
                    doc["checked_at"] = now_iso(ms=True)
                docs.append(doc)
            for doc in docs:
                conn.execute("UPDATE candidates SET state = %s, state_reason = %s, checked_at = %s WHERE id = %s",
                             (doc["state"], doc["state_reason"], doc["checked_at"], doc["id"]))
            return [_copy(d) for d in docs]

    def candidate_captured(self, platform: str, handle: str, platform_id: str | None = None) -> dict | None:
        """A capture of this account was stored: its candidate (if any) becomes checked. An index
        look-up, without the write lock, when the account is no candidate (every capture asks)."""
        pid = platform_id if isinstance(platform_id, str) and platform_id else None
        with self._tx() as conn:
            try:
                platform, key = self._identity(conn, platform, handle)
            except StoreError:
                return None
            doc = self._candidate_of(conn, platform, key, pid)
            if doc is None or doc["state"] == "checked":
                return _copy(doc) if doc is not None else None
            self._lock_candidates(conn)
            doc = conn.execute(f"UPDATE candidates SET state = 'checked', state_reason = NULL, checked_at = %s "
                               f"WHERE id = %s RETURNING {_COLUMNS}", (now_iso(ms=True), doc["id"])).fetchone()
            return _copy(doc)

    def import_candidates(self, docs: list[dict]) -> int:
        """Copy candidates as they are (`kolscope migrate`): ids, paths, states and times kept, an
        upsert by id, in the order given (the order they were found); a second run changes nothing.
        Answers how many were given."""
        with self._tx() as conn:
            self._lock_candidates(conn)
            with conn.cursor() as cur:
                cur.executemany(_UPSERT, [_values(dict(doc, keys=list(doc.get("keys") or [doc["key"]]),
                                                       rounded=bool(doc.get("rounded")))) for doc in docs])
        return len(docs)

    # -- reads -------------------------------------------------------------------------------------

    def get_candidate(self, cand_id: str) -> dict:
        with self._tx() as conn:
            doc = conn.execute(f"{_SELECT} WHERE id = %s", (plain_id(cand_id, "Candidate"),)).fetchone()
        if doc is None:
            raise NotFound(f"Candidate {cand_id}")
        return _copy(doc)

    def find_candidate(self, platform: str, handle: str) -> dict | None:
        """The candidate of this account, or None."""
        with self._tx() as conn:
            try:
                platform, key = self._identity(conn, platform, handle)
            except StoreError:
                return None
            doc = self._candidate_of(conn, platform, key)
        return _copy(doc) if doc is not None else None

    def list_candidates(self, *, source: str | None = None, platform: str | None = None,
                        tier: str | None = None, checked: bool | None = None, limit: int | None = 50,
                        offset: int = 0, across_platforms: bool = False) -> CreatorPage:
        """A page of candidates, most recently seen first (then in the order they were found).
        Filters combine: `source` (a path kind among the candidate's paths), `platform`, `tier`
        (case-insensitive), `checked` (state "checked", or any other state). `across_platforms`:
        one entry per handle, the same handle on other platforms listed in its `also_on` (the
        filtered candidates are then read whole: which entry stands for a handle depends on all)."""
        if offset < 0 or (limit is not None and limit < 1):
            raise ValueError("offset must be >= 0 and limit >= 1")
        if any(isinstance(f, str) and "\x00" in f for f in (source, platform, tier)):
            return CreatorPage()  # PostgreSQL text cannot hold it: no candidate has it
        where, params = ["true"], []
        if source is not None:
            where.append("%s = ANY(kinds)")
            params.append(source)
        if platform is not None:
            where.append("platform = %s")
            params.append(platform)
        if tier:
            where.append("lower(tier) = %s")
            params.append(tier.casefold())
        if checked is not None:
            where.append("state = 'checked'" if checked else "state <> 'checked'")
        sql = (f"SELECT {_COLUMNS}, count(*) OVER () AS total FROM candidates WHERE {' AND '.join(where)} "
               "ORDER BY last_seen DESC NULLS LAST, seq")
        if not across_platforms:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with self._tx() as conn:
            rows = conn.execute(sql, params).fetchall()
        if across_platforms:
            items = one_per_handle([_strip(r) for r in rows])
            end = len(items) if limit is None else offset + limit
            return CreatorPage(items=items[offset:end], total=len(items), next=end if end < len(items) else None)
        total = rows[0]["total"] if rows else self._count_candidates(where, params[:-2])
        end = offset + len(rows)
        return CreatorPage(items=[_copy(_strip(r)) for r in rows], total=total, next=end if end < total else None)

    def _count_candidates(self, where: list[str], params: list) -> int:
        """How many match (a page past the last one has no row to carry the count)."""
        with self._tx() as conn:
            return conn.execute(f"SELECT count(*) AS n FROM candidates WHERE {' AND '.join(where)}", params).fetchone()["n"]


def _strip(row: dict) -> dict:
    row.pop("total", None)
    return row
