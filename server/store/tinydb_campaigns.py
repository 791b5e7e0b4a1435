"""The TinyDB engine's campaign tables (issue 14), mixed into TinyDBStore: campaigns, their partners,
deliverables and imported orders. Uses the store's own lock (`self._lock`), directory (`self.dir`),
envelope files (`self._db(path, header=...)`) and ids (`self.new_id(prefix)`).

Layout (beside the creators, under the data directory):

    campaigns/<cid>.json          one campaign: tables "campaign" (its document), "partners" and
                                  "deliverables" (with their metrics over time); kind "campaign"
    campaigns/<cid>.orders.json   its imported orders, compact: one document {columns, count, ids,
                                  rows, totals}: the order ids and the rows (lists of order_id, date,
                                  total, currency, codes) each as the text of a JSON array, and totals
                                  per combination of codes and currency beside them; kind "orders"

Why a file per campaign and a second one for its orders: a partner edit or a refresh's metrics
rewrite a few kilobytes, never 100,000 orders; an import rewrites the orders file once (one atomic
write, rows and totals together, so the totals can never disagree with the rows), and the report
reads the totals without walking the rows. Rows and ids are kept as JSON text inside the file: reading
the file then decodes two long strings instead of 100,000 small lists (~60 ms instead of ~1 s on a busy
machine), and an import appends to them without decoding the rows at all. The campaign document counts its orders (`orders`), so a
lost orders file is an error, never "no orders". Deleting a campaign removes the campaign file first:
a crash in between leaves an orphan orders file (fsck notes it), never a campaign without its orders.

The records' rules (fields, partners, deliverables, metrics, order totals) are campaign_records.py's,
shared with the PostgreSQL engine.

`deliverables_of` (asked on every capture) reads only the campaigns holding posts of that creator:
an in-memory index (platform, key) -> campaign ids, built from every campaign file on its first use
and kept by each change of deliverables (this process holds the store's lock, so no other writes
them). The index may name a campaign that holds none any more (a failed write after the index was
told): that costs a read, never a missed deliverable.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from tinydb import Query

from scraper.times import now_iso
from server.store import campaign_records as rules
from server.store.base import Conflict, NotFound, StoreCorrupt
from server.store.campaign_records import CAMPAIGN_ID, CAMPAIGN_FIELDS, ORDER_COLUMNS


def campaign_files(data_dir: Path) -> list[tuple[str, Path]]:
    """(campaign id, path) of every campaign file in a data directory (fsck's list too)."""
    folder = data_dir / "campaigns"
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("cp_*.json")):
        cid = path.name[:-len(".json")]
        if CAMPAIGN_ID.match(cid):
            out.append((cid, path))
    return out


def orders_files(data_dir: Path) -> list[tuple[str, Path]]:
    folder = data_dir / "campaigns"
    if not folder.is_dir():
        return []
    return [(p.name[:-len(".orders.json")], p) for p in sorted(folder.glob("cp_*.orders.json"))
            if CAMPAIGN_ID.match(p.name[:-len(".orders.json")])]


def _append_json(array_text: str, items: list) -> str:
    """A JSON array's text with `items` appended, without decoding what is there."""
    more = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return more if array_text == "[]" else array_text[:-1] + "," + more[1:]


class CampaignTables:
    """Campaign storage for TinyDBStore (see the module docstring for the files)."""

    # -- files -----------------------------------------------------------------------------------

    def _campaign_path(self, cid: str) -> Path:
        return self.dir / "campaigns" / f"{cid}.json"

    def _orders_path(self, cid: str) -> Path:
        return self.dir / "campaigns" / f"{cid}.orders.json"

    def _campaign_db(self, cid: str, *, create: bool = False):
        """A campaign's TinyDB (kept open: its storage caches the data); NotFound for an id that is
        not a campaign's (ids from a URL never become a path unless they have the shape of one)."""
        rules.check_campaign_id(cid)
        dbs = self.__dict__.setdefault("_campaign_dbs", {})
        db = dbs.get(cid)
        if db is None:
            path = self._campaign_path(cid)
            if not create and not path.exists():
                raise NotFound(f"Campaign {cid}")
            db = self._db(path, header={"kind": "campaign", "campaign": cid}, must_exist=not create)
            dbs[cid] = db
        return db

    def _orders_db(self, cid: str, count: int):
        """A campaign's orders file (kept open like the campaign's: the report reads its cached totals)."""
        dbs = self.__dict__.setdefault("_campaign_dbs", {})
        db = dbs.get((cid, "orders"))
        if db is None:
            db = self._db(self._orders_path(cid), header={"kind": "orders", "campaign": cid}, must_exist=count > 0)
            dbs[(cid, "orders")] = db
        return db

    def _campaign_doc(self, cid: str) -> dict:
        docs = self._campaign_db(cid).table("campaign").all()
        if not docs:
            raise StoreCorrupt(self._campaign_path(cid), "holds no campaign document", self.dir)
        return dict(docs[0])

    # -- campaigns -------------------------------------------------------------------------------

    def list_campaigns(self) -> list[dict]:
        """Every campaign, oldest first (then by name: two created in the same millisecond)."""
        with self._lock:
            return rules.oldest_first(self._campaign_doc(cid) for cid, _ in campaign_files(self.dir))

    def get_campaign(self, cid: str) -> dict:
        with self._lock:
            return self._campaign_doc(cid)

    def _check_campaign_name(self, name: str, except_id: str | None = None) -> None:
        for doc in self.list_campaigns():
            if doc["name"].casefold() == name.casefold() and doc["id"] != except_id:
                raise Conflict(f"A campaign named {name!r} exists already.")

    def create_campaign(self, doc: dict) -> dict:
        """A new campaign from the fields of CAMPAIGN_FIELDS in `doc` (validated by the caller)."""
        with self._lock:
            self._check_campaign_name(doc["name"])
            cid = self.new_id("cp")
            now = now_iso(ms=True)
            record = {"id": cid, **rules.campaign_fields(doc), "orders": 0, "created_at": now, "updated_at": now}
            self._campaign_db(cid, create=True).table("campaign").insert(record)
            return dict(record)

    def update_campaign(self, cid: str, changes: dict) -> dict:
        allowed = {k: v for k, v in changes.items() if k in CAMPAIGN_FIELDS}
        with self._lock:
            self._campaign_doc(cid)
            if "name" in allowed:
                self._check_campaign_name(allowed["name"], except_id=cid)
            allowed["updated_at"] = now_iso(ms=True)
            self._campaign_db(cid).table("campaign").update(allowed, doc_ids=[1])
            return self._campaign_doc(cid)

    def delete_campaign(self, cid: str) -> None:
        with self._lock:
            self._campaign_doc(cid)
            dbs = self.__dict__.get("_campaign_dbs", {})
            dbs.pop(cid, None)
            dbs.pop((cid, "orders"), None)
            try:
                for path in (self._campaign_path(cid), self._orders_path(cid)):  # the campaign first: see above
                    for p in (path, path.with_name(path.name + ".bak")):
                        with contextlib.suppress(FileNotFoundError):
                            p.unlink()
            finally:
                self._reindex_campaign(cid)

    # -- partners --------------------------------------------------------------------------------

    def list_partners(self, cid: str) -> list[dict]:
        with self._lock:
            return [dict(p) for p in self._campaign_db(cid).table("partners").all()]

    def _partner(self, cid: str, pid: str) -> dict:
        docs = self._campaign_db(cid).table("partners").search(Query().id == pid)
        if not docs:
            raise NotFound(f"Partner {str(pid)[:40]} of campaign {cid}")
        return dict(docs[0])

    def add_partner(self, cid: str, platform: str, handle: str, plan: dict, *, url: str | None = None,
                    copied_from: str | None = None, author: str | None = None) -> dict:
        """A creator joins the campaign (known or not yet captured: it is then created as a
        placeholder, as a watchlist does). Conflict when it is a partner already; NotFound when
        `copied_from` is no partner of this campaign."""
        with self._lock:
            db = self._campaign_db(cid)
            platform, key = self._identity(platform, handle)
            if copied_from is not None:
                self._partner(cid, copied_from)
            q = Query()
            if db.table("partners").search((q.platform == platform) & (q.key == key)):
                raise Conflict(f"{platform}/{handle} is a partner of this campaign already.")
            doc = rules.new_partner(self.new_id("pt"), cid, platform, self.ensure_creator(platform, handle, url),
                                    handle, plan, copied_from=copied_from, author=author, now=now_iso(ms=True))
            db.table("partners").insert(doc)
            return dict(doc)

    def update_partner(self, cid: str, pid: str, changes: dict, *, author: str | None = None) -> dict:
        """A new plan and/or status. A plan that differs from the one stored ends the copy flag."""
        rules.check_partner_changes(changes)
        with self._lock:
            new = rules.updated_partner(self._partner(cid, pid), changes, author, now_iso(ms=True))
            self._campaign_db(cid).table("partners").update(new, Query().id == pid)
            return self._partner(cid, pid)

    def remove_partner(self, cid: str, pid: str) -> None:
        """The partner goes, with the posts marked as its deliverables."""
        with self._lock:
            self._partner(cid, pid)
            db = self._campaign_db(cid)
            try:
                with db.storage.batch():
                    db.table("partners").remove(Query().id == pid)
                    db.table("deliverables").remove(Query().partner_id == pid)
            finally:
                self._reindex_campaign(cid)

    # -- deliverables ----------------------------------------------------------------------------

    def list_deliverables(self, cid: str) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._campaign_db(cid).table("deliverables").all()]

    def add_deliverable(self, cid: str, partner_id: str, url: str, platform: str, post_id: str | None) -> dict:
        """A post marked as a partner's deliverable; the same post (platform and post id, else URL)
        marked twice is answered, not doubled."""
        rules.check_post_text(url, post_id)
        with self._lock:
            partner = self._partner(cid, partner_id)
            table = self._campaign_db(cid).table("deliverables")
            for d in table.all():
                if rules.same_post(d, partner_id, platform, url, post_id):
                    return dict(d)
            doc = rules.new_deliverable(self.new_id("dl"), partner, url, platform, post_id, now_iso(ms=True))
            table.insert(doc)
            index = self.__dict__.get("_deliverable_campaigns")
            if index is not None:
                index.setdefault((platform, doc["key"]), set()).add(cid)
            return dict(doc)

    def record_deliverable_metrics(self, cid: str, did: str, metrics: dict) -> dict:
        """Add a point {at, views, likes, comments, shares} to a deliverable's metrics (a point at the
        same `at` replaces the one there); the last MAX_METRIC_POINTS are kept."""
        point = rules.metric_point(metrics, now_iso(ms=True))
        with self._lock:
            table = self._campaign_db(cid).table("deliverables")
            docs = table.search(Query().id == did)
            if not docs:
                raise NotFound(f"Deliverable {str(did)[:40]} of campaign {cid}")
            table.update({"metrics": rules.with_point(docs[0].get("metrics"), point)}, Query().id == did)
            return dict(table.search(Query().id == did)[0])

    def deliverables_of(self, platform: str, handle: str) -> list[tuple[str, dict]]:
        """(campaign id, deliverable) of every post marked as this creator's, in any campaign (the
        campaigns the index names: see the module docstring)."""
        platform, key = self._identity(platform, handle)
        q = Query()
        with self._lock:
            out = []
            for cid in sorted(self._deliverables_index().get((platform, key), ())):
                for d in self._campaign_db(cid).table("deliverables").search((q.platform == platform) & (q.key == key)):
                    out.append((cid, dict(d)))
            return out

    def _deliverables_index(self) -> dict[tuple[str, str], set[str]]:
        """(platform, key) -> ids of the campaigns with deliverables of that creator, built on first use."""
        index = self.__dict__.get("_deliverable_campaigns")
        if index is None:
            index = {}
            for cid, _ in campaign_files(self.dir):
                for d in self._campaign_db(cid).table("deliverables").all():
                    index.setdefault((d["platform"], d["key"]), set()).add(cid)
            self.__dict__["_deliverable_campaigns"] = index
        return index

    def _reindex_campaign(self, cid: str) -> None:
        """The index told what campaign `cid` holds now (nothing, once deleted); nothing to do
        before the index is built."""
        index = self.__dict__.get("_deliverable_campaigns")
        if index is None:
            return
        for ident in [i for i, cids in index.items() if cid in cids]:
            index[ident].discard(cid)
            if not index[ident]:
                del index[ident]
        if self._campaign_path(cid).exists():
            for d in self._campaign_db(cid).table("deliverables").all():
                index.setdefault((d["platform"], d["key"]), set()).add(cid)

    # -- orders ----------------------------------------------------------------------------------

    def _stored_orders(self, cid: str) -> dict | None:
        doc = self._campaign_doc(cid)
        return self._orders_db(cid, doc.get("orders") or 0).table("orders").get(doc_id=1)

    def import_orders(self, cid: str, orders: list[dict]) -> dict:
        """Add orders {order_id, date, total, currency, code, codes?} to a campaign, skipping every
        order_id it has already (an import is idempotent: the same CSV twice adds nothing). Answers
        {imported, skipped, total, new: {codes key: count}} (what the new orders carry, for matching).
        One atomic write of rows and totals; the campaign's order count follows."""
        with self._lock:
            stored = self._stored_orders(cid)
            table = self._orders_db(cid, 1 if stored else 0).table("orders")
            count = stored["count"] if stored else 0
            seen = set(json.loads(stored["ids"])) if stored else set()
            totals = {k: {c: list(v) for c, v in cur.items()} for k, cur in (stored["totals"] if stored else {}).items()}
            new: dict[str, int] = {}
            rows, ids = [], []
            for oid, o in rules.unseen_orders(orders, seen):
                codes = rules.order_codes(o)
                total = float(o["total"])
                rows.append([oid, o.get("date"), total, o.get("currency"), codes])
                ids.append(oid)
                rules.add_to_totals(totals, codes, o.get("currency") or "", total)
                k = rules.codes_key(codes)
                new[k] = new.get(k, 0) + 1
            skipped = len(orders) - len(rows)
            if rows:
                data = {"columns": list(ORDER_COLUMNS), "count": count + len(rows),
                        "ids": _append_json(stored["ids"] if stored else "[]", ids),
                        "rows": _append_json(stored["rows"] if stored else "[]", rows), "totals": totals}
                if stored:
                    table.update(data, doc_ids=[1])
                else:
                    table.insert(data)
                self._campaign_db(cid).table("campaign").update(
                    {"orders": data["count"], "updated_at": now_iso(ms=True)}, doc_ids=[1])
            return {"imported": len(rows), "skipped": skipped, "total": count + len(rows), "new": new}

    def list_orders(self, cid: str) -> list[dict]:
        """Every order of a campaign, in import order: {order_id, date, total, currency, code, codes}."""
        with self._lock:
            stored = self._stored_orders(cid)
            rows = json.loads(stored["rows"]) if stored else []
            return [rules.order_doc(*r) for r in rows]

    def order_totals(self, cid: str) -> list[dict]:
        """The orders summed per combination of codes and currency, without reading row by row:
        [{codes: [case-folded codes], currency, orders, revenue, refunds}]."""
        with self._lock:
            stored = self._stored_orders(cid)
            totals = stored["totals"] if stored else {}
            return [rules.totals_doc(key, currency, *cell)
                    for key, by_currency in totals.items() for currency, cell in by_currency.items()]
