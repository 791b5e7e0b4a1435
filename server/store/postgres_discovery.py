"""The PostgreSQL table of discovery's candidates (DiscoveryRepository, issue 15), a mixin of
PostgresStore; the same behaviour as the TinyDB engine's: both build, merge and re-state candidates
by the pure rules of candidates.py.

One row per candidate: the candidate document as `json` (any text as written: a display name with
a NUL or half a surrogate pair, which PostgreSQL text cannot hold, is kept as the TinyDB engine keeps
it), and beside it the columns a look-up or a listing uses, their text made storable (`pg_text`):
every key the account was known by (a text array), its platform id, its tier case-folded, the kinds
of its paths, when it was last seen and its state; and `seq`, the order candidates were found in (a
list page's own order, the tie-break of a listing). Unique on (platform, key): one candidate per
account. Indexed by every key (GIN on `keys`) and by platform id, so "is this creator a candidate?"
(every capture asks) is an index look-up.

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
from server.store import candidates, records
from server.store.base import CreatorPage, NotFound, StoreError
from server.store.postgres_campaigns import pg_text, plain_id

CANDIDATES_LOCK = 0x6B6F6C64  # "kold": the advisory lock held by a transaction writing candidates
_COLUMNS = ("id", "platform", "key", "keys", "platform_id", "tier_cf", "kinds", "last_seen", "state", "doc")
_SELECT = "SELECT doc FROM candidates"
_UPSERT = (f"INSERT INTO candidates ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
           f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _COLUMNS[1:])}")
_SET_DOC = "UPDATE candidates SET state = %s, doc = %s WHERE id = %s"

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS candidates (
    seq             bigserial,
    id              text PRIMARY KEY,
    platform        text NOT NULL,
    key             text NOT NULL,
    keys            text[] NOT NULL,
    platform_id     text,
    tier_cf         text NOT NULL DEFAULT '',
    kinds           text[] NOT NULL DEFAULT '{}',
    last_seen       text COLLATE "C",
    state           text NOT NULL,
    doc             json NOT NULL,
    UNIQUE (platform, key)
);
CREATE INDEX IF NOT EXISTS candidates_keys ON candidates USING gin (keys);
CREATE INDEX IF NOT EXISTS candidates_pid ON candidates (platform, platform_id);
CREATE INDEX IF NOT EXISTS candidates_listed ON candidates (last_seen DESC, seq);
"""


def _values(doc: dict) -> list:
    """A candidate's row: its look-up columns (text made storable) and the document as written."""
    paths = doc.get("paths") or []
    tier = doc.get("tier")
    pid = doc.get("platform_id")
    return [doc["id"], doc["platform"], pg_text(doc["key"]), [pg_text(k) for k in doc.get("keys") or [doc["key"]]],
            pg_text(pid) if isinstance(pid, str) and pid else None,
            pg_text(tier.casefold()) if isinstance(tier, str) else "",
            sorted({pg_text(p.get("kind")) for p in paths if isinstance(p, dict) and isinstance(p.get("kind"), str)}),
            pg_text(doc.get("last_seen")), doc["state"], Json(doc)]


class DiscoveryTables(candidates.Shortcuts):
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
                               (platform, pg_text(pid))).fetchone()
        return row["doc"] if row is not None else None

    def _captured(self, conn: Any, platform: str, key: str, pid: str | None) -> bool:
        """Whether the store has a capture of this account (under its key, or the one its platform
        id leads to; the creators' platform id column holds it as pg_text makes it)."""
        return records.has_data(self._summary(conn, platform, self._known_key(conn, platform, key, pg_text(pid))))

    def _lock_candidates(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CANDIDATES_LOCK,))

    def _account(self, conn: Any, platform: Any, handle: Any) -> tuple[str, str] | None:
        """(platform, stored key) of an account; None for one no valid handle names (no candidate)."""
        try:
            return self._identity(conn, platform, handle)
        except StoreError:
            return None

    # -- writes ------------------------------------------------------------------------------------

    def merge_candidates(self, items: list[dict]) -> list[tuple[dict | None, bool]]:
        """Merge each item ({platform, handle or platform_id, platform_id?, display_name?, followers?,
        followers_text?, rounded?, tier?, path: {kind, label, via, page_url, at, count}}) into the
        candidates; answers (candidate, new) per item in order, (None, False) for an item naming no
        valid account. One transaction for the whole list."""
        now = now_iso(ms=True)
        with self._tx() as conn:
            self._lock_candidates(conn)
            merged, answers = candidates.merge_all(items, lambda done, item: self._merge_one(conn, done, item, now))
            with conn.cursor() as cur:  # in the order found: a new one's seq keeps the page's order
                cur.executemany(_UPSERT, [_values(doc) for doc in merged.values()])
            return answers

    def _merge_one(self, conn: Any, merged: dict, item: dict, now: str) -> tuple[dict | None, bool]:
        pid = candidates.platform_id(item)
        account = self._account(conn, item.get("platform"), item.get("handle") or pid)
        if account is None:
            return None, False
        platform, key = account
        # as the TinyDB engine looks: the stored candidates by key, then by platform id, then this call's new ones
        old = self._candidate_of(conn, platform, key, pid)
        old = merged.get(old["id"], old) if old is not None else candidates.in_call(merged, platform, key, pid)
        doc = candidates.merge_item(old, item, platform, key, pid, now, lambda: self.new_id("cd"),
                                    lambda: self._captured(conn, platform, key, pid))
        return doc, old is None

    def set_candidate_states(self, ids: list[str], state: str, reason: str | None = None) -> list[dict]:
        """set_candidate_state for several candidates, in one transaction (NotFound naming the first
        unknown id, before anything is written)."""
        with self._tx() as conn:
            self._lock_candidates(conn)
            found = {r["doc"]["id"]: r["doc"] for r in conn.execute(
                f"{_SELECT} WHERE id = ANY(%s)", ([plain_id(i, "Candidate") for i in ids],))}
            docs = candidates.restated(found, ids, state, reason, now_iso(ms=True))
            with conn.cursor() as cur:
                cur.executemany(_SET_DOC, [(d["state"], Json(d), d["id"]) for d in docs])
            return [candidates.copy(d) for d in docs]

    def candidate_captured(self, platform: str, handle: str, platform_id: str | None = None) -> dict | None:
        """A capture of this account was stored: its candidate (if any) becomes checked. An index
        look-up, without the write lock, when the account is no candidate (every capture asks)."""
        pid = platform_id if isinstance(platform_id, str) and platform_id else None
        with self._tx() as conn:
            account = self._account(conn, platform, handle)
            if account is None:
                return None
            platform, key = account
            doc = self._candidate_of(conn, platform, key, pid)
            if doc is None or doc["state"] == "checked":
                return candidates.copy(doc) if doc is not None else None
            self._lock_candidates(conn)
            doc = self._candidate_of(conn, platform, key, pid)  # again, under the lock: a merge may have changed it
            doc = candidates.checked(doc, now_iso(ms=True))
            conn.execute(_SET_DOC, (doc["state"], Json(doc), doc["id"]))
            return candidates.copy(doc)

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
            row = conn.execute(f"{_SELECT} WHERE id = %s", (plain_id(cand_id, "Candidate"),)).fetchone()
        if row is None:
            raise NotFound(f"Candidate {cand_id}")
        return candidates.copy(row["doc"])

    def find_candidate(self, platform: str, handle: str) -> dict | None:
        """The candidate of this account, or None."""
        with self._tx() as conn:
            account = self._account(conn, platform, handle)
            if account is None:
                return None
            platform, key = account
            doc = self._candidate_of(conn, platform, key)
        return candidates.copy(doc) if doc is not None else None

    def list_candidates(self, *, source: str | None = None, platform: str | None = None,
                        tier: str | None = None, checked: bool | None = None, limit: int | None = 50,
                        offset: int = 0, across_platforms: bool = False) -> CreatorPage:
        """The TinyDB engine's listing (base.DiscoveryRepository), filtered and paged in SQL; with
        `across_platforms` the filtered candidates are read whole (which entry stands for a handle
        depends on all of them)."""
        candidates.check_page(offset, limit)
        where, params = ["true"], []
        if source is not None:
            where.append("%s = ANY(kinds)")
            params.append(pg_text(source))
        if platform is not None:
            where.append("platform = %s")
            params.append(pg_text(platform))
        if tier:
            where.append("tier_cf = %s")
            params.append(pg_text(tier.casefold()))
        if checked is not None:
            where.append("state = 'checked'" if checked else "state <> 'checked'")
        sql = (f"SELECT doc, count(*) OVER () AS total FROM candidates WHERE {' AND '.join(where)} "
               "ORDER BY last_seen DESC NULLS LAST, seq")
        if not across_platforms:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        with self._tx() as conn:
            rows = conn.execute(sql, params).fetchall()
        if across_platforms:
            return candidates.page(candidates.one_per_handle([r["doc"] for r in rows]), offset, limit)
        total = rows[0]["total"] if rows else self._count_candidates(where, params[:-2])
        end = offset + len(rows)
        return CreatorPage(items=[candidates.copy(r["doc"]) for r in rows], total=total,
                           next=end if end < total else None)

    def _count_candidates(self, where: list[str], params: list) -> int:
        """How many match (a page past the last one has no row to carry the count)."""
        with self._tx() as conn:
            return conn.execute(f"SELECT count(*) AS n FROM candidates WHERE {' AND '.join(where)}", params).fetchone()["n"]
