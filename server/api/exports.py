"""A watchlist as CSV or JSON: the columns a marketer pastes into a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from flask import Response, jsonify

from server.services import get_store
from server.api import api
from server.api.views import creator_view, watchlist_view
from scraper.times import now_iso

COLUMNS = ("platform", "handle", "display_name", "url", "followers", "tier", "country", "engagement_rate",
           "fit_score", "fit_grade", "fit_confidence", "fit_withheld_reason",
           "authenticity_score", "authenticity_grade", "authenticity_confidence", "authenticity_withheld_reason",
           "growth_30d_percent", "captured_at", "stale", "refresh_status", "watchlist", "notes")
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


def _rows(wid: str) -> tuple[dict, list[dict]]:
    store = get_store()
    wl = store.get_watchlist(wid)
    rows = []
    for summary in store.watchlist_creators(wid):
        c = creator_view(summary)  # the export names its one watchlist: no scan of the others
        fit, auth = c.get("fit") or {}, c.get("authenticity") or {}
        notes = store.list_notes(c["platform"], c["handle"])
        rows.append({
            "platform": c["platform"], "handle": c["handle"], "display_name": c["display_name"],
            "url": c["url"], "followers": c["followers"], "tier": c["tier"], "country": c["country"],
            "engagement_rate": c["engagement_rate"],
            **_score_columns("fit", fit, c["captured"]), **_score_columns("authenticity", auth, c["captured"]),
            "growth_30d_percent": c["growth_30d"], "captured_at": c["captured_at"], "stale": c["stale"],
            "refresh_status": c["refresh"]["status"], "watchlist": wl["name"],
            "notes": [{"text": n["text"], "created_at": n["created_at"]} for n in notes],
        })
    return wl, rows


def _filename(name: str, ext: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "watchlist"
    return f"kolscope-{safe[:60]}.{ext}"


@api.get("/watchlists/<wid>/export.csv")
def export_csv(wid: str):
    wl, rows = _rows(wid)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        row = dict(row, notes=" | ".join(n["text"].replace("\n", " ") for n in row["notes"]))
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    # a BOM so Excel reads the UTF-8 (creator names are often not ASCII)
    resp = Response("\ufeff" + buf.getvalue(), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(wl["name"], "csv")}"'
    return resp


@api.get("/watchlists/<wid>/export.json")
def export_json(wid: str):
    wl, rows = _rows(wid)
    resp = jsonify({"watchlist": watchlist_view(wl), "exported_at": now_iso(ms=True), "columns": list(COLUMNS),
                    "creators": rows})
    resp.headers["Content-Disposition"] = f'attachment; filename="{_filename(wl["name"], "json")}"'
    return resp
