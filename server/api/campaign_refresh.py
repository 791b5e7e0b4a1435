"""Refresh a campaign's partners now: the same Refreshes, browser lock and politeness as a watchlist's
refresh (server/refresh.py), so a campaign refresh never asks a platform faster than a scheduled one.
Each refreshed profile goes through ingest, which records the deliverables it shows
(server/ingest.py track_deliverables): refreshing is how a deliverable's numbers move.

POST /api/v1/campaigns/<cid>/refresh   start now; 202 (a refresh already running is answered, not doubled)
GET  /api/v1/campaigns/<cid>/refresh   the run: running or not, counts, each partner's outcome
"""

from __future__ import annotations

from flask import current_app, jsonify

from server.api import api
from server.api.errors import ApiError
from server.refresh import RefreshError, load_replay
from server.services import get_refreshes, get_store


def run_id(cid: str) -> str:
    """The key a campaign's runs are kept under beside the watchlists' (ids never collide)."""
    return f"campaign:{cid}"


def partner_creators(store, cid: str) -> list[dict]:
    """{platform, handle} of each partner, once each (NotFound for an unknown campaign)."""
    seen, out = set(), []
    for p in store.list_partners(cid):
        ident = (p["platform"], str(p.get("key") or p["handle"]).casefold())
        if ident not in seen:
            seen.add(ident)
            out.append({"platform": p["platform"], "handle": p["handle"]})
    return out


def start_campaign_refresh(app, cid: str) -> tuple[object, bool]:
    """Start refreshing the campaign's partners in the background: (run, started). ApiError 503 for an
    unusable replay directory; NotFound for an unknown campaign."""
    creators = partner_creators(get_store(), cid)
    try:
        replay = load_replay(app.config.get("REPLAY_DIR"))
    except RefreshError as exc:
        raise ApiError(503, exc.code, exc.message) from None
    options = app.config.get("REFRESH_FETCHER_OPTIONS") or None
    try:
        return get_refreshes().start_background(run_id(cid), creators=creators, replay=replay, fetcher_options=options)
    except RefreshError as exc:  # the refresh queue is unreachable (server/workers)
        raise ApiError(503, exc.code, exc.message) from None


@api.post("/campaigns/<cid>/refresh")
def refresh_campaign(cid: str):
    run, started = start_campaign_refresh(current_app, cid)
    body = {"campaign_id": cid, "started": started, "running": run.running, "started_at": run.started_at,
            "partners": len(run.creators), "status_url": f"/api/v1/campaigns/{cid}/refresh"}
    resp = jsonify(body)
    resp.status_code = 202
    resp.headers["Location"] = body["status_url"]
    return resp


def campaign_refresh_status(cid: str) -> dict:
    """The latest run of this campaign's refresh (NotFound for an unknown campaign)."""
    get_store().get_campaign(cid)
    run = get_refreshes().current_run(run_id(cid))
    if run is None:
        return {"campaign_id": cid, "running": False, "run": None, "partners": []}
    return {
        "campaign_id": cid,
        "running": run.running,
        "run": {"started_at": run.started_at, "finished_at": run.finished_at, "counts": run.counts(),
                "error": run.error},
        "partners": [{"platform": c.platform, "handle": c.handle, "status": c.status, "reason": c.reason,
                      "at": c.at} for c in run.creators],
    }


@api.get("/campaigns/<cid>/refresh")
def campaign_refresh(cid: str):
    return jsonify(campaign_refresh_status(cid))


_CID = {"name": "cid", "in": "path", "required": True, "schema": {"type": "string"}}
_ERR = {"$ref": "#/components/schemas/Error"}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


OPENAPI_PATHS = {
    "/campaigns/{cid}/refresh": {
        "post": {
            "summary": "Refresh the campaign's partners now, in the background (their deliverables' numbers follow)",
            "security": [{"bearer": []}],
            "parameters": [_CID],
            "responses": {
                "202": {"description": "started (or already running)", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["campaign_id", "started", "running", "started_at"],
                    "properties": {"campaign_id": {"type": "string"}, "started": {"type": "boolean"},
                                   "running": {"type": "boolean"}, "started_at": {"type": "string"},
                                   "partners": {"type": "integer"}, "status_url": {"type": "string"}}}}}},
                "401": _err("missing or wrong token"),
                "403": _err("web-page Origin or foreign Host"),
                "404": _err("no such campaign"),
                "503": _err("the replay directory is unusable, or the refresh queue is unreachable"),
            },
        },
        "get": {
            "summary": "The campaign's latest refresh: running, counts, each partner's outcome",
            "security": [{"bearer": []}],
            "parameters": [_CID],
            "responses": {
                "200": {"description": "status", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["campaign_id", "running", "run", "partners"],
                    "properties": {
                        "campaign_id": {"type": "string"}, "running": {"type": "boolean"},
                        "run": {"type": ["object", "null"]},
                        "partners": {"type": "array", "items": {
                            "type": "object", "required": ["platform", "handle", "status"],
                            "properties": {"platform": {"type": "string"}, "handle": {"type": "string"},
                                           "status": {"type": "string"}, "reason": {"type": ["string", "null"]},
                                           "at": {"type": ["string", "null"]}}}}}}}}},
                "401": _err("missing or wrong token"),
                "403": _err("web-page Origin or foreign Host"),
                "404": _err("no such campaign"),
            },
        },
    },
}
