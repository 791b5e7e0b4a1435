"""GET /api/v1/openapi.json: the OpenAPI 3 document of the API (schemathesis checks it in tests).

Every per-platform fact in it (the platform enums, one path per platform with that platform's handle
pattern and rule) is read from the registry when the document is built, so a platform added there
appears here with nothing else to change.
"""

from __future__ import annotations

import copy
from functools import lru_cache

from flask import jsonify

from scraper import registry
from scraper.platform import Platform
from server.api import api
from server.store import CONFIDENCES, REFRESH_FILTERS, SORTS

ERROR = {"$ref": "#/components/schemas/Error"}
SEC = [{"bearer": []}]


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _resp(desc: str, schema: dict | None = None) -> dict:
    out = {"description": desc}
    if schema is not None:
        out["content"] = _json(schema)
    return out


def _errors(*codes: int) -> dict:
    text = {400: "invalid request (every invalid field listed in error.fields)", 401: "missing or wrong token",
            403: "web-page Origin or foreign Host", 404: "not found", 409: "conflict",
            413: "body too large", 415: "body is not JSON", 422: "the capture is not a usable creator page"}
    return {str(c): _resp(text[c], ERROR) for c in codes}


def _op(summary: str, ok: dict, *errors: int, body: dict | None = None, params: list | None = None,
        public: bool = False) -> dict:
    op: dict = {"summary": summary, "responses": {**ok, **_errors(*({401, 403} | set(errors)) if not public else errors)}}
    if not public:
        op["security"] = SEC
    else:
        op["security"] = []
    if body is not None:
        op["requestBody"] = {"required": True, "content": _json(body)}
    if params:
        op["parameters"] = params
    return op


def _q(name: str, schema: dict, desc: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": desc}


def _p(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


HANDLE = _p("handle", {"type": "string"})  # per platform: see _per_platform
WID = _p("wid", {"type": "string", "pattern": r"^wl_[0-9a-f]{12}$"})
BID = _p("bid", {"type": "string", "pattern": r"^br_[0-9a-f]{12}$"})
NID = _p("nid", {"type": "string", "pattern": r"^nt_[0-9a-f]{12}$"})
NULLABLE_NUM = {"type": ["number", "null"]}
NULLABLE_STR = {"type": ["string", "null"]}


def _platform_enum() -> dict:
    return {"type": "string", "enum": [p.name for p in registry.PLATFORMS]}


def _inline(model) -> dict:
    """A pydantic model's JSON schema with its $defs inlined under components."""
    return model.model_json_schema(ref_template="#/components/schemas/{model}")


@lru_cache(maxsize=1)
def _document() -> dict:
    from server.api.briefs import ActiveBody
    from server.api.candidates import LIST_CAPTURE
    from server.api.captures import CaptureBody
    from server.api.notes import NoteBody
    from server.api.watchlists import WatchlistCreate, WatchlistMember, WatchlistPatch

    schemas: dict = {}

    def ref(model) -> dict:
        schema = _inline(model)
        for name, sub in (schema.pop("$defs", None) or {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    try:
        from server.scoring.brief import Brief
        brief_body = ref(Brief)
    except ImportError:
        brief_body = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}

    score_part = {"type": ["object", "null"], "properties": {
        "score": {**NULLABLE_NUM, "description": "null: no grade (too little evidence, or fit without a brief)"},
        "grade": NULLABLE_STR,
        "confidence": {"type": ["string", "null"], "enum": [None, "low", "medium", "high"]},
        "reason": {**NULLABLE_STR, "description": "why the score is withheld (score null: no grade)"}}}
    schemas.update({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}},
        "Creator": {"type": "object", "required": [
            "platform", "handle", "url", "display_name", "avatar_url", "followers", "tier", "watchlists",
            "fit", "authenticity", "stale", "refresh"], "properties": {
            "platform": _platform_enum(), "handle": {"type": "string"},
            "url": NULLABLE_STR, "display_name": NULLABLE_STR, "avatar_url": NULLABLE_STR,
            "followers": {"type": ["integer", "null"]}, "verified": {"type": ["boolean", "null"]},
            "tier": NULLABLE_STR, "engagement_rate": NULLABLE_NUM,
            "country": {**NULLABLE_STR, "description": "ISO 3166-1 alpha-2, where the page says the creator is"},
            "watchlists": {"type": "array", "items": {"type": "string"}},
            "fit": score_part, "authenticity": score_part, "fit_brief_id": NULLABLE_STR,
            "growth_30d": NULLABLE_NUM,
            "captured": {"type": "boolean"}, "captured_at": NULLABLE_STR, "snapshots": {"type": "integer"},
            "stale": {"type": "boolean"},
            "refresh": {"type": "object", "properties": {
                "status": {"type": ["string", "null"], "enum": [None, "ok", "stale", "blocked", "error"]},
                "reason": NULLABLE_STR, "at": NULLABLE_STR, "last_ok": NULLABLE_STR,
                "running": {"type": "boolean"}}}}},
        "Scores": {"type": "object", "description": "scoring's result: tier, engagement_rate, fit, "
                   "authenticity (each {score, grade, confidence, factors}; score and grade null with a `reason` "
                   "when too few factors could be scored), summary, followers"},
        "Snapshot": {"type": "object", "required": ["platform", "handle"], "description": "kolscope.snapshot/1"},
        "Decision": {"type": "object", "description": "the decision numbers of the latest snapshot, as of its "
                     "capture (server/scoring/decision.py); a figure the capture does not show is null",
                     "required": ["engagement_rate", "engagement_rate_percent", "median_views", "last_post_at",
                                  "inactive", "paid_brands"], "properties": {
            "engagement_rate": {**NULLABLE_NUM, "description": "a fraction: 0.02 = 2%"},
            "engagement_rate_percent": NULLABLE_NUM,
            "engagement_basis": {"type": ["string", "null"], "enum": [None, "views", "followers"]},
            "engagement_posts": {"type": "integer"},
            "median_views": {"type": ["integer", "null"]}, "median_views_posts": {"type": "integer"},
            "last_post_at": NULLABLE_STR, "days_since_last_post": {"type": ["integer", "null"]},
            "inactive": {"type": ["boolean", "null"], "description": "no post for more than 90 days"},
            "paid_posts": {"type": "integer"},
            "paid_brands": {"type": "array", "description": "accounts named in sponsored posts, most often first",
                            "items": {"type": "object", "required": ["name", "posts"], "properties": {
                                "name": {"type": "string"}, "posts": {"type": "integer"}}}}}},
        "Watchlist": {"type": "object", "required": ["id", "name", "refresh_interval_hours", "creator_count"],
                      "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                     "refresh_interval_hours": {"type": "number"},
                                     "refresh_cron": {"type": ["string", "null"]},
                                     "creator_count": {"type": "integer"},
                                     "created_at": {"type": "string"}, "updated_at": {"type": "string"},
                                     "creators": {"type": "array", "items": {"allOf": [
                                         {"$ref": "#/components/schemas/Creator"},
                                         {"type": "object", "properties": {
                                             "added_by": {**NULLABLE_STR, "description": "who added it (null: not known)"},
                                             "added_at": NULLABLE_STR}}]}}}},
        "BriefOut": {"type": "object", "required": ["id", "name", "active"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "active": {"type": "boolean"}}},
        "Note": {"type": "object", "required": ["id", "text", "created_at"], "properties": {
            "id": {"type": "string"}, "text": {"type": "string"}, "created_at": {"type": "string"},
            "updated_at": {**NULLABLE_STR, "description": "null until the note is edited"},
            "author": {**NULLABLE_STR, "description": "the user who wrote it (null: not known)"},
            "updated_by": {**NULLABLE_STR, "description": "the user who last edited it"}}},
    })
    creator = {"$ref": "#/components/schemas/Creator"}
    decision = {"$ref": "#/components/schemas/Decision"}
    watchlist = {"$ref": "#/components/schemas/Watchlist"}
    brief_out = {"$ref": "#/components/schemas/BriefOut"}
    note = {"$ref": "#/components/schemas/Note"}
    items = lambda s: {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": s}}}  # noqa: E731
    active = {"type": "object", "required": ["id", "brief"], "properties": {
        "id": NULLABLE_STR, "brief": {"anyOf": [brief_out, {"type": "null"}]}}}
    creator_params = [_p("platform", _platform_enum()), HANDLE]

    paths = {
        "/health": {"get": _op("Is the server up (no token needed)", {"200": _resp("up", {
            "type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}})},
            403, public=True)},
        "/openapi.json": {"get": _op("This document", {"200": _resp("OpenAPI 3", {"type": "object"})})},
        "/captures": {"post": _op(
            "Parse a capture (gzip body accepted), score it against the active brief, store it",
            {"201": _resp("a creator page: stored and scored (with `listing` when it also shows a list); or "
                          "a list page: its creators, kept as candidates (server/api/candidates.py)", {"oneOf": [
                {"type": "object", "required": ["creator", "snapshot", "scores", "decision"],
                 "properties": {"creator": creator,
                                "snapshot": {"$ref": "#/components/schemas/Snapshot"},
                                "scores": {"$ref": "#/components/schemas/Scores"},
                                "decision": decision, "listing": LIST_CAPTURE}},
                LIST_CAPTURE]})},
            400, 413, 415, 422, body=ref(CaptureBody))},
        "/creators": {"get": _op("Creators: filter, sort, page", {"200": _resp("a page", {
            "type": "object", "required": ["items", "total", "limit", "offset"], "properties": {
                "items": {"type": "array", "items": creator}, "total": {"type": "integer"},
                "limit": {"type": "integer"}, "offset": {"type": "integer"}}})}, 400, 404, params=[
            _q("platform", _platform_enum()),
            _q("watchlist", {"type": "string"}, "watchlist id"),
            _q("in_watchlist", {"type": "boolean"}, "true: in a watchlist (the shortlist); false: in none (browsed)"),
            _q("tier", {"type": "string"}), _q("q", {"type": "string"}, "text in handle or name"),
            _q("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "ISO 3166-1 alpha-2 code"),
            _q("language", {"type": "string", "pattern": "^[A-Za-z]{2,3}$"},
               "ISO 639 code: one of the audience's main languages (a fifth or more of it)"),
            _q("min_fit", {"type": "number", "minimum": 0, "maximum": 100}),
            _q("min_authenticity", {"type": "number", "minimum": 0, "maximum": 100}),
            _q("min_confidence", {"type": "string", "enum": list(CONFIDENCES)},
               "of the score the creator is ranked by (fit, else authenticity)"),
            _q("min_growth", {"type": "number", "minimum": -100, "maximum": 1000000}, "30-day growth, percent"),
            _q("max_growth", {"type": "number", "minimum": -100, "maximum": 1000000}, "30-day growth, percent"),
            _q("captured_since", {"type": "string", "format": "date"}, "last captured on this day or later"),
            _q("refresh", {"type": "string", "enum": list(REFRESH_FILTERS)}, "the last refresh's status"),
            _q("sort", {"type": "string", "enum": list(SORTS)}),
            _q("order", {"type": "string", "enum": ["asc", "desc"]}),
            _q("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
            _q("offset", {"type": "integer", "minimum": 0})])},
        "/browsed/clear": {"post": _op(
            "Forget every creator in no watchlist (the browsed ones), with their notes and history",
            {"200": _resp("forgotten", {"type": "object", "required": ["forgotten"],
                                        "properties": {"forgotten": {"type": "integer"}}})}, 400)},
        "/creators/{platform}/{handle}": {"get": _op(
            "One creator: latest snapshot, its scores, a history summary",
            {"200": _resp("the creator", {"type": "object", "required": ["creator", "snapshot", "scores", "decision",
                                                                      "history"],
                                           "properties": {"creator": creator, "history": {"type": "object"},
                                                          "decision": {"anyOf": [decision, {"type": "null"}]}}})},
            400, 404, params=creator_params),
            "delete": _op("Forget a creator in no watchlist: its history, scores and notes",
                          {"204": _resp("forgotten")}, 400, 404, 409, params=creator_params)},
        "/creators/{platform}/{handle}/history": {"get": _op(
            "History points, oldest first", {"200": _resp("points", {
                "type": "object", "required": ["points"], "properties": {"points": {"type": "array"}}})},
            400, 404, params=creator_params + [_q("limit", {"type": "integer", "minimum": 1, "maximum": 100000})])},
        "/creators/{platform}/{handle}/scores": {"get": _op(
            "Scores of the latest snapshot against a brief (default: the active one)",
            {"200": _resp("scores", {"type": "object", "required": ["brief_id", "scores"], "properties": {
                "brief_id": NULLABLE_STR, "scores": {"$ref": "#/components/schemas/Scores"}}})},
            400, 404, 409, params=creator_params + [_q("brief", {"type": "string"}, "brief id")])},
        "/creators/{platform}/{handle}/notes": {
            "get": _op("Notes on a creator", {"200": _resp("notes", items(note))}, 400, 404, params=creator_params),
            "post": _op("Add a note", {"201": _resp("the note", note)}, 400, 404, 413, 415,
                        body=ref(NoteBody), params=creator_params)},
        "/creators/{platform}/{handle}/notes/{nid}": {
            "patch": _op("Edit a note's text", {"200": _resp("the note", note)}, 400, 404, 413, 415,
                         body=ref(NoteBody), params=creator_params + [NID]),
            "delete": _op("Delete a note", {"204": _resp("deleted")}, 400, 404, params=creator_params + [NID])},
        "/watchlists": {
            "get": _op("Watchlists", {"200": _resp("all", items(watchlist))}, 400),
            "post": _op("Create a watchlist", {"201": _resp("created", watchlist)}, 400, 409, 413, 415,
                        body=ref(WatchlistCreate))},
        "/watchlists/{wid}": {
            "get": _op("A watchlist with its creators", {"200": _resp("it", watchlist)}, 400, 404, params=[WID]),
            "patch": _op("Rename, or change the refresh interval", {"200": _resp("changed", watchlist)},
                         400, 404, 409, 413, 415, body=ref(WatchlistPatch), params=[WID]),
            "delete": _op("Delete a watchlist", {"204": _resp("deleted")}, 404, params=[WID])},
        "/watchlists/{wid}/creators": {"post": _op(
            "Add a creator by {platform, handle} or by {url}",
            {"201": _resp("added", {"type": "object", "required": ["creator"], "properties": {
                "creator": creator, "added_by": {**NULLABLE_STR, "description": "who added it (the first adder)"},
                "added_at": NULLABLE_STR}})},
            400, 404, 413, 415, body=ref(WatchlistMember), params=[WID])},
        "/watchlists/{wid}/creators/{platform}/{handle}": {"delete": _op(
            "Remove a creator from a watchlist", {"204": _resp("removed")}, 400, 404,
            params=[WID] + creator_params)},
        "/watchlists/{wid}/export.csv": {"get": _op(
            "The watchlist as CSV", {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
            404, params=[WID])},
        "/watchlists/{wid}/export.json": {"get": _op(
            "The watchlist as JSON", {"200": _resp("JSON", {"type": "object", "required": ["watchlist", "creators"]})},
            404, params=[WID])},
        "/briefs": {
            "get": _op("Briefs", {"200": _resp("all", items(brief_out))}, 400),
            "post": _op("Create a brief", {"201": _resp("created", brief_out)}, 400, 413, 415, body=brief_body)},
        "/briefs/active": {
            "get": _op("The active brief", {"200": _resp("it, or null", active)}, 400),
            "put": _op("Set the active brief ({id} or {id: null})", {"200": _resp("it", active)},
                       400, 404, 413, 415, body=ref(ActiveBody))},
        "/briefs/{bid}": {
            "get": _op("A brief", {"200": _resp("it", brief_out)}, 400, 404, params=[BID]),
            "put": _op("Replace a brief", {"200": _resp("it", brief_out)}, 400, 404, 413, 415,
                       body=brief_body, params=[BID]),
            "delete": _op("Delete a brief", {"204": _resp("deleted")}, 404, params=[BID])},
    }
    from server.api import EXTRA_MODULES

    for module in EXTRA_MODULES:
        paths.update(copy.deepcopy(getattr(module, "OPENAPI_PATHS", None) or {}))
    paths = _per_platform(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "kolscope API", "version": "1",
                 "description": "Local API of kolscope. Every route but /health needs "
                                "`Authorization: Bearer <token>` (`kolscope token`)."},
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _handle_param(platform: Platform) -> dict:
    rule = (f"a {platform.name} handle without @: {platform.handle_rule}" if platform.identity == "handle"
            else f"the {platform.name} account id (the platform has no handles): {platform.handle_rule}")
    return {**_p("handle", {"type": "string", "pattern": platform.handle_pattern}), "description": rule}


def _per_platform(paths: dict) -> dict:
    """A path naming {platform}/{handle} becomes one path per platform, so each handle parameter
    carries its own platform's pattern (one platform's handle rule is not another's)."""
    out: dict = {}
    for path, ops in paths.items():
        if "{platform}/{handle}" not in path:
            out[path] = ops
            continue
        for platform in registry.PLATFORMS:
            per: dict = {}
            for method, op in ops.items():
                op = copy.deepcopy(op)
                params = []
                for param in op.get("parameters", []):
                    if param.get("in") == "path" and param.get("name") == "platform":
                        continue
                    if param.get("in") == "path" and param.get("name") == "handle":
                        param = _handle_param(platform)
                    params.append(param)
                op["parameters"] = params
                per[method] = op
            out[path.replace("{platform}", platform.name)] = per
    return out


@api.get("/openapi.json")
def openapi_json():
    return jsonify(_document())
