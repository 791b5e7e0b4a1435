"""`/users` (admins only): the people of a team server, a form to add one (its token shown on the
answering page, once: the store keeps only its digest), and a Revoke and a New token button per user.
The same store calls as the API's /api/v1/users (server/api/users.py)."""

from __future__ import annotations

from flask import redirect, render_template, request

from server.api.users import user_out
from server.dashboard import bp, error_page, form_post, notice, signed_in
from server.security import current_user
from server.services import get_store
from server.store import Conflict, NotFound, StoreError


def _not_admin():
    user = current_user()
    if user is not None and user["admin"]:
        return None
    return error_page(403, "Admins only", "Only an admin manages the users of this server: ask whoever runs it.")


def _page(status: int = 200, new: dict | None = None, problem: str | None = None, typed: str = ""):
    users = [user_out(u) for u in get_store().list_users()]
    return render_template("users.html", users=users, new=new, problem=problem, typed=typed), status


@bp.get("/users")
@signed_in
def users_page():
    return _not_admin() or _page()


@bp.post("/users")
@form_post
def users_add():
    refused = _not_admin()
    if refused:
        return refused
    name = (request.form.get("name") or "").strip()
    try:
        user, token = get_store().add_user(name, admin=request.form.get("admin") == "on")
    except (Conflict, StoreError) as exc:
        return _page(409 if isinstance(exc, Conflict) else 400, problem=exc.message, typed=name[:64])
    return _page(201, new=user_out(user, token))


@bp.post("/users/<name>/revoke")
@form_post
def users_revoke(name: str):
    refused = _not_admin()
    if refused:
        return refused
    try:
        user = get_store().revoke_user(name)
    except NotFound:
        notice(f"There is no user {name[:64]} (any more).", "error")
        return redirect("/users", code=303)
    notice(f"{user['name']} is revoked: their token no longer works.")
    return redirect("/users", code=303)


@bp.post("/users/<name>/rotate")
@form_post
def users_rotate(name: str):
    refused = _not_admin()
    if refused:
        return refused
    try:
        user, token = get_store().rotate_token(name)
    except NotFound:
        notice(f"There is no user {name[:64]} (any more).", "error")
        return redirect("/users", code=303)
    return _page(200, new=user_out(user, token))
