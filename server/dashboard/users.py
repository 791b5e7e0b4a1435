"""`/users` (admins only): the people of a team server, a form to add one (its token shown on the
answering page, once: the store keeps only its digest), and a Revoke and a New token button per user.
The same store calls as the API's /api/v1/users (server/api/users.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import render_template, request

from server.api.users import user_out
from server.dashboard import bp, error_page, signed_in
from server.dashboard.forms import Done, form_action, refusing
from server.security import current_user
from server.services import get_store
from server.store import Conflict, NotFound, StoreError


def admins_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page or form for admins; anyone else gets a 403 page saying who to ask."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user["admin"]:
            return error_page(403, "Admins only",
                              "Only an admin manages the users of this server: ask whoever runs it.")
        return view(*args, **kwargs)

    return wrapper


def _page(status: int = 200, new: dict | None = None, problem: str | None = None, typed: str = ""):
    users = [user_out(u) for u in get_store().list_users()]
    return render_template("users.html", users=users, new=new, problem=problem, typed=typed), status


def _no_such_user(name: str) -> str:
    return f"There is no user {name[:64]} (any more)."


@bp.get("/users")
@signed_in
@admins_only
def users_page():
    return _page()


@bp.post("/users")
@form_action(back="/users")
@admins_only
def users_add():
    name = (request.form.get("name") or "").strip()
    try:
        user, token = get_store().add_user(name, admin=request.form.get("admin") == "on")
    except (Conflict, StoreError) as exc:
        return _page(409 if isinstance(exc, Conflict) else 400, problem=exc.message, typed=name[:64])
    return _page(201, new=user_out(user, token))


@bp.post("/users/<name>/revoke")
@form_action(back="/users")
@admins_only
def users_revoke(name: str):
    with refusing(NotFound, _no_such_user(name)):
        user = get_store().revoke_user(name)
    return Done(f"{user['name']} is revoked: their token no longer works.")


@bp.post("/users/<name>/rotate")
@form_action(back="/users")
@admins_only
def users_rotate(name: str):
    with refusing(NotFound, _no_such_user(name)):
        user, token = get_store().rotate_token(name)
    return _page(200, new=user_out(user, token))
