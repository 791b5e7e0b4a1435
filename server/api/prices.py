"""Fair price of a creator's sponsored post: GET /api/v1/creators/<platform>/<handle>/price.

`?format=video` limits the answer to one format; `&quote=1200` judges a quoted fee against that
format's band (its implied CPM and cost per engagement, and fair / high / low). The arithmetic is
server/campaigns/price.py; this module reads the creator's latest snapshot and answers.
"""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from server.api import api
from server.api.errors import ApiError, invalid
from server.api.validation import check_creator_path, query
from server.campaigns.price import FORMATS, fair_price, formats_for, judge_quote
from server.services import get_store
from server.store import NotFound

MAX_QUOTE = 1e9  # a fee beyond a billion is a typo, not a quote


class PriceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal[FORMATS] | None = None  # type: ignore[valid-type]
    quote: float | None = Field(default=None, gt=0, le=MAX_QUOTE)


def creator_price(store, platform: str, handle: str, fmt: str | None = None,
                  quote: float | None = None) -> dict:
    """The price answer for a stored creator (the API's body; the dashboard shows the same).
    NotFound for an unknown creator, ApiError 409 before its first capture, 400 for a format its
    platform has no band for or a quote without a format."""
    check_creator_path(platform, handle)
    record = store.creator_record(platform, handle)
    if record is None:
        raise NotFound(f"Creator {platform}/{handle}")
    latest = record.get("latest") or {}
    snapshot = latest.get("snapshot")
    if not snapshot:
        raise ApiError(409, "not_captured", f"{platform}/{handle} has not been captured yet: no price.")
    fields = {}
    if fmt is not None and fmt not in formats_for(platform):
        fields["format"] = f"{platform} has no price band for {fmt}; use one of {', '.join(formats_for(platform))}."
    if quote is not None and fmt is None:
        fields["format"] = "Give the format the quote is for (one of " + ", ".join(formats_for(platform)) + ")."
    if fields:
        raise invalid(fields)
    answer = fair_price(snapshot, record.get("summary"), fmt)
    summary = record.get("summary") or {}
    out = {"platform": platform, "handle": summary.get("handle") or handle, **answer, "quote": None}
    if quote is not None:
        out["quote"] = {"amount": quote, "format": fmt, **judge_quote(answer["formats"][0], quote, snapshot)}
    return out


@api.get("/creators/<platform>/<handle>/price")
def get_price(platform: str, handle: str):
    args = query(PriceQuery)
    return jsonify(creator_price(get_store(), platform, handle, args.format, args.quote))


_ERR = {"$ref": "#/components/schemas/Error"}
_NUM = {"type": ["number", "null"]}
_SOURCE = {"type": "object", "required": ["title", "url", "year"], "properties": {
    "title": {"type": "string"}, "url": {"type": "string"}, "year": {"type": "integer"}}}
_FACTOR = {"type": "object", "required": ["label", "value", "reason"], "properties": {
    "label": {"type": "string"}, "value": {"type": "number"}, "reason": {"type": "string"},
    "source": _SOURCE, "judgement": {"type": "boolean"}}}
_FORMAT = {"type": "object", "required": ["format", "low", "high", "factors"], "properties": {
    "format": {"type": "string", "enum": list(FORMATS)}, "low": _NUM, "high": _NUM, "views": _NUM,
    "basis": {"type": ["string", "null"]}, "reason": {"type": "string"},
    "cpm": {"type": "object", "properties": {"low": {"type": "number"}, "high": {"type": "number"},
                                             "source": _SOURCE}},
    "factors": {"type": "array", "items": _FACTOR}}}
_QUOTE = {"type": ["object", "null"], "required": ["cpm", "cpe", "verdict"], "properties": {
    "amount": {"type": "number"}, "format": {"type": "string"}, "cpm": _NUM, "cpe": _NUM,
    "verdict": {"type": "string", "enum": ["fair", "high", "low", "unknown"]}, "reason": {"type": "string"}}}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


OPENAPI_PATHS = {
    "/creators/{platform}/{handle}/price": {"get": {
        "summary": "Fair fee band per format from the creator's own numbers, and a quote judged against it",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "platform", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "handle", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "format", "in": "query", "required": False,
             "schema": {"type": "string", "enum": list(FORMATS)}, "description": "one format only"},
            {"name": "quote", "in": "query", "required": False,
             "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_QUOTE},
             "description": "a quoted fee for `format`, in the answer's currency"},
        ],
        "responses": {
            "200": {"description": "the bands", "content": {"application/json": {"schema": {
                "type": "object", "required": ["currency", "formats", "quote"], "properties": {
                    "platform": {"type": "string"}, "handle": {"type": "string"},
                    "currency": {"type": "string"}, "formats": {"type": "array", "items": _FORMAT},
                    "quote": _QUOTE}}}}},
            "400": _err("bad platform, handle, format or quote"),
            "401": _err("missing or wrong token"),
            "403": _err("web-page Origin or foreign Host"),
            "404": _err("no such creator"),
            "409": _err("not captured yet"),
        },
    }},
}
