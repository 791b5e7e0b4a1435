"""Candidates (issue 15): creators found on list pages and in other creators' posts, with the path
that found each, and their checks (a polite refresh of their own page).

GET  /api/v1/candidates            filter (source, platform, tier, checked) and page (limit, offset)
GET  /api/v1/candidates/<id>       one candidate
POST /api/v1/candidates/refresh    {ids}: queue them for a check; 202
GET  /api/v1/candidates/refresh    the progress of the checks queued since the server started

The list-capture answer of POST /captures is described here too (LIST_CAPTURE), beside the
candidates it makes.
"""

from __future__ import annotations

from typing import Literal

from flask import current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field

from scraper import registry
from server.api import api
from server.api.errors import ApiError, invalid
from server.api.validation import NoQuery, body, query
from server.discovery import candidate_view
from server.refresh import RefreshError, load_replay
from server.services import get_candidate_checks, get_store
from server.store import PLATFORMS, NotFound
from server.store.candidates import PATH_KINDS

CANDIDATE_ID = r"^cd_[0-9a-f]{12}$"
MAX_IDS = 200


class CandidatesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Literal[PATH_KINDS] | None = None  # type: ignore[valid-type]
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]
    tier: str | None = Field(default=None, max_length=32)
    checked: bool | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)
    # one entry per handle across platforms (the same handle elsewhere in `also_on`); off: every record
    across_platforms: bool = True


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1, max_length=MAX_IDS)


@api.get("/candidates")
def list_candidates():
    args = query(CandidatesQuery)
    page = get_store().list_candidates(source=args.source, platform=args.platform, tier=args.tier,
                                       checked=args.checked, limit=args.limit, offset=args.offset,
                                       across_platforms=args.across_platforms and args.platform is None)
    return jsonify({"items": [candidate_view(c) for c in page.items], "total": page.total,
                    "limit": args.limit, "offset": args.offset, "next": page.next})


@api.get("/candidates/<cid>")
def get_candidate(cid: str):
    query(NoQuery)
    return jsonify(candidate_view(get_store().get_candidate(cid)))


@api.post("/candidates/refresh")
def refresh_candidates():
    ids = body(RefreshBody).ids
    store = get_store()
    unknown = {}
    for n, cid in enumerate(ids):
        try:
            store.get_candidate(cid)
        except NotFound:
            unknown[f"ids.{n}"] = f"There is no candidate {cid[:40]!r}."
    if unknown:
        raise invalid(unknown, "Some ids name no candidate; nothing was queued.")
    try:
        replay = load_replay(current_app.config.get("REPLAY_DIR"))
    except RefreshError as exc:
        raise ApiError(503, exc.code, exc.message) from None
    queued = get_candidate_checks().queue(ids, replay=replay,
                                          fetcher_options=current_app.config.get("REFRESH_FETCHER_OPTIONS") or None)
    resp = jsonify({**queued, "running": True, "status_url": "/api/v1/candidates/refresh"})
    resp.status_code = 202
    resp.headers["Location"] = "/api/v1/candidates/refresh"
    return resp


@api.get("/candidates/refresh")
def candidates_refresh_status():
    query(NoQuery)
    return jsonify(get_candidate_checks().status())


# -- OpenAPI ------------------------------------------------------------------------------------------

_STR = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_ERR = {"$ref": "#/components/schemas/Error"}
_PLATFORM = {"type": "string", "enum": list(registry.NAMES)}
_STATE = {"type": "string", "enum": ["new", "queued", "checked", "failed"]}
_TIER = {**_STR, "description": "from the shown follower count (see `rounded`)"}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


def _ok(desc: str, schema: dict) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


PATH = {"type": "object", "required": ["kind", "label", "count"], "properties": {
    "kind": {"type": "string", "enum": list(PATH_KINDS)},
    "label": {"type": "string", "description": 'how it was found, in words ("tagged by @anna in 3 posts")'},
    "via": _STR, "page_url": _STR, "at": _STR, "count": {"type": "integer", "minimum": 1}}}
CANDIDATE = {"type": "object", "required": ["id", "platform", "handle", "paths", "state", "tier", "followers"],
             "properties": {
                 "id": {"type": "string", "pattern": CANDIDATE_ID}, "platform": _PLATFORM,
                 "handle": {"type": "string"}, "platform_id": _STR, "display_name": _STR, "url": _STR,
                 "followers": _INT, "followers_text": _STR, "rounded": {"type": "boolean"}, "tier": _TIER,
                 "paths": {"type": "array", "items": PATH}, "first_seen": _STR, "last_seen": _STR,
                 "state": _STATE, "state_reason": {**_STR, "description": "why a check failed, in words"},
                 "checked_at": _STR,
                 "also_on": {"type": "array", "description": "the same handle on other platforms (listed across "
                             "platforms)", "items": {"type": "object", "properties": {
                                 "id": {"type": "string"}, "platform": _PLATFORM, "handle": _STR,
                                 "followers": _INT, "tier": _STR, "state": _STATE}}}}}
LISTED = {"type": "object", "required": ["platform", "handle", "followers", "tier", "known", "candidate_id"],
          "properties": {
              "platform": _PLATFORM, "handle": _STR, "platform_id": _STR, "display_name": _STR,
              "followers": _INT, "followers_text": _STR, "rounded": {"type": "boolean"}, "tier": _TIER,
              "known": {"type": "boolean", "description": "kolscope has a capture of this creator"},
              "candidate_id": {"type": ["string", "null"], "description": "null: the list's owner, or no "
                                                                            "account kolscope can store"},
              "url": _STR}}
LIST_CAPTURE = {"type": "object", "required": ["kind", "platform", "creators", "candidates_added"],
                "description": "a list page (search, tag, related, followers, following, comments)",
                "properties": {
                    "kind": {"type": "string", "enum": ["search", "hashtag", "related", "followers", "following",
                                                        "comments"]},
                    "platform": _PLATFORM, "query": _STR, "owner": _STR, "url": _STR, "captured_at": _STR,
                    "creators": {"type": "array", "items": LISTED},
                    "creators_total": {"type": "integer"}, "candidates_added": {"type": "integer"}}}
_CHECKS = {"type": "object", "required": ["running", "counts", "candidates"], "properties": {
    "running": {"type": "boolean"}, "started_at": _STR, "finished_at": _STR,
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "candidates": {"type": "array", "items": {"type": "object", "required": ["id", "state"], "properties": {
        "id": {"type": "string"}, "platform": _PLATFORM, "handle": {"type": "string"},
        "state": {"type": "string", "enum": ["queued", "running", "checked", "failed"]},
        "reason": _STR, "at": _STR}}}}}


def _q(name: str, schema: dict, desc: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


_SECURED = {"security": [{"bearer": []}]}
OPENAPI_PATHS = {
    "/candidates": {"get": {
        **_SECURED, "summary": "Candidates with their paths: filter and page",
        "parameters": [
            _q("source", {"type": "string", "enum": list(PATH_KINDS)}, "a kind among the candidate's paths"),
            _q("platform", _PLATFORM), _q("tier", {"type": "string", "maxLength": 32}),
            _q("checked", {"type": "boolean"}, "true: captured or refreshed; false: not yet"),
            _q("across_platforms", {"type": "boolean"}, "one entry per handle, the same handle on other "
               "platforms in its also_on (default true; a platform filter lists every record)"),
            _q("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
            _q("offset", {"type": "integer", "minimum": 0})],
        "responses": {
            "200": _ok("a page, most recently seen first", {
                "type": "object", "required": ["items", "total", "limit", "offset", "next"], "properties": {
                    "items": {"type": "array", "items": CANDIDATE}, "total": {"type": "integer"},
                    "limit": {"type": "integer"}, "offset": {"type": "integer"},
                    "next": {"type": ["integer", "null"], "description": "offset of the next page"}}}),
            "400": _err("a bad filter (every one listed)"), "401": _err("missing or wrong token"),
            "403": _err("web-page Origin or foreign Host")}}},
    "/candidates/{cid}": {"get": {
        **_SECURED, "summary": "One candidate",
        "parameters": [{"name": "cid", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": _ok("the candidate", CANDIDATE), "400": _err("query parameters given"),
                      "401": _err("missing or wrong token"), "403": _err("web-page Origin or foreign Host"),
                      "404": _err("no such candidate")}}},
    "/candidates/refresh": {
        "post": {
            **_SECURED, "summary": "Check candidates: refresh their pages politely, in the background",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["ids"], "additionalProperties": False, "properties": {
                    "ids": {"type": "array", "minItems": 1, "maxItems": MAX_IDS, "items": {"type": "string"}}}}}}},
            "responses": {
                "202": _ok("queued", {"type": "object", "required": ["queued", "already", "running"], "properties": {
                    "queued": {"type": "array", "items": {"type": "string"}},
                    "already": {"type": "array", "items": {"type": "string"},
                                "description": "queued or running already"},
                    "running": {"type": "boolean"}, "status_url": {"type": "string"}}}),
                "400": _err("bad body, or ids naming no candidate (each listed)"),
                "401": _err("missing or wrong token"), "403": _err("web-page Origin or foreign Host"),
                "415": _err("not JSON"), "503": _err("the replay directory is unusable")}},
        "get": {
            **_SECURED, "summary": "Progress of the candidate checks since the server started",
            "responses": {"200": _ok("progress", _CHECKS), "400": _err("query parameters given"),
                          "401": _err("missing or wrong token"), "403": _err("web-page Origin or foreign Host")}}},
}
