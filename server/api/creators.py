"""Creators: the listing (filter, sort, page), one creator, its history and its scores."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from server import get_store
from server.api import api
from server.api.errors import ApiError
from server.api.validation import NoQuery, check_creator_path, query
from server.api.views import creator_view, creator_view_for
from server.rescore import is_current, scores_for_latest
from server.scoring.decision import decision_numbers
from server.store import PLATFORMS, NotFound

SORTS = ("score", "fit", "authenticity", "followers", "growth", "handle", "captured_at")
HISTORY_SUMMARY_POINTS = 90


class CreatorsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]
    watchlist: str | None = Field(default=None, max_length=64)
    tier: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    q: str | None = Field(default=None, max_length=200)
    sort: Literal[SORTS] = "score"  # type: ignore[valid-type]
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


def _score_of(part: dict | None) -> float | None:
    return part.get("score") if isinstance(part, dict) else None


def _sort_value(c: dict, sort: str):
    if sort == "score":  # fit when a brief gave one, else authenticity
        fit = _score_of(c.get("fit"))
        return fit if fit is not None else _score_of(c.get("authenticity"))
    if sort in ("fit", "authenticity"):
        return _score_of(c.get(sort))
    if sort == "growth":
        return c.get("growth_30d")
    if sort == "handle":
        return c.get("key")
    return c.get(sort)


@api.get("/creators")
def list_creators():
    args = query(CreatorsQuery)
    store = get_store()
    member_of = store.watchlists_of()
    items = store.list_creators()
    if args.platform:
        items = [c for c in items if c["platform"] == args.platform]
    if args.watchlist:
        wl = store.get_watchlist(args.watchlist)
        keys = {(m["platform"], m["key"]) for m in wl["creators"]}
        items = [c for c in items if (c["platform"], c["key"]) in keys]
    if args.tier:
        items = [c for c in items if (c.get("tier") or "").lower() == args.tier.lower()]
    if args.country:
        items = [c for c in items if (c.get("country") or "").upper() == args.country.upper()]
    if args.q:
        needle = args.q.casefold()
        items = [c for c in items
                 if needle in (c.get("handle") or "").casefold() or needle in (c.get("display_name") or "").casefold()]
    order = args.order or ("asc" if args.sort == "handle" else "desc")
    present = [c for c in items if _sort_value(c, args.sort) is not None]
    missing = [c for c in items if _sort_value(c, args.sort) is None]
    present.sort(key=lambda c: _sort_value(c, args.sort), reverse=order == "desc")
    missing.sort(key=lambda c: c["key"])
    items = present + missing  # unknown values last, whatever the order
    page = items[args.offset: args.offset + args.limit]
    return jsonify({
        "items": [creator_view(c, member_of.get((c["platform"], c["key"]))) for c in page],
        "total": len(items), "limit": args.limit, "offset": args.offset,
    })


def _summary_or_404(platform: str, handle: str) -> dict:
    check_creator_path(platform, handle)
    summary = get_store().get_creator(platform, handle)
    if summary is None:
        raise NotFound(f"Creator {platform}/{handle}")
    return summary


def _history_summary(points: list[dict], summary: dict) -> dict:
    series = [{"captured_at": p.get("captured_at"), "followers": p.get("followers")}
              for p in points[-HISTORY_SUMMARY_POINTS:]]
    return {
        "points": len(points),
        "first_captured_at": points[0].get("captured_at") if points else None,
        "last_captured_at": points[-1].get("captured_at") if points else None,
        "growth_30d": summary.get("growth_30d"),
        "followers": series,
    }


@api.get("/creators/<platform>/<handle>")
def get_creator(platform: str, handle: str):
    query(NoQuery)
    summary = _summary_or_404(platform, handle)
    store = get_store()
    latest = store.latest(platform, handle) or {}
    points = store.history(platform, handle)
    return jsonify({
        "creator": creator_view_for(store, summary),
        "snapshot": latest.get("snapshot"),
        "scores": latest.get("scores"),
        "decision": decision_numbers(latest["snapshot"]) if latest.get("snapshot") else None,
        "history": _history_summary(points, summary),
    })


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int | None = Field(default=None, ge=1, le=100_000)


@api.get("/creators/<platform>/<handle>/history")
def get_history(platform: str, handle: str):
    args = query(HistoryQuery)
    summary = _summary_or_404(platform, handle)
    points = get_store().history(platform, handle)
    if args.limit:
        points = points[-args.limit:]
    return jsonify({"platform": summary["platform"], "handle": summary["handle"], "points": points})


class ScoresQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    brief: str | None = Field(default=None, max_length=64)


@api.get("/creators/<platform>/<handle>/scores")
def get_scores(platform: str, handle: str):
    """Scores of the latest snapshot against `?brief=<id>` (default: the active brief). The stored
    scores answer when they were computed with that brief as it is now; otherwise they are
    recomputed (nothing is written: a GET)."""
    args = query(ScoresQuery)
    _summary_or_404(platform, handle)
    store = get_store()
    brief_doc = store.get_brief(args.brief) if args.brief else store.active_brief()
    brief_id = brief_doc["id"] if brief_doc else None
    latest = store.latest(platform, handle)
    if latest is None or latest.get("snapshot") is None:
        raise ApiError(409, "not_captured", f"{platform}/{handle} has not been captured yet: no scores.")
    if is_current(latest, brief_doc):
        scores = latest["scores"]
    else:
        scores = scores_for_latest(store, platform, handle, latest, brief_doc)
    return jsonify({"brief_id": brief_id, "scores": scores})
