"""Who gets in: token on every route but health, no web Origin, CORS for the extension only,
Host pinned to this machine, security headers, body limit."""

from __future__ import annotations

import pytest

from server import create_app
from server.api.openapi import _document
from tests.server.api.conftest import post_capture, x_capture

EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def _routes():
    """Every documented operation but health, with its path parameters filled in."""
    fill = {"{platform}": "x", "{handle}": "bo_runs", "{wid}": "wl_000000000000", "{bid}": "br_000000000000",
            "{nid}": "nt_000000000000"}
    for path, ops in _document()["paths"].items():
        if path == "/health":
            continue
        for method in ops:
            url = "/api/v1" + path
            for k, v in fill.items():
                url = url.replace(k, v)
            yield method.upper(), url


ROUTES = sorted(set(_routes()))


@pytest.mark.parametrize("method,url", ROUTES)
def test_401_without_token(client, method, url):
    r = client.open(url, method=method, json={})
    assert r.status_code == 401, (method, url, r.status_code)
    assert r.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic abc", "bo_runs"])
def test_401_wrong_token(client, header):
    assert client.get("/api/v1/creators", headers={"Authorization": header}).status_code == 401


def test_health_without_token(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json["status"] == "ok"


@pytest.mark.parametrize("origin", ["http://evil.example", "https://www.youtube.com", "http://127.0.0.1:8765",
                                   "null", "file://", "moz-extension://abc"])
@pytest.mark.parametrize("method,url", [("GET", "/api/v1/health"), ("GET", "/api/v1/creators"),
                                        ("POST", "/api/v1/captures"), ("OPTIONS", "/api/v1/captures"),
                                        ("GET", "/")])
def test_403_web_origin_even_with_token(client, auth, origin, method, url):
    r = client.open(url, method=method, headers=dict(auth, Origin=origin), json=x_capture())
    assert r.status_code == 403
    assert r.json["error"]["code"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_extension_origin_gets_cors(client, auth):
    r = client.get("/api/v1/creators", headers=dict(auth, Origin=EXT))
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == EXT
    assert "Origin" in r.headers.get("Vary", "")


def test_extension_preflight(client):
    r = client.options("/api/v1/captures", headers={
        "Origin": EXT, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, content-encoding"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == EXT
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    allowed = r.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed and "content-encoding" in allowed


def test_extension_capture_post(client, auth):
    r = post_capture(client, dict(auth, Origin=EXT), x_capture())
    assert r.status_code == 201
    assert r.headers["Access-Control-Allow-Origin"] == EXT


def test_configured_extension_origins(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "EXTENSION_ORIGINS": [EXT]})
    try:
        c = app.test_client()
        h = {"Authorization": f"Bearer {app.config['TOKEN']}"}
        assert c.get("/api/v1/creators", headers=dict(h, Origin=EXT)).status_code == 200
        other = "chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
        assert c.get("/api/v1/creators", headers=dict(h, Origin=other)).status_code == 403
    finally:
        app.extensions["kolscope.store"].close()


def test_env_extension_origins(tmp_path, monkeypatch):
    monkeypatch.setenv("KOLSCOPE_EXTENSION_ORIGINS", f" {EXT} , chrome-extension://other ")
    app = create_app({"DATA_DIR": str(tmp_path)})
    try:
        assert app.config["EXTENSION_ORIGINS"] == [EXT, "chrome-extension://other"]
    finally:
        app.extensions["kolscope.store"].close()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
def test_403_foreign_host(client, auth, host):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 is same-origin to the browser."""
    r = client.get("/api/v1/creators", headers=dict(auth, Host=host))
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_host"


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "[::1]:8765"])
def test_local_hosts_allowed(client, auth, host):
    assert client.get("/api/v1/creators", headers=dict(auth, Host=host)).status_code == 200


def test_security_headers_on_json(client, auth):
    r = client.get("/api/v1/creators", headers=auth)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert r.headers["Cache-Control"] == "no-store"
    r = client.get("/api/v1/nowhere", headers=auth)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_405_is_json(client, auth):
    r = client.put("/api/v1/captures", headers=auth, json={})
    assert r.status_code == 405 and r.json["error"]["code"] == "method_not_allowed"


@pytest.mark.tinydb_only  # the token file of the data directory; on PostgreSQL the token is a row
def test_token_file_is_private(app):
    import os
    import stat

    path = app.extensions["kolscope.store"].dir / "token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().strip() == app.config["TOKEN"]


def test_session_cookie_auth_only_for_reads(client, app):
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    assert client.get("/api/v1/creators").status_code == 200
    assert client.post("/api/v1/watchlists", json={"name": "a"}).status_code == 401


def test_the_token_is_no_cookie_credential(client, app):
    client.set_cookie("kolscope_token", app.config["TOKEN"])
    assert client.get("/api/v1/creators").status_code == 401
    assert client.get("/").status_code == 401
