"""The compare page and the shortlist reports through the app: the table with its best markers, plain
words (a page, not JSON) for bad links, and reports that are self-contained and carry the numbers."""

from __future__ import annotations

import re

import pytest

from scraper import registry

from server.dashboard import reports
from server.pdf import PdfError
from tests.browser import needs_chromium
from tests.server.api.conftest import post_capture, x_capture
from tests.server.dashboard.conftest import TRIO, compare_query
from tests.server.dashboard.report_checks import outside_refs, pdf_text

HANDLES = [h for h, _, _ in TRIO]


def test_compare_shows_three_creators_with_the_best_marked(signed_in, trio):
    r = signed_in.get("/compare?" + compare_query(*HANDLES))
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    for _, name, _ in TRIO:
        assert name in html
    followers = re.search(r'<tr data-row="followers">(.*?)</tr>', html, re.S).group(1)
    assert "higher is better" in followers
    # Bob has the most followers: his cell, and only his, is marked in words as well as by class
    assert re.search(r'<td class="best">5,100 <strong class="best-mark">★ best</strong>', followers)
    assert followers.count("★ best") == 1
    assert "lower is better" in re.search(r'<tr data-row="paid_share">(.*?)</tr>', html, re.S).group(1)
    assert "Trail run" in html  # the brief the fits were scored against
    for link in ("/compare/report.html?", "/compare/report.pdf?", "/api/v1/compare/export.csv?"):
        assert link + compare_query(*HANDLES).replace("&", "&amp;") in html
    # the CSV link works with the dashboard's session cookie (a GET)
    assert signed_in.get("/api/v1/compare/export.csv?" + compare_query(*HANDLES)).status_code == 200


@pytest.mark.parametrize("query, status, words", [
    ("c=x/ann_trails", 400, "Pick 2 to 4 creators to compare; this link names only one."),
    ("", 400, "this link names none"),
    ("c=x/a1&c=x/a2&c=x/a3&c=x/a4&c=x/a5", 400, "this link names 5"),
    ("c=x/ann_trails&c=ann", 400, "write platform/handle, the platform one of " + ", ".join(registry.NAMES)),
    ("c=x/ann_trails&c=friendster/ann", 400, "kolscope does not know the platform"),
    ("c=x/ann_trails&c=x/nobody_here", 404, "kolscope has nothing stored for x/nobody_here"),
])
def test_bad_comparisons_are_pages_in_plain_words(signed_in, trio, query, status, words):
    for path in ("/compare", "/compare/report.html", "/compare/report.pdf"):
        r = signed_in.get(f"{path}?{query}")
        assert r.status_code == status and r.mimetype == "text/html", path
        text = r.get_data(as_text=True)
        assert words.replace("'", "&#39;") in text and '"error"' not in text and "Traceback" not in text


def test_compare_needs_a_session(client, trio):
    r = client.get("/compare?" + compare_query(*HANDLES[:2]))
    assert r.status_code == 401 and 'name="token"' in r.get_data(as_text=True)
    assert client.get("/watchlists/wl_000000000000/report.html").status_code == 401


def test_compare_report_html_is_self_contained(signed_in, trio):
    r = signed_in.get("/compare/report.html?" + compare_query(*HANDLES))
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="kolscope-compare-ann_trails-bob_miles-cat_sprints.html"'
    html = r.get_data(as_text=True)
    assert outside_refs(html) == []
    assert "<style>" in html and "★ best" in html and "Trail run" in html
    # opened in the browser, the report keeps its own policy: its inline style, no script, no request
    assert r.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert re.search(r"Made with kolscope on \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)
    # each creator's card: key numbers, the follower line as inline SVG, the top reasons
    assert html.count('<section class="card"') == 3 and html.count("<polyline") == 3
    assert "5,100" in html and 'class="reasons"' in html


def test_watchlist_report_html(signed_in, auth, trio):
    wl = signed_in.post("/api/v1/watchlists", json={"name": "Spring <run>"}, headers=auth).json
    for handle in HANDLES[:2]:
        signed_in.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": handle}, headers=auth)
    r = signed_in.get(f"/watchlists/{wl['id']}/report.html")
    assert r.status_code == 200 and 'filename="kolscope-Spring-run.html"' in r.headers["Content-Disposition"]
    html = r.get_data(as_text=True)
    assert outside_refs(html) == []
    assert "Watchlist: Spring &lt;run&gt;" in html  # page text is data
    assert "Ann Trails" in html and "Bob Miles" in html and "Cat Sprints" not in html
    assert "Fit scored against the brief <strong>Trail run</strong>" in html


def test_unknown_watchlist_report_is_a_page(signed_in):
    for ext in ("html", "pdf"):
        r = signed_in.get(f"/watchlists/wl_000000000000/report.{ext}")
        assert r.status_code == 404 and r.mimetype == "text/html"
        assert "This watchlist does not exist" in r.get_data(as_text=True)


def test_outside_refs_finds_what_a_browser_would_fetch():
    assert outside_refs("<p>x</p><svg><polyline points='1,2'/></svg><style>p{color:red}</style>") == []
    found = outside_refs('<img src="https://evil/x.png"><a href="https://x.com/bo">bo</a><script>1</script>'
                         '<style>@import "x.css";</style><p style="background:url(x)" onclick="f()"></p>')
    assert len(found) >= 6


@pytest.mark.slow
@needs_chromium
def test_compare_and_watchlist_reports_as_pdf(signed_in, auth, trio):
    r = signed_in.get("/compare/report.pdf?" + compare_query(*HANDLES))
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    for _, name, followers in TRIO:
        assert name in text and f"{followers + 100:,}" in text
    assert "Trail run" in text and "best" in text
    wl = signed_in.post("/api/v1/watchlists", json={"name": "Spring"}, headers=auth).json
    signed_in.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "bob_miles"}, headers=auth)
    r = signed_in.get(f"/watchlists/{wl['id']}/report.pdf")
    assert r.status_code == 200 and 'filename="kolscope-Spring.pdf"' in r.headers["Content-Disposition"]
    text = pdf_text(r.data)
    assert "Watchlist: Spring" in text and "Bob Miles" in text and "5,100" in text


def test_pdf_without_chromium_is_a_page_in_words(signed_in, trio, monkeypatch):
    def no_chromium(html, **kw):
        raise PdfError("The PDF needs Chromium at /usr/bin/chromium; install it with `sudo apt-get install chromium`.")

    monkeypatch.setattr(reports, "html_to_pdf", no_chromium)
    r = signed_in.get("/compare/report.pdf?" + compare_query(*HANDLES[:2]))
    assert r.status_code == 503 and r.mimetype == "text/html"
    assert "The PDF could not be made" in r.get_data(as_text=True) and "apt-get install chromium" in r.get_data(as_text=True)


def test_creator_text_stays_text_and_uncaptured_creators_show_dashes(signed_in, auth, trio):
    xss = "<img src=x onerror=alert(1)><a href=https://evil.example>x</a>"  # no quote: x_capture edits JSON text
    assert post_capture(signed_in, auth, x_capture("mallory", name=xss)).status_code == 201
    wl = signed_in.post("/api/v1/watchlists", json={"name": "Mixed"}, headers=auth).json
    for member in ({"platform": "x", "handle": "mallory"}, {"url": "https://x.com/not_yet_seen"}):
        assert signed_in.post(f"/api/v1/watchlists/{wl['id']}/creators", json=member, headers=auth).status_code == 201
    page = signed_in.get("/compare?c=x/mallory&c=x/not_yet_seen").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img" not in page
    followers = re.search(r'<tr data-row="followers">(.*?)</tr>', page, re.S).group(1)
    assert followers.count("—") == 1 and "★" not in followers  # one known value: nothing to be best against
    for path in ("/compare/report.html?c=x/mallory&c=x/not_yet_seen", f"/watchlists/{wl['id']}/report.html"):
        html = signed_in.get(path).get_data(as_text=True)
        assert outside_refs(html) == [] and "not captured yet" in html, path
