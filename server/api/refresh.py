"""Watchlist refresh API: run a refresh now (in the background, 202) and read its status per creator.

POST /api/v1/watchlists/<wid>/refresh   start now; 202 (a refresh already running is answered, not doubled)
GET  /api/v1/watchlists/<wid>/refresh   per creator: the last refresh (ok|stale|blocked|error, time,
                                        reason) and the running one (running|queued), plus the run
"""

from __future__ import annotations

import logging
from types import MappingProxyType

from flask import current_app, jsonify, request

from server.api import api
from server.api.errors import ApiError
from server.refresh import RefreshError, RefreshRun, load_replay
from server.scheduler import next_run, notify_watchlists_changed
from server.services import get_refreshes, get_store

log = logging.getLogger("kolscope.api.refresh")

# codes of RefreshError -> HTTP status (a broker that does not answer: server/workers)
REFRESH_STATUS = MappingProxyType({"not_found": 404, "queue_unavailable": 503})


def _replay():
    try:
        return load_replay(current_app.config.get("REPLAY_DIR"))
    except RefreshError as exc:
        raise ApiError(503, exc.code, exc.message) from None


def start_refresh(wid: str) -> tuple[RefreshRun, bool]:
    """Start refreshing a watchlist in the background (the API's and the dashboard's "refresh now");
    (run, started): a refresh already running is answered, not doubled. ApiError when it cannot."""
    replay = _replay()
    options = current_app.config.get("REFRESH_FETCHER_OPTIONS") or None
    try:
        return get_refreshes().start_background(wid, replay=replay, fetcher_options=options)
    except RefreshError as exc:
        raise ApiError(REFRESH_STATUS.get(exc.code, 400), exc.code, exc.message) from None


@api.post("/watchlists/<wid>/refresh")
def refresh_now(wid: str):
    run, started = start_refresh(wid)
    body = {"watchlist_id": wid, "started": started, "running": True, "started_at": run.started_at,
            "creators": len(run.creators), "status_url": f"/api/v1/watchlists/{wid}/refresh"}
    resp = jsonify(body)
    resp.status_code = 202
    resp.headers["Location"] = body["status_url"]
    return resp


@api.get("/watchlists/<wid>/refresh")
def refresh_status(wid: str):
    creators = get_store().watchlist_creators(wid)  # NotFound -> 404 by the app's error handler
    run = get_refreshes().current_run(wid)
    in_run = {}
    if run is not None and run.running:
        in_run = {(c.platform, c.handle.casefold()): c for c in run.creators}
    items = []
    counts: dict[str, int] = {}
    for c in creators:
        handle = str(c.get("handle"))
        last = dict(c.get("refresh") or {})
        current = in_run.get((c["platform"], handle.casefold()))
        running = current is not None and current.status in ("running", "queued")
        status = current.status if running else (last.get("status") or "never")
        counts[status] = counts.get(status, 0) + 1
        items.append({
            "platform": c["platform"],
            "handle": handle,
            "status": status,
            "running": running,
            "last": {
                "status": last.get("status"),
                "reason": last.get("reason"),
                "at": last.get("at"),
                "last_ok": last.get("last_ok"),
            } if last.get("status") else None,
            "current": {"status": current.status, "reason": current.reason, "at": current.at,
                        "started_at": run.started_at} if current is not None else None,
            "captured_at": c.get("captured_at"),
            "snapshots": c.get("snapshots"),
        })
    return jsonify({
        "watchlist_id": wid,
        "running": bool(run is not None and run.running),
        "run": {"started_at": run.started_at, "finished_at": run.finished_at, "counts": run.counts(),
                "error": run.error} if run is not None else None,
        "next_run_at": next_run(current_app, wid),
        "counts": counts,
        "creators": items,
    })


@api.after_app_request
def _resync_schedules(response):
    """A watchlist created, retimed or deleted through the API reschedules its job at once (when the
    app runs a scheduler)."""
    if (request.method in ("POST", "PATCH", "PUT", "DELETE") and response.status_code < 400
            and request.path.startswith("/api/v1/watchlists") and not request.path.endswith("/refresh")):
        notify_watchlists_changed(current_app)
    return response


_STATUS = {"type": "string", "enum": ["ok", "stale", "blocked", "error", "running", "queued", "never"]}
_LAST = {"type": ["object", "null"], "properties": {
    "status": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]},
    "at": {"type": ["string", "null"]}, "last_ok": {"type": ["string", "null"]}}}
_WID = {"name": "wid", "in": "path", "required": True, "schema": {"type": "string", "pattern": r"^wl_[0-9a-f]{12}$"}}
_ERR = {"$ref": "#/components/schemas/Error"}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


OPENAPI_PATHS = {
    "/watchlists/{wid}/refresh": {
        "post": {
            "summary": "Refresh the watchlist's creators now, in the background",
            "security": [{"bearer": []}],
            "parameters": [_WID],
            "responses": {
                "202": {"description": "started (or already running)", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["watchlist_id", "started", "running", "started_at"],
                    "properties": {"watchlist_id": {"type": "string"}, "started": {"type": "boolean"},
                                   "running": {"type": "boolean"}, "started_at": {"type": "string"},
                                   "creators": {"type": "integer"}, "status_url": {"type": "string"}}}}}},
                "401": _err("missing or wrong token"),
                "403": _err("web-page Origin or foreign Host"),
                "404": _err("no such watchlist"),
                "503": _err("the replay directory is unusable, or the refresh queue is unreachable"),
            },
        },
        "get": {
            "summary": "Status of the last and the running refresh, per creator",
            "security": [{"bearer": []}],
            "parameters": [_WID],
            "responses": {
                "200": {"description": "status", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["watchlist_id", "running", "creators", "counts"],
                    "properties": {
                        "watchlist_id": {"type": "string"},
                        "running": {"type": "boolean"},
                        "next_run_at": {"type": ["string", "null"]},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "run": {"type": ["object", "null"]},
                        "creators": {"type": "array", "items": {
                            "type": "object", "required": ["platform", "handle", "status", "running"],
                            "properties": {"platform": {"type": "string"}, "handle": {"type": "string"},
                                           "status": _STATUS, "running": {"type": "boolean"},
                                           "last": _LAST, "current": {"type": ["object", "null"]}}}},
                    }}}}},
                "401": _err("missing or wrong token"),
                "403": _err("web-page Origin or foreign Host"),
                "404": _err("no such watchlist"),
            },
        },
    },
}
