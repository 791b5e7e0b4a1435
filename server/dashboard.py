"""The dashboard at `/`: creators with tier, scores and followers, watchlists, export links; and a
page per creator at `/creator/<platform>/<handle>`: every factor with its reason, the follower
history (a table and an inline SVG line), recent posts and notes.

Server-rendered with Jinja autoescaping and no scripts at all (the CSP forbids them): creator
names and bios are data, shown as text. It needs the token like the API, given once: the login form
POSTs it to /login (never in a URL, so never in the browser's history), which opens a server-side
session (server/security.py) whose random id goes in an HttpOnly, SameSite=Strict cookie, and
redirects to `/`. POST /logout revokes the session. Both forms are accepted only from the
dashboard's own origin (the guard checks `Origin`), and logout also needs the session's CSRF token:
a page on another port of 127.0.0.1 is same-site, so SameSite alone does not keep its forms out.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from server.services import get_store
from server.api.errors import error_response
from server.api.views import creator_view, creator_view_for, note_view, watchlist_view
from scraper.times import parse_time
from server.scoring.decision import decision_numbers
from server.security import SESSION_COOKIE, csrf_ok, current_session, end_session, sessions, start_session, token_ok
from server.store import CreatorQuery, StoreError

bp = Blueprint("dashboard", __name__)
MAX_ROWS = 500
HISTORY_ROWS = 60
CHART_W, CHART_H = 640, 140


def _login_page(wrong: bool = False, status: int = 401):
    return render_template("login.html", wrong=wrong), status


@bp.post("/login")
def login():
    if not token_ok((request.form.get("token") or "").strip()):
        return _login_page(wrong=True)
    sessions().revoke(request.cookies.get(SESSION_COOKIE))  # a session this browser had is replaced
    resp = redirect("/", code=303)
    start_session(resp)
    return resp


@bp.post("/logout")
def logout():
    if current_session() is not None and not csrf_ok(request.form.get("csrf")):
        return error_response(403, "csrf", "The logout form is out of date: reload the page and try again.")
    resp = redirect("/", code=303)
    end_session(resp)
    return resp


@bp.get("/logout")
def logout_by_get():
    # a link or an <img> of any page could GET this: logging out takes the dashboard's POST form
    resp = error_response(405, "method_not_allowed", "Log out with the dashboard's Log out button (a POST).")
    resp.headers["Allow"] = "POST"
    return resp


@bp.get("/")
def index():
    # a `?token=` (the old login form's) is ignored: the token never belongs in a URL
    if current_session() is None:
        return _login_page()
    store = get_store()
    # best first: fit when a brief gave one, else authenticity; ungraded creators last
    page = store.find_creators(CreatorQuery(sort="score", order="desc", limit=MAX_ROWS))
    member_of = store.watchlists_of()
    creators = [creator_view(s, member_of.get((s["platform"], s["key"]))) for s in page.items]
    watchlists = [watchlist_view(w) for w in store.list_watchlists()]
    names = {w["id"]: w["name"] for w in watchlists}
    active = store.active_brief()
    return render_template("dashboard.html", creators=creators, total=page.total, watchlists=watchlists,
                           names=names, active=active)


@bp.get("/creator/<platform>/<handle>")
def creator(platform: str, handle: str):
    if current_session() is None:
        return _login_page()
    store = get_store()
    try:
        record = store.creator_record(platform, handle)
    except StoreError as exc:
        if exc.code != "invalid_handle":
            raise
        record = None  # not a valid handle for that platform: no such creator either
    if record is None:
        return render_template("missing.html", platform=platform, handle=handle), 404
    summary, latest, points = record["summary"], record["latest"] or {}, record["history"]
    rows = []
    for i, p in enumerate(points):
        before = points[i - 1].get("followers") if i else None
        now = p.get("followers")
        change = now - before if isinstance(now, int) and isinstance(before, int) else None
        rows.append(dict(p, change=change))
    names = {w["id"]: w["name"] for w in store.list_watchlists()}
    return render_template(
        "creator.html", c=creator_view_for(store, summary), snapshot=latest.get("snapshot") or {},
        scores=latest.get("scores") or {},
        decision=decision_numbers(latest["snapshot"]) if latest.get("snapshot") else None, history=list(reversed(rows))[:HISTORY_ROWS], total=len(points),
        chart=follower_chart(points), notes=[note_view(n) for n in store.list_notes(platform, handle)],
        names=names)


def follower_chart(points: list[dict], width: int = CHART_W, height: int = CHART_H) -> dict | None:
    """An SVG polyline of followers over time (x by capture time), or None under two points. Pure
    geometry: the template draws it inline, no script (the page's CSP allows none)."""
    series = [(parse_time(p.get("captured_at")), p["followers"]) for p in points
              if isinstance(p.get("followers"), int)]
    series = [(t, f) for t, f in series if t is not None]
    if len(series) < 2:
        return None
    t0, t1 = series[0][0].timestamp(), series[-1][0].timestamp()
    lo, hi = min(f for _, f in series), max(f for _, f in series)
    pad = 6
    span_t, span_f = (t1 - t0) or 1.0, (hi - lo) or 1
    coords = []
    for t, f in series:
        x = pad + (t.timestamp() - t0) / span_t * (width - 2 * pad)
        y = height - pad - (f - lo) / span_f * (height - 2 * pad)
        coords.append(f"{x:.1f},{y:.1f}")
    return {"points": " ".join(coords), "width": width, "height": height, "min": lo, "max": hi,
            "first": series[0][0].date().isoformat(), "last": series[-1][0].date().isoformat()}
