"""The dashboard: behind the token, creator text escaped, no script anywhere."""

from __future__ import annotations

from tests.api.conftest import post_capture, x_capture

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_dashboard_needs_token(client):
    r = client.get("/")
    assert r.status_code == 401 and b'name="token"' in r.data
    r = client.get("/?token=wrong")
    assert r.status_code == 401 and b"not right" in r.data


def test_dashboard_lists_creators_escaped(client, auth, app):
    post_capture(client, auth, x_capture("xss_user", name=XSS))
    wl = client.post("/api/v1/watchlists", json={"name": "<b>Mine</b>"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "xss_user"}, headers=auth)
    r = client.get("/?token=" + app.config["TOKEN"])
    assert r.status_code == 303 and r.headers["Location"].endswith("/")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" in html
    assert "<script" not in html and "<img" not in html and "<b>Mine" not in html
    assert "&lt;b&gt;Mine&lt;/b&gt;" in html
    assert f"/api/v1/watchlists/{wl['id']}/export.csv" in html
    assert "800" in html
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    # the export link works with the dashboard's cookie (a GET)
    assert client.get(f"/api/v1/watchlists/{wl['id']}/export.csv").status_code == 200


def test_api_json_escapes_nothing_executable(client, auth):
    r = post_capture(client, auth, x_capture("xss_user", name=XSS))
    assert r.json["creator"]["display_name"] == XSS  # data kept as is...
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"
