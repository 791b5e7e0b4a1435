"""The campaign forms, turned into the API's request bodies (issue 14's contract): the API's models
check them, so a number typed as "1,200" or a blank row is handled here and nothing else is decided.

A blank field is left out (the API's default applies); text that is not a number is passed as it is,
so the API's own message names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KPI_ROWS = 3  # KPI rows on the new-campaign form


def _number(text: str | None) -> Any:
    """"1,200.50" -> 1200.5; "" -> None; anything else as typed (the API says what is wrong)."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip().replace(",", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return text.strip()
    return int(value) if value.is_integer() and "." not in cleaned else value


def _text(form: Mapping, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _getlist(form, key: str) -> list[str]:
    return form.getlist(key) if hasattr(form, "getlist") else list(form.get(key) or [])


def campaign_body(form) -> dict:
    body: dict[str, Any] = {}
    for key in ("name", "objective", "currency", "start", "end", "brief_id"):
        if _text(form, key) is not None:
            body[key] = _text(form, key)
    for key in ("budget", "seller_monthly_sales"):
        if _number(form.get(key)) is not None:
            body[key] = _number(form.get(key))
    metrics, targets = _getlist(form, "kpi_metric"), _getlist(form, "kpi_target")
    kpis = []
    for i, metric in enumerate(metrics):
        target = targets[i] if i < len(targets) else ""
        if metric.strip() or target.strip():
            kpis.append({"metric": metric.strip(), "target": _number(target)})
    body["kpis"] = kpis
    return body


def partner_body(form) -> dict:
    """{url} of a profile, or {platform, handle} picked from the shortlist ("platform/handle"); with
    `copy_plan_from` when the person starts from another partner's plan."""
    picked = _text(form, "creator")
    if picked and "/" in picked and not _text(form, "url"):
        platform, handle = picked.split("/", 1)
        body: dict[str, Any] = {"platform": platform, "handle": handle}
    else:
        body = {"url": _text(form, "url") or ""}
    if _text(form, "copy_plan_from"):
        body["copy_plan_from"] = _text(form, "copy_plan_from")
    return body


def plan_body(form) -> dict:
    """{plan, status}: the plan's fields and its deliverable rows (a row left blank is dropped)."""
    plan: dict[str, Any] = {
        "fee": _number(form.get("fee")),
        "currency": _text(form, "currency"),
        "promo_codes": [c.strip() for c in (form.get("promo_codes") or "").replace(";", ",").split(",") if c.strip()],
        "tracking_url": _text(form, "tracking_url"),
        "talking_points": _text(form, "talking_points"),
    }
    plan = {k: v for k, v in plan.items() if v is not None}
    rows = zip(_getlist(form, "d_platform"), _getlist(form, "d_format"), _getlist(form, "d_count"),
               _getlist(form, "d_due"), strict=False)
    deliverables = []
    for platform, fmt, count, due in rows:
        if not (fmt.strip() or count.strip() or due.strip()):
            continue  # a row left blank (its platform select always shows the partner's)
        row: dict[str, Any] = {"platform": platform.strip(), "format": fmt.strip(), "count": _number(count) or 1}
        if due.strip():
            row["due"] = due.strip()
        deliverables.append(row)
    plan["deliverables"] = deliverables
    body: dict[str, Any] = {"plan": plan}
    if _text(form, "status"):
        body["status"] = _text(form, "status")
    return body


def deliverable_body(form) -> dict:
    return {"partner_id": _text(form, "partner_id") or "", "url": _text(form, "url") or ""}
