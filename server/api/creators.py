"""Creators: the listing (the store's find_creators), one creator, its history and its scores;
forgetting a creator, and clearing the browsed ones (creators in no watchlist)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from server.services import get_store
from server.api import api
from server.api.errors import ApiError
from server.api.validation import NoQuery, check_creator_path, query, validate
from server.api.views import creator_view, creator_view_for
from server.rescore import is_current, scores_for_latest
from server.scoring.decision import decision_numbers
from server.store import CONFIDENCES, PLATFORMS, REFRESH_FILTERS, SORTS, Conflict, CreatorQuery, NotFound, Repository

HISTORY_SUMMARY_POINTS = 90


Score = Field(default=None, ge=0, le=100, allow_inf_nan=False)
Percent = Field(default=None, ge=-100, le=1_000_000, allow_inf_nan=False)


class CreatorsQuery(BaseModel):
    """The listing's query string; the dashboard's lists read theirs with the same model
    (`creator_query`), so a filter means the same in both."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]
    watchlist: str | None = Field(default=None, max_length=64)
    in_watchlist: bool | None = None
    tier: str | None = Field(default=None, max_length=32)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}$")
    min_fit: float | None = Score
    min_authenticity: float | None = Score
    min_confidence: Literal[CONFIDENCES] | None = None  # type: ignore[valid-type]
    min_growth: float | None = Percent
    max_growth: float | None = Percent
    captured_since: date | None = None
    refresh: Literal[REFRESH_FILTERS] | None = None  # type: ignore[valid-type]
    q: str | None = Field(default=None, max_length=200)
    sort: Literal[SORTS] = "score"  # type: ignore[valid-type]
    order: Literal["asc", "desc"] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0)

    def to_query(self, **fixed: Any) -> CreatorQuery:
        args = self.model_dump()
        if self.captured_since is not None:
            args["captured_since"] = self.captured_since.isoformat()
        args.update(fixed)
        return CreatorQuery(**args)


def creator_query(args: Mapping[str, Any], **fixed: Any) -> CreatorQuery:
    """A CreatorQuery from query-string values (400 `invalid` naming every bad one); `fixed` sets
    what the caller decides (the dashboard: the watchlist of the page, the shortlist or not)."""
    return validate(CreatorsQuery, dict(args)).to_query(**fixed)


@api.get("/creators")
def list_creators():
    args = query(CreatorsQuery)
    store = get_store()
    page = store.find_creators(args.to_query())
    member_of = store.watchlists_of()
    return jsonify({
        "items": [creator_view(c, member_of.get((c["platform"], c["key"]))) for c in page.items],
        "total": page.total, "limit": args.limit, "offset": args.offset,
    })


def browsed_keys(store: Repository) -> list[tuple[str, str]]:
    """(platform, handle) of every creator in no watchlist: the browsed ones."""
    page = store.find_creators(CreatorQuery(in_watchlist=False, sort="handle", limit=None))
    return [(c["platform"], c["handle"] or c["key"]) for c in page.items]


def clear_browsed(store: Repository) -> int:
    """Forget every creator in no watchlist (the store re-checks membership under its lock, so a
    creator watchlisted meanwhile stays, and keeps campaign partners); answers how many it forgot."""
    return store.forget_creators(browsed_keys(store))


def forget_creator(store: Repository, platform: str, handle: str) -> None:
    """Forget one creator; NotFound when unknown, Conflict while it is in a watchlist or a campaign."""
    summary = store.get_creator(platform, handle)
    if summary is None:
        raise NotFound(f"Creator {platform}/{handle}")
    if store.watchlists_of().get((summary["platform"], summary["key"])):
        raise Conflict(f"{platform}/{handle} is in a watchlist: remove it from its watchlists first.")
    if not store.forget_creators([(platform, handle)]):
        raise Conflict(f"{platform}/{handle} is a partner in a campaign: remove it from the campaign first.")


@api.delete("/creators/<platform>/<handle>")
def delete_creator(platform: str, handle: str):
    query(NoQuery)
    check_creator_path(platform, handle)
    forget_creator(get_store(), platform, handle)
    return "", 204


@api.post("/browsed/clear")
def clear_browsed_creators():
    query(NoQuery)
    return jsonify({"forgotten": clear_browsed(get_store())})


def _record_or_404(platform: str, handle: str) -> dict:
    """{summary, latest, history} of a creator (one read of its file), or a 404."""
    check_creator_path(platform, handle)
    record = get_store().creator_record(platform, handle)
    if record is None:
        raise NotFound(f"Creator {platform}/{handle}")
    return record


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
    record = _record_or_404(platform, handle)
    summary, latest, points = record["summary"], record["latest"] or {}, record["history"]
    return jsonify({
        "creator": creator_view_for(get_store(), summary),
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
    record = _record_or_404(platform, handle)
    summary, points = record["summary"], record["history"]
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
    latest = _record_or_404(platform, handle)["latest"]
    store = get_store()
    brief_doc = store.get_brief(args.brief) if args.brief else store.active_brief()
    brief_id = brief_doc["id"] if brief_doc else None
    if latest is None or latest.get("snapshot") is None:
        raise ApiError(409, "not_captured", f"{platform}/{handle} has not been captured yet: no scores.")
    if is_current(latest, brief_doc):
        scores = latest["scores"]
    else:
        scores = scores_for_latest(store, platform, handle, latest, brief_doc)
    return jsonify({"brief_id": brief_id, "scores": scores})
