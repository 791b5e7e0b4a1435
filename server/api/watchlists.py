"""Watchlists: create, rename, change the refresh interval, delete, list; add and remove creators."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scraper import registry
from server.services import get_store
from server.api import api
from server.api.errors import invalid
from server.api.users import author
from server.api.validation import NoQuery, body, check_creator_path, handle_message, query
from server.api.views import creator_view_for, member_view, watchlist_view
from server.store import DEFAULT_REFRESH_HOURS

MIN_INTERVAL_HOURS = 1  # a platform is not asked about a creator more often (an interval or a crontab line)
Name = Field(min_length=1, max_length=100)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Cron = Field(default=None, max_length=100,
             description='a crontab line ("0 6 * * *") that replaces the interval; "" clears it')


def _check_cron(value: str | None) -> str | None:
    """A crontab line that fires, at most every MIN_INTERVAL_HOURS, or "" (clear) / None (unchanged)."""
    if value:
        from server.cron import CronError, check_crontab

        try:
            check_crontab(value, timedelta(hours=MIN_INTERVAL_HOURS))
        except CronError as exc:
            raise ValueError(f"Not a usable crontab line (minute hour day month weekday): {exc}.") from None
    return value


class WatchlistCreate(_Strict):
    name: str = Name
    # strict: `true` is not 1 hour
    refresh_interval_hours: float = Field(default=DEFAULT_REFRESH_HOURS, ge=MIN_INTERVAL_HOURS, le=24 * 365,
                                          strict=True)
    refresh_cron: str | None = Cron

    @field_validator("refresh_cron")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        return _check_cron(v)


class WatchlistPatch(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    refresh_interval_hours: float | None = Field(default=None, ge=MIN_INTERVAL_HOURS, le=24 * 365, strict=True)
    refresh_cron: str | None = Cron

    @field_validator("refresh_cron")
    @classmethod
    def _cron(cls, v: str | None) -> str | None:
        return _check_cron(v)

    @model_validator(mode="after")
    def _something(self):
        if self.name is None and self.refresh_interval_hours is None and self.refresh_cron is None:
            raise ValueError("Give at least one of name, refresh_interval_hours, refresh_cron.")
        return self


class WatchlistMember(_Strict):
    """{platform, handle} of a creator, or just {url} of a profile (captured or not)."""

    platform: str | None = Field(default=None, max_length=20)
    handle: str | None = Field(default=None, max_length=120)
    url: str | None = Field(default=None, max_length=2048)

    @field_validator("handle")
    @classmethod
    def _at(cls, v: str | None) -> str | None:
        return v[1:] if v and v.startswith("@") else v

    @model_validator(mode="after")
    def _one_form(self):
        if self.url is None and (self.platform is None or self.handle is None):
            raise ValueError("Give {platform, handle} or {url}.")
        return self


@api.get("/watchlists")
def list_watchlists():
    query(NoQuery)
    return jsonify({"items": [watchlist_view(w) for w in get_store().list_watchlists()]})


@api.post("/watchlists")
def create_watchlist():
    data = body(WatchlistCreate)
    doc = get_store().create_watchlist(data.name, data.refresh_interval_hours, data.refresh_cron or None)
    return jsonify(watchlist_view(doc)), 201


@api.get("/watchlists/<wid>")
def get_watchlist(wid: str):
    query(NoQuery)
    store = get_store()
    out = watchlist_view(store.get_watchlist(wid))
    member_of = store.watchlists_of()
    out["creators"] = [member_view(s, member_of.get((s["platform"], s["key"]))) for s in store.watchlist_creators(wid)]
    return jsonify(out)


@api.patch("/watchlists/<wid>")
def patch_watchlist(wid: str):
    data = body(WatchlistPatch)
    changes = data.model_dump(exclude_none=True)
    return jsonify(watchlist_view(get_store().update_watchlist(wid, **changes)))


@api.delete("/watchlists/<wid>")
def delete_watchlist(wid: str):
    get_store().delete_watchlist(wid)
    return "", 204


def member_identity(data: WatchlistMember) -> tuple[str, str, str | None]:
    """(platform, handle, profile URL) of a member given as {platform, handle} or {url} (the API's
    and the dashboard's "add by URL"); a 400 naming the bad field otherwise."""
    if data.platform is not None and data.handle is not None:
        fields = {}
        if data.platform not in registry.NAMES:
            fields["platform"] = f"Must be one of {', '.join(registry.NAMES)}."
        elif not registry.valid_handle(data.platform, data.handle):
            fields["handle"] = handle_message(data.platform)
        if fields:
            raise invalid(fields)
        return data.platform, data.handle, data.url
    module = registry.platform_for(data.url)
    if module is None:
        supported = ", ".join(p.label for p in registry.PLATFORMS)
        raise invalid({"url": f"Not a URL of a supported platform ({supported})."})
    handle = module.handle_from_url(data.url)
    if not handle or not registry.valid_handle(module.name, handle):
        raise invalid({"url": f"This {module.label} URL does not name a creator profile."})
    return module.name, handle, module.profile_url(handle)


@api.post("/watchlists/<wid>/creators")
def add_creator(wid: str):
    data = body(WatchlistMember)
    store = get_store()
    store.get_watchlist(wid)  # 404 before anything is created
    platform, handle, url = member_identity(data)
    summary = store.add_to_watchlist(wid, platform, handle, url, author=author())
    # who added it: this request, or whoever added it before (a member stays the first adder's)
    member = next((m for m in store.get_watchlist(wid).get("creators") or []
                   if (m.get("platform"), m.get("key")) == (summary["platform"], summary["key"])), {})
    return jsonify({"creator": creator_view_for(store, summary), "added_by": member.get("added_by"),
                    "added_at": member.get("added_at")}), 201


@api.delete("/watchlists/<wid>/creators/<platform>/<handle>")
def remove_creator(wid: str, platform: str, handle: str):
    check_creator_path(platform, handle)
    get_store().remove_from_watchlist(wid, platform, handle)
    return "", 204
