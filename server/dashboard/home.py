"""The dashboard's front door: the login form (POST /login opens a session), logout, and `/`, the
list of every stored creator with its tier, scores and followers."""

from __future__ import annotations

from flask import redirect, render_template, request

from server.api.errors import error_response
from server.api.views import creator_view, watchlist_view
from server.dashboard import bp, login_page, signed_in
from server.security import SESSION_COOKIE, csrf_ok, current_session, end_session, sessions, start_session, token_ok
from server.services import get_store
from server.store import CreatorQuery

MAX_ROWS = 500


@bp.post("/login")
def login():
    if not token_ok((request.form.get("token") or "").strip()):
        return login_page(wrong=True)
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
@signed_in
def index():
    # a `?token=` (the old login form's) is ignored: the token never belongs in a URL
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
