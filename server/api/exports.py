"""A shortlist (a watchlist, or a comparison of 2-4 creators) as CSV or JSON: the columns a marketer
pastes into a spreadsheet.

Units are the ones a spreadsheet reads as numbers in Excel and Google Sheets alike:
- percents as percents, a plain number in a column whose name says so (`engagement_rate_percent`
  = `3.2` for 3.2 %). A "3.2%" cell is text to a spreadsheet whose locale writes "3,2 %", and Excel
  turns it into 0.032 where it does parse it, so a sum or a chart would read the fraction; a bare
  number sorts, sums and charts the same everywhere and the JSON keeps it a number. The `_percent`
  name (as `growth_30d_percent` already was) keeps one naming scheme for the CSV header and the JSON
  keys; `engagement_rate` was a fraction and is renamed, so nobody reads 3.2 as 320 %.
- dates as `YYYY-MM-DD HH:MM` in UTC (`captured_at_utc`): both spreadsheets read that text as a date
  and time, where an ISO string with `T` and `Z` stays text.
- a withheld score is `No grade` with the scorer's reason, never an empty cell read as 0 or F; each
  score has its confidence, and `brief_id` / `brief_name` say which brief the fit was scored against.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from flask import Response, jsonify, request

from scraper.times import now_iso
from server.api import api
from server.api.errors import ApiError
from server.api.shortlist import (
    MAX_COMPARE,
    MIN_COMPARE,
    ShortlistError,
    brief_names,
    creator_facts,
    load_records,
    parse_refs,
    sheet_time,
)
from server.api.views import watchlist_view
from server.services import get_store
from server.store import Repository

COLUMNS = ("platform", "handle", "display_name", "url", "followers", "tier", "country",
           "engagement_rate_percent", "median_views", "growth_30d_percent", "paid_share_percent",
           "fit_score", "fit_grade", "fit_confidence", "fit_withheld_reason",
           "authenticity_score", "authenticity_grade", "authenticity_confidence", "authenticity_withheld_reason",
           "brief_id", "brief_name", "captured_at_utc", "stale", "refresh_status", "watchlist", "notes")
NO_GRADE = "No grade"  # the grade cell of a withheld score (None): never an empty cell read as 0 or F


FORMULA_START = frozenset("=+-@")


def formula_like(text: str) -> bool:
    """Would a spreadsheet read this cell as a formula? Its first character that is not whitespace
    or a control/format character (after NFKC, so full-width ＝＋－＠ count as = + - @) starts one;
    a leading tab or CR does too. Spreadsheets skip such leading characters before looking for `=`,
    so checking only the first character let " =HYPERLINK(...)" and "\n=1+1" through."""
    if text[:1] in ("\t", "\r"):
        return True
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isspace() or unicodedata.category(ch).startswith("C"):
            continue
        return ch in FORMULA_START
    return False


def _cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: creator-controlled text that looks like a formula
    (see formula_like) gets a leading `'` (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if isinstance(value, str) and formula_like(text):
        return "'" + text
    return text


def _score_columns(kind: str, part: dict, captured: bool) -> dict:
    """A score, its grade and confidence; a withheld one says "no grade" and why (the scorer's reason)."""
    withheld = part.get("score") is None
    reason = None
    if withheld:
        reason = part.get("reason") or ("Not enough data for a score." if captured else "Not captured yet.")
    return {f"{kind}_score": part.get("score"), f"{kind}_grade": NO_GRADE if withheld else part.get("grade"),
            f"{kind}_confidence": None if withheld else part.get("confidence"),
            f"{kind}_withheld_reason": reason}


def _row(store: Repository, f: dict, watchlist: str, briefs: dict[str, dict]) -> dict:
    """One creator's export row (creator_facts `f`), its notes as a list ({text, created_at_utc})."""
    notes = store.list_notes(f["platform"], f["handle"])
    brief = briefs.get(f["brief_id"] or "") or {}
    return {
        "platform": f["platform"], "handle": f["handle"], "display_name": f["display_name"], "url": f["url"],
        "followers": f["followers"], "tier": f["tier"], "country": f["country"],
        "engagement_rate_percent": f["engagement_rate_percent"], "median_views": f["median_views"],
        "growth_30d_percent": f["growth_30d_percent"], "paid_share_percent": f["paid_share_percent"],
        **_score_columns("fit", f["fit"], f["captured"]), **_score_columns("authenticity", f["authenticity"], f["captured"]),
        "brief_id": f["brief_id"], "brief_name": brief.get("name"),
        "captured_at_utc": sheet_time(f["captured_at"]), "stale": f["stale"], "refresh_status": f["refresh_status"],
        "watchlist": watchlist,
        "notes": [{"text": n["text"], "created_at_utc": sheet_time(n["created_at"])} for n in notes],
    }


def _rows(store: Repository, facts: list[dict], watchlist_of) -> list[dict]:
    briefs = brief_names(store, (f["brief_id"] for f in facts))
    return [_row(store, f, watchlist_of(f), briefs) for f in facts]


def _watchlist_rows(wid: str) -> tuple[dict, list[dict]]:
    store = get_store()
    wl = store.get_watchlist(wid)
    facts = []
    for summary in store.watchlist_creators(wid):
        # the latest capture (median views, paid share), not the history: one read per creator
        latest = store.latest(summary["platform"], summary["handle"] or summary["key"]) if summary.get("captured") else None
        facts.append(creator_facts({"summary": summary, "latest": latest, "history": []}))
    return wl, _rows(store, facts, lambda f: wl["name"])


def _comparison_rows() -> tuple[list[str], list[dict]]:
    """The creators of `?c=platform/handle&c=...` (2-4), or the API's 400/404 naming each bad one."""
    store = get_store()
    try:
        records = load_records(store, parse_refs(request.args.getlist("c")))
    except ShortlistError as exc:
        raise ApiError(exc.status, "invalid" if exc.status == 400 else "not_found", exc.message, exc.fields) from None
    facts = [creator_facts(r) for r in records]
    names = {w["id"]: w["name"] for w in store.list_watchlists()}
    member_of = store.watchlists_of()

    def watchlists(f: dict) -> str:  # a comparison's creator: every watchlist that holds it
        return ", ".join(names[i] for i in member_of.get((f["platform"], f["key"]), []) if i in names)

    return [f"{f['platform']}/{f['handle']}" for f in facts], _rows(store, facts, watchlists)


def _filename(name: str, ext: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "watchlist"
    return f"kolscope-{safe[:60]}.{ext}"


def _csv(rows: list[dict], name: str) -> Response:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        row = dict(row, notes=" | ".join(n["text"].replace("\n", " ") for n in row["notes"]))
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    # a BOM so Excel reads the UTF-8 (creator names are often not ASCII)
    resp = Response("\ufeff" + buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return resp


def _json(body: dict, name: str) -> Response:
    resp = jsonify({**body, "exported_at": now_iso(ms=True), "columns": list(COLUMNS)})
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(name, "json")}"'
    return resp


@api.get("/watchlists/<wid>/export.csv")
def export_csv(wid: str):
    wl, rows = _watchlist_rows(wid)
    return _csv(rows, wl["name"])


@api.get("/watchlists/<wid>/export.json")
def export_json(wid: str):
    wl, rows = _watchlist_rows(wid)
    return _json({"watchlist": watchlist_view(wl), "creators": rows}, wl["name"])


@api.get("/compare/export.csv")
def compare_export_csv():
    refs, rows = _comparison_rows()
    return _csv(rows, "compare-" + "-".join(r.partition("/")[2] for r in refs))


@api.get("/compare/export.json")
def compare_export_json():
    refs, rows = _comparison_rows()
    return _json({"comparison": {"creators": refs}, "creators": rows},
                 "compare-" + "-".join(r.partition("/")[2] for r in refs))


_ERR = {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_C = {"name": "c", "in": "query", "required": True, "style": "form", "explode": True,
      "description": f"{MIN_COMPARE} to {MAX_COMPARE} creators as platform/handle (repeat it: c=<platform>/<handle>&c=...)",
      "schema": {"type": "array", "items": {"type": "string"}}}


def _compare_op(summary: str, ok: dict) -> dict:
    return {"summary": summary, "security": [{"bearer": []}], "parameters": [_C], "responses": {
        "200": ok,
        "400": dict(_ERR, description="fewer than 2 or more than 4 creators, or a `c` that is not platform/handle "
                                      "(error.fields names each)"),
        "401": dict(_ERR, description="missing or wrong token"),
        "403": dict(_ERR, description="web-page Origin or foreign Host"),
        "404": dict(_ERR, description="a creator kolscope has nothing stored for (error.fields names each)")}}


OPENAPI_PATHS = {
    "/compare/export.csv": {"get": _compare_op(
        "A comparison of 2-4 creators as CSV (the watchlist export's columns)",
        {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}})},
    "/compare/export.json": {"get": _compare_op(
        "A comparison of 2-4 creators as JSON",
        {"description": "JSON", "content": {"application/json": {"schema": {
            "type": "object", "required": ["comparison", "creators", "columns", "exported_at"]}}}})},
}
