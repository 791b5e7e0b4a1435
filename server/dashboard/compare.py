"""Compare 2-4 creators side by side at `/compare?c=<platform>/<handle>&c=...`, and the comparison as a
report to share (`/compare/report.html`, `/compare/report.pdf`).

`comparison_table(facts)` is a pure function from the creators' key numbers (server/api/shortlist.py
`creator_facts`) to the table: one row per figure, fit and authenticity factors aligned by factor (the
same factor on one row, "—" for a creator without it), each row saying which direction is better and
marking its best cell, so the page and the report show the same table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import render_template, request

from scraper.times import now_iso, parse_time
from server.api.shortlist import ShortlistError, brief_names, creator_facts, load_records, parse_refs, sheet_time
from server.dashboard import bp, error_page, signed_in
from server.dashboard.reports import html_download, pdf_download, report_cards, report_html
from server.services import get_store

MISSING = "—"
HIGHER, LOWER = "higher", "lower"
BEST_WORDS = {HIGHER: "higher is better", LOWER: "lower is better"}


# -- the table (pure) ------------------------------------------------------------------------------

def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def mark_best(values: list[float | None], better: str | None) -> list[bool]:
    """Which cells hold the row's best value: the highest (or lowest) among the known ones, ties all
    marked; nothing when the row has no direction, fewer than two known values, or all are equal."""
    known = [v for v in values if v is not None]
    if better is None or len(known) < 2 or len(set(known)) == 1:
        return [False] * len(values)
    best = max(known) if better == HIGHER else min(known)
    return [v is not None and v == best for v in values]


def _cell(value: float | None, text: str | None, detail: str | None = None) -> dict:
    return {"value": value, "text": text if text not in (None, "") else MISSING, "detail": detail, "best": False}


def _row(key: str, label: str, group: str, better: str | None, cells: list[dict]) -> dict:
    for cell, best in zip(cells, mark_best([c["value"] for c in cells], better), strict=True):
        cell["best"] = best
    return {"key": key, "label": label, "group": group, "better": better, "hint": BEST_WORDS.get(better),
            "cells": cells}


def _fmt_int(v: Any) -> str | None:
    return None if _num(v) is None else f"{int(v):,}"


def _fmt_pct(v: Any, signed: bool = False, digits: int = 2) -> str | None:
    if _num(v) is None:
        return None
    return f"{v:+.{digits}f}%" if signed else f"{v:.{digits}f}%"


def _score_cell(part: dict) -> dict:
    if part.get("score") is None:
        return _cell(None, "No grade", part.get("reason") or "Not enough data for a score.")
    detail = f"{part.get('confidence') or 'unknown'} confidence"
    return _cell(_num(part["score"]), f"{round(part['score'])} {part.get('grade') or ''}".strip(), detail)


def _factor_rows(facts: list[dict], kind: str) -> list[dict]:
    """One row per factor of `kind` (fit or authenticity) that any creator has, in the order the
    scorer gives them, the factor's score (0-100, higher is better) with its reason per creator.
    A factor the brief does not ask about (weight 0 for everyone) is left out."""
    order: dict[str, str] = {}
    by_creator: list[dict[str, dict]] = []
    for f in facts:
        mine = {}
        for factor in f[kind]["factors"]:
            key = factor.get("key") or factor.get("label")
            order.setdefault(key, factor.get("label") or key)
            mine[key] = factor
        by_creator.append(mine)
    rows = []
    for key, label in order.items():
        present = [mine[key] for mine in by_creator if key in mine]
        if all(not f.get("weight") for f in present):
            continue  # the brief does not ask about it (weight 0): not part of anyone's fit
        cells = []
        for mine in by_creator:
            factor = mine.get(key)
            if factor is None:
                cells.append(_cell(None, None))
            elif factor.get("score") is None:
                cells.append(_cell(None, "no score", factor.get("reason")))
            else:
                cells.append(_cell(_num(factor["score"]), str(factor["score"]), factor.get("reason")))
        rows.append(_row(f"{kind}.{key}", label, kind, HIGHER, cells))
    return rows


def _languages(langs: list[tuple[str, float]]) -> str | None:
    return ", ".join(f"{code} {share:.0f}%" for code, share in langs[:3]) or None


# (key, label, group, better, value of the facts, text of the value)
_FIGURES: tuple[tuple[str, str, str, str | None, Callable[[dict], Any], Callable[[Any], str | None]], ...] = (
    ("followers", "Followers", "reach", HIGHER, lambda f: f["followers"], _fmt_int),
    ("tier", "Tier", "reach", None, lambda f: f["tier"], lambda v: v),
    ("engagement_rate", "Engagement rate", "reach", HIGHER, lambda f: f["engagement_rate_percent"], _fmt_pct),
    ("median_views", "Median views (recent posts)", "reach", HIGHER, lambda f: f["median_views"], _fmt_int),
    ("growth_30d", "Follower growth, 30 days", "reach", HIGHER, lambda f: f["growth_30d_percent"],
     lambda v: _fmt_pct(v, signed=True)),
)


def _timestamp(value: Any) -> float | None:
    when = parse_time(value)
    return None if when is None else when.timestamp()


def comparison_table(facts: list[dict], briefs: dict[str, dict] | None = None) -> dict:
    """The comparison of creators (creator_facts, in order): {creators, rows}. Each row is {key, label,
    group, better ("higher" | "lower" | None), hint, cells: [{value, text, detail, best}]}, one cell
    per creator, "—" where a creator has no value."""
    briefs = briefs or {}
    rows = []
    for key, label, group, better, get, fmt in _FIGURES:
        rows.append(_row(key, label, group, better, [_cell(_num(get(f)), fmt(get(f))) for f in facts]))
    rows.append(_row("fit", "Fit with the brief", "fit", HIGHER, [_score_cell(f["fit"]) for f in facts]))
    if any(f["brief_id"] for f in facts):
        rows.append(_row("brief", "Brief scored against", "fit", None, [
            _cell(None, (briefs.get(f["brief_id"]) or {}).get("name", f["brief_id"]) if f["brief_id"] else "no brief")
            for f in facts]))
    rows += _factor_rows(facts, "fit")
    rows.append(_row("authenticity", "Authenticity", "authenticity", HIGHER,
                     [_score_cell(f["authenticity"]) for f in facts]))
    rows += _factor_rows(facts, "authenticity")
    rows.append(_row("paid_share", "Paid posts (share of recent posts)", "audience", LOWER, [
        _cell(_num(f["paid_share_percent"]), _fmt_pct(f["paid_share_percent"], digits=0),
              f"{f['paid_posts']} of {f['posts_seen']} posts" if f["posts_seen"] else None) for f in facts]))
    rows.append(_row("languages", "Audience languages", "audience", None,
                     [_cell(None, _languages(f["languages"])) for f in facts]))
    rows.append(_row("country", "Country", "audience", None, [_cell(None, f["country"]) for f in facts]))
    rows.append(_row("captured_at", "Last captured (UTC)", "data", HIGHER, [
        _cell(_timestamp(f["captured_at"]), sheet_time(f["captured_at"]),
              "refresh failed: figures may be old" if f["stale"] else None) for f in facts]))
    creators = [{"platform": f["platform"], "handle": f["handle"], "name": f["display_name"] or f["handle"],
                 "url": f["url"]} for f in facts]
    return {"creators": creators, "rows": rows}


# -- the pages -------------------------------------------------------------------------------------

def _comparison() -> tuple[list[dict], dict, dict]:
    """The compared creators' facts, the table and the briefs, from this request's `c` values."""
    store = get_store()
    facts = [creator_facts(r) for r in load_records(store, parse_refs(request.args.getlist("c")))]
    briefs = brief_names(store, (f["brief_id"] for f in facts))
    return facts, comparison_table(facts, briefs), briefs


def _refused(exc: ShortlistError):
    title = "These creators cannot be compared" if exc.status == 400 else "Some creators are unknown"
    return error_page(exc.status, title, exc.message)


def _query() -> str:
    return urlencode([("c", c) for c in request.args.getlist("c")], safe="/@")


@bp.get("/compare")
@signed_in
def compare():
    try:
        facts, table, briefs = _comparison()
    except ShortlistError as exc:
        return _refused(exc)
    return render_template("compare.html", table=table, briefs=list(briefs.values()), query=_query())


def _report() -> tuple[str, str]:
    facts, table, briefs = _comparison()
    names = [c["name"] for c in table["creators"]]
    html = report_html("report_compare.html", table=table, creators=report_cards(facts), briefs=list(briefs.values()),
                       generated_at=sheet_time(now_iso()) + " UTC", names=names)
    return html, "kolscope-compare-" + "-".join(c["handle"] for c in table["creators"])


@bp.get("/compare/report.html")
@signed_in
def compare_report_html():
    try:
        html, stem = _report()
    except ShortlistError as exc:
        return _refused(exc)
    return html_download(html, stem)


@bp.get("/compare/report.pdf")
@signed_in
def compare_report_pdf():
    try:
        html, stem = _report()
    except ShortlistError as exc:
        return _refused(exc)
    return pdf_download(html, stem, title="kolscope comparison")
