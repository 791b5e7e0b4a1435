"""What the campaign pages and the campaign report show, computed once: the campaign, its KPI
progress and per-partner results (the API's `campaign_report`), each partner's plan and its fair-price
band with the agreed fee judged against it, the deliverables with their latest numbers, and the
geometry of the charts (inline SVG drawn by the templates, so every text in them stays escaped).

Pure over the store: no request, no session (the report and its CSV use the same view).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from scraper.times import parse_time
from server.api.campaigns import campaign_report
from server.api.errors import ApiError
from server.api.exports import formula_like
from server.api.prices import creator_price
from server.campaigns.price import formats_for
from server.campaigns.tracking import engagements
from server.dashboard.charts import sparkline
from server.store import NotFound, StoreError

CHART_W, BAR_H, BAR_GAP, LABEL_W = 640, 18, 8, 170
TIMELINE_W, ROW_H = 640, 26
SPARK_W, SPARK_H = 120, 28


def _num(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _day(value) -> date | None:
    """A date from "2026-03-01" or an ISO date-time; None for anything else."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def price_for(store, partner: dict, campaign_currency: str | None = None) -> dict | None:
    """The partner's fair-price band for the format of its plan's first deliverable (else the
    platform's first), with the agreed fee judged against it (not judged when the fee, in the plan's
    currency or else the campaign's, is not in the band's); None before the creator's first capture."""
    plan = partner.get("plan") or {}
    wanted = [d.get("format") for d in plan.get("deliverables") or [] if isinstance(d, dict)]
    available = formats_for(partner["platform"])
    fmt = next((f for f in wanted if f in available), available[0] if available else None)
    if fmt is None:
        return None
    fee = _num(plan.get("fee"))
    try:
        answer = creator_price(store, partner["platform"], partner["handle"], fmt, fee if fee and fee > 0 else None)
    except (ApiError, NotFound, StoreError):
        return None
    band = answer["formats"][0]
    out = {"format": fmt, "low": band["low"], "high": band["high"], "currency": answer["currency"],
           "basis": band.get("basis"), "factors": band["factors"], "quote": answer["quote"]}
    fee_currency = (plan.get("currency") or campaign_currency or answer["currency"]).upper()
    if answer["quote"] and fee_currency != answer["currency"]:
        out["quote"] = dict(answer["quote"], verdict="unknown",
                            reason=f"The fee is in {fee_currency}; the band is in {answer['currency']} (no conversion).")
    return out


def _latest(metrics: list[dict] | None) -> dict | None:
    return metrics[-1] if metrics else None


def deliverable_view(d: dict, partners: dict[str, dict]) -> dict:
    metrics = [m for m in d.get("metrics") or [] if isinstance(m, dict)]
    latest = _latest(metrics)
    first = metrics[0] if metrics else None
    partner = partners.get(d.get("partner_id")) or {}
    # the views over time, placed by the readings' times (the creator page's sparkline)
    spark = sparkline([(parse_time(m.get("at")) or str(m.get("at")), _num(m.get("views"))) for m in metrics],
                      width=SPARK_W, height=SPARK_H, pad=2)
    return {
        **d, "partner": partner, "latest": latest, "readings": len(metrics),
        "engagements": engagements(latest),
        "change": {k: (latest.get(k) - first.get(k)) if latest and first and isinstance(latest.get(k), int)
                   and isinstance(first.get(k), int) else None for k in ("views", "likes", "comments", "shares")},
        "spark": spark["points"] if spark else None,
    }


def _bars(rows: list[dict]) -> dict:
    """Revenue beside fee per partner, on one scale."""
    top = max([r.get("revenue") or 0 for r in rows] + [r.get("fee") or 0 for r in rows] + [1])
    usable = CHART_W - LABEL_W - 70
    bars = []
    for i, r in enumerate(rows):
        y = i * (2 * BAR_H + BAR_GAP)
        bars.append({"label": f"@{r['handle']}", "y": y,
                     "fee": r.get("fee") or 0, "fee_w": round((r.get("fee") or 0) / top * usable, 1),
                     "revenue": r.get("revenue") or 0, "revenue_w": round((r.get("revenue") or 0) / top * usable, 1)})
    return {"width": CHART_W, "height": max(1, len(rows)) * (2 * BAR_H + BAR_GAP) + 4, "label_w": LABEL_W,
            "bar_h": BAR_H, "bars": bars}


def _timeline(campaign: dict, partners: list[dict], deliverables: list[dict]) -> dict | None:
    """Each partner a row: the plan's due dates (open marks) and the posts marked as deliverables
    (filled marks, at the first reading, else when marked), between the campaign's start and end."""
    points = []
    for row, p in enumerate(partners):
        for d in (p.get("plan") or {}).get("deliverables") or []:
            due = _day(d.get("due")) if isinstance(d, dict) else None
            if due:
                points.append({"row": row, "day": due, "kind": "due", "label": f"{d.get('format') or 'post'} due {due}"})
        for d in deliverables:
            if d.get("partner_id") == p["id"]:
                first = (d.get("metrics") or [{}])[0].get("at") if d.get("metrics") else None
                day = _day(first) or _day(d.get("created_at"))
                if day:
                    points.append({"row": row, "day": day, "kind": "live", "label": f"live {day}: {d.get('url')}"})
    days = [p["day"] for p in points] + [x for x in (_day(campaign.get("start")), _day(campaign.get("end"))) if x]
    if not days or not partners:
        return None
    lo, hi = min(days), max(days)
    span = max(1, (hi - lo).days)
    usable = TIMELINE_W - LABEL_W - 20
    for p in points:
        p["x"] = round(LABEL_W + (p["day"] - lo).days / span * usable, 1)
        p["y"] = p["row"] * ROW_H + ROW_H // 2
    return {"width": TIMELINE_W, "height": len(partners) * ROW_H + 24, "label_w": LABEL_W, "row_h": ROW_H,
            "rows": [{"label": f"@{p['handle']}", "y": i * ROW_H + ROW_H // 2} for i, p in enumerate(partners)],
            "points": points, "start": lo.isoformat(), "end": hi.isoformat(), "axis_y": len(partners) * ROW_H + 14}


def kpi_view(kpi: dict) -> dict:
    progress = _num(kpi.get("progress"))
    return {**kpi, "percent": None if progress is None else round(progress * 100, 1),
            "bar": None if progress is None else max(0.0, min(100.0, progress * 100))}


def campaign_view(store, cid: str) -> dict:
    """Everything a campaign page or report shows (NotFound for an unknown campaign)."""
    campaign = store.get_campaign(cid)
    partners = store.list_partners(cid)
    by_id = {p["id"]: p for p in partners}
    report = campaign_report(store, cid)
    results = {r.get("id"): r for r in report.get("partners") or []}
    rows = []
    for p in partners:
        r = results.get(p["id"], {})
        rows.append({**r, **{k: p[k] for k in ("id", "platform", "handle", "status", "plan", "copied_from")},
                     "author": p.get("author"), "updated_by": p.get("updated_by"),
                     "fee": r.get("fee", (p.get("plan") or {}).get("fee")),
                     "copied_from_handle": (by_id.get(p.get("copied_from")) or {}).get("handle"),
                     "price": price_for(store, p, campaign.get("currency"))})
    stored = store.list_deliverables(cid)
    deliverables = [deliverable_view(d, by_id) for d in stored]
    return {
        "campaign": campaign, "report": report, "kpis": [kpi_view(k) for k in report.get("kpis") or []],
        "partners": rows, "deliverables": deliverables, "bars": _bars(rows) if rows else None,
        "timeline": _timeline(campaign, partners, stored),
        "generated_at": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }


CSV_COLUMNS = ("platform", "handle", "status", "fee", "currency", "orders", "revenue", "roas", "cost_per_order",
               "views", "engagements", "cpm", "fair_low", "fair_high", "fee_verdict", "promo_codes")


def campaign_csv(view: dict) -> str:
    """The report as CSV (UTF-8 with a BOM, for Excel): a row per partner, then a row per KPI."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for r in view["partners"]:
        plan, price = r.get("plan") or {}, r.get("price") or {}
        quote = price.get("quote") or {}
        w.writerow([_cell(x) for x in (
            r["platform"], r["handle"], r.get("status"), r.get("fee"), plan.get("currency"), r.get("orders"),
            r.get("revenue"), r.get("roas"), r.get("cost_per_order"), r.get("views"), r.get("engagements"),
            r.get("cpm"), price.get("low"), price.get("high"), quote.get("verdict"),
            " ".join(plan.get("promo_codes") or []))])
    w.writerow([])
    w.writerow(("kpi", "target", "actual", "progress_percent"))
    for k in view["kpis"]:
        w.writerow([_cell(x) for x in (k.get("metric"), k.get("target"), k.get("actual"), k.get("percent"))])
    return out.getvalue()


def _cell(value) -> str:
    """A CSV cell shown as text: text that a spreadsheet would read as a formula (the exports' own
    rule, server/api/exports.py formula_like) gets a leading '."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and formula_like(text) else text
