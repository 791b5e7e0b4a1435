"""The PostgreSQL tables of campaigns (CampaignRepository, issue 14), a mixin of PostgresStore; the
same behaviour as the TinyDB engine's (tinydb_campaigns.py): both build their records by the pure
rules of campaign_records.py.

Tables:

    campaigns      one row per campaign: its id, `no` (a small surrogate the orders refer to), the
                   CAMPAIGN_FIELDS as one JSON document (any text, as written), the name's folded
                   bytes (unique: two processes creating "Spring" at once cannot both succeed), the
                   order count, and the times
    partners       one row per (campaign, creator), unique on (campaign, platform, key); indexed by
                   (platform, key) for forget_creators (`_partner_idents`)
    deliverables   posts marked as a partner's, with their metrics (a JSON array); indexed by
                   (platform, key), so `deliverables_of` (asked on every capture) reads that
                   creator's rows, not every campaign
    orders         one narrow row per imported order, primary key (campaign no, order id): an import
                   is idempotent by construction, also with two processes importing the same file;
                   `seq` numbers them in import order; the codes joined by CODES_SEP
    order_totals   the orders summed per (campaign, codes key, currency), written in the same
                   statement as the rows they count, so the report never walks 100,000 rows

An import copies the orders into a temporary table (COPY) and moves them with one INSERT ... ON
CONFLICT DO NOTHING whose returned rows feed the totals and the answer (100,000 orders in a few
seconds). It holds the campaign's row lock (SELECT ... FOR UPDATE) for its transaction: two imports
of one campaign run one after the other (the second finds every order there), and the count on the
campaign row can never disagree with its rows. Orders and totals carry no foreign key (checking one
per row made an import seconds slower): only an import, under that lock, writes them, and deleting
the campaign deletes them; partners and deliverables go by a cascade.
"""

from __future__ import annotations

from typing import Any

from psycopg import errors
from psycopg.rows import tuple_row
from psycopg.types.json import Json

from scraper.times import now_iso
from server.store import campaign_records as rules
from server.store.base import Conflict, NotFound
from server.store.campaign_records import CAMPAIGN_FIELDS
PARTNER_COLUMNS = ("id", "campaign_id", "platform", "key", "handle", "plan", "status", "copied_from", "author",
                   "updated_by", "created_at", "updated_at")
DELIVERABLE_COLUMNS = ("id", "partner_id", "url", "platform", "key", "post_id", "metrics", "created_at")
# a creator's deliverables in every campaign: through the deliverables_creator index
DELIVERABLES_OF_SQL = (f"SELECT campaign_id, {', '.join(DELIVERABLE_COLUMNS)} FROM deliverables "
                       "WHERE platform = %s AND key = %s ORDER BY campaign_id, seq")

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS campaigns (
    no          serial UNIQUE,
    id          text PRIMARY KEY,
    name_fold   bytea NOT NULL UNIQUE,
    fields      json NOT NULL,
    orders      integer NOT NULL DEFAULT 0,
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text NOT NULL
);
CREATE TABLE IF NOT EXISTS partners (
    seq         bigserial,
    id          text PRIMARY KEY,
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    platform    text NOT NULL,
    key         text NOT NULL,
    handle      text,
    plan        json NOT NULL,
    status      text NOT NULL,
    copied_from text,
    author      text,
    updated_by  text,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    UNIQUE (campaign_id, platform, key)
);
CREATE INDEX IF NOT EXISTS partners_creator ON partners (platform, key);
CREATE TABLE IF NOT EXISTS deliverables (
    seq         bigserial,
    id          text PRIMARY KEY,
    campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    partner_id  text NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    url         text NOT NULL,
    platform    text NOT NULL,
    key         text NOT NULL,
    post_id     text,
    metrics     json NOT NULL DEFAULT '[]',
    created_at  text NOT NULL
);
CREATE INDEX IF NOT EXISTS deliverables_creator ON deliverables (platform, key);
CREATE INDEX IF NOT EXISTS deliverables_partner ON deliverables (partner_id);
CREATE TABLE IF NOT EXISTS orders (
    cno         integer NOT NULL,
    seq         integer NOT NULL,
    total       float8 NOT NULL,
    order_id    text NOT NULL,
    date        text,
    currency    text,
    codes       text NOT NULL,
    PRIMARY KEY (cno, order_id)
);
CREATE TABLE IF NOT EXISTS order_totals (
    cno         integer NOT NULL,
    codes_key   text NOT NULL,
    currency    text NOT NULL,
    seq         bigserial,
    orders      integer NOT NULL,
    revenue     numeric NOT NULL,
    refunds     integer NOT NULL,
    PRIMARY KEY (cno, codes_key, currency)
);
"""

# One import: the orders are copied (COPY, the fast path in) into a temporary table, numbered after
# the campaign's last one; the rows not stored yet are inserted, their totals added in the same
# statement, and what they carry answered.
_BATCH_SQL = """
CREATE TEMPORARY TABLE order_batch (
    n integer, order_id text, date text, total float8, currency text, codes text, codes_key text, currency_key text
) ON COMMIT DROP
"""
_IMPORT_SQL = """
WITH ins AS (
    INSERT INTO orders (cno, seq, total, order_id, date, currency, codes)
    SELECT %(cno)s, %(base)s + n, total, order_id, date, currency, codes FROM order_batch
    ON CONFLICT (cno, order_id) DO NOTHING
    RETURNING seq
), new AS (
    SELECT b.n, b.codes_key, b.currency_key, b.total FROM order_batch b JOIN ins ON b.n = ins.seq - %(base)s
), summed AS (
    INSERT INTO order_totals AS t (cno, codes_key, currency, orders, revenue, refunds)
    SELECT %(cno)s, codes_key, currency_key, count(*) FILTER (WHERE total >= 0), sum(total::numeric),
           count(*) FILTER (WHERE total < 0)
    FROM new GROUP BY codes_key, currency_key ORDER BY min(n)
    ON CONFLICT (cno, codes_key, currency) DO UPDATE
    SET orders = t.orders + excluded.orders, revenue = t.revenue + excluded.revenue,
        refunds = t.refunds + excluded.refunds
)
SELECT codes_key, count(*) AS n, min(n) AS first FROM new GROUP BY codes_key ORDER BY first
"""
CODES_SEP = "\x1f"  # between an order's codes in its row (the unit separator: no shop's code holds it)


# -- what PostgreSQL text can hold (both mixins; the core's _tx answers NotFound for the rest) ---------

def pg_text(value: Any) -> Any:
    """Text for a look-up column or parameter: PostgreSQL text holds no NUL and no lone surrogate, so
    they become U+FFFD (the records themselves are kept as `json`, which escapes them). Every
    engine module's look-up columns are written with it (creators', campaigns', candidates')."""
    if not isinstance(value, str):
        return value
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def plain_id(value: Any, what: str) -> str:
    """An id from a request, as the tables can hold it; NotFound for anything else (not a string, or
    a NUL character, which PostgreSQL text cannot hold): no row has such an id."""
    if not isinstance(value, str) or "\x00" in value:
        raise NotFound(f"{what} {str(value)[:40]!r}")
    return value


def folded(name: str) -> bytes:
    """A name as compared for uniqueness (a campaign's, a watchlist's, a user's): case-folded, as
    bytes (any text, NUL included)."""
    return str(name).casefold().encode("utf-8", "surrogatepass")


def _campaign_doc(row: dict) -> dict:
    fields = row["fields"]
    doc = {"id": row["id"], **{k: fields.get(k) for k in CAMPAIGN_FIELDS}}
    doc.update(orders=row["orders"], created_at=row["created_at"], updated_at=row["updated_at"])
    return doc


class CampaignTables:
    """Campaign storage for PostgresStore (see the module docstring for the tables)."""

    SCHEMA_SQL = SCHEMA_SQL

    # -- campaigns -------------------------------------------------------------------------------

    def _campaign_row(self, conn: Any, cid: Any, *, lock: bool = False) -> dict:
        """The campaign's row; NotFound for an unknown id (or anything not shaped like one)."""
        rules.check_campaign_id(cid)
        row = conn.execute("SELECT * FROM campaigns WHERE id = %s" + (" FOR UPDATE" if lock else ""),
                           (cid,)).fetchone()
        if row is None:
            raise NotFound(f"Campaign {cid}")
        return row

    def list_campaigns(self) -> list[dict]:
        """Every campaign, oldest first (then by name: two created in the same millisecond)."""
        with self._tx() as conn:
            rows = conn.execute("SELECT * FROM campaigns").fetchall()
        return rules.oldest_first(_campaign_doc(r) for r in rows)

    def get_campaign(self, cid: str) -> dict:
        with self._tx() as conn:
            return _campaign_doc(self._campaign_row(conn, cid))

    def create_campaign(self, doc: dict) -> dict:
        """A new campaign from the fields of CAMPAIGN_FIELDS in `doc` (validated by the caller)."""
        now = now_iso(ms=True)
        with self._tx() as conn:
            row = _named(conn, doc["name"], "INSERT INTO campaigns (id, name_fold, fields, created_at, updated_at) "
                         "VALUES (%s, %s, %s, %s, %s) RETURNING *",
                         (self.new_id("cp"), folded(doc["name"]), Json(rules.campaign_fields(doc)), now, now))
            return _campaign_doc(row)

    def update_campaign(self, cid: str, changes: dict) -> dict:
        allowed = {k: v for k, v in changes.items() if k in CAMPAIGN_FIELDS}
        with self._tx() as conn:
            row = self._campaign_row(conn, cid, lock=True)
            fields = {**row["fields"], **allowed}
            row = _named(conn, fields["name"], "UPDATE campaigns SET name_fold = %s, fields = %s, updated_at = %s "
                         "WHERE id = %s RETURNING *",
                         (folded(fields["name"]), Json(fields), now_iso(ms=True), cid))
            return _campaign_doc(row)

    def delete_campaign(self, cid: str) -> None:
        with self._tx() as conn:
            no = self._campaign_row(conn, cid)["no"]
            conn.execute("DELETE FROM orders WHERE cno = %s", (no,))  # no foreign key: it costs imports seconds
            conn.execute("DELETE FROM order_totals WHERE cno = %s", (no,))
            conn.execute("DELETE FROM campaigns WHERE id = %s", (cid,))  # partners and deliverables: a cascade

    # -- partners --------------------------------------------------------------------------------

    def list_partners(self, cid: str) -> list[dict]:
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            return conn.execute(f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partners WHERE campaign_id = %s "
                                "ORDER BY seq", (cid,)).fetchall()

    def _partner(self, conn: Any, cid: str, pid: Any, *, lock: bool = False) -> dict:
        row = conn.execute(f"SELECT {', '.join(PARTNER_COLUMNS)} FROM partners WHERE id = %s AND campaign_id = %s"
                           + (" FOR UPDATE" if lock else ""), (plain_id(pid, "Partner"), cid)).fetchone()
        if row is None:
            raise NotFound(f"Partner {str(pid)[:40]} of campaign {cid}")
        return row

    def _partner_idents(self, conn: Any) -> set[tuple[str, str]]:
        """(platform, key) of every campaign's partners: creators forget_creators never forgets."""
        return {(r["platform"], r["key"]) for r in conn.execute("SELECT DISTINCT platform, key FROM partners")}

    def add_partner(self, cid: str, platform: str, handle: str, plan: dict, *, url: str | None = None,
                    copied_from: str | None = None, author: str | None = None) -> dict:
        """A creator joins the campaign (known or not yet captured: it is then created as a
        placeholder, as a watchlist does). Conflict when it is a partner already (also when two
        processes add it at once: the unique constraint decides); NotFound when `copied_from` is no
        partner of this campaign."""
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            platform, key = self._identity(conn, platform, handle)
            if copied_from is not None:
                self._partner(conn, cid, copied_from)
            if conn.execute("SELECT 1 FROM partners WHERE campaign_id = %s AND platform = %s AND key = %s",
                            (cid, platform, key)).fetchone():
                raise Conflict(f"{platform}/{handle} is a partner of this campaign already.")
            doc = rules.new_partner(self.new_id("pt"), cid, platform, self._ensure(conn, platform, handle, url),
                                    handle, plan, copied_from=copied_from, author=author, now=now_iso(ms=True))
            row = conn.execute(
                f"INSERT INTO partners ({', '.join(PARTNER_COLUMNS)}) VALUES ({', '.join(['%s'] * len(PARTNER_COLUMNS))}) "
                "ON CONFLICT (campaign_id, platform, key) DO NOTHING RETURNING id",
                [Json(doc[c]) if c == "plan" else doc[c] for c in PARTNER_COLUMNS]).fetchone()
            if row is None:
                raise Conflict(f"{platform}/{handle} is a partner of this campaign already.")
            return doc

    def update_partner(self, cid: str, pid: str, changes: dict, *, author: str | None = None) -> dict:
        """A new plan and/or status. A plan that differs from the one stored ends the copy flag."""
        rules.check_partner_changes(changes)
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            new = rules.updated_partner(self._partner(conn, cid, pid, lock=True), changes, author, now_iso(ms=True))
            conn.execute("UPDATE partners SET plan = %s, status = %s, copied_from = %s, updated_at = %s, "
                         "updated_by = %s WHERE id = %s",
                         (Json(new["plan"]), new["status"], new["copied_from"], new["updated_at"], author, pid))
            return self._partner(conn, cid, pid)

    def remove_partner(self, cid: str, pid: str) -> None:
        """The partner goes, with the posts marked as its deliverables (a cascade)."""
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            self._partner(conn, cid, pid)
            conn.execute("DELETE FROM partners WHERE id = %s", (pid,))

    # -- deliverables ----------------------------------------------------------------------------

    def list_deliverables(self, cid: str) -> list[dict]:
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            return conn.execute(f"SELECT {', '.join(DELIVERABLE_COLUMNS)} FROM deliverables WHERE campaign_id = %s "
                                "ORDER BY seq", (cid,)).fetchall()

    def add_deliverable(self, cid: str, partner_id: str, url: str, platform: str, post_id: str | None) -> dict:
        """A post marked as a partner's deliverable; the same post (platform and post id, else URL)
        marked twice is answered, not doubled (the partner's row lock orders two markings of it)."""
        rules.check_post_text(url, post_id)
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            partner = self._partner(conn, cid, partner_id, lock=True)
            same = "post_id = %s" if post_id else "url = %s"
            row = conn.execute(f"SELECT {', '.join(DELIVERABLE_COLUMNS)} FROM deliverables WHERE partner_id = %s "
                               f"AND platform = %s AND {same} ORDER BY seq LIMIT 1",
                               (partner_id, platform, post_id or url)).fetchone()
            if row is not None:
                return row
            doc = rules.new_deliverable(self.new_id("dl"), partner, url, platform, post_id, now_iso(ms=True))
            conn.execute(f"INSERT INTO deliverables (campaign_id, {', '.join(DELIVERABLE_COLUMNS)}) "
                         f"VALUES (%s, {', '.join(['%s'] * len(DELIVERABLE_COLUMNS))})",
                         [cid, *(Json(doc[c]) if c == "metrics" else doc[c] for c in DELIVERABLE_COLUMNS)])
            return doc

    def record_deliverable_metrics(self, cid: str, did: str, metrics: dict) -> dict:
        """Add a point {at, views, likes, comments, shares} to a deliverable's metrics (a point at the
        same `at` replaces the one there); the last MAX_METRIC_POINTS are kept."""
        point = rules.metric_point(metrics, now_iso(ms=True))
        with self._tx() as conn:
            self._campaign_row(conn, cid)
            row = conn.execute(f"SELECT {', '.join(DELIVERABLE_COLUMNS)} FROM deliverables WHERE id = %s "
                               "AND campaign_id = %s FOR UPDATE", (plain_id(did, "Deliverable"), cid)).fetchone()
            if row is None:
                raise NotFound(f"Deliverable {str(did)[:40]} of campaign {cid}")
            row["metrics"] = rules.with_point(row["metrics"], point)
            conn.execute("UPDATE deliverables SET metrics = %s WHERE id = %s", (Json(row["metrics"]), did))
            return row

    def deliverables_of(self, platform: str, handle: str) -> list[tuple[str, dict]]:
        """(campaign id, deliverable) of every post marked as this creator's, in any campaign: one
        look-up in the (platform, key) index (every capture asks)."""
        with self._tx() as conn:
            platform, key = self._identity(conn, platform, handle)
            rows = conn.execute(DELIVERABLES_OF_SQL, (platform, key)).fetchall()
        return [(row.pop("campaign_id"), row) for row in rows]

    # -- orders ----------------------------------------------------------------------------------

    def import_orders(self, cid: str, orders: list[dict]) -> dict:
        """Add orders {order_id, date, total, currency, code, codes?} to a campaign, skipping every
        order_id it has already (an import is idempotent: the same CSV twice adds nothing). Answers
        {imported, skipped, total, new: {codes key: count}} (what the new orders carry, for matching).
        Rows, totals and the campaign's count change in one transaction."""
        with self._tx() as conn:
            row = self._campaign_row(conn, cid, lock=True)
            imported, new = self._add_orders(conn, row["no"], orders)
            total = row["orders"] + imported
            if imported:
                conn.execute("UPDATE campaigns SET orders = %s, updated_at = %s WHERE id = %s",
                             (total, now_iso(ms=True), cid))
            return {"imported": imported, "skipped": len(orders) - imported, "total": total, "new": new}

    def _add_orders(self, conn: Any, cno: int, orders: list[dict]) -> tuple[int, dict[str, int]]:
        """The orders not stored yet, added with their totals: (how many, {codes key: count}). The
        caller holds the campaign's row lock (the numbering after the last order depends on it)."""
        rows: list[tuple] = []
        keys: dict[tuple, tuple[str, str]] = {}  # codes -> (as stored, totals key): a shop has few of them
        for oid, o in rules.unseen_orders(orders, set()):  # twice in one file: the first counts
            codes = tuple(rules.order_codes(o))
            stored, key = keys.get(codes) or keys.setdefault(codes, (CODES_SEP.join(codes), rules.codes_key(codes)))
            rows.append((len(rows) + 1, oid, o.get("date"), float(o["total"]), o.get("currency"), stored, key,
                         o.get("currency") or ""))
        if not rows:
            return 0, {}
        # JIT compiling this one statement costs seconds, and the join's sort wants memory, not disk
        conn.execute("SET LOCAL jit = off")
        conn.execute("SET LOCAL work_mem = '64MB'")
        conn.execute(_BATCH_SQL)
        with conn.cursor().copy("COPY order_batch FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        base = conn.execute("SELECT coalesce(max(seq), 0) AS last FROM orders WHERE cno = %s", (cno,)).fetchone()["last"]
        new = {r["codes_key"]: r["n"] for r in conn.execute(_IMPORT_SQL, {"cno": cno, "base": base})}
        conn.execute("DROP TABLE order_batch")
        return sum(new.values()), new

    def list_orders(self, cid: str) -> list[dict]:
        """Every order of a campaign, in import order: {order_id, date, total, currency, code, codes}."""
        with self._tx() as conn:
            cno = self._campaign_row(conn, cid)["no"]
            rows = conn.cursor(row_factory=tuple_row).execute(
                "SELECT order_id, date, total, currency, codes FROM orders WHERE cno = %s ORDER BY seq", (cno,)).fetchall()
        return [rules.order_doc(*r[:4], r[4].split(CODES_SEP) if r[4] else []) for r in rows]

    def order_totals(self, cid: str) -> list[dict]:
        """The orders summed per combination of codes and currency, from the totals table:
        [{codes: [case-folded codes], currency, orders, revenue, refunds}]."""
        with self._tx() as conn:
            cno = self._campaign_row(conn, cid)["no"]
            rows = conn.execute("SELECT codes_key, currency, orders, revenue, refunds FROM order_totals "
                                "WHERE cno = %s ORDER BY seq", (cno,)).fetchall()
        return [rules.totals_doc(r["codes_key"], r["currency"], r["orders"], round(float(r["revenue"]), 6), r["refunds"])
                for r in rows]

    # -- kolscope migrate ------------------------------------------------------------------------

    def import_campaign(self, doc: dict, partners: list[dict], deliverables: list[dict], orders: list[dict]) -> dict:
        """Copy one campaign as it is (`kolscope migrate`): its id, partners', deliverables' ids and
        times kept; every row an upsert and the orders skipped by id, so a second run changes
        nothing. Answers the campaign as stored."""
        fields = rules.campaign_fields(doc)
        with self._tx() as conn:
            row = _named(conn, doc["name"], "INSERT INTO campaigns (id, name_fold, fields, created_at, updated_at) "
                         "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET "
                         "name_fold = excluded.name_fold, fields = excluded.fields, created_at = excluded.created_at, "
                         "updated_at = excluded.updated_at RETURNING *",
                         (doc["id"], folded(doc["name"]), Json(fields), doc.get("created_at") or "",
                          doc.get("updated_at") or ""))
            for p in partners:
                values = [Json(p.get(c) or {}) if c == "plan" else p.get(c) for c in PARTNER_COLUMNS]
                values[1] = doc["id"]
                conn.execute(
                    f"INSERT INTO partners ({', '.join(PARTNER_COLUMNS)}) VALUES ({', '.join(['%s'] * len(PARTNER_COLUMNS))}) "
                    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in PARTNER_COLUMNS[1:])}",
                    values)
            for d in deliverables:
                values = [Json(d.get(c) or []) if c == "metrics" else d.get(c) for c in DELIVERABLE_COLUMNS]
                conn.execute(
                    f"INSERT INTO deliverables (campaign_id, {', '.join(DELIVERABLE_COLUMNS)}) "
                    f"VALUES (%s, {', '.join(['%s'] * len(DELIVERABLE_COLUMNS))}) "
                    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in DELIVERABLE_COLUMNS[1:])}",
                    [doc["id"], *values])
            self._add_orders(conn, row["no"], orders)
            count = conn.execute("SELECT count(*) AS n FROM orders WHERE cno = %s", (row["no"],)).fetchone()["n"]
            row = conn.execute("UPDATE campaigns SET orders = %s WHERE id = %s RETURNING *", (count, doc["id"])).fetchone()
            return _campaign_doc(row)


def _named(conn: Any, name: str, sql: str, params: tuple) -> dict:
    """Run a statement that writes a campaign's name: Conflict when another campaign has it."""
    try:
        return conn.execute(sql, params).fetchone()
    except errors.UniqueViolation as exc:
        if "name_fold" not in str(exc.diag.constraint_name or ""):
            raise
        raise Conflict(f"A campaign named {name!r} exists already.") from None
