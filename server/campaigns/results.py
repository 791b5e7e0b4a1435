"""A campaign's results: orders matched to partners by promo code, each partner's sales and the reach
of its posts against its fee, and the campaign's KPIs against their targets.

The rules, decided here and shown to the user (docs/api.md says them too):

- **Attribution.** An order belongs to the partner owning one of its promo codes, compared
  case-insensitively. An order with several codes goes to the first of them (in the shop's order)
  that a partner owns, so it is never counted twice. Orders whose codes no partner owns (or without a
  code) are the campaign's `unattributed` orders: reported, never in a partner's figures or the KPIs.
- **Refunds.** A negative total (a refund row) lowers the revenue and is counted as a refund, not as
  an order.
- **Currencies.** Nothing is converted. A partner's revenue and ROAS count the orders in its fee's
  currency (the campaign's when the plan names none); the campaign's revenue, ROAS, cost per order,
  CPM and cost per engagement count the campaign's currency, fees in another currency left out.
  Orders in any other currency are counted separately (`other_currencies`) and said in `notes`.
- **Fees** are those of the partners' plans (agreed or proposed: the plan is the agreement kolscope
  knows); a partner without a fee has no ROAS, cost per order, CPM or cost per engagement.
- **Reach** is the latest metrics of each post marked as a deliverable (views, likes, comments,
  shares, summed over the partner's posts); engagements = likes + comments + shares. Realised CPM =
  fee / views x 1000; cost per engagement = fee / engagements.
- **KPIs.** `orders`: the attributed orders. `revenue`: their revenue in the campaign's currency.
  `signups`: a sign-up campaign (objective "signups") imports its sign-ups as orders (one row per
  registration with the code used), so there the attributed orders are the sign-ups; for any other
  objective sign-ups are not measured (actual None). `views`, `engagements`, `shares`: the
  deliverables' sums. `roas` and `cost_per_order`: the campaign's. `progress` = actual / target (1.0
  is the target met); for cost per order, where lower is better, target / actual.
"""

from __future__ import annotations

from typing import Any

OBJECTIVES = ("sales", "signups", "reach", "engagement", "shares")
KPI_METRICS = ("orders", "revenue", "signups", "views", "engagements", "shares", "roas", "cost_per_order")
LOWER_IS_BETTER = frozenset({"cost_per_order"})
REACH = ("views", "likes", "comments", "shares")


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(num: float | None, den: float | None, scale: float = 1.0) -> float | None:
    if num is None or not den:
        return None
    return num / den * scale


def code_owners(partners: list[dict]) -> dict[str, str]:
    """{case-folded promo code: partner id}; a code two partners list stays the first one's."""
    owners: dict[str, str] = {}
    for p in partners:
        for code in (p.get("plan") or {}).get("promo_codes") or []:
            if isinstance(code, str) and code.strip():
                owners.setdefault(code.strip().casefold(), p["id"])
    return owners


def owner_of(codes: list[str], owners: dict[str, str]) -> str | None:
    """The partner an order with these codes belongs to (the first code a partner owns), or None."""
    for code in codes:
        pid = owners.get(code.casefold())
        if pid is not None:
            return pid
    return None


def latest_reach(deliverables: list[dict]) -> dict[str, dict[str, Any]]:
    """{partner id: {views, likes, comments, shares, posts, measured}}: the latest metrics point of each
    deliverable summed per partner (a count no point has stays None)."""
    out: dict[str, dict[str, Any]] = {}
    for d in deliverables:
        cell = out.setdefault(d["partner_id"], {**{k: None for k in REACH}, "posts": 0, "measured": 0})
        cell["posts"] += 1
        points = d.get("metrics") or []
        if not points:
            continue
        last = max(points, key=lambda p: str(p.get("at")))
        cell["measured"] += 1
        for k in REACH:
            v = last.get(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cell[k] = (cell[k] or 0) + v
    return out


def _engagements(reach: dict) -> int | None:
    parts = [reach.get(k) for k in ("likes", "comments", "shares")]
    return None if all(v is None for v in parts) else sum(v or 0 for v in parts)


def _sales(totals: list[dict], owners: dict[str, str]) -> tuple[dict, dict]:
    """({partner id: {currency: [orders, revenue, refunds]}}, the unattributed ones by currency)."""
    by_partner: dict[str, dict[str, list]] = {}
    unattributed: dict[str, list] = {}
    for t in totals:
        pid = owner_of(t["codes"], owners)
        bucket = by_partner.setdefault(pid, {}) if pid else unattributed
        cell = bucket.setdefault(t["currency"], [0, 0.0, 0])
        cell[0] += t["orders"]
        cell[1] += t["revenue"]
        cell[2] += t.get("refunds") or 0
    return by_partner, unattributed


def _progress(metric: str, target: float | None, actual: float | None) -> float | None:
    if actual is None or not isinstance(target, (int, float)) or target <= 0:
        return None
    if metric in LOWER_IS_BETTER:
        return round(target / actual, 4) if actual > 0 else None
    return round(actual / target, 4)


def campaign_results(campaign: dict, partners: list[dict], deliverables: list[dict], order_totals: list[dict]) -> dict:
    """The report of a campaign (see the module docstring for every rule):
    {currency, kpis: [{metric, target, actual, progress}], partners: [...], totals: {...},
    unattributed: {orders, revenue, refunds}, other_currencies: [{currency, orders, revenue}], notes}."""
    currency = (campaign.get("currency") or "").upper() or None
    owners = code_owners(partners)
    sales, unattributed = _sales(order_totals, owners)
    reach = latest_reach(deliverables)
    notes: list[str] = []
    rows = []
    other: dict[str, list] = {}
    fees = None
    sums: dict[str, Any] = {k: None for k in REACH}
    orders_all = refunds_all = 0
    revenue = 0.0
    for p in partners:
        plan = p.get("plan") or {}
        fee = plan.get("fee") if isinstance(plan.get("fee"), (int, float)) else None
        fee_currency = (plan.get("currency") or currency or "").upper() or None
        by_currency = sales.get(p["id"], {})
        orders = sum(c[0] for c in by_currency.values())
        refunds = sum(c[2] for c in by_currency.values())
        own = by_currency.get(fee_currency, [0, 0.0, 0])
        r = reach.get(p["id"], {**{k: None for k in REACH}, "posts": 0, "measured": 0})
        eng = _engagements(r)
        rows.append({
            "id": p["id"], "platform": p["platform"], "handle": p.get("handle") or p.get("key"), "status": p.get("status"),
            "copied_from": p.get("copied_from"), "fee": fee, "currency": fee_currency,
            "promo_codes": list(plan.get("promo_codes") or []),
            "orders": orders, "refunds": refunds, "revenue": _r(own[1]),
            "revenue_other": {c: _r(v[1]) for c, v in by_currency.items() if c != fee_currency},
            "roas": _r(_ratio(own[1], fee), 3), "cost_per_order": _r(_ratio(fee, orders)),
            "views": r["views"], "likes": r["likes"], "comments": r["comments"], "shares": r["shares"],
            "engagements": eng, "cpm": _r(_ratio(fee, r["views"], 1000)), "cpe": _r(_ratio(fee, eng), 4),
            "deliverables": r["posts"], "measured": r["measured"],
        })
        orders_all += orders
        refunds_all += refunds
        for c, cell in by_currency.items():
            if c == currency:
                revenue += cell[1]
            else:
                o = other.setdefault(c, [0, 0.0])
                o[0] += cell[0]
                o[1] += cell[1]
        if fee is not None:
            if fee_currency == currency:
                fees = (fees or 0) + fee
            else:
                notes.append(f"The fee of {rows[-1]['handle']} is in {fee_currency}, not the campaign's {currency}: "
                             "it is left out of the campaign's costs (no conversion).")
        for k in REACH:
            if r[k] is not None:
                sums[k] = (sums[k] or 0) + r[k]
    views, shares = sums["views"], sums["shares"]
    engagements = _engagements(sums)
    for c, (n, amount) in sorted(other.items()):
        notes.append(f"{n} attributed order(s) in {c} ({amount:.2f} {c}) are counted as orders but not in the "
                     f"revenue, which is in {currency} (no conversion).")
    totals = {
        "fees": _r(fees), "orders": orders_all, "refunds": refunds_all, "revenue": _r(revenue),
        "roas": _r(_ratio(revenue, fees), 3), "cost_per_order": _r(_ratio(fees, orders_all)),
        **sums, "engagements": engagements,
        "cpm": _r(_ratio(fees, views, 1000)), "cpe": _r(_ratio(fees, engagements), 4),
        "budget": campaign.get("budget"),
        "budget_used": _r(_ratio(fees, campaign.get("budget") if isinstance(campaign.get("budget"), (int, float)) else None), 4),
    }
    actuals = {
        "orders": orders_all, "revenue": totals["revenue"],
        "signups": orders_all if campaign.get("objective") == "signups" else None,
        "views": views, "engagements": engagements, "shares": shares,
        "roas": totals["roas"], "cost_per_order": totals["cost_per_order"],
    }
    kpis = [{"metric": k["metric"], "target": k.get("target"), "actual": actuals.get(k["metric"]),
             "progress": _progress(k["metric"], k.get("target"), actuals.get(k["metric"]))}
            for k in campaign.get("kpis") or []]
    if any(k["metric"] == "signups" for k in kpis) and campaign.get("objective") != "signups":
        notes.append("Sign-ups are measured only in a sign-up campaign (objective \"signups\"), whose orders "
                     "file lists the sign-ups.")
    un_orders = sum(c[0] for c in unattributed.values())
    return {
        "currency": currency,
        "kpis": kpis,
        "partners": rows,
        "totals": totals,
        "unattributed": {"orders": un_orders, "refunds": sum(c[2] for c in unattributed.values()),
                         "revenue": {c: _r(v[1]) for c, v in sorted(unattributed.items())}},
        "other_currencies": [{"currency": c, "orders": n, "revenue": _r(a)} for c, (n, a) in sorted(other.items())],
        "notes": notes,
    }


def match_counts(new: dict[str, int], partners: list[dict]) -> tuple[int, int]:
    """(matched, unmatched) of freshly imported orders, from the store's {codes key: count} (codes
    case-folded, joined by a newline)."""
    owners = code_owners(partners)
    matched = unmatched = 0
    for key, n in new.items():
        if owner_of(key.split("\n") if key else [], owners):
            matched += n
        else:
            unmatched += n
    return matched, unmatched
