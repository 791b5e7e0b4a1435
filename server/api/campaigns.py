"""Campaigns (issue 14): the campaign with its objective, KPIs and budget; its partners, each with a
plan of its own; posts marked as deliverables; orders imported from the shop's CSV export; the report
(KPI progress, per-partner sales and reach) and the size advice.

    POST/GET          /campaigns                               create (201) / list
    GET/PATCH/DELETE  /campaigns/<cid>                         one campaign, with partners and deliverables
    POST              /campaigns/<cid>/partners                {platform, handle} or {url}; plan or copy_plan_from
    PATCH/DELETE      /campaigns/<cid>/partners/<pid>          plan, status
    POST              /campaigns/<cid>/deliverables            {partner_id, url}
    POST              /campaigns/<cid>/orders                  text/csv -> {imported, matched, unmatched, ...}
    GET               /campaigns/<cid>/report                  {kpis, partners, totals, ...}
    GET               /campaigns/<cid>/advice                  size advice in words and numbers

A plan copied from another partner (`copy_plan_from`) takes that plan without its promo codes and
tracking link (they tell partners' sales apart) and is flagged (`copied_from`) until its plan is
edited. A promo code belongs to one partner of a campaign: a code another partner has is a 400.
The dashboard calls the same functions (`create_campaign`, `campaign_report`...) through its own
routes; the rules of results and advice are server/campaigns/'s.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, Literal

from flask import jsonify, request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scraper import registry
from server.api import api
from server.api.errors import ApiError, invalid
from server.api.users import author
from server.api.validation import NoQuery, handle_message, json_body, query, validate
from server.campaigns.advice import advise
from server.campaigns.orders import OrdersCsvError, parse_orders
from server.campaigns.results import KPI_METRICS, OBJECTIVES, campaign_results, match_counts
from server.services import get_store
from server.store import NotFound, Repository, StoreError
from server.store.base import PARTNER_STATUSES
from server.campaigns.price import FORMATS  # the formats a plan and a fair price share

MAX_MONEY = 1e12
CID_PATTERN, PID_PATTERN = r"^cp_[0-9a-f]{12}$", r"^pt_[0-9a-f]{12}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Currency = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code (USD, EUR...)")
Money = Field(ge=0, le=MAX_MONEY, strict=True)


class Kpi(_Strict):
    metric: Literal[KPI_METRICS]  # type: ignore[valid-type]
    target: float = Field(gt=0, le=MAX_MONEY, strict=True)


def _kpis(kpis: list[Kpi] | None) -> list[Kpi] | None:
    if kpis is not None:
        metrics = [k.metric for k in kpis]
        doubled = sorted({m for m in metrics if metrics.count(m) > 1})
        if doubled:
            raise ValueError(f"One target per metric: {', '.join(doubled)} is given twice.")
    return kpis


def _dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValueError("The end is before the start.")


class CampaignCreate(_Strict):
    name: str = Field(min_length=1, max_length=100)
    objective: Literal[OBJECTIVES]  # type: ignore[valid-type]
    budget: float | None = Field(default=None, ge=0, le=MAX_MONEY, strict=True)
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    start: date | None = None
    end: date | None = None
    seller_monthly_sales: float | None = Field(default=None, ge=0, le=MAX_MONEY, strict=True,
                                               description="the shop's sales in a month (its size, for the advice)")
    brief_id: str | None = Field(default=None, max_length=64)
    kpis: list[Kpi] = Field(default_factory=list, max_length=len(KPI_METRICS))

    @field_validator("kpis")
    @classmethod
    def _check_kpis(cls, v: list[Kpi] | None) -> list[Kpi] | None:
        return _kpis(v)

    @model_validator(mode="after")
    def _check(self):
        _dates(self.start, self.end)
        return self


class CampaignPatch(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    objective: Literal[OBJECTIVES] | None = None  # type: ignore[valid-type]
    budget: float | None = Field(default=None, ge=0, le=MAX_MONEY, strict=True)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    start: date | None = None
    end: date | None = None
    seller_monthly_sales: float | None = Field(default=None, ge=0, le=MAX_MONEY, strict=True)
    brief_id: str | None = Field(default=None, max_length=64)
    kpis: list[Kpi] | None = Field(default=None, max_length=len(KPI_METRICS))

    @field_validator("kpis")
    @classmethod
    def _check_kpis(cls, v: list[Kpi] | None) -> list[Kpi] | None:
        return _kpis(v)

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("Give at least one field to change.")
        _dates(self.start, self.end)
        return self


class PlannedDeliverable(_Strict):
    platform: str = Field(max_length=20)
    format: Literal[FORMATS]  # type: ignore[valid-type]
    count: int = Field(default=1, ge=1, le=1000, strict=True)
    due: date | None = None

    @field_validator("platform")
    @classmethod
    def _platform(cls, v: str) -> str:
        if v not in registry.NAMES:
            raise ValueError(f"Must be one of {', '.join(registry.NAMES)}.")
        return v


class Plan(_Strict):
    fee: float | None = Field(default=None, ge=0, le=MAX_MONEY, strict=True)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    promo_codes: list[str] = Field(default_factory=list, max_length=20)
    tracking_url: str | None = Field(default=None, max_length=2048, pattern=r"^https?://\S+$")
    talking_points: str | None = Field(default=None, max_length=5000)
    deliverables: list[PlannedDeliverable] = Field(default_factory=list, max_length=50)

    @field_validator("promo_codes")
    @classmethod
    def _codes(cls, codes: list[str]) -> list[str]:
        out: list[str] = []
        for c in codes:
            c = c.strip()
            if not c or len(c) > 100 or any(ch in c for ch in ",;|\n\r"):
                raise ValueError("A promo code is 1-100 characters without , ; | or a line break.")
            if c.casefold() in (o.casefold() for o in out):
                raise ValueError(f"The code {c!r} is given twice.")
            out.append(c)
        return out


def _plan_doc(plan: Plan) -> dict:
    doc = plan.model_dump(mode="json")
    doc["currency"] = doc["currency"].upper() if doc["currency"] else None
    return doc


class PartnerCreate(_Strict):
    """{platform, handle} of a creator, or {url} of its profile; a plan of its own, or copy_plan_from."""

    platform: str | None = Field(default=None, max_length=20)
    handle: str | None = Field(default=None, max_length=120)
    url: str | None = Field(default=None, max_length=2048)
    plan: Plan | None = None
    copy_plan_from: str | None = Field(default=None, max_length=64)

    @field_validator("handle")
    @classmethod
    def _at(cls, v: str | None) -> str | None:
        return v[1:] if v and v.startswith("@") else v

    @model_validator(mode="after")
    def _forms(self):
        if self.url is None and (self.platform is None or self.handle is None):
            raise ValueError("Give {platform, handle} or {url}.")
        if self.plan is not None and self.copy_plan_from is not None:
            raise ValueError("Give a plan or copy_plan_from, not both.")
        return self


class PartnerPatch(_Strict):
    plan: Plan | None = None
    status: Literal[PARTNER_STATUSES] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _something(self):
        if self.plan is None and self.status is None:
            raise ValueError("Give a plan and/or a status.")
        return self


class DeliverableCreate(_Strict):
    partner_id: str = Field(max_length=64)
    url: str = Field(min_length=1, max_length=2048)


# -- the functions the dashboard shares --------------------------------------------------------------

def _brief_problem(store: Repository, brief_id: Any) -> dict[str, str]:
    if isinstance(brief_id, str) and brief_id.strip():
        try:
            store.get_brief(brief_id.strip())
        except NotFound:
            return {"brief_id": f"There is no brief {brief_id.strip()[:64]}."}
    return {}


def _validated(model: type[BaseModel], data: Any, more: dict[str, str]) -> Any:
    """`data` validated by `model`, with `more` problems found beside it: one 400 listing them all."""
    try:
        out = validate(model, data)
    except ApiError as exc:
        raise invalid({**more, **(exc.fields or {})}) from None
    if more:
        raise invalid(more)
    return out


def create_campaign(store: Repository, data: Any) -> dict:
    """Validate a new campaign (a dict as the API's body) and store it; ApiError 400 listing every bad field."""
    brief = data.get("brief_id") if isinstance(data, dict) else None
    model = _validated(CampaignCreate, data, _brief_problem(store, brief))
    doc = model.model_dump(mode="json")
    doc["currency"] = doc["currency"].upper()
    return store.create_campaign(doc)


def update_campaign(store: Repository, cid: str, data: Any) -> dict:
    store.get_campaign(cid)  # 404 first
    model = _validated(CampaignPatch, data, _brief_problem(store, data.get("brief_id") if isinstance(data, dict) else None))
    changes = model.model_dump(mode="json", include=model.model_fields_set)
    nulls = {k: "This field cannot be null." for k in ("name", "objective", "currency", "kpis")
             if k in changes and changes[k] is None}
    if nulls:
        raise invalid(nulls)
    if changes.get("currency"):
        changes["currency"] = changes["currency"].upper()
    if "start" in changes or "end" in changes:
        old = store.get_campaign(cid)
        start, end = changes.get("start", old.get("start")), changes.get("end", old.get("end"))
        if start and end and end < start:
            raise invalid({"end": "The end is before the start."})
    return store.update_campaign(cid, changes)


def _partner_identity(data: PartnerCreate) -> tuple[tuple[str, str, str | None] | None, dict[str, str]]:
    """((platform, handle, url) or None, the fields that are wrong)."""
    if data.platform is not None and data.handle is not None:
        if data.platform not in registry.NAMES:
            return None, {"platform": f"Must be one of {', '.join(registry.NAMES)}."}
        if not registry.valid_handle(data.platform, data.handle):
            return None, {"handle": handle_message(data.platform)}
        return (data.platform, data.handle, data.url), {}
    module = registry.platform_for(data.url)
    if module is None:
        return None, {"url": f"Not a URL of a supported platform ({registry.labels()})."}
    handle = module.handle_from_url(data.url)
    if not handle or not registry.valid_handle(module.name, handle):
        return None, {"url": f"This {module.label} URL does not name a creator profile."}
    return (module.name, handle, module.profile_url(handle)), {}


def _code_problems(store: Repository, cid: str, plan: dict, except_pid: str | None = None) -> dict[str, str]:
    """A promo code belongs to one partner: orders are told apart by it."""
    taken = {}
    for p in store.list_partners(cid):
        if p["id"] != except_pid:
            for code in (p.get("plan") or {}).get("promo_codes") or []:
                taken[code.casefold()] = p.get("handle") or p["key"]
    clash = [f"{c!r} is the code of {taken[c.casefold()]}" for c in plan.get("promo_codes") or [] if c.casefold() in taken]
    return {"plan.promo_codes": "; ".join(clash) + ": a code belongs to one partner."} if clash else {}


def add_partner(store: Repository, cid: str, data: Any, author: str | None = None) -> dict:
    """A creator joins a campaign with its own plan (or a copy of another partner's, flagged);
    `author`: the user who set the plan (kept as the partner's `author` and `updated_by`)."""
    store.get_campaign(cid)  # 404 before anything is created
    model = validate(PartnerCreate, data)
    identity, fields = _partner_identity(model)
    copied_from = None
    if model.copy_plan_from is not None:
        source = next((p for p in store.list_partners(cid) if p["id"] == model.copy_plan_from), None)
        if source is None:
            fields["copy_plan_from"] = f"There is no partner {model.copy_plan_from[:64]} in this campaign."
        else:
            plan = copy.deepcopy(source["plan"])
            plan["promo_codes"], plan["tracking_url"] = [], None
            copied_from = source["id"]
    else:
        plan = _plan_doc(model.plan or Plan())
        fields.update(_code_problems(store, cid, plan))
    if fields or identity is None:
        raise invalid(fields)
    platform, handle, url = identity
    return store.add_partner(cid, platform, handle, plan, url=url, copied_from=copied_from, author=author)


def update_partner(store: Repository, cid: str, pid: str, data: Any, author: str | None = None) -> dict:
    store.get_campaign(cid)
    if not any(p["id"] == pid for p in store.list_partners(cid)):
        raise NotFound(f"Partner {pid[:64]} of campaign {cid}")
    model = validate(PartnerPatch, data)
    changes: dict[str, Any] = {}
    if model.plan is not None:
        changes["plan"] = _plan_doc(model.plan)
        clash = _code_problems(store, cid, changes["plan"], except_pid=pid)
        if clash:
            raise invalid(clash)
    if model.status is not None:
        changes["status"] = model.status
    return store.update_partner(cid, pid, changes, author=author)


def add_deliverable(store: Repository, cid: str, data: Any) -> dict:
    """A post marked as a partner's deliverable by its URL (platform and post id read from it)."""
    store.get_campaign(cid)
    model = validate(DeliverableCreate, data)
    partner = next((p for p in store.list_partners(cid) if p["id"] == model.partner_id), None)
    fields = {}
    if partner is None:
        fields["partner_id"] = f"There is no partner {model.partner_id[:64]} in this campaign."
    module = registry.platform_for(model.url)
    post_id = module.post_id_from_url(model.url) if module else None
    if module is None:
        fields["url"] = f"Not a URL of a supported platform ({registry.labels()})."
    elif post_id is None:
        fields["url"] = f"This {module.label} URL does not name a post (a video, Short, reel, post or tweet)."
    elif partner is not None and partner["platform"] != module.name:
        fields["url"] = f"This is a {module.label} post; the partner is on {registry.require(partner['platform']).label}."
    if fields:
        raise invalid(fields)
    try:
        return store.add_deliverable(cid, partner["id"], model.url, module.name, post_id)
    except StoreError as exc:  # a URL with a NUL or half a surrogate pair: the same 400 on every engine
        if exc.code != "invalid_text":
            raise
        raise ApiError(400, "invalid_text", exc.message, {"url": exc.message}) from None


def import_orders(store: Repository, cid: str, data: bytes) -> dict:
    """Import an orders CSV into a campaign: {imported, matched, unmatched, skipped, total, format, rows};
    ApiError 400 naming each bad line (then nothing is imported)."""
    campaign = store.get_campaign(cid)
    try:
        parsed = parse_orders(data, default_currency=campaign.get("currency"))
    except OrdersCsvError as exc:
        raise ApiError(400, exc.code, exc.message, exc.fields()) from None
    done = store.import_orders(cid, parsed.orders)
    matched, unmatched = match_counts(done["new"], store.list_partners(cid))
    return {"imported": done["imported"], "matched": matched, "unmatched": unmatched, "skipped": done["skipped"],
            "total": done["total"], "format": parsed.format, "rows": parsed.rows}


def campaign_view(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "name", "objective", "kpis", "budget", "currency", "start", "end",
                                    "seller_monthly_sales", "brief_id", "orders", "created_at", "updated_at")}


def campaign_report(store: Repository, cid: str) -> dict:
    """The report of a campaign (server/campaigns/results.py): {campaign, currency, kpis, partners,
    totals, unattributed, other_currencies, notes}; NotFound for an unknown campaign."""
    campaign = store.get_campaign(cid)
    results = campaign_results(campaign, store.list_partners(cid), store.list_deliverables(cid), store.order_totals(cid))
    return {"campaign": campaign_view(campaign), **results}


def campaign_advice(store: Repository, cid: str) -> dict:
    campaign = store.get_campaign(cid)
    return {"campaign_id": cid, **advise(campaign, store.list_creators())}


# -- routes ------------------------------------------------------------------------------------------

@api.get("/campaigns")
def list_campaigns():
    query(NoQuery)
    store = get_store()
    items = []
    for doc in store.list_campaigns():
        items.append({**campaign_view(doc), "partner_count": len(store.list_partners(doc["id"]))})
    return jsonify({"items": items})


@api.post("/campaigns")
def post_campaign():
    store = get_store()
    return jsonify(campaign_view(create_campaign(store, json_body()))), 201


def _full(store: Repository, cid: str) -> dict:
    return {**campaign_view(store.get_campaign(cid)), "partners": store.list_partners(cid),
            "deliverables": store.list_deliverables(cid)}


@api.get("/campaigns/<cid>")
def get_campaign(cid: str):
    query(NoQuery)
    return jsonify(_full(get_store(), cid))


@api.patch("/campaigns/<cid>")
def patch_campaign(cid: str):
    store = get_store()
    store.get_campaign(cid)
    update_campaign(store, cid, json_body())
    return jsonify(_full(store, cid))


@api.delete("/campaigns/<cid>")
def delete_campaign(cid: str):
    get_store().delete_campaign(cid)
    return "", 204


@api.post("/campaigns/<cid>/partners")
def post_partner(cid: str):
    store = get_store()
    store.get_campaign(cid)
    return jsonify(add_partner(store, cid, json_body(), author=author())), 201


@api.patch("/campaigns/<cid>/partners/<pid>")
def patch_partner(cid: str, pid: str):
    store = get_store()
    store.get_campaign(cid)
    return jsonify(update_partner(store, cid, pid, json_body(), author=author()))


@api.delete("/campaigns/<cid>/partners/<pid>")
def delete_partner(cid: str, pid: str):
    get_store().remove_partner(cid, pid)
    return "", 204


@api.post("/campaigns/<cid>/deliverables")
def post_deliverable(cid: str):
    store = get_store()
    store.get_campaign(cid)
    return jsonify(add_deliverable(store, cid, json_body())), 201


def _csv_body() -> bytes:
    ctype = (request.mimetype or "").lower()
    if ctype not in ("text/csv", "application/csv", "text/plain"):
        raise ApiError(415, "unsupported_media_type", "Send the orders as CSV (Content-Type: text/csv).")
    if (request.headers.get("Content-Encoding") or "identity").strip().lower() != "identity":
        raise ApiError(415, "unsupported_media_type", "Send the orders file uncompressed.")
    return request.get_data(cache=False)


@api.post("/campaigns/<cid>/orders")
def post_orders(cid: str):
    store = get_store()
    store.get_campaign(cid)
    return jsonify(import_orders(store, cid, _csv_body()))


@api.get("/campaigns/<cid>/report")
def get_report(cid: str):
    query(NoQuery)
    return jsonify(campaign_report(get_store(), cid))


@api.get("/campaigns/<cid>/advice")
def get_advice(cid: str):
    query(NoQuery)
    return jsonify(campaign_advice(get_store(), cid))


# -- the OpenAPI paths (merged into /api/v1/openapi.json by server/api/openapi.py) ----------------------

def _inlined(model: type[BaseModel]) -> dict:
    """A pydantic model's JSON schema with its $defs inlined (these paths carry no components)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(copy.deepcopy(defs[ref.rsplit("/", 1)[1]]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


_ERR = {"$ref": "#/components/schemas/Error"}
_TEXTS = {400: "invalid request (every invalid field listed in error.fields; for an orders file, each bad line)",
          401: "missing or wrong token", 403: "web-page Origin or foreign Host", 404: "no such campaign or partner",
          409: "a campaign of that name, or a creator already a partner", 413: "body too large",
          415: "wrong Content-Type"}
_NUM, _STR = {"type": ["number", "null"]}, {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}
_CAMPAIGN = {"type": "object", "required": ["id", "name", "objective", "kpis", "currency", "orders"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "objective": {"type": "string", "enum": list(OBJECTIVES)},
    "kpis": {"type": "array", "items": {"type": "object", "required": ["metric", "target"]}},
    "budget": _NUM, "currency": {"type": "string"}, "start": _STR, "end": _STR, "seller_monthly_sales": _NUM,
    "brief_id": _STR, "orders": {"type": "integer"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}
_PARTNER = {"type": "object", "required": ["id", "campaign_id", "platform", "key", "handle", "plan", "status", "copied_from"],
            "properties": {"id": {"type": "string"}, "campaign_id": {"type": "string"}, "platform": {"type": "string"},
                           "key": {"type": "string"}, "handle": {"type": "string"}, "plan": {"type": "object"},
                           "status": {"type": "string", "enum": list(PARTNER_STATUSES)}, "copied_from": _STR,
                           "author": {**_STR, "description": "the user who added the partner (null: not known)"},
                           "updated_by": {**_STR, "description": "the user who last set its plan or status"}}}
_DELIVERABLE = {"type": "object", "required": ["id", "partner_id", "url", "platform", "post_id", "metrics"],
                "properties": {"id": {"type": "string"}, "partner_id": {"type": "string"}, "url": {"type": "string"},
                               "platform": {"type": "string"}, "post_id": _STR,
                               "metrics": {"type": "array", "items": {"type": "object"}}}}
_FULL = {**_CAMPAIGN, "required": [*_CAMPAIGN["required"], "partners", "deliverables"],
         "properties": {**_CAMPAIGN["properties"], "partners": {"type": "array", "items": _PARTNER},
                        "deliverables": {"type": "array", "items": _DELIVERABLE}}}
_KPI_OUT = {"type": "object", "required": ["metric", "target", "actual", "progress"], "properties": {
    "metric": {"type": "string"}, "target": _NUM, "actual": _NUM, "progress": _NUM}}
_PARTNER_ROW = {"type": "object", "required": ["platform", "handle", "fee", "orders", "revenue", "roas", "cost_per_order",
                                               "views", "engagements", "cpm"], "properties": {
    "id": {"type": "string"}, "platform": {"type": "string"}, "handle": {"type": "string"}, "fee": _NUM,
    "currency": _STR, "orders": {"type": "integer"}, "revenue": _NUM, "roas": _NUM, "cost_per_order": _NUM,
    "views": _NUM, "engagements": _NUM, "cpm": _NUM, "cpe": _NUM}}
_REPORT = {"type": "object", "required": ["campaign", "currency", "kpis", "partners", "totals", "unattributed",
                                          "other_currencies", "notes"], "properties": {
    "campaign": _CAMPAIGN, "currency": _STR, "kpis": {"type": "array", "items": _KPI_OUT},
    "partners": {"type": "array", "items": _PARTNER_ROW}, "totals": {"type": "object"},
    "unattributed": {"type": "object"}, "other_currencies": {"type": "array"}, "notes": {"type": "array", "items": {"type": "string"}}}}
_TIER_ROW = {"type": "object", "required": ["tier", "creators", "expected_fee", "expected_cpe"], "properties": {
    "tier": {"type": "string"}, "creators": {"type": "integer"}, "median_followers": _INT, "median_engagement_rate": _NUM,
    "expected_fee": _NUM, "expected_engagements": _INT, "expected_cpe": _NUM, "posts_for_budget": _INT}}
_ADVICE = {"type": "object", "required": ["campaign_id", "seller_band", "guided_tier", "best_tier", "recommended", "tiers",
                                          "words", "sources"], "properties": {
    "campaign_id": {"type": "string"}, "seller_band": _STR, "guided_tier": _STR, "guidance": _STR, "best_tier": _STR,
    "recommended": {"type": "array", "items": {"type": "string"}}, "tiers": {"type": "array", "items": _TIER_ROW},
    "words": {"type": "string"}, "currency_note": _STR, "sources": {"type": "array", "items": {"type": "string"}}}}
_IMPORTED = {"type": "object", "required": ["imported", "matched", "unmatched", "skipped", "total", "format", "rows"],
             "properties": {k: {"type": "integer"} for k in ("imported", "matched", "unmatched", "skipped", "total", "rows")}
             | {"format": {"type": "string", "enum": ["shopify", "woocommerce", "plain"]}}}


def _op(summary: str, ok: tuple[str, str, dict | None], *errors: int, body: dict | None = None,
        params: tuple = (), csv: bool = False) -> dict:
    status, desc, schema = ok
    out: dict = {"description": desc}
    if schema is not None:
        out["content"] = {"application/json": {"schema": schema}}
    op: dict = {"summary": summary, "security": [{"bearer": []}],
                "responses": {status: out, **{str(c): {"description": _TEXTS[c], "content": {"application/json": {"schema": _ERR}}}
                                              for c in sorted({401, 403, *errors})}}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if csv:
        op["requestBody"] = {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    if params:
        op["parameters"] = list(params)
    return op


_CID = {"name": "cid", "in": "path", "required": True, "schema": {"type": "string", "pattern": CID_PATTERN}}
_PID = {"name": "pid", "in": "path", "required": True, "schema": {"type": "string", "pattern": PID_PATTERN}}

OPENAPI_PATHS = {
    "/campaigns": {
        "get": _op("List the campaigns", ("200", "campaigns", {"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": _CAMPAIGN}}}), 400),
        "post": _op("Create a campaign (objective, KPIs, budget, dates, seller's size, brief)",
                    ("201", "created", _CAMPAIGN), 400, 409, 413, 415, body=_inlined(CampaignCreate)),
    },
    "/campaigns/{cid}": {
        "get": _op("A campaign with its partners and deliverables", ("200", "the campaign", _FULL), 400, 404, params=(_CID,)),
        "patch": _op("Change a campaign", ("200", "changed", _FULL), 400, 404, 409, 413, 415,
                     body=_inlined(CampaignPatch), params=(_CID,)),
        "delete": _op("Delete a campaign, its partners, deliverables and orders", ("204", "deleted", None), 404,
                      params=(_CID,)),
    },
    "/campaigns/{cid}/partners": {
        "post": _op("Add a creator as a partner, with its own plan (or a flagged copy of another's)",
                    ("201", "added", _PARTNER), 400, 404, 409, 413, 415, body=_inlined(PartnerCreate), params=(_CID,)),
    },
    "/campaigns/{cid}/partners/{pid}": {
        "patch": _op("Change a partner's plan (ends a copy's flag) or status", ("200", "changed", _PARTNER),
                     400, 404, 413, 415, body=_inlined(PartnerPatch), params=(_CID, _PID)),
        "delete": _op("Remove a partner and its deliverables", ("204", "removed", None), 404, params=(_CID, _PID)),
    },
    "/campaigns/{cid}/deliverables": {
        "post": _op("Mark a post (by its URL) as a partner's deliverable", ("201", "marked", _DELIVERABLE),
                    400, 404, 413, 415, body=_inlined(DeliverableCreate), params=(_CID,)),
    },
    "/campaigns/{cid}/orders": {
        "post": _op("Import orders from a Shopify, WooCommerce or plain CSV export (idempotent by order id)",
                    ("200", "imported", _IMPORTED), 400, 404, 413, 415, params=(_CID,), csv=True),
    },
    "/campaigns/{cid}/report": {
        "get": _op("KPI progress, per-partner sales and reach, totals", ("200", "the report", _REPORT), 400, 404,
                   params=(_CID,)),
    },
    "/campaigns/{cid}/advice": {
        "get": _op("Which creator tiers suit this seller and budget, in words and numbers", ("200", "the advice", _ADVICE),
                   400, 404, params=(_CID,)),
    },
}
