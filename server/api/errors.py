"""The one JSON error shape of the API: {"error": {"code", "message", "fields"?}}."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from scraper.errors import CaptureError
from server.disk import disk_full, disk_full_message
from server.store import StoreError

log = logging.getLogger("kolscope.api")

# codes of StoreError -> HTTP status
STORE_STATUS = {"not_found": 404, "conflict": 409, "invalid_handle": 400, "invalid_user_name": 400,
                "invalid_text": 400,  # text no engine keeps alike (a NUL, half a surrogate pair) where none belongs
                "store_locked": 503, "store_corrupt": 503, "store_too_new": 503, "store_unavailable": 503}
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
               413: "too_large", 415: "unsupported_media_type", 422: "unprocessable",
               429: "too_many_requests", 500: "internal", 503: "unavailable", 507: "disk_full"}


class ApiError(Exception):
    """Raised anywhere in a request; answered as the JSON error shape."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    resp = jsonify({"error": body})
    resp.status_code = status
    return resp


def invalid(fields: dict[str, str], message: str = "The request is invalid.") -> ApiError:
    """A 400 that lists every invalid field at once."""
    return ApiError(400, "invalid", message, fields)


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(CaptureError)
    def _capture_error(exc: CaptureError):
        # a capture over the parser's size caps is a body too large; every other code is the page's answer
        return error_response(413 if exc.code == "too_large" else 422, exc.code, exc.message)

    @app.errorhandler(StoreError)
    def _store_error(exc: StoreError):
        full = disk_full(exc)
        if full is not None:
            return error_response(507, "disk_full", disk_full_message(full))
        return error_response(STORE_STATUS.get(exc.code, 500), exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"The request body is larger than the limit of {limit} bytes."
        resp = error_response(status, _HTTP_CODES.get(status, "http_error"), message)
        if status == 405 and getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        full = disk_full(exc)
        if full is not None:  # ENOSPC/EDQUOT at a store write: the store keeps its previous version
            log.error("a write failed, the disk is full: %s", full)
            return error_response(507, "disk_full", disk_full_message(full))
        log.exception("unexpected error")
        return error_response(500, "internal", "The server hit an unexpected error; it is in the server log.")
