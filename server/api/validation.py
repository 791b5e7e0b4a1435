"""Request bodies and query strings: read (gzip too), validate with pydantic, list every bad field."""

from __future__ import annotations

import json
import zlib
from typing import Any, TypeVar

import orjson
from flask import current_app, request
from pydantic import BaseModel, ConfigDict, ValidationError

from scraper import registry
from scraper.jsonpath import json_depth_over
from scraper.text import without_lone_surrogates
from server.api.errors import ApiError, invalid

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
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
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
        value = orjson.loads(data)  # ~4x faster than json on a 1 MB capture (14 ms -> 3 ms)
    except orjson.JSONDecodeError:
        # json takes what orjson refuses (lone surrogates from JS strings, huge ints), or words the
        # error; orjson also refuses nesting past 1,024, where json's recursion would give up anyway
        try:
            value = json.loads(data, parse_constant=_not_finite, parse_float=_finite)
        except RecursionError:
            raise _too_deep("body") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}") from None
        check_depth(value)
        return without_lone_surrogates(value)  # storable as UTF-8
    check_depth(value)
    return value


def _not_finite(text: str) -> float:
    """NaN and Infinity are not JSON (orjson refuses them; json would read them, and PostgreSQL's
    json type would then refuse the record: a 500): a 400 in words."""
    raise ValueError(f"{text} is not a finite number")


def _finite(text: str) -> float:
    value = float(text)
    if value - value != 0:  # inf - inf and nan - nan are NaN: 1e999 is read as Infinity
        _not_finite(text)
    return value


def _too_deep(where: str) -> ApiError:
    limit = current_app.config["MAX_JSON_DEPTH"]
    return ApiError(400, "json_too_deep", f"The JSON body nests arrays/objects deeper than {limit} levels "
                    f"(at {where}).", {where: f"Nested deeper than {limit} levels."})


def _deep_path(value: Any, limit: int) -> str:
    """The dotted path (body.responses.3.body...) down to the first container past `limit`."""
    path: list[str] = []
    while limit > 0 and isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            if isinstance(child, (dict, list)) and json_depth_over(child, limit - 1):
                path.append(str(key))
                value, limit = child, limit - 1
                break
        else:
            break
    return ".".join(path[:3]) if path else "body"  # where it starts: responses.2.body


def check_depth(value: Any) -> None:
    """400 json_too_deep when the body nests past MAX_JSON_DEPTH (every JSON route, a capture's
    responses[].body objects included): parsing, scoring and storing walk it, and would crash."""
    limit = current_app.config["MAX_JSON_DEPTH"]
    if isinstance(value, (dict, list)) and json_depth_over(value, limit):
        raise _too_deep(_deep_path(value, limit))


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


def handle_message(platform: str) -> str:
    module = registry.require(platform)
    what = "handle" if module.identity == "handle" else "account id"
    return f"Not a valid {platform} {what} ({module.handle_rule})."


def check_creator_path(platform: str, handle: str) -> None:
    """400 for an unknown platform or a handle outside the platform's allow-list."""
    fields = {}
    if platform not in registry.NAMES:
        fields["platform"] = f"Must be one of {', '.join(registry.NAMES)}."
    elif not registry.valid_handle(platform, handle):
        fields["handle"] = handle_message(platform)
    if fields:
        raise invalid(fields)
