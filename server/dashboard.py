"""The dashboard at `/`: creators with tier, scores and followers, watchlists, export links.

Server-rendered with Jinja autoescaping and no scripts at all (the CSP forbids them): creator
names and bios are data, shown as text. It needs the token like the API: the form (a GET, so the
browser sends no Origin) sets an HttpOnly, SameSite=Strict cookie and redirects to `/`.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from server import get_store
from server.api.views import creator_view, watchlist_view
from server.security import COOKIE, token_ok

bp = Blueprint("dashboard", __name__)
MAX_ROWS = 500


@bp.get("/")
def index():
    given = request.args.get("token")
    if given is not None:
        if not token_ok(given.strip()):
            return render_template("login.html", wrong=True), 401
        # the token leaves the address bar at once: a redirect to the bare page, now with the cookie
        resp = redirect("/", code=303)
        resp.set_cookie(COOKIE, given.strip(), httponly=True, samesite="Strict", path="/")
        return resp
    if not token_ok(request.cookies.get(COOKIE)):
        return render_template("login.html", wrong=False), 401
    store = get_store()
    member_of = store.watchlists_of()
    summaries = store.list_creators()

    def rank(s: dict):
        fit = (s.get("fit") or {}).get("score")
        auth = (s.get("authenticity") or {}).get("score")
        return -(fit if fit is not None else auth if auth is not None else -1), s["key"]

    summaries.sort(key=rank)
    creators = [creator_view(s, member_of.get((s["platform"], s["key"]))) for s in summaries[:MAX_ROWS]]
    watchlists = [watchlist_view(w) for w in store.list_watchlists()]
    names = {w["id"]: w["name"] for w in watchlists}
    active = store.active_brief()
    return render_template("dashboard.html", creators=creators, total=len(summaries), watchlists=watchlists,
                           names=names, active=active)


@bp.get("/logout")
def logout():
    resp = redirect("/", code=303)
    resp.delete_cookie(COOKIE, path="/")
    return resp
