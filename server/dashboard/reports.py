"""Reports to share: a shortlist (a watchlist, a comparison) or a campaign as one self-contained HTML
file (its stylesheet inline, charts as inline SVG, no request to anything) and the same page as a PDF
(server/pdf.py prints it with Chromium).

`report_html(template, **context)` renders a report template (which extends `report_base.html`) with
the stylesheet inlined; `html_download` and `pdf_download` answer it as a file. The routes of each
report live with their screen (compare, campaigns) or below (a watchlist's). A shortlist report shows,
per creator, the key numbers (server/api/shortlist.py `creator_facts`), a follower sparkline (inline
SVG) and the top reasons (`report_cards`), with the brief the fits were scored against and the date.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, current_app, render_template

from scraper.times import now_iso
from server.api.shortlist import brief_names, creator_facts, sheet_time
from server.dashboard import bp, error_page, signed_in
from server.dashboard.creator import follower_chart
from server.pdf import PdfError, html_to_pdf
from server.services import get_store
from server.store import NotFound

REPORT_CSS = "report.css"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_css() -> str:
    return (Path(current_app.static_folder) / REPORT_CSS).read_text(encoding="utf-8")


def report_html(template: str, **context) -> str:
    """The report page, self-contained: `report_base.html` puts `css` in a <style> element."""
    return render_template(template, css=report_css(), **context)


def filename(stem: str, ext: str) -> str:
    return f"{_SAFE_NAME.sub('-', stem).strip('-') or 'report'}.{ext}"


def html_download(html: str, stem: str) -> Response:
    resp = Response(html, mimetype="text/html")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename(stem, "html")}"'
    # the downloaded page's own CSP: its inline <style> only, nothing fetched
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return resp


def pdf_download(html: str, stem: str, title: str | None = None) -> Response:
    try:
        pdf = html_to_pdf(html, title=title)
    except PdfError as exc:  # a page in plain words, like every dashboard error
        return error_page(503, "The PDF could not be made", exc.message)
    resp = Response(pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename(stem, "pdf")}"'
    return resp


# -- what every shortlist report shows -------------------------------------------------------------

SPARK_W, SPARK_H = 220, 48
TOP_REASONS = 4


def sparkline(history: list[dict]) -> dict | None:
    """The follower line of a report card (the creator page's chart geometry, smaller), or None
    under two dated points."""
    return follower_chart(history, width=SPARK_W, height=SPARK_H)


def top_reasons(facts: dict, n: int = TOP_REASONS) -> list[dict]:
    """The factors that say most about a creator, fit and authenticity together: scored ones, the
    heaviest and furthest from middling (a 95 or a 10 tells more than a 55) first."""
    scored = [dict(f, kind=kind) for kind in ("fit", "authenticity") for f in facts[kind]["factors"]
              if f.get("score") is not None and f.get("weight")]
    scored.sort(key=lambda f: -(f["weight"] * abs(f["score"] - 50)))
    return [{"kind": f["kind"], "label": f.get("label"), "score": f["score"], "reason": f.get("reason")}
            for f in scored[:n]]


def report_cards(facts: list[dict]) -> list[dict]:
    """Each creator's facts with what its report card adds: the sparkline and the top reasons."""
    return [dict(f, chart=sparkline(f["history"]), reasons=top_reasons(f),
                 captured_text=sheet_time(f["captured_at"])) for f in facts]


def generated_at() -> str:
    return f"{sheet_time(now_iso())} UTC"


# -- a watchlist's report ----------------------------------------------------------------------------

def _watchlist_report(wid: str) -> tuple[str, str]:
    store = get_store()
    wl = store.get_watchlist(wid)
    facts = []
    for summary in store.watchlist_creators(wid):
        record = store.creator_record(summary["platform"], summary["handle"] or summary["key"])
        if record is not None:  # removed from the store meanwhile: nothing to report on it
            facts.append(creator_facts(record))
    briefs = brief_names(store, (f["brief_id"] for f in facts))
    html = report_html("report_watchlist.html", watchlist=wl, creators=report_cards(facts),
                       briefs=list(briefs.values()), generated_at=generated_at())
    return html, f"kolscope-{wl['name']}"


def _no_watchlist():
    return error_page(404, "No such watchlist",
                      "This watchlist does not exist (it may have been deleted). Pick one from the watchlists page.")


@bp.get("/watchlists/<wid>/report.html")
@signed_in
def watchlist_report_html(wid: str):
    try:
        html, stem = _watchlist_report(wid)
    except NotFound:
        return _no_watchlist()
    return html_download(html, stem)


@bp.get("/watchlists/<wid>/report.pdf")
@signed_in
def watchlist_report_pdf(wid: str):
    try:
        html, stem = _watchlist_report(wid)
    except NotFound:
        return _no_watchlist()
    return pdf_download(html, stem, title="kolscope watchlist report")
