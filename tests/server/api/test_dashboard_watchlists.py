"""The watchlist pages, the shortlist and Browsed (issue 13): every form's outcome and every error
message checked by its words, sorting, filtering and pages, refresh progress, clearing Browsed; and
the API's side of it (the listing's new filters, forgetting creators)."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from server.dashboard.watchlists import paste_a_url
from server.refresh import CreatorOutcome, RefreshRun
from tests.browser import needs_chromium
from tests.server.api.conftest import post_capture, x_capture


def login(client, app) -> str:
    """Sign in; answers the session's CSRF token (read from a page, as a browser has it)."""
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    page = client.get("/watchlists").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def notices(client, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    return [htmllib.unescape(t) for t in re.findall(r'<p class="notice notice-(?:ok|error)" role="status">([^<]*)</p>', page)]


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-creator="([^"]+)">', page)


def make(client, csrf: str, name: str, hours: str = "24") -> str:
    r = client.post("/watchlists", data={"csrf": csrf, "name": name, "refresh_interval_hours": hours})
    assert r.status_code == 303 and r.headers["Location"].startswith("/watchlists/wl_")
    notices(client, "/watchlists")  # "Watchlist ... made." read
    return r.headers["Location"].rsplit("/", 1)[1]


@pytest.fixture
def three(client, auth):
    """Three captured X creators: alpha 800, beta 5,000, gamma 20,000 followers."""
    for handle, followers in (("alpha", 800), ("beta", 5000), ("gamma", 20000)):
        assert post_capture(client, auth, x_capture(handle, followers=followers)).status_code == 201


# -- watchlists -------------------------------------------------------------------------------------

def test_the_pages_need_a_session(client):
    for path in ("/watchlists", "/watchlists/wl_000000000000", "/browsed", "/browsed/clear"):
        r = client.get(path)
        assert r.status_code == 401 and b'name="token"' in r.data, path
    r = client.post("/watchlists", data={"name": "X"})
    assert r.status_code == 401
    assert client.get("/api/v1/watchlists").status_code == 401  # and no watchlist was made


def test_a_form_without_its_csrf_token_is_refused_in_words(client, app):
    login(client, app)
    r = client.post("/watchlists", data={"name": "Sneaky", "csrf": "forged"})
    assert r.status_code == 403 and b"This form is out of date" in r.data
    assert "Sneaky" not in client.get("/watchlists").get_data(as_text=True)


def test_make_a_watchlist_and_its_errors(client, app):
    csrf = login(client, app)
    r = client.post("/watchlists", data={"csrf": csrf, "name": "Spring <b>launch</b>", "refresh_interval_hours": "12"})
    wid = r.headers["Location"].rsplit("/", 1)[1]
    assert notices(client, f"/watchlists/{wid}") == ["Watchlist “Spring <b>launch</b>” made. Add creators by "
                                                     "their profile URL below."]
    page = client.get("/watchlists").get_data(as_text=True)
    assert "Spring &lt;b&gt;launch&lt;/b&gt;" in page and "<b>launch" not in page
    assert "every 12 h" in page and f'href="/watchlists/{wid}"' in page
    client.post("/watchlists", data={"csrf": csrf, "name": "spring <B>LAUNCH</b>"})
    assert notices(client, "/watchlists") == ["A watchlist named “spring <B>LAUNCH</b>” exists already: pick another name."]
    client.post("/watchlists", data={"csrf": csrf, "name": "  ", "refresh_interval_hours": "often"})
    assert notices(client, "/watchlists") == ["Give the watchlist a name (1 to 100 characters).",
                                              "The refresh interval is a number of hours from 1 to 8760."]
    client.post("/watchlists", data={"csrf": csrf, "name": "Fast", "refresh_interval_hours": "0.5"})
    assert notices(client, "/watchlists") == ["The refresh interval is a number of hours from 1 to 8760."]
    assert len(client.get("/api/v1/watchlists").json["items"]) == 1


def test_an_unknown_watchlist_is_a_page_in_words(client, app):
    csrf = login(client, app)
    for r in (client.get("/watchlists/wl_000000000000"), client.get("/watchlists/wl_000000000000/delete"),
              client.post("/watchlists/wl_000000000000/add", data={"csrf": csrf, "url": "https://x.com/a"}),
              client.post("/watchlists/wl_000000000000/rename", data={"csrf": csrf, "name": "b"})):
        assert r.status_code == 404 and b"No such watchlist" in r.data and b"may have been deleted" in r.data


def test_add_a_creator_by_url_and_every_refusal(client, app, three):
    csrf = login(client, app)
    wid = make(client, csrf, "W")

    def add(url: str) -> list[str]:
        assert client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": url}).status_code == 303
        return notices(client, f"/watchlists/{wid}")

    assert add("https://x.com/alpha") == ["@alpha (x) added."]
    assert add("https://www.tiktok.com/@new.one") == [
        "@new.one (tiktok) added; not captured yet (Refresh now, or open it with the extension)."]
    assert add("https://x.com/ALPHA") == ["@alpha (x) is in this watchlist already."]
    assert add("https://example.com/alpha") == [
        "Not a URL of a supported platform (YouTube, TikTok, Instagram, X, Bilibili). (https://example.com/alpha)"]
    assert add("https://www.youtube.com/watch?v=abc") == [
        "This YouTube URL does not name a creator profile. (https://www.youtube.com/watch?v=abc)"]
    assert add("") == [paste_a_url()]
    assert paste_a_url().startswith("Paste a creator's profile URL (https://") and "name, https://" in paste_a_url()
    page = client.get(f"/watchlists/{wid}").get_data(as_text=True)
    assert sorted(rows(page)) == ["tiktok/new.one", "x/alpha"]


def test_remove_move_and_copy_and_their_refusals(client, app, three):
    csrf = login(client, app)
    here, there = make(client, csrf, "Here"), make(client, csrf, "There")
    for h in ("alpha", "beta", "gamma"):
        client.post(f"/watchlists/{here}/add", data={"csrf": csrf, "url": f"https://x.com/{h}"})
    notices(client, "/")

    def act(action: str, handle: str, to: str | None = None, back: str | None = None) -> list[str]:
        data = {"csrf": csrf, "action": action, "platform": "x", "handle": handle}
        if to is not None:
            data["to"] = to
        if back is not None:
            data["back"] = back
        r = client.post(f"/watchlists/{here}/member", data=data)
        assert r.status_code == 303
        assert r.headers["Location"] == (back if back and back.startswith("/") and not back.startswith("//")
                                         else f"/watchlists/{here}")
        return notices(client, "/")

    assert act("remove", "alpha", back=f"/watchlists/{here}?sort=handle") == ["Removed @alpha from “Here”."]
    assert act("move", "beta", to=there) == ["Moved @beta to “There”."]
    assert act("copy", "gamma", to=there, back="//evil.example/") == ["Copied @gamma to “There”."]
    assert act("remove", "alpha") == ["@alpha is not in “Here” (any more)."]
    assert act("move", "gamma", to=here) == ["That is this watchlist: pick another one."]
    assert act("copy", "gamma", to="wl_000000000000") == ["That watchlist no longer exists."]
    assert act("move", "gamma", to="") == ["Pick the watchlist to put the creator in."]
    assert act("delete", "gamma") == ["Use the Remove, Move or Copy button of a creator's row."]
    assert rows(client.get(f"/watchlists/{here}").get_data(as_text=True)) == ["x/gamma"]
    assert sorted(rows(client.get(f"/watchlists/{there}").get_data(as_text=True))) == ["x/beta", "x/gamma"]
    # alpha, in no watchlist now, is a browsed creator; the others are the shortlist
    assert rows(client.get("/browsed").get_data(as_text=True)) == ["x/alpha"]
    assert sorted(rows(client.get("/").get_data(as_text=True))) == ["x/beta", "x/gamma"]


def test_rename_interval_and_delete_with_a_confirm_step(client, app, auth, three):
    csrf = login(client, app)
    wid, other = make(client, csrf, "Old"), make(client, csrf, "Other")
    client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": "https://x.com/alpha"})
    client.post(f"/watchlists/{wid}/rename", data={"csrf": csrf, "name": "OTHER"})
    assert notices(client, "/") == ["@alpha (x) added.", "A watchlist named “OTHER” exists already: pick another name."]
    client.post(f"/watchlists/{wid}/rename", data={"csrf": csrf, "name": ""})
    assert notices(client, "/") == ["Give the watchlist a name (1 to 100 characters)."]
    client.post(f"/watchlists/{wid}/rename", data={"csrf": csrf, "name": "New"})
    assert notices(client, "/") == ["Renamed to “New”."]
    client.patch(f"/api/v1/watchlists/{wid}", json={"refresh_cron": "0 6 * * *"}, headers=auth)
    assert "on the schedule" in client.get(f"/watchlists/{wid}").get_data(as_text=True)
    client.post(f"/watchlists/{wid}/interval", data={"csrf": csrf, "refresh_interval_hours": "6 h"})
    assert notices(client, "/") == ["This watchlist is now refreshed every 6 h."]
    doc = client.get(f"/api/v1/watchlists/{wid}", headers=auth).json
    assert (doc["name"], doc["refresh_interval_hours"], doc["refresh_cron"]) == ("New", 6.0, None)
    client.post(f"/watchlists/{wid}/interval", data={"csrf": csrf, "refresh_interval_hours": "-3"})
    assert notices(client, "/") == ["The refresh interval is a number of hours from 1 to 8760."]
    confirm = client.get(f"/watchlists/{wid}/delete")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Delete the watchlist “New”?" in text and "its 1 creator(s) stay stored" in text
    assert f'action="/watchlists/{wid}/delete"' in text and 'method="post"' in text
    assert client.get(f"/api/v1/watchlists/{wid}", headers=auth).status_code == 200  # the GET deleted nothing
    r = client.post(f"/watchlists/{wid}/delete", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/watchlists"
    assert notices(client, "/") == ["Deleted the watchlist “New”."]
    assert client.get(f"/api/v1/watchlists/{wid}", headers=auth).status_code == 404
    assert client.get("/api/v1/creators/x/alpha", headers=auth).status_code == 200  # the creator stays
    assert client.post(f"/watchlists/{wid}/delete", data={"csrf": csrf}).status_code == 404
    assert other


# -- sort, filter, pages --------------------------------------------------------------------------

def test_sort_by_the_header_links(client, app, three):
    csrf = login(client, app)
    wid = make(client, csrf, "W")
    for h in ("alpha", "beta", "gamma"):
        client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": f"https://x.com/{h}"})
    page = client.get(f"/watchlists/{wid}?sort=followers").get_data(as_text=True)
    assert rows(page) == ["x/gamma", "x/beta", "x/alpha"]
    # the header link of the column sorted by turns the order round; the others start in theirs
    link = htmllib.unescape(re.search(r'<a href="([^"]+)" data-sort="followers">', page).group(1))
    assert link == f"/watchlists/{wid}?sort=followers&order=asc"
    assert rows(client.get(link).get_data(as_text=True)) == ["x/alpha", "x/beta", "x/gamma"]
    handle_link = htmllib.unescape(re.search(r'<a href="([^"]+)" data-sort="handle">', page).group(1))
    assert rows(client.get(handle_link).get_data(as_text=True)) == ["x/alpha", "x/beta", "x/gamma"]
    for sort in ("followers", "tier", "fit", "authenticity", "confidence", "growth", "captured_at", "handle"):
        assert f'data-sort="{sort}"' in page


def test_filters_and_their_errors_in_words(client, app, auth, three):
    login(client, app)
    assert rows(client.get("/browsed?tier=micro&sort=followers").get_data(as_text=True)) == ["x/gamma"]
    assert rows(client.get("/browsed?platform=tiktok").get_data(as_text=True)) == []
    assert "No creator matches these filters." in client.get("/browsed?platform=tiktok").get_data(as_text=True)
    assert rows(client.get("/browsed?q=ALP").get_data(as_text=True)) == ["x/alpha"]
    # a country and a language by name or by code
    assert client.get("/browsed?country=Germany&language=German").status_code == 200
    # the audience's languages as scoring measured them (the fixture's posts are in English)
    assert auth and client.get("/api/v1/creators/x/alpha", headers=auth).json["scores"]["traits"]["languages"] == ["en"]
    assert rows(client.get("/browsed?language=English&sort=handle").get_data(as_text=True)) == [
        "x/alpha", "x/beta", "x/gamma"]
    assert rows(client.get("/browsed?language=de").get_data(as_text=True)) == []
    assert client.get("/browsed?country=de&language=deu").status_code == 200
    r = client.get("/browsed?min_fit=high&min_authenticity=101&country=Atlantis&language=Klingonish"
                   "&captured_since=yesterday&min_growth=x&page=0&refresh=fine&tier=huge&sort=random")
    assert r.status_code == 400
    said = dict(re.findall(r'<li data-field="([^"]+)">([^<]*)</li>', r.get_data(as_text=True)))
    assert said == {
        "min_fit": "Minimum fit is a number from 0 to 100.",
        "min_authenticity": "Minimum authenticity is a number from 0 to 100.",
        "country": "Type a country&#39;s name (Germany) or its two-letter code (DE).",
        "language": "Type a language&#39;s name (German) or its code (de).",
        "captured_since": "Captured since is a date (YYYY-MM-DD).",
        "min_growth": "Growth is a percentage from -100 to 1,000,000.",
        "page": "Page is a whole number from 1.",
        "refresh": "Pick one of the choices offered.",
        "sort": "Pick one of the choices offered.",
        # tier is free text in the API (a custom tier table names its own); no creator has "huge"
    }
    assert rows(r.get_data(as_text=True)) == []  # the good filter (tier=huge) still applies


def test_pages_of_fifty_keep_the_filters(client, app, auth):
    for i in range(120):
        assert post_capture(client, auth, x_capture(f"many_{i:03d}", followers=1000 + i)).status_code == 201
    login(client, app)
    first = client.get("/browsed?sort=handle&q=many").get_data(as_text=True)
    assert rows(first)[:2] == ["x/many_000", "x/many_001"] and len(rows(first)) == 50
    assert "120 creators, 3 pages" in first
    links = [htmllib.unescape(u) for u in re.findall(r'<a href="([^"]+)" rel="next">', first)]
    assert links == ["/browsed?q=many&sort=handle&page=2"]
    third = client.get("/browsed?q=many&sort=handle&page=3").get_data(as_text=True)
    assert rows(third) == [f"x/many_{i:03d}" for i in range(100, 120)]
    prev = htmllib.unescape(re.search(r'<a href="([^"]+)" rel="prev">', third).group(1))
    assert prev == "/browsed?q=many&sort=handle&page=2"
    beyond = client.get("/browsed?q=many&page=9")
    assert beyond.status_code == 400 and b"There are only 3 pages." in beyond.data


# -- refresh ---------------------------------------------------------------------------------------

def test_refresh_now_shows_progress_and_each_status_in_words(client, app, three, monkeypatch):
    csrf = login(client, app)
    wid = make(client, csrf, "W")
    client.post(f"/watchlists/{wid}/refresh", data={"csrf": csrf})
    assert notices(client, f"/watchlists/{wid}")[-1] == "This watchlist has no creator to refresh yet."
    for h in ("alpha", "beta", "gamma"):
        client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": f"https://x.com/{h}"})
    store, refreshes = app.extensions["kolscope.store"], app.extensions["kolscope.refreshes"]
    store.record_refresh("x", "alpha", "error", "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://x.com/alpha",
                         code="network")
    store.record_refresh("x", "beta", "running")
    run = RefreshRun(wid, creators=[CreatorOutcome("x", "alpha", "error"), CreatorOutcome("x", "beta", "running"),
                                    CreatorOutcome("x", "gamma", "queued")])
    started = []
    monkeypatch.setattr(refreshes, "start_background", lambda w, **kw: (started.append(w) or run, len(started) == 1))
    client.post(f"/watchlists/{wid}/refresh", data={"csrf": csrf})
    client.post(f"/watchlists/{wid}/refresh", data={"csrf": csrf})
    assert started == [wid, wid]
    monkeypatch.setattr(refreshes, "current_run", lambda w: run if w == wid else None)
    page = client.get(f"/watchlists/{wid}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "<script" not in page
    assert "Refreshing 1 of 3…" in page
    assert [htmllib.unescape(t) for t in re.findall(r'class="notice[^"]*" role="status">([^<]*)<', page)] == [
        "@alpha (x) added.", "@beta (x) added.", "@gamma (x) added.",
        "Refreshing 3 creator(s) now.", "A refresh of this watchlist is already running."]
    status = dict(re.findall(r'<tr data-creator="([^"]+)">.*?<td class="status">([^<]*)</td>', page, re.S))
    assert status == {"x/alpha": "Could not reach x.com: no network (the name could not be looked up); will retry at the next refresh.",
                      "x/beta": "Refreshing now.", "x/gamma": "Waiting its turn in this refresh."}
    assert "ERR_NAME_NOT_RESOLVED" not in page and "Page.goto" not in page
    assert "refreshing now" in client.get("/watchlists").get_data(as_text=True)
    run.finished_at = "2026-01-01T00:00:00Z"
    done = client.get(f"/watchlists/{wid}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done and "Refresh now" in done


@pytest.mark.slow
@needs_chromium
def test_refresh_now_really_runs_and_each_outcome_is_said_in_words(tmp_path):
    """A real refresh (Chromium over saved pages, no network): the page follows it to the end."""
    from server import create_app, scheduler
    from tests.scraper.synthetic import write_replay_dir
    from tests.scraper.synthetic import x_capture as x_page
    from tests.server.test_refresh import FETCH
    from tests.waiting import wait_until

    replay = write_replay_dir(tmp_path / "replay", [x_page("ada_runs", 4321)])
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "STORE_FSYNC": False,
                      "SCHEDULER_ENABLED": True, "REPLAY_DIR": str(replay), "REFRESH_FETCHER_OPTIONS": FETCH})
    try:
        sched = scheduler.start(app)
        client = app.test_client()
        csrf = login(client, app)
        wid = make(client, csrf, "Daily", "48")
        # the dashboard's changes reach the scheduler at once, as the API's do
        assert sched.get_job(scheduler.job_id(wid)).trigger.interval.total_seconds() == 48 * 3600
        client.post(f"/watchlists/{wid}/interval", data={"csrf": csrf, "refresh_interval_hours": "2"})
        assert sched.get_job(scheduler.job_id(wid)).trigger.interval.total_seconds() == 2 * 3600
        for url in ("https://x.com/ada_runs", "https://x.com/not_saved"):
            client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": url})
        client.post(f"/watchlists/{wid}/refresh", data={"csrf": csrf})
        assert wait_until(lambda: b'http-equiv="refresh"' not in client.get(f"/watchlists/{wid}").data)
        page = client.get(f"/watchlists/{wid}").get_data(as_text=True)
        status = dict(re.findall(r'<tr data-creator="([^"]+)">.*?<td class="status">([^<]*)</td>', page, re.S))
        assert status["x/ada_runs"] == "Refreshed from x.com."
        assert status["x/not_saved"] and "net::" not in status["x/not_saved"] and "Traceback" not in page
        assert "4,321" in page and "last run: 1 ok, 1 " in page
        client.post(f"/watchlists/{wid}/delete", data={"csrf": csrf})
        assert sched.get_job(scheduler.job_id(wid)) is None
    finally:
        scheduler.shutdown(app)
        app.extensions["kolscope.store"].close()


# -- the shortlist, Browsed, and forgetting ---------------------------------------------------------

def test_the_shortlist_and_browsed_are_separate(client, app, three):
    csrf = login(client, app)
    wid = make(client, csrf, "W")
    client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": "https://x.com/beta"})
    home = client.get("/").get_data(as_text=True)
    assert rows(home) == ["x/beta"] and 'href="/browsed"' in home
    browsed = client.get("/browsed").get_data(as_text=True)
    assert sorted(rows(browsed)) == ["x/alpha", "x/gamma"] and "Shortlist: 1 creator(s)" in browsed
    # a browsed creator's row puts it in a watchlist
    r = client.post("/watchlists/add-creator", data={"csrf": csrf, "platform": "x", "handle": "gamma", "to": wid,
                                                      "back": "/browsed?sort=handle"})
    assert r.headers["Location"] == "/browsed?sort=handle"
    assert notices(client, "/") == ["Added @gamma to “W”."]
    client.post("/watchlists/add-creator", data={"csrf": csrf, "platform": "x", "handle": "nobody", "to": wid})
    assert notices(client, "/") == ["kolscope has no creator x/@nobody (any more)."]
    assert sorted(rows(client.get("/").get_data(as_text=True))) == ["x/beta", "x/gamma"]
    # compare: the checkboxes belong to a GET form to /compare with c=platform/handle
    assert '<form id="compare" method="get" action="/compare">' in home
    assert 'name="c" value="x/beta" form="compare"' in home


def test_clear_browsed_forgets_only_creators_in_no_watchlist(client, app, auth, three):
    csrf = login(client, app)
    wid = make(client, csrf, "Keep")
    client.post(f"/watchlists/{wid}/add", data={"csrf": csrf, "url": "https://x.com/beta"})
    client.post("/api/v1/creators/x/alpha/notes", json={"text": "private"}, headers=auth)
    confirm = client.get("/browsed/clear").get_data(as_text=True)
    assert "forget the 2 creator(s) that are in no watchlist" in confirm and "Creators in a watchlist, and campaign partners, stay" in confirm
    assert len(client.get("/api/v1/creators", headers=auth).json["items"]) == 3  # the GET forgot nothing
    assert client.post("/browsed/clear", data={"csrf": "stale"}).status_code == 403
    r = client.post("/browsed/clear", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/browsed"
    assert notices(client, "/browsed")[-1] == "Forgot 2 browsed creator(s)."
    assert [c["handle"] for c in client.get("/api/v1/creators", headers=auth).json["items"]] == ["beta"]
    assert client.get("/api/v1/creators/x/alpha/notes", headers=auth).status_code == 404
    client.post("/browsed/clear", data={"csrf": csrf})
    assert notices(client, "/browsed")[-1] == "There was no browsed creator to forget."


def test_api_forgets_a_creator_and_clears_browsed(client, auth, three):
    wid = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json["id"]
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "beta"}, headers=auth)
    r = client.delete("/api/v1/creators/x/beta", headers=auth)
    assert r.status_code == 409 and "remove it from its watchlists first" in r.json["error"]["message"]
    assert client.delete("/api/v1/creators/x/alpha", headers=auth).status_code == 204
    assert client.delete("/api/v1/creators/x/alpha", headers=auth).status_code == 404
    assert client.delete("/api/v1/creators/x/not%20valid", headers=auth).status_code == 400
    assert client.post("/api/v1/browsed/clear", headers=auth).json == {"forgotten": 1}  # gamma
    assert [c["handle"] for c in client.get("/api/v1/creators", headers=auth).json["items"]] == ["beta"]


def test_api_listing_takes_the_new_filters_and_lists_every_bad_one(client, auth, three):
    wid = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json["id"]
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "beta"}, headers=auth)

    def handles(qs: str) -> list[str]:
        r = client.get(f"/api/v1/creators?{qs}", headers=auth)
        assert r.status_code == 200, r.json
        return [c["handle"] for c in r.json["items"]]

    assert handles("in_watchlist=true") == ["beta"]
    assert handles("in_watchlist=false&sort=followers&order=asc") == ["alpha", "gamma"]
    assert handles("sort=tier&order=asc") == ["alpha", "beta", "gamma"]
    assert handles("captured_since=2000-01-01&refresh=never&min_confidence=low&sort=handle") == \
        ["alpha", "beta", "gamma"]
    assert handles("captured_since=2999-01-01") == []
    r = client.get("/api/v1/creators?min_fit=x&min_confidence=sure&captured_since=soon&language=1&refresh=ok2",
                   headers=auth)
    assert r.status_code == 400
    assert set(r.json["error"]["fields"]) == {"min_fit", "min_confidence", "captured_since", "language", "refresh"}
