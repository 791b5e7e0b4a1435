"""The discovery page at `/discovery`: candidates with the paths that found them, their tier badge
and shown follower count, filters (a GET form) and pages; "Check selected" queues a polite refresh
of the ticked candidates (the page reloads itself by a meta refresh while checks run, no script),
and "Add to watchlist" adds them to a watchlist. Both POSTs call what the API calls."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, render_template, request

from server.api.users import author
from server.dashboard import bp, error_page, signed_in
from server.dashboard.forms import Done, Refused, form_action, refusing
from server.discovery import candidate_view
from server.refresh import RefreshError, load_replay
from server.services import get_candidate_checks, get_store
from server.store import PLATFORMS, NotFound, StoreError
from server.store.candidates import PATH_KINDS

PAGE = 50
CHECKED = {"": None, "yes": True, "no": False}
SOURCE_WORDS = {"search": "search pages", "hashtag": "tag pages", "related": "related channels",
                "followers": "follower lists", "following": "following lists", "comments": "comments",
                "mention": "mentions", "tag": "tagged in posts", "collab": "collaborations", "brand": "brands"}


def _filters() -> tuple[dict, list[str]]:
    """The page's filters from the query string, and what is wrong with them, in words."""
    args = request.args
    f = {k: (args.get(k) or "").strip() for k in ("source", "platform", "tier", "checked")}
    problems = []
    if f["source"] and f["source"] not in PATH_KINDS:
        problems.append(f"“{f['source'][:40]}” is not a source kolscope knows.")
    if f["platform"] and f["platform"] not in PLATFORMS:
        problems.append(f"“{f['platform'][:40]}” is not a platform kolscope knows.")
    if f["checked"] not in CHECKED:
        problems.append("“Checked” is yes, no or empty.")
    if len(f["tier"]) > 32:
        problems.append("The tier is too long.")
    try:
        f["offset"] = max(0, int(args.get("offset") or 0))
    except ValueError:
        problems.append("The page number is not a number.")
    return f, problems


@bp.get("/discovery")
@signed_in
def discovery():
    f, problems = _filters()
    if problems:
        return error_page(400, "Those filters are not valid", " ".join(problems) + " Open the discovery page again.")
    store = get_store()
    page = store.list_candidates(source=f["source"] or None, platform=f["platform"] or None,
                                 tier=f["tier"] or None, checked=CHECKED[f["checked"]], limit=PAGE,
                                 offset=f["offset"], across_platforms=not f["platform"])
    shown = {k: v for k, v in f.items() if k != "offset" and v}
    links = {"next": f"/discovery?{urlencode({**shown, 'offset': page.next})}" if page.next is not None else None,
             "prev": f"/discovery?{urlencode({**shown, 'offset': max(0, f['offset'] - PAGE)})}"
             if f["offset"] else None}
    checks = get_candidate_checks().status()
    return render_template("discovery.html", candidates=[candidate_view(c) for c in page.items], total=page.total,
                           offset=f["offset"], filters=f, links=links, checks=checks, sources=SOURCE_WORDS,
                           platforms=PLATFORMS, watchlists=store.list_watchlists(),
                           back=request.full_path.rstrip("?"))


def _back() -> str:
    back = request.form.get("back") or ""
    return back if back.startswith("/discovery") and "//" not in back else "/discovery"


def _selected() -> list[dict]:
    """The ticked candidates (Refused when none is ticked or one is unknown)."""
    ids = request.form.getlist("id")
    if not ids:
        raise Refused("Select at least one candidate first.")
    store = get_store()
    with refusing(NotFound, "A selected candidate no longer exists; reload the page and try again."):
        return [store.get_candidate(cid) for cid in dict.fromkeys(ids)]


@bp.post("/discovery/check")
@form_action(back=_back)
def discovery_check():
    chosen = _selected()
    with refusing(RefreshError, lambda exc: f"Cannot check candidates now: {exc.message}"):
        replay = load_replay(current_app.config.get("REPLAY_DIR"))
    done = get_candidate_checks().queue([c["id"] for c in chosen], replay=replay,
                                        fetcher_options=current_app.config.get("REFRESH_FETCHER_OPTIONS") or None)
    n, already = len(done["queued"]), len(done["already"])
    words = f"Checking {n} candidate{'s' if n != 1 else ''}" + (f" ({already} already queued)" if already else "")
    return Done(words + ": their pages are fetched politely, one platform request at a time.")


@bp.post("/discovery/watch")
@form_action(back=_back)
def discovery_watch():
    chosen = _selected()
    store = get_store()
    with refusing(NotFound, "Choose a watchlist first (create one on the Watchlists page)."):
        wl = store.get_watchlist(request.form.get("watchlist") or "")
    with refusing(StoreError, lambda exc: f"Not all were added: {exc.message}"):
        for c in chosen:
            store.add_to_watchlist(wl["id"], c["platform"], c["handle"], candidate_view(c)["url"], author=author())
    return Done(f"Added {len(chosen)} to the watchlist “{wl['name']}”.")
