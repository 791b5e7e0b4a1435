"""Watchlists in the dashboard: `/watchlists` (each with its count, refresh interval and last refresh;
a form to make one) and `/watchlists/<id>` (its creators filtered, sorted and paged as on `/`; remove,
move or copy a creator; rename, delete, set the refresh interval, refresh now with its progress, add a
creator by its profile URL, exports and reports).

Every form here is a POST (form_action: session + CSRF) that calls the same validation and store
functions as the API (server/api/watchlists.py, refresh.py) and redirects (303) back with a notice
in plain words. While a refresh runs, the page reloads itself every 2 s with a <meta> refresh (no
script: the CSP allows none) and says how far it got.
"""

from __future__ import annotations

from flask import current_app, render_template, request
from pydantic import ValidationError

from scraper import registry

from server.api.errors import ApiError
from server.api.refresh import start_refresh
from server.api.users import author
from server.api.views import watchlist_view
from server.api.watchlists import MIN_INTERVAL_HOURS, WatchlistCreate, WatchlistMember, WatchlistPatch, member_identity
from server.dashboard import bp, error_page, signed_in
from server.dashboard.forms import Done, Refused, form_action, refusing, when_missing
from server.dashboard.listing import filter_choices, read_listing
from server.scheduler import next_run, notify_watchlists_changed
from server.services import get_refreshes, get_store
from server.store import Conflict, NotFound, StoreError

MAX_INTERVAL_HOURS = 24 * 365


def example_urls(n: int = 2) -> list[str]:
    """Profile URLs to show as examples ("https://<host>/@name"), from the registry's platforms."""
    out = []
    for p in registry.PLATFORMS:
        try:
            out.append(p.profile_url("name"))
        except ValueError:  # a platform known by account ids has no handle to show
            continue
    return out[:n]


def paste_a_url() -> str:
    return f"Paste a creator's profile URL ({', '.join(example_urls())}, ...)."
NAME_PROBLEM = "Give the watchlist a name (1 to 100 characters)."
INTERVAL_PROBLEM = f"The refresh interval is a number of hours from {MIN_INTERVAL_HOURS} to {MAX_INTERVAL_HOURS}."


def _local(path: str | None, default: str) -> str:
    """A redirect target from a form: a path of this site only (never `//host` or a full URL)."""
    if path and path.startswith("/") and not path.startswith(("//", "/\\")):
        return path
    return default


def _hours(text: str | None) -> float | None:
    """The refresh interval a person typed ("24", "6.5", "12 h"), or None when it is not one."""
    raw = (text or "").strip().lower().removesuffix("hours").removesuffix("h").strip().replace(",", ".")
    try:
        hours = float(raw)
    except ValueError:
        return None
    return hours if MIN_INTERVAL_HOURS <= hours <= MAX_INTERVAL_HOURS else None


def _missing(wid: str):
    return error_page(404, "No such watchlist",
                      f"There is no watchlist {wid}: it may have been deleted. See all of them under Watchlists.")


def _last_refresh(summaries: list[dict]) -> str | None:
    times = [str(s["refresh"]["at"]) for s in summaries if (s.get("refresh") or {}).get("at")]
    return max(times) if times else None


# -- the list of watchlists -------------------------------------------------------------------------

@bp.get("/watchlists")
@signed_in
def watchlists():
    store, refreshes = get_store(), get_refreshes()
    rows = []
    for doc in store.list_watchlists():
        run = refreshes.current_run(doc["id"])
        rows.append(dict(watchlist_view(doc), last_refresh=_last_refresh(store.watchlist_creators(doc["id"])),
                         running=bool(run and run.running), next_run=next_run(current_app, doc["id"])))
    return render_template("watchlists.html", watchlists=rows)


def _name_taken(name: str) -> str:
    return f"A watchlist named “{name}” exists already: pick another name."


@bp.post("/watchlists")
@form_action(back="/watchlists")
def create_watchlist():
    name = (request.form.get("name") or "").strip()
    hours = _hours(request.form.get("refresh_interval_hours") or "24")
    problems = []
    if not 1 <= len(name) <= 100:
        problems.append(NAME_PROBLEM)
    if hours is None:
        problems.append(INTERVAL_PROBLEM)
    if problems:
        raise Refused(*problems)
    data = WatchlistCreate(name=name, refresh_interval_hours=hours)
    with refusing(Conflict, _name_taken(name)):
        doc = get_store().create_watchlist(data.name, data.refresh_interval_hours)
    notify_watchlists_changed(current_app)
    return Done(f"Watchlist “{doc['name']}” made. Add creators by their profile URL below.",
                to=f"/watchlists/{doc['id']}")


# -- one watchlist ------------------------------------------------------------------------------------

@bp.get("/watchlists/<wid>")
@signed_in
@when_missing(_missing)
def watchlist(wid: str):
    store = get_store()
    doc = store.get_watchlist(wid)
    run = get_refreshes().current_run(wid)
    running = bool(run and run.running)
    waiting: set[tuple[str, str]] = set()
    progress = None
    if run is not None and running:
        waiting = {(c.platform, c.handle.casefold()) for c in run.creators if c.status == "queued"}
        done = sum(1 for c in run.creators if c.status not in ("queued", "running"))
        progress = {"done": done, "total": len(run.creators)}
    listing = read_listing(store, f"/watchlists/{wid}", request.args, watchlist=wid,
                           queued=lambda s: (s["platform"], str(s.get("handle")).casefold()) in waiting)
    members = store.watchlist_creators(wid)
    added = {(m["platform"], m.get("handle")): m for m in members}
    for row in listing.creators:  # who bookmarked each creator shown, and when (issue 16)
        member = added.get((row["platform"], row["handle"])) or {}
        row["added_by"], row["added_at"] = member.get("added_by"), member.get("added_at")
    all_lists = [watchlist_view(w) for w in store.list_watchlists()]
    return render_template(
        "watchlist.html", w=watchlist_view(doc), listing=listing, choices=filter_choices(),
        watchlists=all_lists, names={x["id"]: x["name"] for x in all_lists}, progress=progress,
        example_url=example_urls(1)[0] if example_urls(1) else "",
        last_run=run if run is not None and not running else None,
        last_refresh=_last_refresh(members), next_run=next_run(current_app, wid),
    ), 400 if listing.errors else 200


def _back(wid: str) -> str:
    return _local(request.form.get("back"), f"/watchlists/{wid}")


def _here(wid: str) -> str:
    return f"/watchlists/{wid}"


@bp.post("/watchlists/<wid>/rename")
@form_action(back=_here, missing=_missing)
def rename_watchlist(wid: str):
    name = (request.form.get("name") or "").strip()
    if not 1 <= len(name) <= 100:
        raise Refused(NAME_PROBLEM)
    with refusing(Conflict, _name_taken(name)):
        get_store().update_watchlist(wid, **WatchlistPatch(name=name).model_dump(exclude_none=True))
    return Done(f"Renamed to “{name}”.")


@bp.post("/watchlists/<wid>/interval")
@form_action(back=_here, missing=_missing)
def set_interval(wid: str):
    hours = _hours(request.form.get("refresh_interval_hours"))
    if hours is None:
        raise Refused(INTERVAL_PROBLEM)
    # the dashboard sets an interval; a crontab line set through the API would override it, so it goes
    get_store().update_watchlist(wid, refresh_interval_hours=hours, refresh_cron="")
    notify_watchlists_changed(current_app)
    return Done(f"This watchlist is now refreshed every {hours:g} h.")


@bp.get("/watchlists/<wid>/delete")
@signed_in
@when_missing(_missing)
def confirm_delete(wid: str):
    doc = get_store().get_watchlist(wid)
    count = len(doc.get("creators") or [])
    return render_template(
        "watchlist_confirm.html", title=f"Delete the watchlist “{doc['name']}”?",
        message=(f"The watchlist goes; its {count} creator(s) stay stored (those in no other watchlist "
                 "move to Browsed), with their history and notes."),
        action=f"/watchlists/{wid}/delete", button="Delete the watchlist", back=f"/watchlists/{wid}")


@bp.post("/watchlists/<wid>/delete")
@form_action(back="/watchlists", missing=_missing)
def delete_watchlist(wid: str):
    store = get_store()
    name = store.get_watchlist(wid)["name"]
    store.delete_watchlist(wid)
    notify_watchlists_changed(current_app)
    return Done(f"Deleted the watchlist “{name}”.")


@bp.post("/watchlists/<wid>/refresh")
@form_action(back=_here, missing=_missing)
def refresh_watchlist(wid: str):
    if not get_store().get_watchlist(wid)["creators"]:
        raise Refused("This watchlist has no creator to refresh yet.")
    try:
        run, started = start_refresh(wid)
    except ApiError as exc:
        if exc.code == "not_found":
            return _missing(wid)
        raise Refused(f"The refresh could not start: {exc.message}") from exc
    return Done(f"Refreshing {len(run.creators)} creator(s) now." if started
                else "A refresh of this watchlist is already running.")


@bp.post("/watchlists/<wid>/add")
@form_action(back=_here, missing=_missing)
def add_by_url(wid: str):
    url = (request.form.get("url") or "").strip()
    store = get_store()
    store.get_watchlist(wid)
    if not url:
        raise Refused(paste_a_url())
    with (refusing(ValidationError, paste_a_url()),
          refusing(ApiError, lambda exc: f"{(exc.fields or {}).get('url') or exc.message} ({url[:200]})")):
        platform, handle, profile = member_identity(WatchlistMember(url=url[:2048]))
    summary = store.get_creator(platform, handle)
    if summary is not None and wid in store.watchlists_of().get((summary["platform"], summary["key"]), []):
        raise Refused(f"@{summary['handle'] or handle} ({platform}) is in this watchlist already.")
    summary = store.add_to_watchlist(wid, platform, handle, profile, author=author())
    said = "added" if summary.get("captured") else "added; not captured yet (Refresh now, or open it with the extension)"
    return Done(f"@{summary['handle'] or handle} ({platform}) {said}.")


def _target(store, wid: str) -> dict:
    """The watchlist a move/copy/add names in its `to` field (Refused when it names none, this one,
    or one that is gone)."""
    to = request.form.get("to") or ""
    if not to:
        raise Refused("Pick the watchlist to put the creator in.")
    if to == wid:
        raise Refused("That is this watchlist: pick another one.")
    with refusing(NotFound, "That watchlist no longer exists."):
        return store.get_watchlist(to)


@bp.post("/watchlists/<wid>/member")
@form_action(back=_back, missing=_missing)
def member_action(wid: str):
    """A row's buttons: remove the creator from this watchlist, or move or copy it to another."""
    store = get_store()
    action = request.form.get("action")
    platform, handle = request.form.get("platform") or "", request.form.get("handle") or ""
    if action not in ("remove", "move", "copy"):
        raise Refused("Use the Remove, Move or Copy button of a creator's row.")
    name = store.get_watchlist(wid)["name"]
    target = _target(store, wid) if action in ("move", "copy") else None
    # not a member (removed in another tab), or not even a valid handle
    with refusing(StoreError, f"@{handle} is not in “{name}” (any more)."):
        summary = store.get_creator(platform, handle)
        if summary is None or wid not in store.watchlists_of().get((summary["platform"], summary["key"]), []):
            raise NotFound(f"{platform}/{handle} in watchlist {wid}")
        if target is not None:
            store.add_to_watchlist(target["id"], platform, handle, author=author())
        if action in ("remove", "move"):
            store.remove_from_watchlist(wid, platform, handle)
    return Done({"remove": f"Removed @{handle} from “{name}”.",
                 "move": f"Moved @{handle} to “{target['name'] if target else ''}”.",
                 "copy": f"Copied @{handle} to “{target['name'] if target else ''}”."}[action])


@bp.post("/watchlists/add-creator")
@form_action(back=lambda: _local(request.form.get("back"), "/"))
def add_creator_to():
    """The shortlist's and Browsed's row form: put a stored creator in a watchlist."""
    store = get_store()
    platform, handle = request.form.get("platform") or "", request.form.get("handle") or ""
    target = _target(store, "")
    with refusing(StoreError, f"kolscope has no creator {platform}/@{handle} (any more)."):
        if store.get_creator(platform, handle) is None:
            raise NotFound(f"Creator {platform}/{handle}")
        store.add_to_watchlist(target["id"], platform, handle, author=author())
    return Done(f"Added @{handle} to “{target['name']}”.")
