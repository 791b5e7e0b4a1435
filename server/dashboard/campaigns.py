"""The campaign screens: `/campaigns` (the list and a form to set one up with its KPIs) and
`/campaigns/<id>` (KPI progress, each partner's results, plan and fair price, deliverables with their
numbers over time, the timeline, orders import), and the report as HTML, PDF and CSV.

Every write is a dashboard form (`form_action`: session + CSRF) turned into the API's own request body
and checked by the API's own models and functions (server/api/campaigns.py), so the dashboard cannot
store what the API would refuse; a refusal comes back as a notice listing each field in words.
"""

from __future__ import annotations

from flask import Response, current_app, render_template, request, url_for

from scraper import registry
from server.api.campaign_refresh import campaign_refresh_status, start_campaign_refresh
from server.api.campaigns import (
    add_deliverable, add_partner, campaign_advice, create_campaign, import_orders, update_partner,
)
from server.api.errors import ApiError
from server.api.users import author
from server.campaigns.price import FORMATS
from server.campaigns.results import KPI_METRICS, OBJECTIVES
from server.dashboard import bp, error_page, signed_in
from server.dashboard.forms import Done, Refused, form_action, refusing, when_missing
from server.dashboard.campaign_forms import KPI_ROWS, campaign_body, deliverable_body, partner_body, plan_body
from server.dashboard.campaign_views import campaign_csv, campaign_view
from server.dashboard.reports import filename, html_download, pdf_download, report_html
from server.services import get_store
from server.store import Conflict
from server.store.base import PARTNER_STATUSES

MAX_SHORTLIST = 300
MAX_ORDERS_FILE = 64 * 1024 * 1024  # a 100,000-row Shopify export is ~30 MB


def _words(exc: ApiError) -> str:
    if exc.fields:
        return "; ".join(f"{field.replace('_', ' ')}: {message}" for field, message in exc.fields.items())
    return exc.message


def _back(cid: str, anchor: str = "") -> str:
    return url_for("dashboard.campaign_page", cid=cid) + anchor


def _no_campaign(**_route: str):
    return error_page(404, "No such campaign", "This campaign does not exist (it may have been deleted).")


def _no_partner(**_route: str):
    return error_page(404, "No such partner", "This partner or campaign does not exist any more.")


def _shortlist(store, partners: list[dict]) -> list[dict]:
    """The watchlists' creators not yet partners: what the person has already vetted."""
    taken = {(p["platform"], str(p["handle"]).casefold()) for p in partners}
    out, seen = [], set()
    for w in store.list_watchlists():
        for c in store.watchlist_creators(w["id"]):
            ident = (c["platform"], str(c["handle"]).casefold())
            if ident in taken or ident in seen:
                continue
            seen.add(ident)
            out.append({"platform": c["platform"], "handle": c["handle"], "watchlist": w["name"]})
            if len(out) >= MAX_SHORTLIST:
                return out
    return out


@bp.get("/campaigns")
@signed_in
def campaigns_page():
    return _list_page({}, {})


def _list_page(form: dict, errors: dict, status: int = 200):
    store = get_store()
    briefs = [{"id": b["id"], "name": b["brief"]["name"]} for b in store.list_briefs()]
    return render_template("campaigns.html", campaigns=store.list_campaigns(), briefs=briefs, form=form,
                           errors=errors, objectives=OBJECTIVES, metrics=KPI_METRICS, kpi_rows=KPI_ROWS), status


@bp.post("/campaigns")
@form_action(back="/campaigns")
def campaign_create():
    form = {k: request.form.get(k) for k in ("name", "objective", "budget", "currency", "start", "end",
                                             "seller_monthly_sales", "brief_id")}
    form["kpi_metric"], form["kpi_target"] = request.form.getlist("kpi_metric"), request.form.getlist("kpi_target")
    try:
        doc = create_campaign(get_store(), campaign_body(request.form))
    except ApiError as exc:
        return _list_page(form, exc.fields or {"form": exc.message}, 400)
    except Conflict as exc:
        return _list_page(form, {"name": str(exc)}, 409)
    return Done(f"Campaign “{doc['name']}” created. Add its partners below.", to=_back(doc["id"]))


@bp.get("/campaigns/<cid>")
@signed_in
@when_missing(_no_campaign)
def campaign_page(cid: str):
    store = get_store()
    view = campaign_view(store, cid)
    return render_template(
        "campaign.html", **view, timeline_data=view["timeline"], statuses=PARTNER_STATUSES, formats=FORMATS,
        platforms=registry.NAMES, shortlist=_shortlist(store, view["partners"]),
        refresh=campaign_refresh_status(cid), order_count=view["campaign"].get("orders") or 0,
        advice=_advice_lines(store, cid))


def _advice_lines(store, cid: str) -> list[str]:
    advice = campaign_advice(store, cid)
    return [line for line in (advice.get("words"), advice.get("currency_note")) if isinstance(line, str) and line]


@bp.post("/campaigns/<cid>/delete")
@form_action(back=lambda cid: url_for("dashboard.campaigns_page"), missing=_no_campaign)
def campaign_delete(cid: str):
    store = get_store()
    name = store.get_campaign(cid)["name"]
    store.delete_campaign(cid)
    return Done(f"Campaign “{name}” deleted.")


@bp.post("/campaigns/<cid>/partners")
@form_action(back=_back, missing=_no_campaign)
def partner_add(cid: str):
    with refusing(ApiError, lambda exc: f"The partner was not added: {_words(exc)}"), refusing(Conflict, str):
        partner = add_partner(get_store(), cid, partner_body(request.form), author=author())
    return Done(f"@{partner['handle']} added with a copied plan: edit it before use." if partner.get("copied_from")
                else f"@{partner['handle']} added. Work out a plan with them below.", to=_back(cid, f"#plan-{partner['id']}"))


@bp.post("/campaigns/<cid>/partners/<pid>")
@form_action(back=lambda cid, pid: _back(cid, f"#plan-{pid}"), missing=_no_partner)
def partner_update(cid: str, pid: str):
    with refusing(ApiError, lambda exc: f"The plan was not saved: {_words(exc)}"):
        partner = update_partner(get_store(), cid, pid, plan_body(request.form), author=author())
    return Done(f"Plan of @{partner['handle']} saved.")


@bp.post("/campaigns/<cid>/partners/<pid>/remove")
@form_action(back=lambda cid, pid: _back(cid), missing=_no_partner)
def partner_remove(cid: str, pid: str):
    get_store().remove_partner(cid, pid)
    return Done("Partner removed.")


@bp.post("/campaigns/<cid>/deliverables")
@form_action(back=_back, missing=_no_campaign)
def deliverable_add(cid: str):
    with refusing(ApiError, lambda exc: f"The post was not marked: {_words(exc)}"):
        add_deliverable(get_store(), cid, deliverable_body(request.form))
    return Done("Post marked as a deliverable: its numbers are read at each capture or refresh of the creator.")


@bp.post("/campaigns/<cid>/orders")
@form_action(back=_back, missing=_no_campaign)
def orders_import(cid: str):
    upload = request.files.get("orders")
    if upload is None or not upload.filename:
        raise Refused("Choose an orders CSV file to import.")
    raw = upload.read(MAX_ORDERS_FILE + 1)
    if len(raw) > MAX_ORDERS_FILE:
        raise Refused(f"The file is over {MAX_ORDERS_FILE // (1024 * 1024)} MB: nothing was imported.")
    with refusing(ApiError, lambda exc: f"Nothing was imported: {_words(exc)}"):
        result = import_orders(get_store(), cid, raw)
    return Done(f"{result['imported']} orders imported: {result['matched']} matched a partner's promo code, "
                f"{result['unmatched']} did not.")


@bp.post("/campaigns/<cid>/refresh")
@form_action(back=_back, missing=_no_campaign)
def campaign_refresh_post(cid: str):
    with refusing(ApiError, lambda exc: f"The refresh could not start: {exc.message}"):
        _, started = start_campaign_refresh(current_app, cid)
    return Done("Refreshing the partners' pages in the background: reload in a minute." if started
                else "A refresh of this campaign is already running.")


def _report(cid: str) -> tuple[str, str]:
    view = campaign_view(get_store(), cid)
    html = report_html("campaign_report.html", **view, timeline_data=view["timeline"])
    return html, f"campaign-{view['campaign']['name']}"


@bp.get("/campaigns/<cid>/report.html")
@signed_in
@when_missing(_no_campaign)
def campaign_report_html(cid: str):
    return html_download(*_report(cid))


@bp.get("/campaigns/<cid>/report.pdf")
@signed_in
@when_missing(_no_campaign)
def campaign_report_pdf(cid: str):
    made = _report(cid)
    return pdf_download(*made, title=made[1])


@bp.get("/campaigns/<cid>/report.csv")
@signed_in
@when_missing(_no_campaign)
def campaign_report_csv(cid: str):
    view = campaign_view(get_store(), cid)
    resp = Response(campaign_csv(view), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename("campaign-" + view["campaign"]["name"], "csv")}"'
    return resp
