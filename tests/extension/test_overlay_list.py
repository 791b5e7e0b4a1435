"""The overlay's list mode (content/overlay.js `showList`) in Debian's Chromium, without the rest of
the extension: the creators of a list page's answer as rows (name, @handle, followers exact or
~rounded, the backend's tier, "known"), the "Found N creators ... (M new)" line, a list that grows as
the page is captured again, page text kept as text, and "Check these" acting on real clicks only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import chromium, needs_chromium

CONTENT = Path(__file__).resolve().parents[2] / "extension" / "content"
XSS = '<img src=x onerror="window.__pwned=1">'

pytestmark = needs_chromium

# The backend's answer to a list page's capture (POST /captures, 201), as background.js passes it on.
ANSWER = {
    "ok": True, "state": "list", "kind": "search", "query": "test", "candidates_added": 2,
    "url": "https://www.youtube.com/results?search_query=test",
    "creators": [
        {"platform": "youtube", "handle": "TEDEd", "display_name": "TED-Ed", "followers": 21_900_000,
         "followers_text": "~21.9M", "rounded": True, "tier": "mega", "known": True,
         "candidate_id": "cand-1", "url": "https://www.youtube.com/@TEDEd"},
        {"platform": "youtube", "handle": XSS, "display_name": XSS, "followers": 1234, "followers_text": None,
         "rounded": False, "tier": "nano", "known": False, "candidate_id": "cand-2",
         "url": "javascript:window.__pwned=2"},
        {"platform": "youtube", "handle": "UC1", "platform_id": "UC1", "display_name": "Test - Topic", "followers": None,
         "followers_text": None, "rounded": False, "tier": None, "known": False, "candidate_id": "cand-3",
         "url": "https://www.youtube.com/channel/UC1"},
    ],
}
MORE = {**ANSWER, "candidates_added": 1, "creators": [
    ANSWER["creators"][0],  # seen again: one row
    {"platform": "youtube", "handle": "veritasium", "display_name": "Veritasium", "followers": 234_000,
     "followers_text": "234K subscribers", "rounded": True, "tier": "macro", "known": False,
     "candidate_id": "cand-4", "url": "https://www.youtube.com/@veritasium"},
]}

SETUP = """() => {
  window.sent = [];
  window.ov = new kolscope.Overlay({
    platform: "youtube",
    onRetry() {},
    send: async (m) => {
      sent.push(m);
      if (m.type === "grant") return { ok: true, grant: "g-1" };
      return { ok: true, queued: m.ids.length };
    },
  });
}"""

ROWS = """() => [...ov.root.querySelectorAll('[data-kolscope="candidate"]')].map((li) => ({
  id: li.dataset.candidateId, known: li.dataset.known, handle: li.dataset.handle,
  name: li.querySelector('[data-kolscope="candidate-name"]').textContent,
  href: li.querySelector('a') ? li.querySelector('a').getAttribute('href') : null,
  followers: li.querySelector('[data-kolscope="candidate-followers"]').textContent,
  followersTitle: li.querySelector('[data-kolscope="candidate-followers"]').title,
  tier: li.querySelector('[data-kolscope="tier-badge"]') ? li.querySelector('[data-kolscope="tier-badge"]').textContent : null,
  knownMark: !!li.querySelector('[data-kolscope="known"]'),
  text: li.textContent,
}))"""


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        yield browser.new_page()


@pytest.fixture
def overlay(page):
    page.set_content("<!DOCTYPE html><html><body><main><h1>Search results</h1></main></body></html>")
    for name in ("platforms.js", "overlay.js"):
        page.add_script_tag(content=(CONTENT / name).read_text(encoding="utf-8"))
    page.evaluate(SETUP)
    return page


def click(page, selector: str) -> None:
    """A real mouse click (the overlay ignores script-made events) in the middle of `selector`."""
    box = page.evaluate("""(sel) => {
      const r = ov.root.querySelector(sel).getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    }""", selector)
    page.mouse.click(box["x"], box["y"])


def text(page, selector: str) -> str:
    return page.evaluate("(sel) => ov.root.querySelector(sel).textContent", selector)


def test_rows_show_each_creator_as_text(overlay):
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", ANSWER)
    assert overlay.evaluate("() => ov.host.dataset.state") == "list"
    assert overlay.evaluate("() => ov.host.dataset.count") == "3"
    assert text(overlay, '[data-kolscope="found"]') == "Found 3 creators on this search for “test” (2 new)"
    rows = overlay.evaluate(ROWS)
    assert [r["id"] for r in rows] == ["cand-1", "cand-2", "cand-3"]
    ted, xss, topic = rows
    assert (ted["name"], ted["handle"], ted["tier"], ted["knownMark"]) == ("TED-Ed", "TEDEd", "mega", True)
    assert ted["followers"] == "~21.9M" and ted["followersTitle"] == "~21.9M"
    assert ted["href"] == "https://www.youtube.com/@TEDEd"
    # page text is data: the markup is shown as it is written, and no element comes of it
    assert xss["name"] == XSS and f"@{XSS}" in xss["text"]
    assert xss["followers"] == "1.2K" and xss["followersTitle"] == "1,234"
    assert (xss["tier"], xss["knownMark"], xss["href"]) == ("nano", False, None)  # no javascript: link
    assert overlay.evaluate("() => ov.root.querySelectorAll('img').length + document.querySelectorAll('img').length") == 0
    assert overlay.evaluate("() => window.__pwned === undefined")
    # known by its channel id only: no "@UC1" shown
    assert (topic["name"], topic["handle"], topic["followers"], topic["tier"]) == ("Test - Topic", "UC1", "—", None)
    assert "@" not in topic["text"]


def test_a_list_captured_again_grows_and_another_page_starts_anew(overlay):
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", ANSWER)
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", MORE)
    assert [r["id"] for r in overlay.evaluate(ROWS)] == ["cand-1", "cand-2", "cand-3", "cand-4"]
    assert text(overlay, '[data-kolscope="found"]') == "Found 4 creators on this search for “test” (3 new)"
    overlay.evaluate("(a) => ov.showList({...a, kind: 'followers', query: null, candidates_added: 0}, '/XDevelopers/followers')",
                     MORE)
    assert [r["id"] for r in overlay.evaluate(ROWS)] == ["cand-1", "cand-4"]
    assert text(overlay, '[data-kolscope="found"]') == "Found 2 creators in this followers list (none new)"


def test_a_creator_page_with_a_list_shows_both(overlay):
    """A followers tab or a post's comments: the creator's scores, then the list below them."""
    scored = {"ok": True, "state": "scored", "creator": {"platform": "x", "handle": "TwitterDev", "display_name": "Developers"},
              "snapshot": {}, "scores": {"tier": "macro", "followers": 500_000}}
    overlay.evaluate("""([scored, list]) => {
      ov.show('scored', scored);
      ov.addList({ ...list, kind: 'followers', query: null }, '/TwitterDev/followers');
    }""", [scored, ANSWER])
    assert overlay.evaluate("() => ov.host.dataset.state") == "scored"
    assert overlay.evaluate("() => ov.root.querySelector('[data-kolscope=tier]').dataset.value") == "macro"
    assert text(overlay, '[data-kolscope="list"] [data-kolscope="found"]') == "Found 3 creators in this followers list (2 new)"
    assert [r["id"] for r in overlay.evaluate(ROWS)] == ["cand-1", "cand-2", "cand-3"]


def test_check_these_queues_the_new_candidates_on_a_real_click_only(overlay):
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", ANSWER)
    # a script's click (what a page script could do) is ignored
    overlay.evaluate("() => ov.root.querySelector('[data-kolscope=\"check\"]').click()")
    overlay.wait_for_timeout(100)
    assert overlay.evaluate("() => sent") == []
    click(overlay, '[data-kolscope="check"]')
    overlay.wait_for_function("() => sent.length === 2")
    grant, check = overlay.evaluate("() => sent")
    assert grant == {"type": "grant", "action": "candidates"}
    # the known creator is not queued again
    assert check == {"type": "refreshCandidates", "ids": ["cand-2", "cand-3"], "grant": "g-1"}
    overlay.wait_for_function("() => ov.root.querySelector('[data-kolscope=\"check-status\"]').textContent.startsWith('Queued')")
    assert text(overlay, '[data-kolscope="check-status"]').startswith("Queued 2 creators for a check")
    # the answer stays while the list grows
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", MORE)
    assert text(overlay, '[data-kolscope="check-status"]').startswith("Queued 2 creators")


def test_a_refused_check_says_why(overlay):
    overlay.evaluate("""(a) => {
      ov.send = async (m) => (sent.push(m), m.type === 'grant' ? { ok: true, grant: 'g' }
        : { ok: false, state: 'backend_down', message: 'The kolscope backend is not running at http://127.0.0.1:8765.' });
      ov.showList(a, '/results?q=test');
    }""", ANSWER)
    click(overlay, '[data-kolscope="check"]')
    overlay.wait_for_function("() => ov.root.querySelector('[data-kolscope=\"check-status\"]').className.includes('bad')")
    assert "backend is not running" in text(overlay, '[data-kolscope="check-status"]')


def test_a_list_of_known_creators_has_nothing_to_check(overlay):
    known = {**ANSWER, "candidates_added": 0, "creators": [ANSWER["creators"][0]]}
    overlay.evaluate("(a) => ov.showList(a, '/results?q=test')", known)
    click(overlay, '[data-kolscope="check"]')
    overlay.wait_for_timeout(100)
    assert overlay.evaluate("() => sent") == []
    assert "already knows every creator" in text(overlay, '[data-kolscope="check-status"]')
