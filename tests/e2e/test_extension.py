"""The browser extension end to end: Debian's Chromium with the unpacked extension, a real backend,
and the platforms' URLs routed to saved real pages (tests/conftest.py finds them)."""

from __future__ import annotations

import json
import math
import os
import shutil

import pytest

from tests.conftest import ROOT, load_case, require_realpages
from scraper.registry import PLATFORMS
from tests.e2e.conftest import ALL_PLATFORMS_ON
from tests.e2e.harness import OVERLAY, Backend, OverlayProbe, open_capture, overlay_values, replay_responses, wait_settled

pytestmark = pytest.mark.e2e

FIXTURES = ROOT / "tests" / "e2e" / "fixtures"

# At least two real captures per platform: channel, single-page-app (.spa) and watch pages on YouTube,
# both TikTok data layouts and a video page, both Instagram layouts, X profiles of both GraphQL eras
# and a tweet page.
SCORED_CASES = [
    "youtube/yt_channel_kurzgesagt_2026-01",
    "youtube/yt_channel_gronkh_2024-04.spa",
    "youtube/yt_watch_QqsLTNkzvaY_2026-01",
    "tiktok/tt_profile_dylanlemay_2023-02_sigi",
    "tiktok/tt_profile_khanhiattm2_universal_data",
    "tiktok/tt_video_7606836476323597588_ptBR_full",
    "instagram/ig_profile_celebface_2025-02_loggedin_redacted",
    "instagram/ig_profile_gdg_rbu_2025-02-06_loggedin_redacted",
    "x/x_profile_XDevelopers_latest",
    "x/x_profile_TwitterDev_2023-04",
    "x/x_tweetdetail_latest",
]


def synthetic_page() -> dict:
    """A TikTok profile written for these tests (tests/e2e/fixtures): runs without the real pages."""
    return {"url": "https://www.tiktok.com/@kolscope_xss", "responses": [],
            "html": (FIXTURES / "tiktok_xss_profile.html").read_text(encoding="utf-8")}


def js_round(x: float) -> int:
    return math.floor(x + 0.5)  # Math.round, which the overlay uses (Python's round() is banker's)


def api_creator(backend: Backend, platform: str, handle: str) -> dict:
    status, body = backend.api("GET", f"/creators/{platform}/{handle}")
    assert status == 200, body
    return body


def shown_reason(reason: str | None) -> str:
    """A withheld score's reason as shown beside "no grade"."""
    return reason or "Not enough data for a score."


def assert_matches_api(values: dict, api: dict) -> None:
    scores = api["scores"]
    for key in ("fit", "authenticity"):
        shown, expected = values[key], scores[key]
        if expected.get("score") is None:
            # withheld: "no grade" with the scorer's reason, never a number or a letter
            assert shown["score"] == "" and shown["grade"] == "", key
            assert "No grade" in shown["text"] and "confidence" not in shown["text"], key
            assert shown_reason(expected.get("reason")) in shown["text"], key
        else:
            assert float(shown["score"]) == pytest.approx(expected["score"]), key
            assert str(js_round(expected["score"])) in shown["text"], key
            assert shown["grade"] == (expected.get("grade") or ""), key
            # the confidence beside the score
            assert f"{expected['confidence']} confidence" in shown["text"], key
        assert shown["confidence"] == ("" if expected.get("confidence") is None else str(expected["confidence"])), key
    assert_decision_matches_api(values, api["decision"])
    assert values["tier"]["value"] == (scores.get("tier") or "")
    followers = scores.get("followers", api["snapshot"].get("followers"))
    assert values["followers"]["value"] == ("" if followers is None else str(followers))
    country = api["creator"].get("country")
    assert (values["country"] or {}).get("text") == (f"based in {country}" if country else None)


def assert_decision_matches_api(values: dict, decision: dict) -> None:
    """The decision numbers on the card are the API's (GET /creators/<platform>/<handle>)."""
    er = values["engagement"]
    if decision["engagement_rate_percent"] is None:
        assert er["value"] == "" and "—" in er["text"]
    else:
        assert float(er["value"]) == pytest.approx(decision["engagement_rate_percent"])
        assert f"{decision['engagement_rate_percent']:.2f}%" in er["text"]
    views = values["median-views"]
    assert views["value"] == ("" if decision["median_views"] is None else str(decision["median_views"]))
    last = values["last-post"]
    assert last["value"] == (decision["last_post_at"] or "")
    if decision["inactive"]:
        assert "inactive" in last["text"]
    elif decision["last_post_at"]:
        assert last["text"].endswith(decision["last_post_at"][:10])
    brands = [b["name"] for b in decision["paid_brands"]]
    assert values["brands"]["value"] == ",".join(brands)
    paid = decision["paid_posts"]
    assert values["brands"]["text"].endswith(", ".join(brands) if brands else
                                             f"none named ({paid} paid post{'' if paid == 1 else 's'})" if paid
                                             else "no paid post seen")


@pytest.mark.parametrize("case", SCORED_CASES)
def test_overlay_shows_the_api_scores(browser, backend, page, case):
    capture, expected = load_case(case)
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    assert values["handle"].lower() == expected["handle"].lower()
    assert expected["handle"].lower() in values["creator"]["text"].lower()
    api = api_creator(backend, expected["platform"], values["handle"])
    assert_matches_api(values, api)
    # The factors and their reasons are one click away.
    probe = OverlayProbe.of(page)
    factors = '[data-kolscope="factors"]'
    assert not probe.visible(factors)
    probe.click('[data-kolscope="why"]')
    assert probe.visible(factors)
    for key in ("fit", "authenticity"):
        for factor in api["scores"][key].get("factors") or []:
            if factor.get("reason"):
                assert factor["reason"] in probe.text(factors)


def test_overlay_sits_next_to_the_creator_name_when_the_page_shows_it(browser, page):
    capture, _ = load_case("tiktok/tt_profile_dylanlemay_2023-02_sigi")
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["place"] == "inline"
    # right after the rendered user title (selector checked on this very page)
    assert page.evaluate("""() => document.querySelector('kolscope-overlay')
        .previousElementSibling.matches('[data-e2e="user-title"]')""")


def test_bookmark_to_a_new_and_to_an_existing_watchlist(browser, backend, page):
    capture, expected = load_case("x/x_profile_XDevelopers_latest")
    open_capture(browser, page, capture)
    assert wait_settled(page)["state"] == "scored"
    probe = OverlayProbe.of(page)
    assert probe.count('[data-kolscope="watchlist"]') == 0  # no watchlist asked for before the click
    probe.click('[data-kolscope="bookmark-open"]')
    probe.wait_for('[data-kolscope="watchlist"] option[value="__new__"]')
    probe.select('[data-kolscope="watchlist"]', "__new__")
    probe.fill('[data-kolscope="new-watchlist"]', "E2E shortlist")
    probe.fill('[data-kolscope="note"]', "Plan: two sponsored posts in March, <b>not</b> HTML")
    probe.click('[data-kolscope="bookmark-save"]')
    probe.wait_for('[data-kolscope="bookmark-status"]', text="Bookmarked")

    st, lists = backend.api("GET", "/watchlists")
    created = [w for w in lists["items"] if w["name"] == "E2E shortlist"]
    assert len(created) == 1
    st, detail = backend.api("GET", f"/watchlists/{created[0]['id']}")
    assert [(c["platform"], c["handle"].lower()) for c in detail["creators"]] == [("x", "xdevelopers")]
    st, notes = backend.api("GET", f"/creators/x/{expected['handle']}/notes")
    assert [n["text"] for n in notes["items"]] == ["Plan: two sponsored posts in March, <b>not</b> HTML"]

    # An existing watchlist, chosen from the list the overlay loads from the API.
    st, other = backend.api("POST", "/watchlists", {"name": "Existing list"})
    assert st == 201
    capture2, expected2 = load_case("tiktok/tt_profile_dylanlemay_2023-02_sigi")
    open_capture(browser, page, capture2)
    assert wait_settled(page)["state"] == "scored"
    probe.click('[data-kolscope="bookmark-open"]')
    probe.wait_for(f'[data-kolscope="watchlist"] option[value="{other["id"]}"]')
    probe.select('[data-kolscope="watchlist"]', other["id"])
    probe.click('[data-kolscope="bookmark-save"]')
    probe.wait_for('[data-kolscope="bookmark-status"]', text="Bookmarked to Existing list")
    st, detail = backend.api("GET", f"/watchlists/{other['id']}")
    assert [(c["platform"], c["handle"]) for c in detail["creators"]] == [("tiktok", expected2["handle"])]
    assert browser.storage("recentBookmarks")["recentBookmarks"][0]["handle"] == expected2["handle"]


def test_spa_navigation_to_another_youtube_channel_updates_the_overlay(browser, backend, page):
    first, first_exp = load_case("youtube/yt_channel_kurzgesagt_2026-01")
    second, second_exp = load_case("youtube/yt_channel_gronkh_2024-04.spa")
    open_capture(browser, page, first)
    assert wait_settled(page)["handle"] == first_exp["handle"]
    # YouTube's own navigation: fetch /browse for the next channel, push its URL, fire
    # yt-navigate-finish. The first page's ytInitialData stays in the HTML, stale.
    browser.routes.add_json(second["responses"][0]["url"], second["responses"][0]["body"])
    page.evaluate("""async ([api, url]) => {
        await fetch(api, { method: 'POST' }).then(r => r.text());
        history.pushState({}, '', url);
        document.dispatchEvent(new CustomEvent('yt-navigate-finish'));
    }""", [second["responses"][0]["url"], second["url"]])
    values = wait_settled(page, accept=lambda v: v and v["handle"] == second_exp["handle"]
                          and v["state"] == "scored")
    assert values["handle"] == second_exp["handle"]
    assert_matches_api(values, api_creator(backend, "youtube", second_exp["handle"]))
    assert page.evaluate("location.pathname") == "/@gronkh/videos"
    # An app rewriting its query string in place (replaceState) has not navigated: no new capture.
    seen = len(page.evaluate("window.__kolscopeLog"))
    page.evaluate("history.replaceState({}, '', location.pathname + '?app=desktop#top')")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__kolscopeLog").count("analysing") == 2
    assert len(page.evaluate("window.__kolscopeLog")) == seen


def test_spa_navigation_to_another_tiktok_creator_updates_the_overlay(browser, backend, page):
    first, first_exp = load_case("tiktok/tt_profile_dylanlemay_2023-02_sigi")
    second, second_exp = load_case("tiktok/tt_profile_khanhiattm2_universal_data")
    open_capture(browser, page, first)
    assert wait_settled(page)["handle"] == first_exp["handle"]
    # TikTok's app answers /api/user/detail with the same userInfo its page embeds.
    html = second["html"]
    start = html.index(">", html.index('id="__UNIVERSAL_DATA_FOR_REHYDRATION__"')) + 1
    data = json.loads(html[start:html.index("</script>", start)])
    detail = data["__DEFAULT_SCOPE__"]["webapp.user-detail"]
    api_url = f"https://www.tiktok.com/api/user/detail/?uniqueId={second_exp['handle']}&aid=1988"
    browser.routes.add_json(api_url, json.dumps({"userInfo": detail["userInfo"], "statusCode": 0}))
    page.evaluate("""async ([api, path]) => {
        history.pushState({}, '', path);
        await fetch(api).then(r => r.text());
    }""", [api_url, f"/@{second_exp['handle']}"])
    values = wait_settled(page, accept=lambda v: v and v["handle"] == second_exp["handle"]
                          and v["state"] == "scored")
    assert values["handle"] == second_exp["handle"]
    assert_matches_api(values, api_creator(backend, "tiktok", second_exp["handle"]))


def test_backend_stopped_the_overlay_says_how_to_start_it(browser, page, tmp_path):
    capture = synthetic_page()
    own = Backend(tmp_path / "data").start()
    try:
        browser.configure(backendUrl=own.url, token=own.token)
        open_capture(browser, page, capture)
        assert wait_settled(page)["state"] == "scored"
    finally:
        own.stop()
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "backend_down", values
    assert "not running" in values["message"]["text"] and "make run" in values["message"]["text"]
    assert own.url in values["message"]["text"]


def test_token_missing_is_explained(browser, page):
    browser.configure(token="")
    open_capture(browser, page, synthetic_page())
    values = wait_settled(page)
    assert values["state"] == "token_missing", values
    assert "kolscope token" in values["message"]["text"] and "options" in values["message"]["text"]
    browser.configure(token="not-the-token")
    OverlayProbe.of(page).click('[data-kolscope="retry"]')
    page.wait_for_selector(f'{OVERLAY}[data-state="token_invalid"]', state="attached")
    assert "refused the API token" in overlay_values(page)["message"]["text"]


def test_parse_error_is_explained(browser, page):
    restricted, expected = load_case("youtube/yt_channel_agerestricted_2023-07")
    assert expected["error"] == "restricted"
    open_capture(browser, page, restricted)
    values = wait_settled(page)
    assert values["state"] == "parse_error", values
    # in words (overlay.js plainError), not the code
    text = values["message"]["text"]
    assert text.startswith(("YouTube ", "youtube.com ")), text
    assert text.endswith(" shows this only to signed-in adults (age-restricted): kolscope only reads public pages.")


def test_no_overlay_where_there_is_no_creator(browser, page):
    # A topic page is not a creator page: the backend says so, the overlay goes away.
    topic, expected = load_case("youtube/yt_channel_interactivetabbedheader_2026-01")
    assert expected["error"] == "not_a_creator_page"
    open_capture(browser, page, topic)
    page.wait_for_function("() => window.__kolscopeLog.includes('removed')", timeout=20000)
    assert page.evaluate("window.__kolscopeLog")[0] == "analysing"
    assert page.locator(OVERLAY).count() == 0
    # A playlist is neither a creator page nor a list page by its URL (a search is a list page:
    # tests/e2e/test_discovery.py): no overlay at all.
    browser.routes.add_page("https://www.youtube.com/playlist?list=PLcats", "<html><body>playlist</body></html>")
    page.goto("https://www.youtube.com/playlist?list=PLcats")
    page.wait_for_timeout(700)
    assert page.evaluate("window.__kolscopeLog") == []


def test_a_page_of_another_site_gets_no_content_script(browser, page):
    browser.routes.add_page("https://example.com/", "<!doctype html><html><head><title>Example</title></head>"
                            "<body><h1>Example Domain</h1></body></html>")
    page.goto("https://example.com/")
    page.wait_for_timeout(700)
    assert page.locator(OVERLAY).count() == 0
    # neither the MAIN-world observer nor the content script ran: no marker, no channel attribute
    assert page.evaluate("() => [window.__kolscopeObserver === undefined,"
                         " document.documentElement.hasAttribute('data-kolscope-channel')]") == [True, False]


def test_disabled_platform_gets_no_overlay(browser, page):
    capture = synthetic_page()
    browser.configure(platforms={**ALL_PLATFORMS_ON, "tiktok": False})
    open_capture(browser, page, capture)
    page.wait_for_timeout(900)
    assert page.locator(OVERLAY).count() == 0
    assert page.evaluate("window.__kolscopeLog") == []  # not even an "analysing" flash
    # The same page with the platform on gets its overlay: the silence above was the setting.
    browser.configure(platforms=ALL_PLATFORMS_ON)
    open_capture(browser, page, capture)
    assert wait_settled(page)["state"] == "scored"


def test_creator_text_with_markup_shows_as_text_and_runs_nothing(browser, backend, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_capture(browser, page, synthetic_page())
    values = wait_settled(page)
    assert values["state"] == "scored", values
    assert "<img src=x onerror=" in values["creator"]["text"]
    assert "<script>document.documentElement" in values["bio"]["text"]
    assert "<b>bold</b>" in values["bio"]["text"]
    probe = OverlayProbe.of(page)
    probe.click('[data-kolscope="why"]')
    page.wait_for_timeout(500)  # an onerror would have fired by now
    assert probe.count("img, script, b") == 0
    assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    assert dialogs == []
    st, api = backend.api("GET", "/creators/tiktok/kolscope_xss")
    assert st == 200 and api["snapshot"]["display_name"].startswith("<img src=x")


def test_screenshots_of_the_overlay(browser, page):
    """The README's pictures: the overlay, reasons expanded, on a YouTube and a TikTok page.

    Written to test-results/; KOLSCOPE_UPDATE_SCREENSHOTS=1 also copies them to docs/img/."""
    require_realpages()
    out = ROOT / "test-results" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for name, case in (("overlay-youtube.png", "youtube/yt_channel_kurzgesagt_2026-01"),
                       ("overlay-tiktok.png", "tiktok/tt_profile_dylanlemay_2023-02_sigi")):
        capture, _ = load_case(case)
        open_capture(browser, page, capture)
        assert wait_settled(page)["state"] == "scored"
        OverlayProbe.of(page).click('[data-kolscope="why"]')
        page.screenshot(path=str(out / name))
        assert (out / name).stat().st_size > 10_000
        if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
            (ROOT / "docs" / "img").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out / name, ROOT / "docs" / "img" / name)


def test_replayed_responses_reach_the_capture(browser, backend, page):
    """The X shell holds no data: the scores exist only because the observer forwarded the page's
    GraphQL answers (UserByScreenName, UserTweets) into the capture."""
    capture, expected = load_case("x/x_profile_TwitterDev_2023-04")
    browser.routes.add_capture(capture)
    page.goto(capture["url"])
    page.wait_for_timeout(400)
    assert page.evaluate("document.querySelector('kolscope-overlay').dataset.state") == "analysing"
    replay_responses(page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored"
    api = api_creator(backend, "x", expected["handle"])
    posts = [p["id"] for p in api["snapshot"]["recent_posts"]]
    assert posts[: len(expected["recent_posts"])] == [p["id"] for p in expected["recent_posts"]] != []


def test_options_page_lists_the_briefs_and_sets_the_active_one(browser, backend, page):
    status, brief = backend.api("POST", "/briefs", {"name": "Options test brief", "languages": ["de"]})
    assert status == 201
    status, before = backend.api("GET", "/briefs/active")
    page.goto(f"chrome-extension://{browser.extension_id}/options/options.html")
    assert page.locator("#backendUrl").input_value() == backend.url
    assert page.locator("#token").input_value() == backend.token
    page.locator(f'#brief option[value="{brief["id"]}"]').wait_for(state="attached")
    assert page.locator("#brief").input_value() == before["id"]  # the backend's active brief
    # the brief picker links to the dashboard's briefs screen on the configured backend
    assert page.locator("#editBriefs").get_attribute("href") == f"{backend.url}/briefs"
    assert page.locator("#editBriefs").inner_text() == "Edit briefs in the dashboard"
    try:
        page.locator("#brief").select_option(brief["id"])
        page.locator("#briefStatus").filter(has_text="Active brief saved").wait_for()
        assert backend.api("GET", "/briefs/active")[1]["id"] == brief["id"]
        assert browser.storage("briefId")["briefId"] == brief["id"]
        page.locator("#check").click()
        page.locator("#status").filter(has_text=f"Connected to {backend.url}").wait_for()
        # the first successful connection registered this extension: only its origin gets CORS now
        assert backend.api("GET", "/extension")[1]["id"] == browser.extension_id
        # plain http to another host is refused before anything is stored (the token would travel in
        # clear); https team servers are tests/e2e/test_team_server.py's
        page.locator("#backendUrl").fill("http://evil.example")
        page.locator("#save").click()
        page.locator("#status").filter(has_text="would send your token in clear").wait_for()
        assert browser.storage("backendUrl")["backendUrl"] == backend.url
    finally:
        backend.api("PUT", "/briefs/active", {"id": before["id"]})


def test_popup_shows_the_current_creator_and_recent_bookmarks(browser, backend, page):
    capture, expected = load_case("instagram/ig_profile_celebface_2025-02_loggedin_redacted")
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored"
    tab_id = browser.worker.evaluate(
        "url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", page.url)
    probe = OverlayProbe.of(page)
    probe.click('[data-kolscope="bookmark-open"]')
    probe.wait_for('[data-kolscope="watchlist"] option[value="__new__"]')
    probe.select('[data-kolscope="watchlist"]', "__new__")
    probe.fill('[data-kolscope="new-watchlist"]', "Popup list")
    probe.click('[data-kolscope="bookmark-save"]')
    probe.wait_for('[data-kolscope="bookmark-status"]', text="Bookmarked")
    popup = browser.context.new_page()
    try:
        popup.goto(f"chrome-extension://{browser.extension_id}/popup/popup.html?tab={tab_id}")
        card = popup.locator("#current .card")
        card.wait_for()
        text = card.inner_text()
        assert f"@{expected['handle']}" in text
        assert values["tier"]["value"] and values["tier"]["value"] in text
        for key in ("fit", "authenticity"):  # each score with its confidence, or "no grade"
            shown = values[key]
            assert (f"{shown['confidence']} confidence" in text) if shown["score"] else ("No grade" in text)
        recent = popup.locator("#recent li").first.inner_text()
        assert f"@{expected['handle']}" in recent and "Popup list" in recent
        assert popup.locator("#dashboard").get_attribute("href") == f"{backend.url}/"
    finally:
        popup.close()


def test_pages_list_the_platforms_of_the_registry(browser, backend, page):
    """The options checkboxes, the popup's hint and the worker's host table come from the generated
    content/platforms.js: one per registry platform, with its label, in its order."""
    page.goto(f"chrome-extension://{browser.extension_id}/options/options.html")
    boxes = page.locator("#platforms label.check")
    boxes.first.wait_for()
    assert [t.strip() for t in boxes.all_inner_texts()] == [p.label for p in PLATFORMS]
    assert [b.get_attribute("data-platform") for b in page.locator("#platforms input").all()] == [p.name for p in PLATFORMS]
    assert all(b.is_checked() for b in page.locator("#platforms input").all())
    try:
        page.locator(f'#platforms input[data-platform="{PLATFORMS[-1].name}"]').uncheck()
        want = {**ALL_PLATFORMS_ON, PLATFORMS[-1].name: False}
        for _ in range(50):  # the change handler's storage write is asynchronous
            if browser.storage("platforms").get("platforms") == want:
                break
            page.wait_for_timeout(100)
        assert browser.storage("platforms")["platforms"] == want
    finally:
        browser.configure(platforms=ALL_PLATFORMS_ON)

    labels = [p.label for p in PLATFORMS]
    page.goto(f"chrome-extension://{browser.extension_id}/popup/popup.html?tab=999999")
    hint = page.locator("#current .hint")
    hint.filter(has_text=labels[-1]).wait_for()
    assert hint.inner_text() == f"Open a creator page on {', '.join(labels[:-1])} or {labels[-1]}."

    hosts = {f"https://{h}/@a": p.name for p in PLATFORMS for h in (*p.hosts, *p.aliases)}
    hosts.update({"https://example.com/": None, "http://www.youtube.com/": None})
    assert browser.worker.evaluate("urls => urls.map(platformOf)", list(hosts)) == list(hosts.values())
    assert browser.worker.evaluate("DEFAULTS.platforms") == ALL_PLATFORMS_ON


def test_gzip_upload_path_is_accepted_by_the_backend(browser, backend):
    """Captures past the backend's body limit go gzipped; force that path on a real capture."""
    capture, expected = load_case("tiktok/tt_profile_novix.ht_VN")
    capture = {**capture, "source": "extension"}
    assert browser.worker.evaluate("typeof CompressionStream === 'function'")  # else call() sends it plain
    status = browser.worker.evaluate(
        "async (cap) => (await call('POST', '/captures', { body: cap, gzip: true })).status", capture)
    assert status == 201
    assert api_creator(backend, "tiktok", expected["handle"])["snapshot"]["handle"] == expected["handle"]


def test_capture_is_the_page_without_the_overlay(browser, page):
    """The capture sent to the backend is the page's HTML with the overlay's own element cut out
    (it is on the page, showing "analysing", when the capture is taken)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    bodies: list[dict] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            answer = json.dumps({"creator": {"platform": "tiktok", "handle": "kolscope_xss"},
                                 "snapshot": {}, "scores": {}}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.configure(backendUrl=f"http://127.0.0.1:{server.server_address[1]}")
        capture = synthetic_page()
        open_capture(browser, page, capture)
        assert wait_settled(page)["state"] == "scored"
        (sent,) = bodies
        assert "<kolscope-overlay" not in sent["html"]
        assert page.evaluate("document.querySelector('kolscope-overlay') !== null")  # it was on the page
        # the rest of the page is all there: everything the saved page's body holds
        assert sent["html"].count("<script") == capture["html"].count("<script")
        assert 'id="__UNIVERSAL_DATA_FOR_REHYDRATION__"' in sent["html"]
    finally:
        server.shutdown()
        server.server_close()


# A hostile page, from before its first script: it wraps attachShadow to keep (and force open) every
# shadow root made in its world.
HOSTILE_INIT = """(() => {
  window.__roots = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, { ...init, mode: 'open' });
    window.__roots.push(root);
    return root;
  };
})();"""

# Everything a page script can try against the overlay: read its root, click, type, submit at it and
# at every point it is drawn on, and message the extension.
HOSTILE_JS = """async ([extensionId, handle]) => {
  const host = document.querySelector('kolscope-overlay');
  const out = { shadowRoot: host.shadowRoot, hookedRoots: window.__roots.length, light: host.innerHTML };
  try { host.attachShadow({ mode: 'open' }); out.reattach = 'allowed'; } catch (e) { out.reattach = e.name; }
  const hit = (t, x, y) => {
    t.click();
    for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click', 'dblclick']) {
      t.dispatchEvent(new MouseEvent(type, { bubbles: true, composed: true, cancelable: true, clientX: x, clientY: y }));
    }
    t.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: 'hostile-7f3a' }));
    t.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
    t.dispatchEvent(new SubmitEvent('submit', { bubbles: true, composed: true }));
    for (const key of ['Enter', ' ']) {
      t.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true }));
      t.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, composed: true }));
    }
  };
  hit(host, 0, 0);
  const r = host.getBoundingClientRect();
  out.points = 0;
  for (let y = r.top + 3; y < r.bottom; y += 6) {
    for (let x = r.left + 3; x < r.right; x += 6) {
      const el = document.elementFromPoint(x, y);  // retargeted to the host: nothing inside is reachable
      if (el) { hit(el, x, y); out.points++; }
    }
  }
  host.focus();
  document.execCommand('insertText', false, 'hostile-7f3a');
  // The extension's messaging: not offered to web pages (no externally_connectable) ...
  out.runtime = !!(globalThis.chrome && chrome.runtime && chrome.runtime.sendMessage);
  if (out.runtime) {
    out.answer = await new Promise((resolve) => {
      try { chrome.runtime.sendMessage(extensionId, { type: 'watchlists' }, (a) => resolve(a || String(chrome.runtime.lastError && chrome.runtime.lastError.message))); }
      catch (e) { resolve(String(e)); }
    });
  }
  // ... and window messages in the shapes the extension's messages have reach no one.
  for (const m of [{ type: 'watchlists' }, { type: 'grant', action: 'watchlists' },
                   { type: 'bookmark', platform: 'tiktok', handle, newWatchlistName: 'hostile-7f3a', note: 'hostile-7f3a' }]) {
    window.postMessage(m, '*');
  }
  await new Promise((done) => setTimeout(done, 1500));
  out.text = document.body.innerText + document.documentElement.outerHTML;
  out.shadowRoot = out.shadowRoot === null ? null : 'exposed';
  return out;
}"""


def _watchlists_and_notes(backend: Backend, platform: str, handle: str) -> tuple[list, list]:
    st, lists = backend.api("GET", "/watchlists")
    assert st == 200
    detail = [backend.api("GET", f"/watchlists/{w['id']}")[1] for w in lists["items"]]
    st, notes = backend.api("GET", f"/creators/{platform}/{handle}/notes")
    return detail, (notes or {}).get("items", [])


def test_a_page_script_can_neither_read_nor_drive_the_overlay(browser, backend, page):
    secret = "Secret client list 7f3a"
    status, _ = backend.api("POST", "/watchlists", {"name": secret})
    assert status == 201
    page.add_init_script(HOSTILE_INIT)
    open_capture(browser, page, synthetic_page())
    assert wait_settled(page)["state"] == "scored"
    before = _watchlists_and_notes(backend, "tiktok", "kolscope_xss")

    out = page.evaluate(HOSTILE_JS, [browser.extension_id, "kolscope_xss"])
    assert out["shadowRoot"] is None and out["hookedRoots"] == 0 and out["light"] == ""
    assert out["reattach"] == "NotSupportedError"
    assert out["points"] > 100  # the whole card was hit
    assert out["runtime"] is False
    assert secret not in out["text"]
    assert _watchlists_and_notes(backend, "tiktok", "kolscope_xss") == before
    probe = OverlayProbe.of(page)
    assert probe.count('[data-kolscope="watchlist"]') == 0  # no watchlist was even asked for
    assert "hostile-7f3a" not in (probe.html() or "")
    assert browser.worker.evaluate("grants.size") == 0  # and no grant was given

    # The same control under a person's click does load the watchlists: the test above could fail.
    probe.click('[data-kolscope="bookmark-open"]')
    assert secret in probe.wait_for('[data-kolscope="watchlist"]', text=secret)
    # Shown to the person, still not readable by the page: not in its text, nor in a selection of it.
    assert page.evaluate("""(secret) => [document.body.innerText.includes(secret),
        (() => { const s = getSelection(); s.selectAllChildren(document.body); return s.toString().includes(secret); })()]""",
        secret) == [False, False]


def test_the_worker_answers_watchlists_and_bookmarks_only_under_a_grant(browser, backend, page):
    """The content script's own messages, sent from its isolated world (reached through DevTools):
    without a grant the worker refuses; a grant serves one request of its action, once."""
    open_capture(browser, page, synthetic_page())
    assert wait_settled(page)["state"] == "scored"
    cdp = page.context.new_cdp_session(page)
    contexts: list[dict] = []
    cdp.on("Runtime.executionContextCreated", lambda e: contexts.append(e["context"]))
    cdp.send("Runtime.enable")
    page.wait_for_timeout(200)
    isolated = [c for c in contexts if c.get("auxData", {}).get("type") == "isolated" and c.get("name") == "kolscope"
                and c["auxData"].get("isDefault") is False]
    assert isolated, contexts

    def send(message: dict) -> dict:
        answer = cdp.send("Runtime.evaluate", {
            "contextId": isolated[0]["id"], "awaitPromise": True, "returnByValue": True,
            "expression": f"new Promise((r) => chrome.runtime.sendMessage({json.dumps(message)}, r))"})
        return answer["result"]["value"]

    bookmark = {"type": "bookmark", "platform": "tiktok", "handle": "kolscope_xss", "newWatchlistName": "No grant"}
    before = _watchlists_and_notes(backend, "tiktok", "kolscope_xss")
    for message in ({"type": "watchlists"}, {"type": "watchlists", "grant": "made-up"}, bookmark):
        answer = send(message)
        assert answer["ok"] is False and answer["state"] == "forbidden", answer
    grant = send({"type": "grant", "action": "bookmark"})["grant"]
    assert send({"type": "watchlists", "grant": grant})["state"] == "forbidden"  # another action's grant
    assert _watchlists_and_notes(backend, "tiktok", "kolscope_xss") == before
    grant = send({"type": "grant", "action": "watchlists"})["grant"]
    assert send({"type": "watchlists", "grant": grant})["ok"] is True
    assert send({"type": "watchlists", "grant": grant})["state"] == "forbidden"  # used up
    # bound to the tab and document that asked, and short-lived (a made-up sender, as another tab)
    grant = send({"type": "grant", "action": "watchlists"})["grant"]
    other = browser.worker.evaluate("""(grant) => new Promise((resolve) => route({ type: 'watchlists', grant },
        { id: chrome.runtime.id, tab: { id: 999999, active: true }, frameId: 0, documentId: 'other',
          url: 'https://www.tiktok.com/@kolscope_xss' }, resolve))""", grant)
    assert other["state"] == "forbidden"
    grant = send({"type": "grant", "action": "watchlists"})["grant"]
    browser.worker.evaluate("(g) => { grants.get(g).expires = Date.now() - 1; }", grant)
    assert send({"type": "watchlists", "grant": grant})["state"] == "forbidden"
    cdp.detach()


def paid_profile(handle: str = "kolscope_paid") -> dict:
    """The synthetic TikTok profile with four recent videos: two paid ones naming @TrailShoeCo (one
    also @GelBrand, one flagged by TikTok's own disclosure, one by #ad), two unpaid (one naming a
    friend, not a brand). Dated from now, as the extension captures now."""
    import time

    page = synthetic_page()
    html = page["html"].replace("kolscope_xss", handle).replace("7000000000000000001", "7000000000000000002")
    now = int(time.time())
    items = [
        {"id": "7300000000000000001", "desc": "Race day in the new @TrailShoeCo Vector #ad", "createTime": now - 2 * 86400,
         "stats": {"playCount": 41000, "diggCount": 2100, "commentCount": 80, "shareCount": 12}},
        {"id": "7300000000000000002", "desc": "Long run fuel with @GelBrand and @TrailShoeCo", "createTime": now - 6 * 86400,
         "brandOrganicType": 1, "stats": {"playCount": 23000, "diggCount": 900, "commentCount": 31, "shareCount": 4}},
        {"id": "7300000000000000003", "desc": "Hill repeats with @a_friend", "createTime": now - 9 * 86400,
         "stats": {"playCount": 30500, "diggCount": 1500, "commentCount": 60, "shareCount": 9}},
        {"id": "7300000000000000004", "desc": "Rest day stretches", "createTime": now - 13 * 86400,
         "stats": {"playCount": 18000, "diggCount": 700, "commentCount": 22, "shareCount": 2}},
    ]
    for item in items:
        item["author"] = {"uniqueId": handle}
    # the grid's videos, as the page's app fetches them (replayed through the page's fetch)
    api = f"https://www.tiktok.com/api/post/item_list/?aid=1988&count=35&cursor=0&secUid=kolscope-{handle}"
    return {"url": f"https://www.tiktok.com/@{handle}", "html": html,
            "responses": [{"url": api, "body": json.dumps({"itemList": items, "statusCode": 0})}]}


def test_overlay_and_dashboard_show_confidence_no_grade_and_the_decision_numbers(browser, page, tmp_path):
    """No active brief on this backend: fit is withheld ("no grade", with why) next to a scored
    authenticity with its confidence; the decision numbers on the card are the API's; the dashboard
    list shows the same beside every score."""
    own = Backend(tmp_path / "data").start()
    try:
        browser.configure(backendUrl=own.url, token=own.token)
        for capture in (paid_profile(), synthetic_page()):
            open_capture(browser, page, capture)
            values = wait_settled(page)
            assert values["state"] == "scored", values
            st, api = own.api("GET", f"/creators/tiktok/{values['handle']}")
            assert st == 200
            assert_matches_api(values, api)
            assert "No grade" in values["fit"]["text"] and "Add a brief" in values["fit"]["text"]
        # the paid profile's numbers, as a person reads them
        open_capture(browser, page, paid_profile())
        values = wait_settled(page)
        d = own.api("GET", "/creators/tiktok/kolscope_paid")[1]["decision"]
        assert d["paid_brands"] == [{"name": "TrailShoeCo", "posts": 2}, {"name": "GelBrand", "posts": 1}]
        assert values["brands"]["text"] == "Brands in paid postsTrailShoeCo, GelBrand"
        assert values["median-views"]["text"].endswith("26.8K") and d["median_views"] == 26750
        assert d["inactive"] is False and values["engagement"]["text"].endswith("%")

        page.goto(f"{own.url}/")
        page.fill("input[name=token]", own.token)
        page.click("button[type=submit]")
        page.wait_for_url(f"{own.url}/")
        page.goto(f"{own.url}/browsed")  # captured, in no watchlist: the browsed creators
        rows = page.locator("table.creators tbody tr")
        rows.first.wait_for()
        assert rows.count() == 2
        listed = {c["handle"]: c for c in own.api("GET", "/creators")[1]["items"]}
        for i in range(rows.count()):
            row = rows.nth(i)
            handle = row.locator("small").first.inner_text().split()[0].lstrip("@")
            for key in ("fit", "authenticity"):
                part = listed[handle][key]
                cell = row.locator(f'[data-score="{key}"]')
                if part["score"] is None:
                    assert cell.inner_text() == "No grade"
                    assert row.locator(f'[data-reason="{key}"]').inner_text() == shown_reason(part["reason"])
                else:
                    assert cell.inner_text().split()[0] == str(js_round(part["score"]))
                    assert row.locator(f'[data-confidence="{key}"]').inner_text() == f"{part['confidence']} confidence"
    finally:
        own.stop()
