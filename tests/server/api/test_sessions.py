"""Issue 11 part 1: the token never leaves the Authorization header. The dashboard's cookie holds a
random server-side session id (never the token), login and logout are POSTs from the dashboard's own
origin, logout revokes; and the extension origin that gets CORS is the one registered."""

from __future__ import annotations

import re

import pytest

from server import create_app
from server.security import Sessions

EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
OTHER = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba"


def login(client, app, **headers):
    return client.post("/login", data={"token": app.config["TOKEN"]}, headers=headers)


def session_cookie(r) -> str:
    cookies = r.headers.getlist("Set-Cookie")
    assert len(cookies) == 1, cookies
    return cookies[0]


# ---- the cookie and the URLs never hold the token ----------------------------------------------

def test_login_cookie_is_a_random_session_id_not_the_token(client, app):
    token = app.config["TOKEN"]
    r = login(client, app)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    cookie = session_cookie(r)
    name, _, rest = cookie.partition("=")
    value = rest.split(";")[0]
    assert name == "kolscope_session" and token not in cookie and len(value) >= 40
    attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "path"} <= attrs and "domain" not in attrs  # host-only, as `__Host-` wants
    assert "SameSite=Strict" in cookie and "Path=/" in cookie
    # a second login gets another id; both browsers' ids differ
    other = app.test_client()
    assert session_cookie(login(other, app)) != cookie


def test_no_url_carries_the_token(client, app, auth):
    token = app.config["TOKEN"]
    # the old login (GET /?token=) logs nobody in, and sets no cookie
    r = client.get("/?token=" + token)
    assert r.status_code == 401 and "Set-Cookie" not in r.headers
    assert b'<form method="post" action="/login">' in r.data
    # the API takes no token from a query string
    assert client.get("/api/v1/creators?token=" + token).status_code in (400, 401)
    assert client.get("/api/v1/creators?access_token=" + token).status_code in (400, 401)
    # and no page of the dashboard links to a URL holding it
    client.post("/api/v1/watchlists", json={"name": "Spring"}, headers=auth)
    login(client, app)
    for url in ("/", "/creator/x/nobody"):
        html = client.get(url).get_data(as_text=True)
        assert token not in html
        for href in re.findall(r'(?:href|action)="([^"]*)"', html):
            assert "token" not in href.lower(), href


def test_the_old_token_cookie_is_refused_and_cleared(client, app):
    client.set_cookie("kolscope_token", app.config["TOKEN"])
    r = client.get("/api/v1/creators")
    assert r.status_code == 401
    assert any(c.startswith("kolscope_token=;") for c in r.headers.getlist("Set-Cookie"))


def test_login_is_a_post_from_our_own_origin(client, app):
    assert client.get("/login").status_code in (401, 405)  # no GET login
    r = login(client, app, Origin="http://localhost")  # the test client's own origin
    assert r.status_code == 303
    for origin in ("http://127.0.0.1:3000", "http://localhost:9999", "https://localhost", "null",
                   "http://evil.example"):
        r = login(app.test_client(), app, Origin=origin)
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_origin", origin
        assert "Set-Cookie" not in r.headers


def test_session_authorises_reads_of_the_dashboard_and_the_api_only(client, app, auth):
    login(client, app)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/creators").status_code == 200
    assert client.post("/api/v1/watchlists", json={"name": "a"}).status_code == 401
    assert client.delete("/api/v1/extension").status_code == 401


# ---- logout ------------------------------------------------------------------------------------

def test_logout_revokes_the_session_server_side(client, app):
    r = login(client, app)
    sid = session_cookie(r).split(";")[0].split("=", 1)[1]
    page = client.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert 'action="/logout"' in page and 'method="post"' in page
    r = client.post("/logout", data={"csrf": csrf})
    assert r.status_code == 303
    assert any(c.startswith("kolscope_session=;") for c in r.headers.getlist("Set-Cookie"))
    # the id is dead on the server: replaying the old cookie does not get in
    replay = app.test_client()
    replay.set_cookie("kolscope_session", sid)
    assert replay.get("/").status_code == 401
    assert replay.get("/api/v1/creators").status_code == 401


def test_logout_needs_the_csrf_token_and_our_origin(client, app):
    login(client, app)
    r = client.post("/logout", data={"csrf": "forged"})
    assert r.status_code == 403 and r.json["error"]["code"] == "csrf"
    r = client.post("/logout", headers={"Origin": "http://127.0.0.1:3000"})
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_origin"
    assert client.get("/").status_code == 200  # still logged in
    r = client.get("/logout")  # a GET (a link, an <img>) logs nobody out
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"
    assert client.get("/").status_code == 200


def test_sessions_expire_and_are_capped():
    now = [1000.0]
    s = Sessions(idle=60, max_age=300, limit=3, clock=lambda: now[0])
    sid, _ = s.create()
    now[0] += 59
    assert s.get(sid) is not None  # used: the idle clock restarts
    now[0] += 59
    assert s.get(sid) is not None
    now[0] += 61
    assert s.get(sid) is None  # idle too long
    sid, _ = s.create()
    for _ in range(5):
        now[0] += 50
        assert s.get(sid) is not None
    now[0] += 51
    assert s.get(sid) is None  # older than max_age (301 s), however busy
    ids = [s.create()[0] for _ in range(5)]
    assert len(s) == 3 and s.get(ids[0]) is None and s.get(ids[-1]) is not None
    assert s.get(None) is None and s.get("x" * 1000) is None and not s.revoke("nope")


# ---- CORS: the registered extension only -------------------------------------------------------

def test_before_registration_extension_cors_needs_the_token(client, auth):
    r = client.get("/api/v1/creators", headers=dict(auth, Origin=OTHER))
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == OTHER
    r = client.get("/api/v1/health", headers={"Origin": OTHER})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = client.get("/api/v1/creators", headers={"Origin": OTHER, "Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "Access-Control-Allow-Origin" not in r.headers
    r = client.options("/api/v1/captures", headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == OTHER  # no token in a preflight
    # not an extension id at all
    r = client.get("/api/v1/creators", headers=dict(auth, Origin="chrome-extension://../x"))
    assert r.status_code == 403


def _app(data):
    return create_app({"DATA_DIR": str(data), "TESTING": True, "STORE_FSYNC": False})


def test_registered_extension_only_gets_cors_and_others_are_refused(tmp_path):
    app = _app(tmp_path)
    auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    try:
        client = app.test_client()
        assert client.get("/api/v1/extension", headers=auth).json["id"] is None
        r = client.put("/api/v1/extension", json={"id": EXT.split("//")[1]}, headers=dict(auth, Origin=EXT))
        assert r.status_code == 200 and r.json["origin"] == EXT
        assert r.headers["Access-Control-Allow-Origin"] == EXT
        # the registered one: CORS, with or without the token (health)
        r = client.get("/api/v1/creators", headers=dict(auth, Origin=EXT))
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == EXT
        assert client.get("/api/v1/health", headers={"Origin": EXT}).headers["Access-Control-Allow-Origin"] == EXT
        # any other extension: refused, token or not, preflight or not
        for method, url in (("GET", "/api/v1/creators"), ("GET", "/api/v1/health"),
                            ("OPTIONS", "/api/v1/captures"), ("PUT", "/api/v1/extension")):
            r = client.open(url, method=method, headers=dict(auth, Origin=OTHER), json={"id": OTHER.split("//")[1]})
            assert r.status_code == 403, (method, url)
            assert r.json["error"]["code"] == "forbidden_origin" and "Access-Control-Allow-Origin" not in r.headers
            assert "DELETE" in r.json["error"]["message"]  # says how to forget a reinstalled extension
    finally:
        app.extensions["kolscope.store"].close()
    # kept in the store: a restarted server still knows it
    app = _app(tmp_path)
    try:
        c = app.test_client()
        assert c.get("/api/v1/creators", headers=dict(auth, Origin=OTHER)).status_code == 403
        assert c.get("/api/v1/creators", headers=dict(auth, Origin=EXT)).status_code == 200
        # a local tool (no Origin) with the token forgets it: token-carrying extensions get CORS again
        assert c.delete("/api/v1/extension", headers=auth).status_code == 204
        r = c.get("/api/v1/creators", headers=dict(auth, Origin=OTHER))
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == OTHER
    finally:
        app.extensions["kolscope.store"].close()


@pytest.mark.parametrize("payload,headers", [
    ({"id": "ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP"}, {}),  # not Chrome's alphabet
    ({"id": "abc"}, {}),
    ({"id": None}, {}),
    ({}, {}),
    ({"id": "abcdefghijklmnopabcdefghijklmnop", "extra": 1}, {}),
    ({"id": "ponmlkjihgfedcbaponmlkjihgfedcba"}, {"Origin": EXT}),  # registering another extension
    ([], {}),
])
def test_register_rejects_bad_ids(client, auth, payload, headers):
    r = client.put("/api/v1/extension", json=payload, headers=dict(auth, **headers))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid"
    assert client.get("/api/v1/extension", headers=auth).json["id"] is None  # nothing stored


def test_register_needs_the_token(client):
    r = client.put("/api/v1/extension", json={"id": EXT.split("//")[1]}, headers={"Origin": EXT})
    assert r.status_code == 401 and "Access-Control-Allow-Origin" not in r.headers


def test_configured_origins_decide_alone(tmp_path):
    firefox = "moz-extension://4b1d2f0e-1111-4222-8333-944455556666"
    app = create_app({"DATA_DIR": str(tmp_path), "EXTENSION_ORIGINS": [OTHER, firefox]})
    try:
        c = app.test_client()
        h = {"Authorization": f"Bearer {app.config['TOKEN']}"}
        assert c.put("/api/v1/extension", json={"id": EXT.split("//")[1]}, headers=h).status_code == 200
        for allowed in (OTHER, firefox):  # a configured origin need not be Chrome's
            r = c.get("/api/v1/creators", headers=dict(h, Origin=allowed))
            assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == allowed
        assert c.get("/api/v1/creators", headers=dict(h, Origin=EXT)).status_code == 403
        assert c.get("/api/v1/creators", headers=dict(h, Origin="moz-extension://other")).status_code == 403
    finally:
        app.extensions["kolscope.store"].close()
