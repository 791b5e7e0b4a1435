"""The people of a team server (issue 16): who am I (GET /me), and, for admins, the users: list, add
(the answer carries the new token, the only time it is shown), revoke, rotate (a new token).

Who makes a request is decided by the security guard (server/security.py, above the API), which sets
`flask.g.user` = {name, admin} before any view; `author()` and `require_admin()` read it here, so
every API module can name the author of what it writes without importing the guard.
"""

from __future__ import annotations

from flask import g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from server.api import api
from server.api.errors import ApiError
from server.api.validation import NoQuery, body, query
from server.services import get_store

NAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


def current_user() -> dict | None:
    """{name, admin} of the request (set by the guard), None when it has no identity."""
    return g.get("user")


def author() -> str | None:
    """The name kept as the author of what this request writes (notes, bookmarks, plans)."""
    user = current_user()
    return user["name"] if user else None


def require_admin() -> dict:
    user = current_user()
    if user is None or not user.get("admin"):
        raise ApiError(403, "forbidden", "Only an admin may do this: ask whoever runs this kolscope server.")
    return user


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=NAME_PATTERN, description="1-64 letters, digits, '.', '_' or '-' (not 'owner')")
    admin: bool = Field(default=False, strict=True, description="may manage users")


def user_out(user: dict, token: str | None = None) -> dict:
    out = {k: user.get(k) for k in ("name", "admin", "created_at", "revoked_at", "token_hint")}
    if token is not None:
        out["token"] = token
    return out


@api.get("/me")
def me():
    query(NoQuery)
    user = current_user() or {}
    return jsonify({"name": user.get("name"), "admin": bool(user.get("admin"))})


@api.get("/users")
def list_users():
    query(NoQuery)
    require_admin()
    return jsonify({"items": [user_out(u) for u in get_store().list_users()]})


@api.post("/users")
def add_user():
    query(NoQuery)
    require_admin()
    data = body(UserCreate)
    user, token = get_store().add_user(data.name, admin=data.admin)
    return jsonify(user_out(user, token)), 201


@api.post("/users/<name>/revoke")
def revoke_user(name: str):
    query(NoQuery)
    require_admin()
    return jsonify(user_out(get_store().revoke_user(name)))


@api.post("/users/<name>/rotate")
def rotate_user(name: str):
    query(NoQuery)
    require_admin()
    user, token = get_store().rotate_token(name)
    return jsonify(user_out(user, token))


_ERR = {"$ref": "#/components/schemas/Error"}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


def _ok(desc: str, schema: dict) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


_USER = {"type": "object", "required": ["name", "admin", "created_at", "revoked_at", "token_hint"], "properties": {
    "name": {"type": "string"}, "admin": {"type": "boolean"}, "created_at": {"type": "string"},
    "revoked_at": {"type": ["string", "null"], "description": "null while the user may sign in"},
    "token_hint": {"type": ["string", "null"], "description": "the token's first 4 characters"}}}
_WITH_TOKEN = {**_USER, "required": [*_USER["required"], "token"], "properties": {
    **_USER["properties"], "token": {"type": "string", "description": "shown this once: the store keeps its digest"}}}
_NAME = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "pattern": NAME_PATTERN}}
_COMMON = {"401": _err("missing or wrong token"), "403": _err("not an admin, a web-page Origin or a foreign Host")}
_SEC = [{"bearer": []}]

OPENAPI_PATHS = {
    "/me": {"get": {
        "summary": "Who the token (or dashboard session) is: {name, admin}; the store's own token is 'owner'",
        "security": _SEC, "responses": {
            "200": _ok("you", {"type": "object", "required": ["name", "admin"], "properties": {
                "name": {"type": "string"}, "admin": {"type": "boolean"}}}),
            "400": _err("a query parameter was given"), **_COMMON}}},
    "/users": {
        "get": {"summary": "The users of this server (admins only)", "security": _SEC, "responses": {
            "200": _ok("all", {"type": "object", "required": ["items"], "properties": {
                "items": {"type": "array", "items": _USER}}}),
            "400": _err("a query parameter was given"), **_COMMON}},
        "post": {"summary": "Add a user (admins only): the answer carries its token, shown this once",
                 "security": _SEC,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["name"], "additionalProperties": False, "properties": {
                         "name": {"type": "string", "pattern": NAME_PATTERN}, "admin": {"type": "boolean"}}}}}},
                 "responses": {"201": _ok("added", _WITH_TOKEN), "400": _err("invalid name"),
                               "409": _err("a user of that name exists"), "413": _err("body too large"),
                               "415": _err("body is not JSON"), **_COMMON}}},
    "/users/{name}/revoke": {"post": {
        "summary": "Revoke a user's token at once (admins only); rotate gives a new one", "security": _SEC,
        "parameters": [_NAME], "responses": {"200": _ok("revoked", _USER), "400": _err("a query parameter was given"),
                                             "404": _err("no such user"), **_COMMON}}},
    "/users/{name}/rotate": {"post": {
        "summary": "A new token for a user (admins only); the old one stops at once", "security": _SEC,
        "parameters": [_NAME], "responses": {"200": _ok("the new token", _WITH_TOKEN),
                                             "400": _err("a query parameter was given"),
                                             "404": _err("no such user"), **_COMMON}}},
}
