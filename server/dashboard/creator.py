"""A creator's page at `/creator/<platform>/<handle>`, the one a marketer reads before deciding: the
follower history (an inline SVG chart and a table), views and engagement over the recent posts,
the posting rhythm, the paid posts and the brands they name, every factor with its reason, notes
(added, edited and deleted here), the refresh attempts in words, and "add to watchlist".

The figures are pure functions (server/dashboard/creator_facts.py, charts.py); this module reads
the store and answers the forms. A note is checked by the API's own `NoteBody`, so the page and
`PATCH /api/v1/creators/.../notes/<id>` refuse the same texts with the same words.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request, url_for

from scraper.times import parse_time
from server.api.errors import ApiError
from server.api.notes import NoteBody
from server.api.users import author
from server.api.validation import validate
from server.api.views import creator_view_for, note_view
from server.dashboard import bp, creator_facts, error_page, signed_in
from server.dashboard.forms import Done, form_action, refusing
from server.dashboard.charts import line_chart, sparkline
from server.scoring.decision import decision_numbers
from server.services import get_store
from server.store import NotFound, StoreError

HISTORY_ROWS = 60
CHART_W, CHART_H = 640, 140


def _record(platform: str, handle: str) -> dict | None:
    try:
        return get_store().creator_record(platform, handle)
    except StoreError as exc:
        if exc.code != "invalid_handle":
            raise
        return None  # not a valid handle for that platform: no such creator either


def _missing(platform: str, handle: str, **_route: str):
    return render_template("missing.html", platform=platform, handle=handle), 404


def _found(platform: str, handle: str) -> dict:
    """The creator's record for a form; NotFound (the form's `missing` page) when there is none."""
    record = _record(platform, handle)
    if record is None:
        raise NotFound(f"Creator {platform}/{handle}")
    return record


def _page_url(summary: dict, anchor: str = "") -> str:
    handle = summary.get("handle") or summary["key"]
    return url_for("dashboard.creator", platform=summary["platform"], handle=handle) + anchor


def follower_series(points: list[dict]) -> list[tuple[datetime, int]]:
    """(capture time, followers) of the history points that have both, oldest first."""
    out = [(parse_time(p.get("captured_at")), p.get("followers")) for p in points]
    return [(t, f) for t, f in out if t is not None and isinstance(f, int) and not isinstance(f, bool)]


def follower_chart(points: list[dict], width: int = CHART_W, height: int = CHART_H) -> dict | None:
    """The follower line without axes (the reports' cards draw it small): charts.sparkline over the
    history points with a count, or None under two."""
    return sparkline(follower_series(points), width=width, height=height)


def _history_rows(points: list[dict]) -> list[dict]:
    rows = []
    for i, p in enumerate(points):
        before = points[i - 1].get("followers") if i else None
        now = p.get("followers")
        change = now - before if isinstance(now, int) and isinstance(before, int) else None
        rows.append(dict(p, change=change, at=creator_facts.when_text(p.get("captured_at")) or p.get("captured_at")))
    return list(reversed(rows))[:HISTORY_ROWS]


def _factor_groups(part: dict | None) -> dict:
    """A score's factors split into those scored (weightiest first) and those withheld for lack of
    data, so the reasons that count come first."""
    factors = (part or {}).get("factors") or []
    scored = sorted((f for f in factors if f.get("score") is not None), key=lambda f: -(f.get("weight") or 0))
    return {"scored": scored, "withheld": [f for f in factors if f.get("score") is None]}


@bp.get("/creator/<platform>/<handle>")
@signed_in
def creator(platform: str, handle: str):
    record = _record(platform, handle)
    if record is None:
        return _missing(platform, handle)
    return _page(record)


def _page(record: dict, status: int = 200, note_error: dict | None = None):
    """The page of a stored creator; `note_error` ({nid, message, text}: nid None for the new note's
    form) shows a refused note beside its form with the text typed kept, so nothing is lost."""
    store = get_store()
    summary, latest, points = record["summary"], record["latest"] or {}, record["history"]
    platform, key = summary["platform"], summary["key"]
    snapshot = latest.get("snapshot") or {}
    scores = latest.get("scores") or {}
    now = datetime.now(UTC)
    watchlists = store.list_watchlists()
    view = creator_view_for(store, summary)
    names = {w["id"]: w["name"] for w in watchlists}
    return render_template(
        "creator.html", c=view, head=creator_facts.heading(summary), snapshot=snapshot, scores=scores,
        groups={"fit": _factor_groups(scores.get("fit")), "authenticity": _factor_groups(scores.get("authenticity"))},
        decision=decision_numbers(snapshot) if snapshot else None,
        history=_history_rows(points), total=len(points),
        chart=line_chart(follower_series(points), what="followers"),
        performance=creator_facts.performance(snapshot) if snapshot else None,
        rhythm=creator_facts.rhythm(snapshot, now) if snapshot else None,
        paid=creator_facts.paid(snapshot) if snapshot else None,
        refreshes=creator_facts.refresh_history(summary),
        notes=[note_view(n) for n in store.list_notes(platform, key)], note_error=note_error or {},
        names=names, other_watchlists=[w for w in watchlists if w["id"] not in view["watchlists"]],
        page_url=_page_url(summary), when=creator_facts.when_text), status


def _note_text() -> tuple[str | None, str | None]:
    """The form's note text, or the reason it is refused (the API's words)."""
    try:
        return validate(NoteBody, {"text": request.form.get("text", "")}).text, None
    except ApiError as exc:
        return None, (exc.fields or {}).get("text") or exc.message


# The forms below go back to the creator's page by the record's own name for it (`to`, each time).

@bp.post("/creator/<platform>/<handle>/notes")
@form_action(missing=_missing)
def add_note(platform: str, handle: str):
    record = _found(platform, handle)
    text, problem = _note_text()
    if problem:
        typed = request.form.get("text", "")
        return _page(record, 400, {"nid": None, "message": f"The note was not saved: {problem}", "text": typed})
    get_store().add_note(platform, handle, text, author=author())
    return Done("Note added.", to=_page_url(record["summary"], "#notes"))


@bp.post("/creator/<platform>/<handle>/notes/<nid>")
@form_action(missing=_missing)
def edit_note(platform: str, handle: str, nid: str):
    record = _found(platform, handle)
    text, problem = _note_text()
    if problem:
        typed = request.form.get("text", "")
        return _page(record, 400, {"nid": nid, "message": f"The note was not changed: {problem}", "text": typed})
    notes = _page_url(record["summary"], "#notes")
    with refusing(NotFound, "That note is gone (deleted from another page?): nothing was changed.", to=notes):
        get_store().update_note(platform, handle, nid, text, author=author())
    return Done("Note saved.", to=notes)


@bp.post("/creator/<platform>/<handle>/notes/<nid>/delete")
@form_action(missing=_missing)
def delete_note(platform: str, handle: str, nid: str):
    notes = _page_url(_found(platform, handle)["summary"], "#notes")
    with refusing(NotFound, "That note was already deleted.", to=notes):
        get_store().delete_note(platform, handle, nid)
    return Done("Note deleted.", to=notes)


@bp.post("/creator/<platform>/<handle>/watchlists")
@form_action(missing=_missing)
def add_to_watchlist(platform: str, handle: str):
    summary, store = _found(platform, handle)["summary"], get_store()
    wid = request.form.get("watchlist", "")
    try:
        wl = store.get_watchlist(wid)
        store.add_to_watchlist(wid, summary["platform"], summary.get("handle") or summary["key"],
                               summary.get("url"), author=author())
    except NotFound:  # not this creator's `missing` page: the watchlist is what is gone
        return error_page(404, "No such watchlist",
                          "That watchlist does not exist any more. Go back, reload the page and pick another.")
    return Done(f"Added to the watchlist {wl['name']}.", to=_page_url(summary))
