"""The dashboard's front door: the login form (POST /login opens a session), logout, `/` (the
shortlist: every creator in a watchlist) and `/browsed` (the creators only browsed, in no watchlist),
the same filtered, sorted, paged table; "Clear browsed" forgets the browsed ones (after a confirm
page), the same store call as the API's POST /api/v1/browsed/clear."""

from __future__ import annotations

from flask import redirect, render_template, request

from server.api.creators import browsed_keys, clear_browsed
from server.api.errors import error_response
from server.api.views import watchlist_view
from server.dashboard import bp, login_page, signed_in
from server.dashboard.forms import Done, form_action
from server.dashboard.listing import filter_choices, read_listing
from server.security import SESSION_COOKIE, csrf_ok, current_session, end_session, identify, sessions, start_session
from server.services import get_store


@bp.post("/login")
def login():
    token = (request.form.get("token") or "").strip()
    if identify(token) is None:  # the store's own token, or a user's active one
        return login_page(wrong=True)
    sessions().revoke(request.cookies.get(SESSION_COOKIE))  # a session this browser had is replaced
    resp = redirect("/", code=303)
    start_session(resp, token)
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


def _list_page(path: str, shortlist: bool):
    store = get_store()
    listing = read_listing(store, path, request.args, in_watchlist=shortlist)
    watchlists = [watchlist_view(w) for w in store.list_watchlists()]
    # the shortlist's size beside Browsed (counting Browsed beside the shortlist would be a second
    # pass over every stored creator: its link goes without a number)
    other = None if shortlist else len(store.watchlists_of())
    return render_template("dashboard.html", listing=listing, shortlist=shortlist, other=other,
                           watchlists=watchlists, names={w["id"]: w["name"] for w in watchlists},
                           active=store.active_brief(), choices=filter_choices()), 400 if listing.errors else 200


@bp.get("/")
@signed_in
def index():
    # a `?token=` (the old login form's) is ignored: the token never belongs in a URL
    return _list_page("/", shortlist=True)


@bp.get("/browsed")
@signed_in
def browsed():
    return _list_page("/browsed", shortlist=False)


@bp.get("/browsed/clear")
@signed_in
def confirm_clear_browsed():
    count = len(browsed_keys(get_store()))
    return render_template("watchlist_confirm.html", title="Clear the browsed creators?",
                           message=(f"kolscope will forget the {count} creator(s) that are in no watchlist: their "
                                    "numbers, history and notes. Creators in a watchlist, and campaign partners, stay. "
                                    "This cannot be undone."),
                           action="/browsed/clear", button=f"Forget {count} browsed creator(s)", back="/browsed")


@bp.post("/browsed/clear")
@form_action(back="/browsed")
def do_clear_browsed():
    n = clear_browsed(get_store())
    return Done(f"Forgot {n} browsed creator(s)." if n else "There was no browsed creator to forget.")
