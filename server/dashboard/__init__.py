"""The dashboard: server-rendered pages on one blueprint `bp`, one module per screen (as server/api),
each adding its routes to `bp` and imported at the bottom of this file.

Jinja autoescaping, no scripts unless a page truly needs one (then first-party and allowed by the
CSP's nonce): creator names and bios are data, shown as text. It needs the token like the API, given
once: the login form POSTs it to /login (never in a URL, so never in the browser's history), which
opens a server-side session (server/security.py) whose random id goes in an HttpOnly,
SameSite=Strict cookie. Pages are wrapped in `signed_in` (no session: the login form). Every form
that changes something is a POST wrapped in `form_post`: it needs the session and the session's CSRF
token (a page on another port of 127.0.0.1 is same-site, so SameSite alone does not keep its forms
out), and the security guard has already checked that `Origin` is the dashboard's own.

After a form the route redirects (303) to a page, with a notice for the person (`notice(...)`),
shown once at the top of the next page: `form_action` (server/dashboard/forms.py) does that, and
`form_post`'s checks, for every form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import logging

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

from server.api.errors import STORE_STATUS
from server.disk import disk_full
from server.plain import refresh_words, store_words
from server.security import csrf_ok, current_session
from server.store import StoreError

bp = Blueprint("dashboard", __name__)
log = logging.getLogger("kolscope.dashboard")


def login_page(wrong: bool = False, status: int = 401):
    return render_template("login.html", wrong=wrong), status


def error_page(status: int, title: str, message: str):
    """A page saying what went wrong in plain words (and what to do), with the HTTP status."""
    return render_template("error.html", status=status, title=title, message=message), status


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page for a signed-in person; without a session, the login form (401)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_session() is None:
            return login_page()
        return view(*args, **kwargs)

    return wrapper


def form_post(view: Callable[..., Any]) -> Callable[..., Any]:
    """A form's POST: a session and its CSRF token (the form's hidden `csrf` field) are required."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_session() is None:
            return login_page()
        if not csrf_ok(request.form.get("csrf")):
            return error_page(403, "This form is out of date",
                              "The page was opened before you last signed in. Reload it and try again.")
        return view(*args, **kwargs)

    return wrapper


def notice(text: str, kind: str = "ok") -> None:
    """A message for the next page this session shows ("Brief saved."); kind: ok | error."""
    session = current_session()
    if session is not None:
        session.notices.append((kind, text))


def take_notices() -> list[tuple[str, str]]:
    session = current_session()
    if session is None or not session.notices:
        return []
    out, session.notices[:] = list(session.notices), []
    return out


@bp.app_context_processor
def _notices() -> dict:
    return {"take_notices": take_notices}


@bp.app_template_filter("refresh_words")
def _refresh_words(entry: dict | None, platform: str) -> str:
    """`{{ c.refresh|refresh_words(c.platform) }}`: a refresh outcome in words (server/plain.py)."""
    return refresh_words(entry or {}, platform)


# -- errors on the dashboard's pages: a page in plain words (the API keeps its JSON shape) ------------

@bp.errorhandler(Exception)
def _page_error(exc: Exception):
    """A store problem, an HTTP error or a bug while making a page: the error page, never a traceback
    or the API's JSON. (Blueprint handlers come before the app's, so /api/v1 is unaffected.)"""
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        if status == 404:
            return error_page(404, "Page not found", "There is no such page in the dashboard.")
        return error_page(status, exc.name, exc.description or exc.name)
    full = disk_full(exc)
    if full is not None or isinstance(exc, StoreError):
        code = "disk_full" if full is not None else exc.code
        title, message = store_words(code, getattr(exc, "message", None))
        status = 507 if full is not None else STORE_STATUS.get(code, 500)
        if status >= 500:
            log.error("dashboard page %s: %s", request.path, exc)
        return error_page(status, title, message)
    log.exception("unexpected error on dashboard page %s", request.path)
    return error_page(500, "Something went wrong",
                      "kolscope hit an unexpected problem making this page; nothing was changed. "
                      "The details are in the server's log.")


# Imported after `bp` exists: each module adds its routes to it at import.
from server.dashboard import (  # noqa: E402
    briefs,
    campaigns,
    compare,
    creator,
    discovery,
    home,
    reports,
    users,
    watchlists,
)

__all__ = ["bp", "briefs", "campaigns", "compare", "creator", "discovery", "error_page", "form_post", "home",
           "login_page", "notice", "reports", "signed_in", "users", "watchlists"]
