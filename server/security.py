"""Who may talk to the local server: the extension and the user's own tools, no web page.

Any web page the user visits can send requests to 127.0.0.1, so:
- a request whose `Origin` is a web page (http, https, or anything not an allowed extension) gets
  403, whatever else it carries; browsers always send `Origin` on cross-origin fetches and on every
  non-GET request, so a page cannot hide it;
- CORS is granted only to allowed extension origins (config EXTENSION_ORIGINS, env
  KOLSCOPE_EXTENSION_ORIGINS as a comma-separated list; when unset, any `chrome-extension://` origin);
- the `Host` header must name this machine (127.0.0.1, localhost, ::1, or the configured host), which
  defeats DNS rebinding (evil.example resolving to 127.0.0.1 would be same-origin with us);
- every route but /api/v1/health needs `Authorization: Bearer <token>` (compared in constant time);
  the dashboard and GET requests may use the `kolscope_token` cookie instead (HttpOnly,
  SameSite=Strict, so a cross-site page never sends it), set by the dashboard's token form.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from server.api.errors import error_response

COOKIE = "kolscope_token"
PUBLIC_PATHS = ("/api/v1/health",)
STATIC_PREFIX = "/static/"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def origin_allowed(origin: str) -> bool:
    allowed = current_app.config.get("EXTENSION_ORIGINS")
    if allowed:
        return origin in allowed
    return origin.startswith("chrome-extension://") and len(origin) > len("chrome-extension://")


def token_ok(candidate: str | None) -> bool:
    expected = current_app.config["TOKEN"]
    if not candidate:
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "replace"), expected.encode("utf-8"))


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def authenticated() -> bool:
    if token_ok(bearer()):
        return True
    return request.method in ("GET", "HEAD") and token_ok(request.cookies.get(COOKIE))


def _host_ok() -> bool:
    host = request.host
    if host.startswith("["):
        name = host[1:host.find("]")]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.lower() in _LOCAL_HOSTS or name.lower() in current_app.config.get("ALLOWED_HOSTS", ())


def _cors_headers(resp: Response, origin: str) -> None:
    resp.headers["Access-Control-Allow-Origin"] = origin
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Content-Encoding"
    resp.headers["Access-Control-Max-Age"] = "600"
    resp.headers.add("Vary", "Origin")


def register(app: Flask) -> None:
    @app.before_request
    def _guard():
        if not _host_ok():
            return error_response(403, "forbidden_host",
                                  "This server answers only requests addressed to this machine (127.0.0.1).")
        origin = request.headers.get("Origin")
        if origin is not None and not origin_allowed(origin):
            scheme = urlsplit(origin).scheme or origin
            return error_response(403, "forbidden_origin",
                                  f"Requests from web pages ({scheme} origins) are refused; only the "
                                  "kolscope extension and local tools may call this server.")
        if request.method == "OPTIONS" and origin is not None:
            resp = app.make_response(("", 204))
            _cors_headers(resp, origin)
            return resp
        path = request.path
        if path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX):
            return None
        if request.blueprint == "dashboard":
            return None  # the dashboard's pages check its own cookie and show the token form
        if not authenticated():
            return error_response(401, "unauthorized",
                                  "Missing or wrong token: send `Authorization: Bearer <token>` "
                                  "(`kolscope token` prints it).")
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin is not None and origin_allowed(origin) and "Access-Control-Allow-Origin" not in resp.headers:
            _cors_headers(resp, origin)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        is_page = resp.mimetype == "text/html" or request.path.startswith(STATIC_PREFIX)
        resp.headers["Content-Security-Policy"] = PAGE_CSP if is_page else JSON_CSP
        if not request.path.startswith(STATIC_PREFIX):
            resp.headers["Cache-Control"] = "no-store"
        return resp
