"""The briefs screen at `/briefs`: list the briefs (the active one marked), create, edit, duplicate,
delete (after a confirm page) and activate one, with the inputs a marketer types ("3%", "Germany",
"German", "10k"; server/scoring/brief_input.py reads them). The first brief made becomes the active
one. Whenever the brief in force changes, the API's background re-score runs, so fit scores follow.
"""

from __future__ import annotations

from flask import render_template, request

from scraper import registry
from server.api.briefs import rescore_active
from server.dashboard import bp, error_page, signed_in
from server.dashboard.forms import Done, form_action, when_missing
from server.scoring.brief_input import (
    CHOICE_FIELDS,
    LABELS,
    form_values,
    parse_brief_form,
    percent_text,
    tier_ranges,
)
from server.services import get_store


def _person_language() -> str | None:
    """The browser's first language ("de-DE"): its country and language names are tried first."""
    best = request.accept_languages.best
    return best if best and best != "*" else None


def _submitted() -> dict:
    return {k: (request.form.getlist(k) if k in CHOICE_FIELDS else request.form.get(k, ""))
            for k in LABELS}


def _form(values: dict, errors: dict[str, str], *, title: str, action: str, status: int = 200):
    platforms = [(p.name, p.label) for p in registry.PLATFORMS]
    return render_template("brief_form.html", values=values, errors=errors, title=title, action=action,
                           labels=LABELS, platforms=platforms, tiers=tier_ranges()), status


def _gone(**_route: str):  # the `missing` page (called with the route's arguments)
    return error_page(404, "No such brief", "This brief does not exist any more; it may have been deleted.")


@bp.get("/briefs")
@signed_in
def briefs():
    store = get_store()
    active = store.active_brief_id()
    rows = [dict(doc, summary=_summary(doc["brief"])) for doc in store.list_briefs()]
    rows.sort(key=lambda d: (d["id"] != active, d["brief"]["name"].casefold()))
    return render_template("briefs.html", briefs=rows, active=active)


def _summary(brief: dict) -> list[str]:
    """A brief in a few words for the list: "Germany · German · micro, mid · ER at least 3%"."""
    values = form_values(brief)
    parts = [values[f] for f in ("countries", "languages") if values[f]]
    if brief.get("platforms"):
        parts.append(", ".join(registry.BY_NAME[p].label for p in brief["platforms"] if p in registry.BY_NAME))
    if brief.get("tiers"):
        parts.append(", ".join(brief["tiers"]))
    if values["followers_min"] or values["followers_max"]:
        parts.append(f"{values['followers_min'] or '0'}–{values['followers_max'] or '∞'} followers")
    if brief.get("min_engagement_rate") is not None:
        parts.append(f"ER at least {percent_text(brief['min_engagement_rate'])}")
    if brief.get("max_sponsored_ratio") is not None:
        parts.append(f"paid posts at most {percent_text(brief['max_sponsored_ratio'])}")
    if brief.get("competitors"):
        parts.append(f"competitors: {', '.join(brief['competitors'][:6])} (within {brief.get('competitor_days', 90)} days)")
    if brief.get("keywords"):
        parts.append("keywords: " + ", ".join(brief["keywords"][:6]) + (" …" if len(brief["keywords"]) > 6 else ""))
    return parts


@bp.get("/briefs/new")
@signed_in
def new_brief():
    return _form(form_values(None), {}, title="New brief", action="/briefs/new")


@bp.post("/briefs/new")
@form_action(back="/briefs")
def create_brief():
    values = _submitted()
    brief, errors = parse_brief_form(values, _person_language())
    if errors:
        return _form(values, errors, title="New brief", action="/briefs/new", status=400)
    store = get_store()
    doc = store.create_brief(brief)
    if store.active_brief_id() is None:  # the first brief (or none in force): it is the one to score against
        store.set_active_brief(doc["id"])
        rescore_active(store)
        return Done(f"Brief “{brief['name']}” saved and made active: fit scores are being updated.")
    return Done(f"Brief “{brief['name']}” saved.")


@bp.get("/briefs/<bid>/edit")
@signed_in
@when_missing(_gone)
def edit_brief(bid: str):
    doc = get_store().get_brief(bid)
    return _form(form_values(doc["brief"]), {}, title=f"Edit “{doc['brief']['name']}”", action=f"/briefs/{bid}/edit")


@bp.post("/briefs/<bid>/edit")
@form_action(back="/briefs", missing=_gone)
def save_brief(bid: str):
    store = get_store()
    doc = store.get_brief(bid)
    values = _submitted()
    brief, errors = parse_brief_form(values, _person_language(), keep=doc["brief"])
    if errors:
        return _form(values, errors, title=f"Edit “{doc['brief']['name']}”", action=f"/briefs/{bid}/edit",
                     status=400)
    store.replace_brief(bid, brief)
    if store.active_brief_id() == bid:
        rescore_active(store)
        return Done(f"Brief “{brief['name']}” saved: fit scores are being updated.")
    return Done(f"Brief “{brief['name']}” saved.")


@bp.post("/briefs/<bid>/duplicate")
@form_action(back="/briefs", missing=_gone)
def duplicate_brief(bid: str):
    store = get_store()
    original = store.get_brief(bid)["brief"]
    copy = dict(original, name=f"{original['name']} (copy)"[:200])
    made = store.create_brief(copy)
    return Done(f"Made “{copy['name']}”: edit it below.", to=f"/briefs/{made['id']}/edit")


@bp.post("/briefs/<bid>/activate")
@form_action(back="/briefs", missing=_gone)
def activate_brief(bid: str):
    store = get_store()
    name = store.get_brief(bid)["brief"]["name"]
    if store.active_brief_id() != bid:
        store.set_active_brief(bid)
        rescore_active(store)
    return Done(f"“{name}” is the active brief: fit scores are being updated.")


@bp.get("/briefs/<bid>/delete")
@signed_in
@when_missing(_gone)
def confirm_delete_brief(bid: str):
    doc = get_store().get_brief(bid)
    return render_template("briefs_delete.html", doc=doc, active=get_store().active_brief_id() == bid)


@bp.post("/briefs/<bid>/delete")
@form_action(back="/briefs", missing=_gone)
def delete_brief(bid: str):
    store = get_store()
    name = store.get_brief(bid)["brief"]["name"]
    was_active = store.active_brief_id() == bid
    store.delete_brief(bid)
    if was_active:
        rescore_active(store)  # no brief in force any more: fit goes back to "needs a brief"
        return Done(f"Deleted “{name}”. No brief is active now: activate another for fit scores.")
    return Done(f"Deleted “{name}”.")
