"""How stored records look in API answers (one place, so every route answers the same shapes)."""

from __future__ import annotations

from scraper import registry
from server.store import Repository

STALE_STATUSES = ("stale", "blocked", "error")


def profile_url(platform: str, handle: str) -> str | None:
    try:
        return registry.profile_url(platform, handle)
    except Exception:  # a platform module's helper failing must not break a listing
        return None


def is_stale(summary: dict) -> bool:
    """The last refresh failed after the last stored snapshot: the numbers shown may be old."""
    refresh = summary.get("refresh") or {}
    if refresh.get("status") not in STALE_STATUSES:
        return False
    return str(refresh.get("at") or "") >= str(summary.get("stored_at") or "")


def creator_view(summary: dict, watchlists: list[str] | None = None) -> dict:
    refresh = dict(summary.get("refresh") or {})
    return {
        "platform": summary["platform"],
        "handle": summary["handle"],
        "url": summary.get("url") or profile_url(summary["platform"], summary["handle"]),
        "display_name": summary.get("display_name"),
        "avatar_url": summary.get("avatar_url"),
        "followers": summary.get("followers"),
        "verified": summary.get("verified"),
        "tier": summary.get("tier"),
        "country": summary.get("country"),
        "engagement_rate": summary.get("engagement_rate"),
        "watchlists": list(watchlists or []),
        "fit": summary.get("fit"),
        "authenticity": summary.get("authenticity"),
        # the brief `fit` was scored against at the last capture (the active brief may have changed
        # since: GET .../scores answers for the brief of your choice)
        "fit_brief_id": summary.get("brief_id"),
        "growth_30d": summary.get("growth_30d"),
        "captured": bool(summary.get("captured")),
        "captured_at": summary.get("captured_at"),
        "snapshots": summary.get("snapshots", 0),
        "stale": is_stale(summary),
        "refresh": {
            "status": refresh.get("status"),
            "reason": refresh.get("reason"),
            "at": refresh.get("at"),
            "last_ok": refresh.get("last_ok"),
            "running": bool(refresh.get("running")),
        },
    }


def creator_view_for(store: Repository, summary: dict) -> dict:
    member_of = store.watchlists_of().get((summary["platform"], summary["key"]), [])
    return creator_view(summary, member_of)


def watchlist_view(doc: dict) -> dict:
    return {
        "id": doc["id"],
        "name": doc["name"],
        "refresh_interval_hours": doc.get("refresh_interval_hours"),
        "refresh_cron": doc.get("refresh_cron"),
        "creator_count": len(doc.get("creators") or []),
        "created_at": doc.get("created_at"),
        "updated_at": doc.get("updated_at"),
    }


def brief_view(doc: dict, active_id: str | None) -> dict:
    out = {"id": doc["id"]}
    out.update(doc["brief"])
    out.update(created_at=doc.get("created_at"), updated_at=doc.get("updated_at"), active=doc["id"] == active_id)
    return out


def note_view(doc: dict) -> dict:
    return {"id": doc["id"], "text": doc["text"], "created_at": doc["created_at"],
            "updated_at": doc.get("updated_at"), "author": doc.get("author"), "updated_by": doc.get("updated_by")}


def member_view(summary: dict, watchlists: list[str] | None = None) -> dict:
    """A watchlist's creator: its view and who added it when (None for members older than users)."""
    return {**creator_view(summary, watchlists), "added_by": summary.get("added_by"),
            "added_at": summary.get("added_at")}
