"""The PostgreSQL engine of the store (issue 16): one database shared by several server processes
and refresh workers. Chosen by `open_store` for a `postgresql://` DATABASE URL; the only module (with
its table mixins postgres_campaigns.py and postgres_discovery.py) that imports psycopg.

Every public method is one transaction on a connection from this process's pool (`_tx`); nothing
is cached in the process that another process could change (several servers and workers write).
The schema is created on first open and upgraded in order (`SCHEMA`, then each mixin's
`SCHEMA_SQL`), under an advisory lock so two processes starting together do not race.

Tables (the records are the TinyDB engine's, built by the same rules in records.py):

    creators        one row per creator: its summary and latest {snapshot, scores, brief_id,
                    scored_at, tasks} as `json` (text kept as written: key order, numbers), and the
                    columns a listing filters and sorts on (computed from the summary by `_listed`,
                    with records.py's rules), so find_creators pages in SQL
    history         ONE ROW PER POINT: (creator id, numbers): the point's number n (its order of
                    arrival), then the point written against the one that arrived before it
                    (packing.Chain: what changed, in a few bytes). A row is ~90 bytes with a
                    realistic day's changes, and its entry in the (deduplicated) creator index ~7:
                    365 daily points take ~35 KB (the JSON points ~200 KB)
    aliases         (platform, another key of the account) -> the key its data is stored under
    watchlists, watchlist_members, briefs, notes, users, settings (active brief, extension id, the
                    owner token)

Identity helpers the mixins use (each takes the open transaction's connection): `_identity(conn,
platform, handle)` -> (platform, key) through aliases; `_summary(conn, platform, key)`;
`_known_key(conn, platform, key, pid)`; `ensure_creator`. `forget_creators` keeps campaign partners
by asking `self._partner_idents(conn)` (postgres_campaigns.py).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Json
from psycopg_pool import ConnectionPool

from scraper.times import now_iso
from server.store import records
from server.store.base import (
    CONFIDENCES, DEFAULT_REFRESH_HOURS, REFRESH_STATUSES, TASK_IDS_KEPT, Conflict, CreatorPage, CreatorQuery, NotFound,
    StoreError,
)
from server.store.packing import Chain, get_varint, put_varint
from server.store.postgres_campaigns import CampaignTables, folded, pg_text
from server.store.postgres_discovery import DiscoveryTables

SCHEMA_LOCK = 0x6B6F6C73  # "kols": the advisory lock held while the schema is created or upgraded
SCHEMA_VERSION = 1  # the first released schema: a database newer than this is refused

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name text PRIMARY KEY, value json);
CREATE TABLE IF NOT EXISTS settings (name text PRIMARY KEY, value json);
CREATE SEQUENCE IF NOT EXISTS creator_writes;
CREATE TABLE IF NOT EXISTS creators (
    id integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    platform text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    platform_id text,
    written bigint NOT NULL,
    points integer NOT NULL DEFAULT 0,
    summary json NOT NULL,
    latest json,
    has_data boolean NOT NULL,
    handle_cf text NOT NULL,
    name_cf text NOT NULL,
    tier_l text NOT NULL,
    country_u text NOT NULL,
    languages text[] NOT NULL,
    refresh_state text NOT NULL,
    captured_at text COLLATE "C",
    s_score double precision,
    s_fit double precision,
    s_authenticity double precision,
    s_confidence integer,
    s_followers double precision,
    s_tier integer,
    s_growth double precision,
    PRIMARY KEY (platform, key)
);
CREATE INDEX IF NOT EXISTS creators_pid ON creators (platform, platform_id) WHERE platform_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS history (creator integer NOT NULL, numbers bytea NOT NULL);
CREATE INDEX IF NOT EXISTS history_creator ON history (creator);
CREATE TABLE IF NOT EXISTS aliases (
    platform text COLLATE "C" NOT NULL,
    alias text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (platform, alias)
);
CREATE TABLE IF NOT EXISTS watchlists (
    id text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    name_cf bytea NOT NULL UNIQUE,
    doc json NOT NULL
);
CREATE TABLE IF NOT EXISTS watchlist_members (
    watchlist_id text NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
    platform text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    added_by text,
    added_at text,
    PRIMARY KEY (watchlist_id, platform, key)
);
CREATE INDEX IF NOT EXISTS watchlist_members_creator ON watchlist_members (platform, key);
CREATE TABLE IF NOT EXISTS briefs (
    id text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    doc json NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    platform text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    doc json NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_creator ON notes (platform, key);
CREATE TABLE IF NOT EXISTS users (
    id text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    name text NOT NULL,
    name_cf bytea NOT NULL UNIQUE,
    admin boolean NOT NULL,
    created_at text NOT NULL,
    revoked_at text,
    token_sha256 text NOT NULL,
    token_hint text NOT NULL
);
CREATE INDEX IF NOT EXISTS users_token ON users (token_sha256);
"""

# the listing's sort columns (records.SORT_VALUES: the same values, computed when a summary is written)
SORT_COLUMNS = {"score": "s_score", "fit": "s_fit", "authenticity": "s_authenticity", "confidence": "s_confidence",
                "followers": "s_followers", "tier": "s_tier", "growth": "s_growth", "handle": "key",
                "captured_at": "captured_at"}
_WRITE_COLUMNS = ("platform_id", "has_data", "handle_cf", "name_cf", "tier_l", "country_u", "languages",
                  "refresh_state", "captured_at", "s_score", "s_fit", "s_authenticity", "s_confidence",
                  "s_followers", "s_tier", "s_growth")


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _listed(summary: dict) -> dict:
    """The columns a listing filters and sorts on, from a summary, by records.py's rules (the same
    values records.predicates and records.SORT_VALUES compute; text as Python folds it)."""
    value = records.sort_value
    captured = summary.get("captured_at")
    pid = summary.get("platform_id")
    return {
        "platform_id": pg_text(pid) if isinstance(pid, str) and pid else None,
        "has_data": records.has_data(summary),
        "handle_cf": pg_text(str(summary.get("handle") or "").casefold()),
        "name_cf": pg_text(str(summary.get("display_name") or "").casefold()),
        "tier_l": pg_text((summary.get("tier") or "").lower() if isinstance(summary.get("tier") or "", str) else ""),
        "country_u": pg_text((summary.get("country") or "").upper() if isinstance(summary.get("country") or "", str) else ""),
        "languages": [pg_text(x) for x in records.audience_languages(summary) if isinstance(x, str)],
        "refresh_state": pg_text(str(records.refresh_state(summary))),
        "captured_at": pg_text(str(captured)) if captured is not None else None,
        "s_score": _number(value(summary, "score")),
        "s_fit": _number(value(summary, "fit")),
        "s_authenticity": _number(value(summary, "authenticity")),
        "s_confidence": value(summary, "confidence"),
        "s_followers": _number(value(summary, "followers")),
        "s_tier": value(summary, "tier"),
        "s_growth": _number(value(summary, "growth")),
    }


def _unavailable(exc: BaseException) -> StoreError:
    """A database that cannot be reached, said in words (psycopg's message names host and port;
    a password in the URL never reaches it)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreError("store_unavailable", f"Cannot connect to the PostgreSQL database: {detail}")


class PostgresStore(CampaignTables, DiscoveryTables):
    """The repository over one PostgreSQL database (see the module's docstring)."""

    new_id = staticmethod(_new_id)

    def __init__(self, url: str, *, pool_size: int = 8, lock_pool_size: int = 32):
        self.url = url
        self.dir = None  # no data directory: callers that print one say the database instead
        self.pool = self.lock_pool = None
        try:
            # check the URL and the server once, directly: a pool would retry in the background
            # and answer a timeout instead of the reason
            psycopg.connect(url, connect_timeout=10).close()
            self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=30,
                                       kwargs={"row_factory": dict_row, "autocommit": False})
            self.pool.wait(timeout=30)
            # creator_lock's connections: a holder of a lock also takes one of `pool` for its writes,
            # so waiters on a lock must not use that pool up (it would deadlock at pool_size waiters)
            self.lock_pool = ConnectionPool(url, min_size=0, max_size=lock_pool_size, open=True, timeout=300,
                                            kwargs={"autocommit": True})
            self._create_schema()
        except StoreError:
            self.close()
            raise
        except Exception as exc:  # psycopg.Error, PoolTimeout, a malformed URL: said in words
            self.close()
            raise _unavailable(exc) from None

    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        """One transaction (committed when the block ends, rolled back on an exception). A server
        that cannot be reached (no connection within the pool's timeout, or lost) is a StoreError."""
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(self.pool.connection())
                stack.enter_context(conn.transaction())
            except Exception as exc:  # PoolTimeout, OperationalError
                raise _unavailable(exc) from None
            try:
                yield conn
            except psycopg.OperationalError as exc:
                raise _unavailable(exc) from None
            except (psycopg.errors.UntranslatableCharacter, psycopg.errors.CharacterNotInRepertoire,
                    UnicodeEncodeError) as exc:
                # an id or name with a NUL or a lone surrogate (from a URL or a JSON body): no stored
                # record can have it (records are written as json, which escapes them)
                raise NotFound("A record with that id or name") from exc
            except psycopg.DataError as exc:
                if "NUL" not in str(exc):
                    raise
                raise NotFound("A record with that id or name") from exc

    def _create_schema(self) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            conn.execute(SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
            if row is not None and isinstance(row["value"], int) and row["value"] > SCHEMA_VERSION:
                raise StoreError("store_too_new", f"The database has schema version {row['value']}; this "
                                                  f"kolscope reads up to {SCHEMA_VERSION}. Upgrade kolscope.")
            conn.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (name) DO UPDATE "
                         "SET value = EXCLUDED.value", (Json(SCHEMA_VERSION),))
            for sql in (CampaignTables.SCHEMA_SQL, DiscoveryTables.SCHEMA_SQL):
                if sql.strip():
                    conn.execute(sql)

    def close(self) -> None:
        for pool in (self.lock_pool, self.pool):
            if pool is not None:
                pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- identity (the helpers the mixins share; each within the caller's transaction) ---------------

    def _identity(self, conn: psycopg.Connection, platform: str, handle: str) -> tuple[str, str]:
        """(platform, stored key) of a handle: records.identity through the aliases table."""
        if not records.valid_handle(platform, handle):
            raise StoreError("invalid_handle", f"{handle!r} is not a valid {platform} handle.")
        key = records.creator_key(platform, handle)
        row = conn.execute("SELECT key FROM aliases WHERE platform = %s AND alias = %s", (platform, key)).fetchone()
        return records.identity(platform, handle, {(platform, key): row["key"]} if row else {})

    def _summary(self, conn: psycopg.Connection, platform: str, key: str, *, lock: bool = False) -> dict | None:
        row = conn.execute("SELECT summary FROM creators WHERE platform = %s AND key = %s"
                           + (" FOR UPDATE" if lock else ""), (platform, key)).fetchone()
        return row["summary"] if row else None

    def _known_key(self, conn: psycopg.Connection, platform: str, key: str, pid: Any) -> str:
        """records.known_key over the database: the creator last written with platform id `pid`."""
        if not isinstance(pid, str) or not pid:
            return key
        index: dict[tuple[str, str], dict] = {}
        own = self._summary(conn, platform, key)
        if own is not None:
            index[(platform, key)] = own
        pids = {}
        row = conn.execute("SELECT key FROM creators WHERE platform = %s AND platform_id = %s "
                           "ORDER BY written DESC LIMIT 1", (platform, pid)).fetchone()
        if row is not None:
            pids[(platform, pid)] = row["key"]
            index.setdefault((platform, row["key"]), {})
        return records.known_key(platform, key, pid, index, pids)

    def _write_summary(self, conn: psycopg.Connection, summary: dict) -> None:
        """Insert or replace a creator's summary and its listing columns (the latest and history
        are written by their own statements)."""
        cols = _listed(summary)
        names = ", ".join(_WRITE_COLUMNS)
        conn.execute(
            f"INSERT INTO creators (platform, key, summary, written, {names}) VALUES (%s, %s, %s, "
            f"nextval('creator_writes'), {', '.join(['%s'] * len(_WRITE_COLUMNS))}) "
            f"ON CONFLICT (platform, key) DO UPDATE SET summary = EXCLUDED.summary, written = EXCLUDED.written, "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in _WRITE_COLUMNS),
            (summary["platform"], summary["key"], Json(summary), *(cols[c] for c in _WRITE_COLUMNS)))

    def _same_account(self, conn: psycopg.Connection, platform: str, key: str, snapshot: dict) -> str:
        """The stored key of the account `snapshot` shows (tinydb.py's rule: a new handle of a known
        platform id becomes an alias of the known key; a placeholder under it folds into it)."""
        known = self._known_key(conn, platform, key, snapshot.get("platform_id"))
        if known == key:
            return key
        if self._summary(conn, platform, key, lock=True) is not None:
            self._fold_placeholder(conn, platform, key, known)
        conn.execute("INSERT INTO aliases (platform, alias, key) VALUES (%s, %s, %s) "
                     "ON CONFLICT (platform, alias) DO UPDATE SET key = EXCLUDED.key", (platform, key, known))
        return known

    def _fold_placeholder(self, conn: psycopg.Connection, platform: str, key: str, known: str) -> None:
        """A placeholder turns out to be the known account: its watchlist places (records.fold_members)
        and notes move to it, and the empty entry goes."""
        rows = conn.execute("SELECT DISTINCT watchlist_id FROM watchlist_members WHERE platform = %s AND key = %s",
                            (platform, key)).fetchall()
        for row in rows:
            wid = row["watchlist_id"]
            members = self._members(conn, wid)
            folded = records.fold_members(members, platform, key, known)
            self._replace_members(conn, wid, folded)
        for row in conn.execute("SELECT id, doc FROM notes WHERE platform = %s AND key = %s FOR UPDATE",
                                (platform, key)).fetchall():
            self._insert_note(conn, dict(row["doc"], key=known))
        conn.execute("DELETE FROM creators WHERE platform = %s AND key = %s", (platform, key))

    # -- creators --------------------------------------------------------------------------------

    @staticmethod
    def _point_row(chain: Chain, n: int, point: dict) -> bytes:
        """A point's `numbers`: n, then the point as the next link of its creator's chain. The point
        is taken in JSON's own types first (a tuple is a list, a key is text), as TinyDB keeps it."""
        out = bytearray()
        put_varint(out, n)
        return bytes(out) + chain.encode(json.loads(json.dumps(point)))

    def _chain(self, conn: psycopg.Connection, creator: int | None) -> tuple[list[dict], Chain]:
        """A creator's points in the order they arrived (as decoded: they may share unchanged
        parts), and the chain after the last one, to append to."""
        chain = Chain()
        if creator is None:
            return [], chain
        rows = []
        for r in conn.execute("SELECT numbers FROM history WHERE creator = %s", (creator,)):
            numbers = bytes(r["numbers"])
            n, i = get_varint(numbers, 0)
            rows.append((n, i, numbers))
        rows.sort()
        return [chain.decode(numbers, i) for _, i, numbers in rows], chain

    @staticmethod
    def _dated(points: list[dict], *, copy: bool = True) -> list[dict]:
        """Points as history() gives them: oldest first by captured_at as text, equal ones in the
        order they came; with `copy`, each its own objects (marshal's version 2 copies a tree of
        JSON values several times faster than json, and shares nothing). Without, for a reader
        that only reads them and lets none escape (the summary's growth and count)."""
        if copy:
            points = marshal.loads(marshal.dumps(points, 2))
        return sorted(points, key=lambda p: str(p.get("captured_at") or ""))

    def _history(self, conn: psycopg.Connection, creator: int | None) -> list[dict]:
        """A creator's points, oldest first (by captured_at as text; equal ones as stored)."""
        return self._dated(self._chain(conn, creator)[0])

    def _creator_row(self, conn: psycopg.Connection, platform: str, key: str, *, lock: bool = False) -> dict | None:
        return conn.execute("SELECT id, points, summary, latest FROM creators WHERE platform = %s AND key = %s"
                            + (" FOR UPDATE" if lock else ""), (platform, key)).fetchone()

    def add_snapshot(self, snapshot: dict, scores: dict | None, *, brief_id: str | None = None,
                     history_point: dict | None = None, task_id: str | None = None) -> dict:
        """Store a parsed snapshot and its scores (tinydb.py's add_snapshot): the point, the latest
        (with the task id) and the summary in one transaction, the creator's row locked."""
        point = history_point if history_point is not None else records.default_point(snapshot)
        now = now_iso(ms=True)
        with self._tx() as conn:
            platform, key = self._identity(conn, snapshot.get("platform"), snapshot.get("handle"))
            key = self._same_account(conn, platform, key, snapshot)
            row = self._creator_row(conn, platform, key, lock=True)
            old = row["summary"] if row is not None else {}
            if row is None:  # a new creator: a row to lock first (its summary is written below)
                self._write_summary(conn, records.placeholder(platform, key, snapshot.get("handle"), None, now))
                row = self._creator_row(conn, platform, key, lock=True)
            before = row["latest"] or {}
            tasks = list(before.get("tasks") or [])
            if task_id:
                tasks = (tasks + [task_id])[-TASK_IDS_KEPT:]
            arrived, chain = self._chain(conn, row["id"])
            n = len(arrived) + 1
            conn.execute("INSERT INTO history (creator, numbers) VALUES (%s, %s)",
                         (row["id"], self._point_row(chain, n, point)))
            latest = {"snapshot": snapshot, "scores": scores, "brief_id": brief_id, "scored_at": now, "tasks": tasks}
            points = self._dated([*arrived, chain.prev], copy=False)  # records.summary only reads them
            summary = records.summary(platform, key, snapshot, scores, brief_id, points, old, now_iso(ms=True))
            self._write_summary(conn, summary)
            conn.execute("UPDATE creators SET latest = %s, points = %s WHERE id = %s", (Json(latest), n, row["id"]))
            return summary

    def applied_task(self, platform: str, handle: str, task_id: str) -> bool:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = conn.execute("SELECT latest -> 'tasks' AS tasks FROM creators WHERE platform = %s AND key = %s",
                               (platform, key)).fetchone()
            return bool(row and isinstance(row["tasks"], list) and task_id in row["tasks"])

    @contextlib.contextmanager
    def creator_lock(self, platform: str, handle: str, platform_id: str | None = None) -> Iterator[None]:
        """One writer per creator, across processes: a session-level advisory lock keyed by the
        platform and the case-folded handle (and with `platform_id`, one keyed by the account, taken
        after it), on a connection of the lock pool, released in `finally`."""
        names = [f"{platform}/{str(handle).casefold()}"]
        if isinstance(platform_id, str) and platform_id:
            names.append(f"{platform}#{platform_id}")
        with contextlib.ExitStack() as stack:
            try:
                conn = stack.enter_context(self.lock_pool.connection())
            except Exception as exc:  # PoolTimeout, OperationalError
                raise _unavailable(exc) from None
            for name in names:
                try:
                    conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (name,))
                except Exception as exc:
                    raise _unavailable(exc) from None
                stack.callback(conn.execute, "SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (name,))
            yield

    def _replace_history(self, conn: psycopg.Connection, creator: int, history: list[dict]) -> None:
        """A creator's whole history, written anew (its points by COPY: one statement, not one a point)."""
        conn.execute("DELETE FROM history WHERE creator = %s", (creator,))
        chain = Chain()
        rows = [(creator, self._point_row(chain, n, point)) for n, point in enumerate(history, 1)]
        with conn.cursor() as cur, cur.copy("COPY history (creator, numbers) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)

    def import_creator(self, snapshot: dict, scores: dict | None, history: list[dict]) -> dict:
        """One creator with a whole history at once (benchmark stores; tinydb.py's import_creator)."""
        with self._tx() as conn:
            platform, key = self._identity(conn, snapshot.get("platform"), snapshot.get("handle"))
            summary = records.summary(platform, key, snapshot, scores, None, history, {}, now_iso(ms=True))
            self._write_summary(conn, summary)
            row = self._creator_row(conn, platform, key, lock=True)
            self._replace_history(conn, row["id"], history)
            latest = {"snapshot": snapshot, "scores": scores, "brief_id": None, "scored_at": now_iso(ms=True)}
            conn.execute("UPDATE creators SET latest = %s, points = %s WHERE id = %s",
                         (Json(latest), len(history), row["id"]))
            return summary

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """tinydb.py's bulk(): here each import is its own transaction already; nothing to batch."""
        yield

    def ensure_creator(self, platform: str, handle: str, url: str | None = None) -> dict:
        with self._tx() as conn:
            return self._ensure(conn, platform, handle, url)

    def _ensure(self, conn: psycopg.Connection, platform: str, handle: str, url: str | None = None) -> dict:
        platform, key = self._identity(conn, platform, handle)
        existing = self._summary(conn, platform, key)
        if existing is not None:
            return existing
        summary = records.placeholder(platform, key, handle, url, now_iso(ms=True))
        cols = _listed(summary)
        names = ", ".join(_WRITE_COLUMNS)
        conn.execute(f"INSERT INTO creators (platform, key, summary, written, {names}) VALUES (%s, %s, %s, "
                     f"nextval('creator_writes'), {', '.join(['%s'] * len(_WRITE_COLUMNS))}) "
                     "ON CONFLICT (platform, key) DO NOTHING",
                     (platform, key, Json(summary), *(cols[c] for c in _WRITE_COLUMNS)))
        return self._summary(conn, platform, key)  # another process's, when it came first

    def account_handle(self, platform: str, handle: str, platform_id: str | None) -> str:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            known = self._known_key(conn, platform, key, platform_id)
            if known == key:
                return handle
            return (self._summary(conn, platform, known) or {}).get("handle") or handle

    def get_creator(self, platform: str, handle: str) -> dict | None:
        with self._tx() as conn:
            return self._summary(conn, *self._identity(conn, platform, handle))

    def creator_record(self, platform: str, handle: str) -> dict | None:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = self._creator_row(conn, platform, key)
            if row is None:
                return None
            return {"summary": row["summary"], "latest": row["latest"], "history": self._history(conn, row["id"])}

    def latest(self, platform: str, handle: str) -> dict | None:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = self._creator_row(conn, platform, key)
            return row["latest"] if row else None

    def history(self, platform: str, handle: str) -> list[dict]:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = self._creator_row(conn, platform, key)
            return self._history(conn, row["id"] if row else None)

    def update_scores(self, platform: str, handle: str, scores: dict, brief_id: str | None,
                      captured_at: str | None = None) -> bool:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = self._creator_row(conn, platform, key, lock=True)
            latest = row["latest"] if row else None
            if not latest:
                return False
            if captured_at is not None and (latest.get("snapshot") or {}).get("captured_at") != captured_at:
                return False
            latest.update(scores=scores, brief_id=brief_id, scored_at=now_iso(ms=True))
            conn.execute("UPDATE creators SET latest = %s WHERE id = %s", (Json(latest), row["id"]))
            self._write_summary(conn, dict(row["summary"], **records.score_fields(scores, brief_id)))
            return True

    def list_creators(self) -> list[dict]:
        with self._tx() as conn:
            return [r["summary"] for r in conn.execute("SELECT summary FROM creators ORDER BY id")]

    def find_creators(self, query: CreatorQuery) -> CreatorPage:
        """records.select's page, computed in SQL over the listing columns (_listed)."""
        where, params = ["TRUE"], []
        with self._tx() as conn:
            if query.watchlist:
                self._watchlist_doc(conn, query.watchlist)  # NotFound
                where.append("EXISTS (SELECT 1 FROM watchlist_members m WHERE m.watchlist_id = %s "
                             "AND m.platform = c.platform AND m.key = c.key)")
                params.append(query.watchlist)
            if query.in_watchlist is not None:
                where.append(("" if query.in_watchlist else "NOT ")
                             + "EXISTS (SELECT 1 FROM watchlist_members m WHERE m.platform = c.platform AND m.key = c.key)")
            for value, sql in (
                (pg_text(query.platform), "c.platform = %s"),
                (pg_text(query.tier and query.tier.lower()), "c.tier_l = %s"),
                (pg_text(query.country and query.country.upper()), "c.country_u = %s"),
                (pg_text(query.language and query.language.lower()), "%s = ANY (c.languages)"),
                (query.min_fit, "c.s_fit >= %s"),
                (query.min_authenticity, "c.s_authenticity >= %s"),
                (query.min_confidence and CONFIDENCES.index(query.min_confidence), "c.s_confidence >= %s"),
                (query.min_growth, "c.s_growth >= %s"),
                (query.max_growth, "c.s_growth <= %s"),
                (pg_text(query.captured_since), "coalesce(c.captured_at, '') >= %s"),
                (query.refresh, "c.refresh_state = %s"),
            ):
                if value is not None and value != "":
                    where.append(sql)
                    params.append(value)
            if query.q:
                where.append("(strpos(c.handle_cf, %s) > 0 OR strpos(c.name_cf, %s) > 0)")
                params += [pg_text(query.q.casefold())] * 2
            column = SORT_COLUMNS[query.sort]
            direction = "DESC" if query.descending else "ASC"
            # the page is chosen over the narrow columns, and only its summaries are read (sorting
            # 10,000 rows with their summaries would move ~10 MB through the sort)
            page = (f"SELECT c.id, count(*) OVER () AS total, row_number() OVER (ORDER BY c.{column} IS NULL, "
                    f"c.{column} {direction}, c.key, c.platform) AS rank FROM creators c WHERE {' AND '.join(where)} "
                    f"ORDER BY rank")
            if query.limit is not None:
                page += f" LIMIT {int(query.limit)}"
            page += f" OFFSET {int(query.offset)}"
            rows = conn.execute(f"SELECT c.summary, p.total FROM ({page}) p JOIN creators c ON c.id = p.id "
                                "ORDER BY p.rank", params).fetchall()
            if rows:
                total = rows[0]["total"]
            else:
                total = conn.execute(f"SELECT count(*) AS n FROM creators c WHERE {' AND '.join(where)}",
                                     params).fetchone()["n"]
        end = total if query.limit is None else query.offset + query.limit
        return CreatorPage(items=[r["summary"] for r in rows], total=total, next=end if end < total else None)

    def forget_creators(self, creators: list[tuple[str, str]]) -> int:
        """Forget creators for good (their rows, history, notes and aliases); creators in a watchlist
        or a campaign's partners (the campaign mixin's `_partner_idents`), and unknown ones, are kept."""
        with self._tx() as conn:
            keep = self._watchlisted(conn)
            partner_idents = getattr(self, "_partner_idents", None)
            if partner_idents is not None:
                keep |= partner_idents(conn)
            gone: list[tuple[str, str]] = []
            for platform, handle in creators:
                try:
                    ident = self._identity(conn, platform, handle)
                except StoreError:
                    continue
                if ident not in keep and ident not in gone and self._summary(conn, *ident) is not None:
                    gone.append(ident)
            for platform, key in gone:
                row = self._creator_row(conn, platform, key, lock=True)
                conn.execute("DELETE FROM notes WHERE platform = %s AND key = %s", (platform, key))
                conn.execute("DELETE FROM aliases WHERE platform = %s AND key = %s", (platform, key))
                conn.execute("DELETE FROM history WHERE creator = %s", (row["id"],))
                conn.execute("DELETE FROM creators WHERE id = %s", (row["id"],))
            return len(gone)

    def _watchlisted(self, conn: psycopg.Connection) -> set[tuple[str, str]]:
        return {(r["platform"], r["key"]) for r in conn.execute("SELECT DISTINCT platform, key FROM watchlist_members")}

    # -- refresh bookkeeping ---------------------------------------------------------------------

    def record_refresh(self, platform: str, handle: str, status: str, reason: str | None = None,
                       at: str | None = None, code: str | None = None) -> dict:
        if status not in REFRESH_STATUSES:
            raise ValueError(f"refresh status must be one of {REFRESH_STATUSES}, not {status!r}")
        at = at or now_iso(ms=True)
        with self._tx() as conn:
            summary = self._ensure(conn, platform, handle)
            summary = self._summary(conn, summary["platform"], summary["key"], lock=True)
            refresh = summary["refresh"] = records.refreshed(summary.get("refresh") or {}, status, reason, at, code)
            self._write_summary(conn, summary)
            return refresh

    def refresh_status(self, platform: str, handle: str) -> dict | None:
        s = self.get_creator(platform, handle)
        return dict(s["refresh"]) if s and s.get("refresh") else None

    # -- watchlists ------------------------------------------------------------------------------

    def _members(self, conn: psycopg.Connection, wid: str) -> list[dict]:
        return [dict(r) for r in conn.execute(
            "SELECT platform, key, added_by, added_at FROM watchlist_members WHERE watchlist_id = %s ORDER BY seq",
            (wid,))]

    def _replace_members(self, conn: psycopg.Connection, wid: str, members: list[dict]) -> None:
        conn.execute("DELETE FROM watchlist_members WHERE watchlist_id = %s", (wid,))
        for m in members:
            conn.execute("INSERT INTO watchlist_members (watchlist_id, platform, key, added_by, added_at) "
                         "VALUES (%s, %s, %s, %s, %s)", (wid, m["platform"], m["key"], m.get("added_by"), m.get("added_at")))

    def _watchlist_doc(self, conn: psycopg.Connection, wid: str, *, lock: bool = False) -> dict:
        row = conn.execute("SELECT doc FROM watchlists WHERE id = %s" + (" FOR UPDATE" if lock else ""),
                           (wid,)).fetchone()
        if row is None:
            raise NotFound(f"Watchlist {wid}")
        return row["doc"]

    def _watchlist(self, conn: psycopg.Connection, wid: str) -> dict:
        doc = self._watchlist_doc(conn, wid)
        return dict(doc, creators=self._members(conn, wid))

    def list_watchlists(self) -> list[dict]:
        with self._tx() as conn:
            members: dict[str, list[dict]] = {}
            for r in conn.execute("SELECT watchlist_id, platform, key, added_by, added_at FROM watchlist_members "
                                  "ORDER BY seq"):
                members.setdefault(r["watchlist_id"], []).append(
                    {"platform": r["platform"], "key": r["key"], "added_by": r["added_by"], "added_at": r["added_at"]})
            return [dict(r["doc"], creators=members.get(r["id"], []))
                    for r in conn.execute("SELECT id, doc FROM watchlists ORDER BY seq")]

    def get_watchlist(self, wid: str) -> dict:
        with self._tx() as conn:
            return self._watchlist(conn, wid)

    def _save_watchlist(self, conn: psycopg.Connection, doc: dict, *, new: bool = False) -> None:
        stored = {k: v for k, v in doc.items() if k != "creators"}
        stored["creators"] = []  # members live in watchlist_members; the key keeps the document's order
        try:
            with conn.transaction():  # a savepoint: a duplicate name is a Conflict, not a failed transaction
                if new:
                    conn.execute("INSERT INTO watchlists (id, name_cf, doc) VALUES (%s, %s, %s)",
                                 (doc["id"], folded(doc["name"]), Json(stored)))
                else:
                    conn.execute("UPDATE watchlists SET name_cf = %s, doc = %s WHERE id = %s",
                                 (folded(doc["name"]), Json(stored), doc["id"]))
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"A watchlist named {doc['name']!r} exists already.") from None

    def create_watchlist(self, name: str, refresh_interval_hours: float = DEFAULT_REFRESH_HOURS,
                         refresh_cron: str | None = None) -> dict:
        now = now_iso(ms=True)
        doc = {"id": _new_id("wl"), "name": name, "refresh_interval_hours": refresh_interval_hours,
               "refresh_cron": refresh_cron or None, "creators": [], "created_at": now, "updated_at": now}
        with self._tx() as conn:
            self._save_watchlist(conn, doc, new=True)
        return doc

    def update_watchlist(self, wid: str, **changes: Any) -> dict:
        allowed = {k: v for k, v in changes.items() if k in ("name", "refresh_interval_hours", "refresh_cron")}
        if "refresh_cron" in allowed:
            allowed["refresh_cron"] = allowed["refresh_cron"] or None  # "" clears it
        with self._tx() as conn:
            doc = self._watchlist_doc(conn, wid, lock=True)
            doc.update(allowed, updated_at=now_iso(ms=True))
            self._save_watchlist(conn, doc)
            return self._watchlist(conn, wid)

    def delete_watchlist(self, wid: str) -> None:
        with self._tx() as conn:
            if conn.execute("DELETE FROM watchlists WHERE id = %s", (wid,)).rowcount == 0:
                raise NotFound(f"Watchlist {wid}")

    def add_to_watchlist(self, wid: str, platform: str, handle: str, url: str | None = None, *,
                         author: str | None = None) -> dict:
        with self._tx() as conn:
            self._watchlist_doc(conn, wid, lock=True)
            summary = self._ensure(conn, platform, handle, url)
            now = now_iso(ms=True)
            added = conn.execute(
                "INSERT INTO watchlist_members (watchlist_id, platform, key, added_by, added_at) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (wid, summary["platform"], summary["key"], author, now)).rowcount
            if added:
                doc = self._watchlist_doc(conn, wid)
                doc["updated_at"] = now
                self._save_watchlist(conn, doc)
            return summary

    def remove_from_watchlist(self, wid: str, platform: str, handle: str) -> None:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            doc = self._watchlist_doc(conn, wid, lock=True)
            if conn.execute("DELETE FROM watchlist_members WHERE watchlist_id = %s AND platform = %s AND key = %s",
                            (wid, platform, key)).rowcount == 0:
                raise NotFound(f"{platform}/{handle} in watchlist {wid}")
            doc["updated_at"] = now_iso(ms=True)
            self._save_watchlist(conn, doc)

    def watchlist_creators(self, wid: str) -> list[dict]:
        with self._tx() as conn:
            self._watchlist_doc(conn, wid)
            rows = conn.execute(
                "SELECT c.summary, m.added_by, m.added_at FROM watchlist_members m JOIN creators c "
                "ON c.platform = m.platform AND c.key = m.key WHERE m.watchlist_id = %s ORDER BY m.seq", (wid,))
            return [dict(r["summary"], added_by=r["added_by"], added_at=r["added_at"]) for r in rows]

    def watchlists_of(self) -> dict[tuple[str, str], list[str]]:
        with self._tx() as conn:
            out: dict[tuple[str, str], list[str]] = {}
            for r in conn.execute("SELECT m.platform, m.key, m.watchlist_id FROM watchlist_members m JOIN watchlists w "
                                  "ON w.id = m.watchlist_id ORDER BY w.seq, m.seq"):
                out.setdefault((r["platform"], r["key"]), []).append(r["watchlist_id"])
            return out

    # -- briefs and settings ---------------------------------------------------------------------

    def list_briefs(self) -> list[dict]:
        with self._tx() as conn:
            return [r["doc"] for r in conn.execute("SELECT doc FROM briefs ORDER BY seq")]

    def _brief(self, conn: psycopg.Connection, bid: str, *, lock: bool = False) -> dict:
        row = conn.execute("SELECT doc FROM briefs WHERE id = %s" + (" FOR UPDATE" if lock else ""), (bid,)).fetchone()
        if row is None:
            raise NotFound(f"Brief {bid}")
        return row["doc"]

    def get_brief(self, bid: str) -> dict:
        with self._tx() as conn:
            return self._brief(conn, bid)

    def create_brief(self, brief: dict) -> dict:
        now = now_iso(ms=True)
        doc = {"id": _new_id("br"), "brief": brief, "created_at": now, "updated_at": now}
        with self._tx() as conn:
            conn.execute("INSERT INTO briefs (id, doc) VALUES (%s, %s)", (doc["id"], Json(doc)))
        return doc

    def replace_brief(self, bid: str, brief: dict) -> dict:
        with self._tx() as conn:
            doc = self._brief(conn, bid, lock=True)
            doc.update(brief=brief, updated_at=now_iso(ms=True))
            conn.execute("UPDATE briefs SET doc = %s WHERE id = %s", (Json(doc), bid))
            return doc

    def delete_brief(self, bid: str) -> None:
        with self._tx() as conn:
            if conn.execute("DELETE FROM briefs WHERE id = %s", (bid,)).rowcount == 0:
                raise NotFound(f"Brief {bid}")
            if self._setting(conn, "active_brief") == bid:
                self._set_setting(conn, "active_brief", None)

    def _setting(self, conn: psycopg.Connection, name: str) -> Any:
        row = conn.execute("SELECT value FROM settings WHERE name = %s", (name,)).fetchone()
        return row["value"] if row else None

    def _set_setting(self, conn: psycopg.Connection, name: str, value: Any) -> None:
        conn.execute("INSERT INTO settings (name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
                     "SET value = EXCLUDED.value", (name, Json(value)))

    def active_brief_id(self) -> str | None:
        with self._tx() as conn:
            return self._setting(conn, "active_brief")

    def active_brief(self) -> dict | None:
        with self._tx() as conn:
            bid = self._setting(conn, "active_brief")
            return self._brief(conn, bid) if bid else None

    def set_active_brief(self, bid: str | None) -> None:
        with self._tx() as conn:
            if bid is not None:
                self._brief(conn, bid, lock=True)
            self._set_setting(conn, "active_brief", bid)

    def extension_id(self) -> str | None:
        with self._tx() as conn:
            return self._setting(conn, "extension_id")

    def set_extension_id(self, ext_id: str | None) -> None:
        with self._tx() as conn:
            self._set_setting(conn, "extension_id", ext_id)

    def token(self) -> str:
        """The store's own API token, made once: the first process to insert it wins, the others
        read it (INSERT ... ON CONFLICT DO NOTHING, then SELECT: race-free across processes)."""
        with self._tx() as conn:
            conn.execute("INSERT INTO settings (name, value) VALUES ('token', %s) ON CONFLICT (name) DO NOTHING",
                         (Json(secrets.token_urlsafe(32)),))
            return self._setting(conn, "token")

    # -- notes -----------------------------------------------------------------------------------

    _NOTE_KEYS = ("id", "platform", "key", "text", "author", "created_at", "updated_at", "updated_by")

    def list_notes(self, platform: str, handle: str) -> list[dict]:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            rows = [r["doc"] for r in conn.execute(
                "SELECT doc FROM notes WHERE platform = %s AND key = %s ORDER BY seq", (platform, key))]
        return sorted(rows, key=lambda d: d["created_at"])

    def add_note(self, platform: str, handle: str, text: str, *, author: str | None = None) -> dict:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            if self._summary(conn, platform, key, lock=True) is None:
                raise NotFound(f"Creator {platform}/{handle}")
            doc = {"id": _new_id("nt"), "platform": platform, "key": key, "text": text, "author": author,
                   "created_at": now_iso(ms=True), "updated_at": None, "updated_by": None}
            self._insert_note(conn, doc)
            return doc

    def _insert_note(self, conn: psycopg.Connection, doc: dict) -> None:
        """A note as a json document (any text), its id and creator beside it for look-ups."""
        doc = {k: doc.get(k) for k in self._NOTE_KEYS}
        conn.execute("INSERT INTO notes (id, platform, key, doc) VALUES (%s, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
                     "SET platform = EXCLUDED.platform, key = EXCLUDED.key, doc = EXCLUDED.doc",
                     (doc["id"], doc["platform"], doc["key"], Json(doc)))

    def update_note(self, platform: str, handle: str, nid: str, text: str, *, author: str | None = None) -> dict:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            row = conn.execute("SELECT doc FROM notes WHERE id = %s AND platform = %s AND key = %s FOR UPDATE",
                               (nid, platform, key)).fetchone()
            if row is None:
                raise NotFound(f"Note {nid}")
            doc = dict(row["doc"], text=text, updated_at=now_iso(ms=True), updated_by=author)
            conn.execute("UPDATE notes SET doc = %s WHERE id = %s", (Json(doc), nid))
            return doc

    def delete_note(self, platform: str, handle: str, nid: str) -> None:
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            if conn.execute("DELETE FROM notes WHERE id = %s AND platform = %s AND key = %s",
                            (nid, platform, key)).rowcount == 0:
                raise NotFound(f"Note {nid}")

    # -- users (tokens kept as SHA-256 digests: records.py's helpers) -------------------------------

    _USER = "id, name, admin, created_at, revoked_at, token_sha256, token_hint"

    def _user_doc(self, conn: psycopg.Connection, name: str, *, lock: bool = False) -> dict:
        row = conn.execute(f"SELECT {self._USER} FROM users WHERE name_cf = %s" + (" FOR UPDATE" if lock else ""),
                           (folded(name),)).fetchone()
        if row is None:
            raise NotFound(f"User {name}")
        return dict(row)

    def _insert_user(self, conn: psycopg.Connection, doc: dict) -> None:
        try:
            with conn.transaction():
                conn.execute(f"INSERT INTO users ({self._USER}, name_cf) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                             (*(doc.get(k) for k in ("id", "name", "admin", "created_at", "revoked_at",
                                                     "token_sha256", "token_hint")), folded(doc["name"])))
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"There is a user named {doc['name']} already.") from None

    def add_user(self, name: str, *, admin: bool = False) -> tuple[dict, str]:
        name = records.check_user_name(name)
        token = secrets.token_urlsafe(32)
        doc = records.new_user(_new_id("us"), name, admin, token, now_iso(ms=True))
        with self._tx() as conn:
            self._insert_user(conn, doc)
        return records.user_view(doc), token

    def list_users(self) -> list[dict]:
        with self._tx() as conn:
            return [records.user_view(r) for r in conn.execute(f"SELECT {self._USER} FROM users ORDER BY seq")]

    def get_user(self, name: str) -> dict:
        with self._tx() as conn:
            return records.user_view(self._user_doc(conn, name))

    def user_for_token(self, token: str) -> dict | None:
        if not isinstance(token, str) or not token:
            return None
        with self._tx() as conn:
            rows = conn.execute(f"SELECT {self._USER} FROM users WHERE token_sha256 = %s ORDER BY seq",
                                (records.token_digest(token),)).fetchall()
        return records.user_of_token(rows, token)

    def revoke_user(self, name: str) -> dict:
        with self._tx() as conn:
            doc = self._user_doc(conn, name, lock=True)
            if not doc.get("revoked_at"):
                conn.execute("UPDATE users SET revoked_at = %s WHERE id = %s", (now_iso(ms=True), doc["id"]))
            return records.user_view(self._user_doc(conn, name))

    def rotate_token(self, name: str) -> tuple[dict, str]:
        token = secrets.token_urlsafe(32)
        fields = records.token_fields(token, revoked=False)
        with self._tx() as conn:
            doc = self._user_doc(conn, name, lock=True)
            conn.execute("UPDATE users SET token_sha256 = %s, token_hint = %s, revoked_at = NULL WHERE id = %s",
                         (fields["token_sha256"], fields["token_hint"], doc["id"]))
            return records.user_view(self._user_doc(conn, name)), token

    # -- copying a store in (kolscope migrate, server/migrate.py): id-preserving upserts -------------

    def import_creator_record(self, summary: dict, latest: dict | None, history: list[dict]) -> bool:
        """A creator exactly as another engine holds it (summary, latest and history as given, not
        recomputed). Answers whether anything changed: a creator already identical is not rewritten."""
        platform, key = summary["platform"], summary["key"]
        with self._tx() as conn:
            row = self._creator_row(conn, platform, key, lock=True)
            if (row is not None and row["summary"] == summary and row["latest"] == latest
                    and self._history(conn, row["id"]) == history):
                return False
            self._write_summary(conn, summary)
            row = self._creator_row(conn, platform, key, lock=True)
            self._replace_history(conn, row["id"], history)
            conn.execute("UPDATE creators SET latest = %s, points = %s WHERE id = %s",
                         (Json(latest) if latest is not None else None, len(history), row["id"]))
            return True

    def import_alias(self, platform: str, alias: str, key: str) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO aliases (platform, alias, key) VALUES (%s, %s, %s) "
                         "ON CONFLICT (platform, alias) DO UPDATE SET key = EXCLUDED.key", (platform, alias, key))

    def export_aliases(self) -> list[dict]:
        with self._tx() as conn:
            return [dict(r) for r in conn.execute("SELECT platform, alias, key FROM aliases ORDER BY seq")]

    def import_watchlist(self, doc: dict) -> None:
        """A watchlist document with its members (their authorship and times kept)."""
        with self._tx() as conn:
            exists = conn.execute("SELECT 1 FROM watchlists WHERE id = %s FOR UPDATE", (doc["id"],)).fetchone()
            self._save_watchlist(conn, doc, new=exists is None)
            members = [{"platform": m["platform"], "key": m["key"], "added_by": m.get("added_by"),
                        "added_at": m.get("added_at")} for m in doc.get("creators") or []]
            if self._members(conn, doc["id"]) != members:
                self._replace_members(conn, doc["id"], members)

    def import_brief(self, doc: dict) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO briefs (id, doc) VALUES (%s, %s) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
                         (doc["id"], Json(doc)))

    def import_note(self, doc: dict) -> None:
        with self._tx() as conn:
            self._insert_note(conn, doc)

    def export_notes(self) -> list[dict]:
        with self._tx() as conn:
            return [r["doc"] for r in conn.execute("SELECT doc FROM notes ORDER BY seq")]

    def import_user(self, doc: dict) -> None:
        """A user as stored (its token's digest, never a token)."""
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (doc["id"],)).fetchone() is None:
                self._insert_user(conn, doc)
                return
            conn.execute("UPDATE users SET name = %s, name_cf = %s, admin = %s, created_at = %s, revoked_at = %s, "
                         "token_sha256 = %s, token_hint = %s WHERE id = %s",
                         (doc["name"], folded(doc["name"]), bool(doc.get("admin")), doc.get("created_at"),
                          doc.get("revoked_at"), doc.get("token_sha256"), doc.get("token_hint"), doc["id"]))

    def export_users(self) -> list[dict]:
        """Every user as stored, digests included (for comparing two stores)."""
        with self._tx() as conn:
            return [dict(r) for r in conn.execute(f"SELECT {self._USER} FROM users ORDER BY seq")]

    def import_settings(self, *, active_brief: str | None, extension_id: str | None, token: str | None) -> None:
        """The settings beside the briefs; `token` (the owner's) only when the source had one."""
        with self._tx() as conn:
            self._set_setting(conn, "active_brief", active_brief)
            self._set_setting(conn, "extension_id", extension_id)
            if token:
                self._set_setting(conn, "token", token)
