"""The discovery page through Flask's client: candidates with their paths, tier badges and shown
counts, filters and pages, the CSRF-guarded forms, and plain words for bad input."""

from __future__ import annotations

import re

from tests.conftest import load_listpage
from tests.server.api.conftest import post_capture


def _login(client, app) -> str:
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)


def test_discovery_needs_a_session(client):
    assert client.get("/discovery").status_code == 401
    assert client.post("/discovery/check", data={"id": "cd_000000000000"}).status_code == 401


def test_candidates_with_paths_badges_filters_and_pages(client, auth, app):
    search, _ = load_listpage("youtube/yt_search_channels_bbc_2026-01")
    assert post_capture(client, auth, search).status_code == 201
    XSS = "<img src=x onerror=alert(1)>"
    app.extensions["kolscope.store"].add_candidates([{"platform": "x", "handle": "xss_cand", "display_name": XSS,
        "path": {"kind": "mention", "label": f"mentioned by @{XSS}", "via": "mention:xss", "count": 1}}])
    _login(client, app)
    html = client.get("/discovery").get_data(as_text=True)
    assert '"bbc" search on YouTube, 20' in html.replace("&#34;", '"')
    assert 'class="tier tier-mega"' in html and "~19.1M" in html
    assert "21 candidates" in html and "Check selected" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html  # data is text
    youtube = client.get("/discovery?platform=youtube&source=search&tier=mega&checked=no").get_data(as_text=True)
    assert "BBC News" in youtube and "xss_cand" not in youtube
    assert "matches these filters" in client.get("/discovery?source=comments").get_data(as_text=True)
    app.extensions["kolscope.store"].add_candidates([{"platform": "x", "handle": f"many_{i}", "path": {
        "kind": "search", "label": "s", "via": "search:s", "count": 1}} for i in range(40)])
    first = client.get("/discovery").get_data(as_text=True)
    assert "Showing 1–50 of 61" in first and 'href="/discovery?offset=50"' in first
    assert "Showing 51–61 of 61" in client.get("/discovery?offset=50").get_data(as_text=True)


def test_bad_filters_are_a_page_in_words(client, app):
    _login(client, app)
    r = client.get("/discovery?source=<b>x</b>&platform=myspace&checked=maybe&offset=two")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "not a platform kolscope knows" in html and "&lt;b&gt;" in html
    assert "Traceback" not in html


def test_forms_need_csrf_and_say_what_is_missing(client, auth, app):
    store = app.extensions["kolscope.store"]
    store.add_candidates([{"platform": "x", "handle": h, "path": {"kind": "search", "label": "s", "via": "search:s"}}
                          for h in ("ann_w", "bob_w")])
    ids = [store.find_candidate("x", h)["id"] for h in ("ann_w", "bob_w")]
    csrf = _login(client, app)
    assert client.post("/discovery/check", data={"id": ids}).status_code == 403  # no CSRF field
    r = client.post("/discovery/check", data={"csrf": csrf}, follow_redirects=True)
    assert "Select at least one candidate first." in r.get_data(as_text=True)
    r = client.post("/discovery/check", data={"csrf": csrf, "id": "cd_000000000000"}, follow_redirects=True)
    assert "no longer exists" in r.get_data(as_text=True)
    r = client.post("/discovery/watch", data={"csrf": csrf, "id": ids, "watchlist": "wl_000000000000"},
                    follow_redirects=True)
    assert "Choose a watchlist first" in r.get_data(as_text=True)
    wl = store.create_watchlist("Bakers")
    r = client.post("/discovery/watch", data={"csrf": csrf, "id": ids, "watchlist": wl["id"],
                                              "back": "/discovery?platform=x"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/discovery?platform=x")
    assert "Added 2 to the watchlist “Bakers”." in client.get("/discovery").get_data(as_text=True)
    assert [c["handle"] for c in store.watchlist_creators(wl["id"])] == ["ann_w", "bob_w"]
    # a redirect only ever goes back to the discovery page
    r = client.post("/discovery/watch", data={"csrf": csrf, "id": ids, "watchlist": wl["id"],
                                              "back": "//evil.example/discovery"})
    assert r.headers["Location"].endswith("/discovery")
