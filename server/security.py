"""Who may talk to the local server: the extension and the user's own tools, no web page.

Any web page the user visits can send requests to 127.0.0.1, so:
- a request whose `Origin` is a web page (http, https, or anything not an allowed extension) gets
  403, whatever else it carries; browsers always send `Origin` on cross-origin fetches and on every
  non-GET request, so a page cannot hide it. The one exception is the dashboard's own origin posting
  the dashboard's own forms (login, logout);
- CORS goes only to the extension: config EXTENSION_ORIGINS (env KOLSCOPE_EXTENSION_ORIGINS, a
  comma-separated list) when set; else the extension id registered by the options page (PUT
  /api/v1/extension, kept in the store): only that `chrome-extension://<id>` gets CORS, any other
  extension origin is refused; before any registration, a `chrome-extension://` origin gets CORS
  only on a request that carries the valid token (and on preflights, which cannot carry it);
- the `Host` header must name this machine (127.0.0.1, localhost, ::1, or the configured host), which
  defeats DNS rebinding (evil.example resolving to 127.0.0.1 would be same-origin with us);
- every route but /api/v1/health needs `Authorization: Bearer <token>` (compared in constant time);
  the token is accepted there only: never from a query string or a cookie;
- the dashboard signs in by POSTing the token once; the cookie then holds a random session id
  (sessions below), which also authorises the API's GET requests (the export links), never a write.

Who (issue 16): a token is the store's own (`kolscope token`: the user "owner", an admin) or a user's
(`kolscope user add`). It is looked up on EVERY request, a dashboard session's too (the session keeps
the token it was opened with, in memory only), so a revoked or rotated token stops at once.
`current_user()` is {name, admin} of the request, set as `flask.g.user` by the guard before any view
runs (server/api/users.py reads it there: `author()`, `require_admin()`, as the API sits below this
module). On a team server each person's extension has its own id, so a user's token also gets CORS
for an extension origin other than the registered one (the registration guards the owner's token).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from server.api.errors import error_response
from server.services import get_store, registered_extension
from server.store.base import OWNER

SESSION_COOKIE = "kolscope_session"
LEGACY_TOKEN_COOKIE = "kolscope_token"  # held the token itself before sessions: cleared on sight
PUBLIC_PATHS = ("/api/v1/health",)
STATIC_PREFIX = "/static/"
EXTENSION_SCHEME = "chrome-extension://"
EXTENSION_ID_RE = re.compile(r"^[a-p]{32}$")  # Chrome's ids: 32 letters a-p (a hash in base 16)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


# ---- dashboard sessions ------------------------------------------------------------------------
#
# The cookie holds a random id, never the token: cookies are not separated by port, so every other
# service on 127.0.0.1 receives it. A session id only reads (the dashboard, the API's GETs), expires,
# and dies at logout or a server restart; the token it was opened with stays secret.
# The cookie follows the `__Host-` rules (Path=/, no Domain, so host-only) but cannot carry the
# prefix: `__Host-` requires `Secure`, and a Secure cookie is not set over plain http://127.0.0.1.
# Sessions live in memory: nothing about them reaches the disk, and a restart logs the dashboard out.
# A session keeps the token it was opened with (in this process's memory, where the store's own token
# is too) to look it up again on every request: revoking or rotating a user's token ends its sessions.
# Served over HTTPS (--tls-cert, or --behind-proxy) the cookie is Secure.

SESSION_IDLE_SECONDS = 12 * 3600      # unused that long: gone
SESSION_MAX_SECONDS = 7 * 24 * 3600   # whatever the use, a new login after a week
MAX_SESSIONS = 256                    # logins beyond: the least recently used session goes


@dataclass
class Session:
    created: float
    seen: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    notices: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) for the next page
    token: str = ""  # the token it was opened with: checked again on every request (revocation)


class Sessions:
    """Dashboard sessions by the SHA-256 of their id (a memory dump shows no usable cookie)."""

    def __init__(self, idle: float = SESSION_IDLE_SECONDS, max_age: float = SESSION_MAX_SECONDS,
                 limit: int = MAX_SESSIONS, clock=time.monotonic):
        self.idle, self.max_age, self.limit, self.clock = idle, max_age, limit, clock
        self._by_hash: dict[str, Session] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(sid: str) -> str:
        return hashlib.sha256(sid.encode("utf-8", "replace")).hexdigest()

    def _expired(self, s: Session, now: float) -> bool:
        return now - s.seen > self.idle or now - s.created > self.max_age

    def create(self, token: str = "") -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            for key in [k for k, s in self._by_hash.items() if self._expired(s, now)]:
                del self._by_hash[key]
            while len(self._by_hash) >= self.limit:
                del self._by_hash[min(self._by_hash, key=lambda k: self._by_hash[k].seen)]
            session = self._by_hash[self._key(sid)] = Session(created=now, seen=now, token=token)
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 128:
            return None
        key, now = self._key(sid), self.clock()
        with self._lock:
            session = self._by_hash.get(key)
            if session is None:
                return None
            if self._expired(session, now):
                del self._by_hash[key]
                return None
            session.seen = now
            return session

    def revoke(self, sid: str | None) -> bool:
        if not sid:
            return False
        with self._lock:
            return self._by_hash.pop(self._key(sid), None) is not None

    def __len__(self) -> int:
        return len(self._by_hash)


SESSIONS = "kolscope.sessions"  # the app.extensions entry of the app's Sessions (made by register)


def sessions() -> Sessions:
    return current_app.extensions[SESSIONS]


def current_session() -> Session | None:
    """The request's dashboard session (cookie), looked up once per request; a session whose token
    was revoked or rotated since the login ends here."""
    if "kolscope_session" not in g:
        sid = request.cookies.get(SESSION_COOKIE)
        session = sessions().get(sid)
        g.kolscope_session_user = identify(session.token) if session is not None else None
        if session is not None and g.kolscope_session_user is None:
            sessions().revoke(sid)
            session = None
        g.kolscope_session = session
    return g.kolscope_session


def secure_cookies() -> bool:
    """Cookies marked Secure: the request came over HTTPS (served with TLS, or a trusted proxy's
    X-Forwarded-Proto under --behind-proxy); over plain http://127.0.0.1 a Secure cookie is not kept."""
    return bool(current_app.config.get("SECURE_COOKIES")) or request.scheme == "https"


def start_session(resp: Response, token: str) -> None:
    sid, _ = sessions().create(token)
    # no Max-Age: the cookie ends with the browser; the server ends the session earlier if idle
    resp.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Strict", path="/", secure=secure_cookies())


def end_session(resp: Response) -> None:
    sessions().revoke(request.cookies.get(SESSION_COOKIE))
    resp.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict", secure=secure_cookies())


def csrf_ok(given: str | None) -> bool:
    session = current_session()
    return bool(session and given and hmac.compare_digest(given.encode("utf-8", "replace"),
                                                           session.csrf.encode()))


# ---- the token -----------------------------------------------------------------------------------

def token_ok(candidate: str | None) -> bool:
    expected = current_app.config["TOKEN"]
    if not candidate:
        return False
    return hmac.compare_digest(candidate.encode("utf-8", "replace"), expected.encode("utf-8"))


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def identify(token: str | None) -> dict | None:
    """{name, admin} of a token: the store's own token is the admin "owner"; a user's active token is
    that user (asked of the store each time: revocation takes effect at once); else None."""
    if not token:
        return None
    if token_ok(token):
        return {"name": OWNER, "admin": True}
    user = get_store().user_for_token(token)
    return {"name": user["name"], "admin": bool(user["admin"])} if user else None


def bearer_user() -> dict | None:
    """identify() of the request's bearer token, asked of the store once per request."""
    if "kolscope_bearer_user" not in g:
        g.kolscope_bearer_user = identify(bearer())
    return g.kolscope_bearer_user


def current_user() -> dict | None:
    """Who makes this request ({name, admin}, also `g.user`): the bearer token's user, else the
    dashboard session's (the API takes a session for reads only: see `authenticated`)."""
    if "user" not in g:
        user = bearer_user()
        if user is None and current_session() is not None:
            user = g.kolscope_session_user
        g.user = user
    return g.user


def authenticated() -> bool:
    if bearer_user() is not None:
        return True
    return request.method in ("GET", "HEAD") and current_session() is not None


# ---- origins -------------------------------------------------------------------------------------

def origin_verdict(origin: str) -> str:
    """What an `Origin` may do: "allowed" (gets CORS), "token" (a `chrome-extension://` origin while
    none is registered: CORS only with the valid token), "refused" (another extension), or "web"
    (a web page, `null`, anything else)."""
    configured = current_app.config.get("EXTENSION_ORIGINS")
    if configured and origin in configured:
        return "allowed"
    if not origin.startswith(EXTENSION_SCHEME):
        return "web"
    ext_id = origin[len(EXTENSION_SCHEME):]
    if configured or not EXTENSION_ID_RE.match(ext_id):
        return "refused"
    registered = registered_extension()  # the options page's registration (server/services.py)
    if registered is None:
        return "token"
    return "allowed" if ext_id == registered else "refused"


def own_origin() -> str:
    return f"{request.scheme}://{request.host}".lower()


def _host_ok() -> bool:
    host = request.host
    if host.startswith("["):
        name = host[1:host.find("]")]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    allowed = current_app.config.get("ALLOWED_HOSTS", ())
    # "*": a team server (serve.py, over TLS or behind a proxy): the certificate, or the proxy's
    # server_name, already binds the name, and a rebinding page fails the TLS handshake
    return name.lower() in _LOCAL_HOSTS or name.lower() in allowed or "*" in allowed


def _teammate_extension(origin: str) -> bool:
    """A user's own extension on a team server: not the registered id (each install has its own) but
    an extension origin sending a user's valid token. The owner's token and EXTENSION_ORIGINS keep the
    strict rule."""
    if current_app.config.get("EXTENSION_ORIGINS") or not EXTENSION_ID_RE.match(origin[len(EXTENSION_SCHEME):]):
        return False
    user = bearer_user() if origin.startswith(EXTENSION_SCHEME) else None
    return user is not None and user["name"] != OWNER


def _cors_headers(resp: Response, origin: str) -> None:
    resp.headers["Access-Control-Allow-Origin"] = origin
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Content-Encoding"
    resp.headers["Access-Control-Max-Age"] = "600"
    resp.headers.add("Vary", "Origin")


def _refused_extension(origin: str) -> Response:
    registered = registered_extension()
    if registered is not None and not current_app.config.get("EXTENSION_ORIGINS"):
        message = (f"This backend answers only the kolscope extension registered with it "
                   f"({EXTENSION_SCHEME}{registered}), not {origin}. If you reinstalled the extension, "
                   "forget the old one: curl -X DELETE -H \"Authorization: Bearer $(kolscope token)\" "
                   f"{own_origin()}/api/v1/extension, then test the connection in the options again.")
    else:
        message = f"The extension origin {origin} is not allowed by this backend."
    return error_response(403, "forbidden_origin", message)


def register(app: Flask) -> None:
    app.extensions[SESSIONS] = Sessions()

    @app.context_processor
    def _csrf():
        session = current_session()
        return {"csrf_token": session.csrf if session else "",
                "signed_in_as": g.kolscope_session_user if session else None}

    @app.before_request
    def _guard():
        if not _host_ok():
            return error_response(403, "forbidden_host",
                                  "This server answers only requests addressed to this machine (127.0.0.1).")
        origin = request.headers.get("Origin")
        g.kolscope_cors = None
        if origin is not None:
            verdict = origin_verdict(origin)
            if verdict == "refused" and _teammate_extension(origin):
                verdict = "token"
            if verdict == "refused":
                return _refused_extension(origin)
            if verdict == "allowed" or (verdict == "token" and (request.method == "OPTIONS"
                                                                or bearer_user() is not None)):
                g.kolscope_cors = origin
            elif verdict == "web" and not (request.blueprint == "dashboard" and origin.lower() == own_origin()):
                scheme = urlsplit(origin).scheme or origin
                return error_response(403, "forbidden_origin",
                                      f"Requests from web pages ({scheme} origins) are refused; only the "
                                      "kolscope extension and local tools may call this server.")
        if request.method == "OPTIONS" and g.kolscope_cors is not None:
            resp = app.make_response(("", 204))
            _cors_headers(resp, origin)
            return resp
        path = request.path
        if path in PUBLIC_PATHS or path.startswith(STATIC_PREFIX):
            return None
        current_user()  # g.user, for the views (authorship, admin-only routes)
        if request.blueprint == "dashboard":
            return None  # the dashboard's pages check the session themselves and show the login form
        if not authenticated():
            return error_response(401, "unauthorized",
                                  "Missing or wrong token: send `Authorization: Bearer <token>` "
                                  "(`kolscope token` prints it).")
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        origin = g.get("kolscope_cors")
        if origin is not None and "Access-Control-Allow-Origin" not in resp.headers:
            _cors_headers(resp, origin)
        if LEGACY_TOKEN_COOKIE in request.cookies:  # an old dashboard cookie still holding the token
            resp.delete_cookie(LEGACY_TOKEN_COOKIE, path="/")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the
        # dashboard's own form posts, and the login/logout Origin check needs the real origin.
        # Nothing is sent to other origins either way (links out also carry rel=noreferrer).
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        is_page = resp.mimetype == "text/html" or request.path.startswith(STATIC_PREFIX)
        # a response that brings its own policy keeps it: a downloaded report (server/dashboard/
        # reports.py) allows its inline <style> and data: images, and still no script or request
        if "Content-Security-Policy" not in resp.headers:
            resp.headers["Content-Security-Policy"] = PAGE_CSP if is_page else JSON_CSP
        if not request.path.startswith(STATIC_PREFIX):
            resp.headers["Cache-Control"] = "no-store"
        return resp
