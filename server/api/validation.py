"""Request bodies and query strings: read (gzip too), validate with pydantic, list every bad field."""

from __future__ import annotations

import json
import zlib
from typing import Any, TypeVar

import orjson
from flask import current_app, request
from pydantic import BaseModel, ConfigDict, ValidationError

from scraper.text import without_lone_surrogates
from server.api.errors import ApiError, invalid
from server.store import HANDLE_RES, PLATFORMS, valid_handle

M = TypeVar("M", bound=BaseModel)


class NoQuery(BaseModel):
    """Routes that take no query parameters: any given is a 400 naming it."""
    model_config = ConfigDict(extra="forbid")


def fields_of(exc: ValidationError) -> dict[str, str]:
    """pydantic errors -> {"dotted.field": "message"}; the whole body is "body"."""
    out: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"] if p != "__root__") or "body"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "This field is required."
        elif err["type"] == "extra_forbidden":
            msg = "Unknown field."
        out.setdefault(loc, msg)
    return out


def _decompress(data: bytes) -> bytes:
    limit = current_app.config["MAX_DECOMPRESSED_LENGTH"]
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error:
        raise ApiError(400, "invalid_body", "The body says Content-Encoding: gzip but is not gzip data.") from None
    if len(out) > limit or d.unconsumed_tail:
        raise ApiError(413, "too_large", f"The decompressed body is larger than the limit of {limit} bytes.")
    if not d.eof:
        raise ApiError(400, "invalid_body", "The gzip body is truncated.")
    return out


def json_body() -> Any:
    """The request's JSON body (any JSON value), decompressed when Content-Encoding is gzip."""
    ctype = (request.mimetype or "").lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    data = request.get_data(cache=False)
    encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding == "gzip":
        data = _decompress(data)
    elif encoding != "identity":
        raise ApiError(415, "unsupported_media_type", f"Content-Encoding {encoding!r} is not supported (use gzip).")
    try:
        return orjson.loads(data)  # ~4x faster than json on a 1 MB capture (14 ms -> 3 ms)
    except orjson.JSONDecodeError:
        pass  # json takes what orjson refuses (lone surrogates from JS strings, huge ints), or words the error
    try:
        return without_lone_surrogates(json.loads(data))  # storable as UTF-8
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(fields_of(exc)) from None


def body(model: type[M]) -> M:
    return validate(model, json_body())


def query(model: type[M]) -> M:
    """Query parameters validated by `model` (repeated parameters: the last wins)."""
    args = {k: v for k, v in request.args.items()}
    return validate(model, args)


def check_creator_path(platform: str, handle: str) -> None:
    """400 for an unknown platform or a handle outside the platform's allow-list."""
    fields = {}
    if platform not in PLATFORMS:
        fields["platform"] = f"Must be one of {', '.join(PLATFORMS)}."
    elif not valid_handle(platform, handle):
        fields["handle"] = f"Not a valid {platform} handle (allowed: {HANDLE_RES[platform].pattern})."
    if fields:
        raise invalid(fields)
