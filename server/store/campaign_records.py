"""The rules of campaign records, as pure functions (no I/O, no clock: `now` is passed in), as
records.py is for creators: both engines (tinydb_campaigns.py, postgres_campaigns.py) build
campaigns, partners, deliverables and their metrics, and count orders, only through these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from server.store.base import PARTNER_STATUSES, NotFound, StoreError

CAMPAIGN_ID = re.compile(r"^cp_[0-9a-f]{12}$")
CAMPAIGN_FIELDS = ("name", "objective", "kpis", "budget", "currency", "start", "end", "seller_monthly_sales",
                   "brief_id")
ORDER_COLUMNS = ("order_id", "date", "total", "currency", "codes")
MAX_METRIC_POINTS = 500  # a deliverable refreshed daily for over a year; the oldest go first
METRICS = ("views", "likes", "comments", "shares")


# -- campaigns --------------------------------------------------------------------------------------

def check_campaign_id(cid: Any) -> str:
    """A campaign id from a request; NotFound for anything not shaped like one (an id from a URL
    never reaches a path or a query unless it is)."""
    if not isinstance(cid, str) or not CAMPAIGN_ID.match(cid):
        raise NotFound(f"Campaign {str(cid)[:40]}")
    return cid


def campaign_fields(doc: dict) -> dict:
    """The stored fields of a campaign (CAMPAIGN_FIELDS, validated by the caller), kpis as a list."""
    fields = {k: doc.get(k) for k in CAMPAIGN_FIELDS}
    fields["kpis"] = list(fields["kpis"] or [])
    return fields


def oldest_first(docs: Iterable[dict]) -> list[dict]:
    """Campaigns as listed: oldest first (then by name: two created in the same millisecond)."""
    return sorted(docs, key=lambda d: (d.get("created_at") or "", d["name"].casefold(), d["id"]))


# -- partners ---------------------------------------------------------------------------------------

def new_partner(pid: str, cid: str, platform: str, summary: dict, handle: str, plan: dict, *,
                copied_from: str | None, author: str | None, now: str) -> dict:
    """A partner joining campaign `cid`: the creator `summary` (known, or its placeholder)."""
    return {"id": pid, "campaign_id": cid, "platform": platform, "key": summary["key"],
            "handle": summary.get("handle") or handle, "plan": dict(plan), "status": PARTNER_STATUSES[0],
            "copied_from": copied_from, "author": author, "updated_by": author, "created_at": now, "updated_at": now}


def check_partner_changes(changes: dict) -> None:
    if "status" in changes and changes["status"] not in PARTNER_STATUSES:
        raise ValueError(f"status must be one of {PARTNER_STATUSES}, not {changes['status']!r}")


def updated_partner(old: dict, changes: dict, author: str | None, now: str) -> dict:
    """`old` with a new plan and/or status; a plan that differs from the one stored ends the copy flag."""
    new = dict(old)
    new.update({k: v for k, v in changes.items() if k in ("plan", "status")})
    if "plan" in changes and changes["plan"] != old["plan"]:
        new["copied_from"] = None
    new.update(updated_at=now, updated_by=author)
    return new


# -- deliverables -----------------------------------------------------------------------------------

def check_post_text(url: str, post_id: str | None) -> None:
    """Refuse a deliverable's URL or post id with text no engine keeps alike, before either engine
    looks it up (StoreError "invalid_text")."""
    storable_text(url, "URL")
    storable_text(post_id, "post id")


def storable_text(value: Any, what: str) -> None:
    """Refuse text no engine keeps alike (StoreError "invalid_text", said in words): a NUL character,
    which PostgreSQL text cannot hold, or half a surrogate pair, which UTF-8 cannot. No URL or post id
    holds either."""
    if isinstance(value, str) and ("\x00" in value or _has_lone_surrogate(value)):
        raise StoreError("invalid_text", f"The {what} holds a character no {what} has (a NUL character or "
                                         "half of a surrogate pair).")


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def new_deliverable(did: str, partner: dict, url: str, platform: str, post_id: str | None, now: str) -> dict:
    """A post marked as `partner`'s deliverable (its text checked first: check_post_text)."""
    return {"id": did, "partner_id": partner["id"], "url": url, "platform": platform, "key": partner["key"],
            "post_id": post_id, "metrics": [], "created_at": now}


def same_post(d: dict, partner_id: str, platform: str, url: str, post_id: str | None) -> bool:
    """Whether deliverable `d` is this post of this partner (by platform and post id, else URL)."""
    same = (d["post_id"] == post_id) if post_id else (d["url"] == url)
    return d["partner_id"] == partner_id and d["platform"] == platform and same


def metric_point(metrics: dict, now: str) -> dict:
    """A point {at, views, likes, comments, shares} of a deliverable's metrics (at: now by default)."""
    return {"at": metrics.get("at") or now, **{k: metrics.get(k) for k in METRICS}}


def with_point(points: list[dict] | None, point: dict) -> list[dict]:
    """Metrics with `point` added (a point at the same `at` replaces the one there), in time order;
    the last MAX_METRIC_POINTS."""
    out = [p for p in points or [] if p.get("at") != point["at"]]
    out.append(point)
    out.sort(key=lambda p: str(p.get("at")))
    return out[-MAX_METRIC_POINTS:]


# -- orders -----------------------------------------------------------------------------------------

def codes_key(codes: Iterable[str]) -> str:
    """The totals' key of an order's codes: case-folded, in the shop's order, joined by a newline
    (a character no promo code holds); "" for an order without a code."""
    return "\n".join(c.casefold() for c in codes)


def order_codes(order: dict) -> list[str]:
    """An imported order's codes: `codes`, else its one `code`, else none."""
    return list(order.get("codes") or ([order["code"]] if order.get("code") else []))


def unseen_orders(orders: Iterable[dict], seen: set[str]) -> Iterator[tuple[str, dict]]:
    """(order id as text, order) of each order whose id is not in `seen` yet (the first of an id
    in one file counts); `seen` gains them."""
    for o in orders:
        oid = str(o["order_id"])
        if oid not in seen:
            seen.add(oid)
            yield oid, o


def add_to_totals(totals: dict, codes: list[str], currency: str, total: float) -> None:
    """Count one order into {codes key: {currency: [orders, revenue, refunds]}}. A negative total
    (a refund row) lowers the revenue and counts as a refund, not as an order."""
    cell = totals.setdefault(codes_key(codes), {}).setdefault(currency, [0, 0.0, 0])
    if total < 0:
        cell[2] += 1
    else:
        cell[0] += 1
    cell[1] = round(cell[1] + total, 6)


def order_doc(order_id: str, date: Any, total: float, currency: Any, codes: list[str]) -> dict:
    """An order as listed: {order_id, date, total, currency, code (the first), codes}."""
    return {"order_id": order_id, "date": date, "total": total, "currency": currency,
            "code": codes[0] if codes else None, "codes": list(codes)}


def totals_doc(key: str, currency: str, orders: int, revenue: float, refunds: int) -> dict:
    """One line of order_totals: {codes: [case-folded codes], currency, orders, revenue, refunds}."""
    return {"codes": key.split("\n") if key else [], "currency": currency, "orders": orders,
            "revenue": revenue, "refunds": refunds}
