"""The browser extension's own id: the options page registers it (PUT /api/v1/extension, with the
token) on its first successful connection; from then on only `chrome-extension://<that id>` gets
CORS and every other extension origin is refused (server/security.py)."""

from __future__ import annotations

from flask import current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from server.api import api
from server.api.errors import invalid
from server.api.users import require_admin
from server.api.validation import NoQuery, body, query
from server.services import register_extension, registered_extension

EXTENSION_SCHEME = "chrome-extension://"
ID_PATTERN = r"^[a-p]{32}$"


class ExtensionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN, description="chrome.runtime.id: 32 letters a-p")


def _answer(ext_id: str | None) -> dict:
    configured = current_app.config.get("EXTENSION_ORIGINS")
    return {"id": ext_id, "origin": f"{EXTENSION_SCHEME}{ext_id}" if ext_id else None,
            # EXTENSION_ORIGINS, when set, decides alone; the registration is kept for when it is not
            "configured_origins": list(configured) if configured else None}


@api.get("/extension")
def get_extension():
    query(NoQuery)
    return jsonify(_answer(registered_extension()))


@api.put("/extension")
def put_extension():
    query(NoQuery)
    require_admin()  # one registration for the whole server: a team's admin sets it, not each member
    ext_id = body(ExtensionBody).id
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{EXTENSION_SCHEME}{ext_id}":
        # an extension registers itself only; a local tool (no Origin) may name any id
        raise invalid({"id": f"Must be the id of the extension sending the request ({origin})."})
    register_extension(ext_id)
    return jsonify(_answer(ext_id))


@api.delete("/extension")
def delete_extension():
    query(NoQuery)
    require_admin()
    register_extension(None)
    return "", 204


_ERR = {"$ref": "#/components/schemas/Error"}
_ANSWER = {"type": "object", "required": ["id", "origin", "configured_origins"], "properties": {
    "id": {"type": ["string", "null"]}, "origin": {"type": ["string", "null"]},
    "configured_origins": {"type": ["array", "null"], "items": {"type": "string"}}}}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


_COMMON = {"401": _err("missing or wrong token"),
           "403": _err("web-page Origin, another extension, foreign Host, or (PUT, DELETE) not an admin")}

OPENAPI_PATHS = {
    "/extension": {
        "get": {"summary": "The registered extension id (null before the options page registered one)",
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "the registration", "content": {"application/json": {
                    "schema": _ANSWER}}}, "400": _err("a query parameter was given"), **_COMMON}},
        "put": {"summary": "Register the extension's id: from then on only its origin gets CORS",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["id"], "additionalProperties": False,
                    "properties": {"id": {"type": "string", "pattern": ID_PATTERN}}}}}},
                "responses": {"200": {"description": "registered", "content": {"application/json": {
                    "schema": _ANSWER}}}, "400": _err("invalid id"),
                    "415": _err("body is not JSON"), **_COMMON}},
        "delete": {"summary": "Forget the registered extension (any extension with the token gets CORS again)",
                   "security": [{"bearer": []}],
                   "responses": {"204": {"description": "forgotten"}, "400": _err("a query parameter was given"),
                                 **_COMMON}},
    },
}
