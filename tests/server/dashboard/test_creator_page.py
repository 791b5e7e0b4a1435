"""The creator page through the Flask client: over real captured pages (the chart's dates, the
views bars, paid posts, the rhythm, the name of a creator known by an id), and its forms (notes
added, edited, deleted; add to watchlist) with their CSRF token and plain-word refusals; the notes
API's PATCH."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from server.scoring.content import is_sponsored
from tests.conftest import REALPAGES, creator_cases_or_placeholder, load_recorded
from tests.server.api.conftest import post_capture, x_capture

MISSING = f"real captured pages not found at {REALPAGES}"


def store(app):
    return app.extensions["kolscope.store"]


def login(client, app) -> None:
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303


def page(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def visible(html: str) -> str:
    """The page's text as a reader sees it (tags dropped, entities read)."""
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


def capture_real(client, auth, case: str) -> dict:
    capture, _ = load_recorded(REALPAGES, case, MISSING)
    r = post_capture(client, auth, capture)
    assert r.status_code == 201, r.json
    return r.json


# -- over real pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", creator_cases_or_placeholder())
def test_every_real_creator_page_reads(client, auth, app, case):
    """Every real creator capture gives a page with its name, its paid posts counted as the scorer
    counts them, one bar per recent post, and nothing printed as "None" or as markup."""
    answer = capture_real(client, auth, case)
    creator, snapshot = answer["creator"], answer["snapshot"]
    login(client, app)
    html = page(client, f"/creator/{creator['platform']}/{creator['handle']}")
    text = visible(html)
    if creator["display_name"]:
        assert creator["display_name"] in text
    if creator["handle"] == snapshot.get("platform_id"):  # known by its id: never "@<id>"
        assert f"@{creator['handle']}" not in text
    assert "None" not in re.sub(r"<title>.*?</title>", "", text) and "<script" not in html
    posts = snapshot["recent_posts"]
    if posts:
        paid = sum(1 for p in posts if is_sponsored(p))
        assert f"{paid} of the {len(posts)} recent posts are paid" in visible(section(html, "paid"))
    with_views = [p for p in posts if p.get("views") is not None]
    if with_views:
        perf = section(html, "performance")
        views = re.search(r'<svg class="chart bars views-chart".*?</svg>', perf, re.S).group(0)
        assert views.count('class="bar') == min(30, len(posts))
        assert "median" in views and f"over the {len(with_views)} recent posts that show views" in visible(perf)
    else:
        assert "views-chart" not in html


def test_youtube_history_chart_paid_posts_and_id_keyed_name(client, auth, app):
    """Kurzgesagt captured in 2021 (by channel id: no handle on that page) and in 2026 (@kurzgesagt):
    one creator; the chart runs between the two capture dates; the 2026 page's paid posts are listed
    with their dates; the 2021-only page already shows the channel's name, not "@UC...". """
    first = capture_real(client, auth, "youtube/yt_channel_kurzgesagt_2021-02_pbj")
    channel = first["creator"]["handle"]
    assert channel.startswith("UC")
    login(client, app)
    early = visible(page(client, f"/creator/youtube/{channel}"))
    assert "Kurzgesagt – In a Nutshell" in early and f"@{channel}" not in early
    assert f"YouTube account {channel}" in early
    assert "One capture so far" in early

    latest = capture_real(client, auth, "youtube/yt_channel_kurzgesagt_2026-01")
    assert latest["creator"]["handle"] == "kurzgesagt"
    html = page(client, "/creator/youtube/kurzgesagt")
    chart = re.search(r'<svg class="chart followers-chart".*?</svg>', html, re.S).group(0)
    assert "2021-02-13" in chart and "2026-01-26" in chart  # the points' dates on the axis
    assert "<title>2021-02-13: 14,100,000 followers</title>" in chart
    assert "<title>2026-01-26: 25,000,000 followers</title>" in chart
    assert "25M" in chart and "<polyline" in chart
    paid = visible(section(html, "paid"))
    assert "12 of the 30 recent posts are paid (40%)." in paid
    assert "2026-01-12 Why Are There No Holes Around Trees?" in paid
    # the brands the paid posts name (server.scoring.brands), from the description snippets' words and links
    assert "Brands named: Brilliant (7 posts), GiveWell (2 posts), Odoo (2 posts), Joindeleteme." in paid
    assert "2026-01-12 Why Are There No Holes Around Trees? Brilliant (the post's words)" in paid
    assert "none named in the post" not in paid
    perf = section(html, "performance")
    assert perf.count('class="bar marked"') == 12 and "median 4.5M" in perf
    rhythm = visible(section(html, "rhythm"))
    assert "Last post on 2026-01-16: 10 days before this capture" in rhythm
    assert "dates look approximate" in rhythm and "weekday-chart" not in html  # "2 weeks ago" dates


def test_tiktok_engagement_per_view_and_weekdays(client, auth, app):
    answer = capture_real(client, auth, "tiktok/tt_profile_dylanlemay_2023-02_sigi")
    login(client, app)
    html = page(client, "/creator/tiktok/dylanlemay")
    perf = section(html, "performance")
    rates = re.search(r'<svg class="chart bars rate-chart".*?</svg>', perf, re.S).group(0)
    assert rates.count('class="bar') == 12
    # the drake cake video: (1,900,000 likes + 7,760 comments [+ shares as bands.json counts]) / 13.5M views
    assert re.search(r"<title>2023-02-08: 14\.\d+% per view · #drake #drakecake</title>", rates)
    er = answer["decision"]["engagement_rate_percent"]
    assert f"Engagement {er:g}% per view" in visible(perf)
    rhythm = visible(section(html, "rhythm"))
    assert "posts a week over the last 12 posts" in rhythm and "weekday-chart" in html


def test_bilibili_creator_known_by_its_id_shows_its_name(client, auth, app):
    from tests.server.api.test_bilibili_api import space_capture
    from tests.scraper.test_bilibili import MID

    assert post_capture(client, auth, space_capture()).status_code == 201
    login(client, app)
    text = visible(page(client, f"/creator/bilibili/{MID}"))
    assert text.count("Mea") >= 1 and f"@{MID}" not in text and f"Bilibili account {MID}" in text


# -- notes ----------------------------------------------------------------------------------------

def test_notes_add_edit_delete_from_the_page(client, auth, app):
    post_capture(client, auth, x_capture("note_user"))
    login(client, app)
    html = page(client, "/creator/x/note_user")
    token = csrf_of(html)
    r = client.post("/creator/x/note_user/notes", data={"csrf": token, "text": "<b>call</b> in March"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/creator/x/note_user#notes")
    html = page(client, "/creator/x/note_user")
    assert "&lt;b&gt;call&lt;/b&gt; in March" in html and "<b>call</b>" not in html
    assert "Note added." in html  # the notice, once
    nid = store(app).list_notes("x", "note_user")[0]["id"]

    r = client.post(f"/creator/x/note_user/notes/{nid}", data={"csrf": token, "text": "call in April"})
    assert r.status_code == 303
    notes = store(app).list_notes("x", "note_user")
    assert [(n["id"], n["text"]) for n in notes] == [(nid, "call in April")] and notes[0]["updated_at"]
    assert "· edited" in page(client, "/creator/x/note_user")

    r = client.post(f"/creator/x/note_user/notes/{nid}/delete", data={"csrf": token})
    assert r.status_code == 303 and store(app).list_notes("x", "note_user") == []
    html = page(client, "/creator/x/note_user")
    assert "Note deleted." in html and "No notes yet." in html
    # the same note again: said in words, nothing else changes
    client.post(f"/creator/x/note_user/notes/{nid}/delete", data={"csrf": token})
    assert "That note was already deleted." in page(client, "/creator/x/note_user")
    client.post(f"/creator/x/note_user/notes/{nid}", data={"csrf": token, "text": "late edit"})
    assert "That note is gone" in page(client, "/creator/x/note_user")


def test_note_forms_refuse_in_plain_words(client, auth, app):
    post_capture(client, auth, x_capture("note_user"))
    login(client, app)
    token = csrf_of(page(client, "/creator/x/note_user"))
    # refused beside its form, the text typed kept in the box (nothing lost), status 400
    long = "Plan: " + "x" * 20_000
    r = client.post("/creator/x/note_user/notes", data={"csrf": token, "text": long})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "The note was not saved: A note holds at most 20,000 characters; this one has 20,006." in visible(
        section(html, "notes"))
    assert re.search(r'<textarea id="note-text"[^>]*>Plan: x{20000}</textarea>', html)
    r = client.post("/creator/x/note_user/notes", data={"csrf": token, "text": "   "})
    assert r.status_code == 400 and "The note was not saved: A note cannot be blank." in visible(r.get_data(as_text=True))
    note = client.post("/api/v1/creators/x/note_user/notes", json={"text": "keep me"}, headers=auth).json
    r = client.post(f"/creator/x/note_user/notes/{note['id']}", data={"csrf": token, "text": "<i>new</i> " + "y" * 20_000})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "The note was not changed: A note holds at most 20,000 characters" in html
    assert '<details class="note-edit" open>' in html and "&lt;i&gt;new&lt;/i&gt; yyy" in html  # the edit kept, as text
    r = client.post("/creator/x/note_user/notes/nt_000000000000", data={"csrf": token, "text": ""})
    assert r.status_code == 400 and "The note was not changed: A note cannot be blank. (That note is gone.)" in visible(
        r.get_data(as_text=True))
    # no CSRF token, or a wrong one: refused, nothing written
    for data in ({"text": "forged"}, {"csrf": "nope", "text": "forged"}):
        r = client.post("/creator/x/note_user/notes", data=data)
        assert r.status_code == 403 and "This form is out of date" in r.get_data(as_text=True)
    assert client.post(f"/creator/x/note_user/notes/{note['id']}/delete", data={}).status_code == 403
    assert [n["text"] for n in store(app).list_notes("x", "note_user")] == ["keep me"]
    # a creator that is not stored
    assert client.post("/creator/x/nobody_here/notes", data={"csrf": token, "text": "hi"}).status_code == 404


def test_note_forms_need_a_session(client, auth, app):
    post_capture(client, auth, x_capture("note_user"))
    r = client.post("/creator/x/note_user/notes", data={"text": "hi"})
    assert r.status_code == 401 and store(app).list_notes("x", "note_user") == []


def test_patch_note_api(client, auth, app):
    post_capture(client, auth, x_capture("note_user"))
    post_capture(client, auth, x_capture("other_user"))
    note = client.post("/api/v1/creators/x/note_user/notes", json={"text": "first"}, headers=auth).json
    assert note["updated_at"] is None
    r = client.patch(f"/api/v1/creators/x/note_user/notes/{note['id']}", json={"text": "second"}, headers=auth)
    assert r.status_code == 200
    assert (r.json["id"], r.json["text"], r.json["created_at"]) == (note["id"], "second", note["created_at"])
    assert r.json["updated_at"] >= note["created_at"]
    listed = client.get("/api/v1/creators/x/note_user/notes", headers=auth).json["items"]
    assert [n["text"] for n in listed] == ["second"]
    r = client.patch(f"/api/v1/creators/x/note_user/notes/{note['id']}", json={"text": "y" * 20_001}, headers=auth)
    assert r.status_code == 400
    assert r.json["error"]["fields"] == {"text": "A note holds at most 20,000 characters; this one has 20,001."}
    r = client.patch(f"/api/v1/creators/x/note_user/notes/{note['id']}", json={"text": "ok", "x": 1}, headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"] == {"x": "Unknown field."}
    # another creator's path, or an unknown id: 404, the note unchanged
    assert client.patch(f"/api/v1/creators/x/other_user/notes/{note['id']}", json={"text": "z"},
                        headers=auth).status_code == 404
    assert client.patch("/api/v1/creators/x/note_user/notes/nt_000000000000", json={"text": "z"},
                        headers=auth).status_code == 404
    assert client.patch(f"/api/v1/creators/x/note_user/notes/{note['id']}", json={"text": "z"}).status_code == 401
    assert [n["text"] for n in store(app).list_notes("x", "note_user")] == ["second"]


# -- watchlist, refresh history, missing --------------------------------------------------------------

def test_add_to_watchlist_from_the_page(client, auth, app):
    post_capture(client, auth, x_capture("wl_user"))
    shortlist = client.post("/api/v1/watchlists", json={"name": "Spring <launch>"}, headers=auth).json
    client.post("/api/v1/watchlists", json={"name": "Other"}, headers=auth)
    login(client, app)
    html = page(client, "/creator/x/wl_user")
    assert "Spring &lt;launch&gt;</option>" in html
    token = csrf_of(html)
    r = client.post("/creator/x/wl_user/watchlists", data={"csrf": token, "watchlist": shortlist["id"]})
    assert r.status_code == 303
    members = client.get(f"/api/v1/watchlists/{shortlist['id']}", headers=auth).json["creators"]
    assert [c["handle"] for c in members] == ["wl_user"]
    html = page(client, "/creator/x/wl_user")
    assert "Added to the watchlist Spring &lt;launch&gt;." in html
    assert "watchlists: Spring &lt;launch&gt;" in html and "Spring &lt;launch&gt;</option>" not in html
    r = client.post("/creator/x/wl_user/watchlists", data={"csrf": token, "watchlist": "wl_gone"})
    assert r.status_code == 404 and "That watchlist does not exist any more" in r.get_data(as_text=True)
    assert client.post("/creator/x/wl_user/watchlists", data={"watchlist": shortlist["id"]}).status_code == 403


def test_refresh_history_in_words(client, auth, app):
    post_capture(client, auth, x_capture("rf_user"))
    # attempts dated after the capture was stored (now): the last one then marks the creator stale
    store(app).record_refresh("x", "rf_user", "ok", at="2099-11-28T09:00:00Z")
    store(app).record_refresh("x", "rf_user", "error", "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://x.com/rf_user",
                              at="2099-11-29T14:05:00Z", code="network")
    store(app).record_refresh("x", "rf_user", "blocked", "captcha", at="2099-11-30T06:00:00Z", code="captcha")
    login(client, app)
    html = page(client, "/creator/x/rf_user")
    rows = re.findall(r"<tr class=\"refresh-(\w+)\"><td>([^<]*)</td><td>([^<]*)</td>", section(html, "refreshes"))
    assert [(s, at) for s, at, _ in rows] == [("blocked", "2099-11-30 06:00"), ("error", "2099-11-29 14:05"),
                                              ("ok", "2099-11-28 09:00")]
    words = [htmllib.unescape(w) for _, _, w in rows]
    assert "captcha" in words[0] and "Could not reach" in words[1] and "ERR_NAME" not in html
    # the header's stale line says the newest outcome in the same words
    assert f"stale: {words[0]}" in visible(html)


def test_missing_creator_is_a_plain_404(client, app):
    login(client, app)
    for path in ("/creator/x/nobody_here", "/creator/x/not a handle!", "/creator/myspace/tom"):
        r = client.get(path)
        assert r.status_code == 404 and "No such creator" in r.get_data(as_text=True)
