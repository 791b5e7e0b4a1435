"""The dashboard: behind the token, creator text escaped, no script anywhere."""

from __future__ import annotations

from tests.server.api.conftest import post_capture, x_capture

XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def test_dashboard_needs_token(client):
    r = client.get("/")
    assert r.status_code == 401 and b'name="token"' in r.data and b'method="post"' in r.data
    r = client.post("/login", data={"token": "wrong"})
    assert r.status_code == 401 and b"not right" in r.data and "Set-Cookie" not in r.headers


def test_dashboard_lists_creators_escaped(client, auth, app):
    post_capture(client, auth, x_capture("xss_user", name=XSS))
    wl = client.post("/api/v1/watchlists", json={"name": "<b>Mine</b>"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "xss_user"}, headers=auth)
    r = client.post("/login", data={"token": app.config["TOKEN"]})
    assert r.status_code == 303 and r.headers["Location"].endswith("/")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and app.config["TOKEN"] not in cookie
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
    # the export link works with the dashboard's session cookie (a GET)
    assert client.get(f"/api/v1/watchlists/{wl['id']}/export.csv").status_code == 200


def test_api_json_escapes_nothing_executable(client, auth):
    r = post_capture(client, auth, x_capture("xss_user", name=XSS))
    assert r.json["creator"]["display_name"] == XSS  # data kept as is...
    assert r.mimetype == "application/json" and r.headers["X-Content-Type-Options"] == "nosniff"


def _login(client, app):
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303


def test_creator_page_needs_token(client, auth):
    post_capture(client, auth, x_capture("page_user"))
    r = client.get("/creator/x/page_user")
    assert r.status_code == 401 and b'name="token"' in r.data


def test_creator_page_shows_reasons_history_posts_and_notes(client, auth, app):
    post_capture(client, auth, x_capture("page_user", followers=800, name=XSS, captured_at="2026-01-01T00:00:00Z"))
    post_capture(client, auth, x_capture("page_user", followers=950, name=XSS, captured_at="2026-02-01T00:00:00Z"))
    client.post("/api/v1/creators/x/page_user/notes", json={"text": "<b>call</b> in March"}, headers=auth)
    _login(client, app)
    index = client.get("/browsed").get_data(as_text=True)  # in no watchlist: a browsed creator
    assert 'href="/creator/x/page_user"' in index  # the listing links each creator to its page
    r = client.get("/creator/x/PAGE_USER")  # handles match case-insensitively
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    latest = client.get("/api/v1/creators/x/page_user", headers=auth).json
    for part in ("fit", "authenticity"):
        for f in latest["scores"][part]["factors"]:
            assert str(f["label"]) in html  # every factor, with its reason
    reason = latest["scores"]["authenticity"]["factors"][0]["reason"]
    assert reason.replace("'", "&#39;") in html or reason in html
    assert "950" in html and "+150" in html  # the history with its change
    assert "<polyline" in html  # the follower line, drawn without script
    assert "&lt;b&gt;call&lt;/b&gt; in March" in html
    assert "&lt;script&gt;" in html and "<script" not in html and "<img" not in html
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


def test_creator_page_unknown_or_invalid_is_404(client, app):
    _login(client, app)
    assert client.get("/creator/x/nobody_here").status_code == 404
    assert client.get("/creator/x/not a handle!").status_code == 404
    assert client.get("/creator/myspace/tom").status_code == 404


def test_follower_chart_geometry():
    from server.dashboard.creator import follower_chart

    assert follower_chart([{"captured_at": "2026-01-01T00:00:00Z", "followers": 5}]) is None
    chart = follower_chart([
        {"captured_at": "2026-01-01T00:00:00Z", "followers": 100},
        {"captured_at": "2026-01-11T00:00:00Z", "followers": 300},
        {"captured_at": "2026-01-21T00:00:00Z", "followers": None},  # a capture without the count
        {"captured_at": "2026-01-31T00:00:00Z", "followers": 200},
    ], width=96, height=56)
    xs, ys = zip(*(map(float, p.split(",")) for p in chart["points"].split()))
    assert xs == (6.0, 34.0, 90.0)  # by time: 10 of 30 days is a third of the width
    assert ys == (50.0, 6.0, 28.0)  # lowest count at the bottom, highest at the top
    assert (chart["min"], chart["max"], chart["first"], chart["last"]) == (100, 300, "2026-01-01", "2026-01-31")


def test_logout_without_or_with_a_stale_cookie_still_logs_out(client):
    # the dashboard's own pages check the session themselves: /logout is one (it was answered 401)
    for cookie in (None, "stale-session"):
        if cookie:
            client.set_cookie("kolscope_session", cookie)
        r = client.post("/logout")
        assert r.status_code == 303 and r.headers["Location"].endswith("/")
