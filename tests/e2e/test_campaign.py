"""A campaign end to end, on real pages: set it up on the dashboard with two KPIs, add two creators from
the overlay, give each its own plan, mark a real post as a deliverable from the overlay on the post's
page, refresh the partners (replay: a capture of the channel written into tmp_path whose copy of that
post shows more views) and see its numbers move, import an orders CSV whose codes match one partner,
and read KPI progress, ROAS and cost per order on the campaign page and in its report."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.conftest import load_case
from tests.e2e.conftest import ALL_PLATFORMS_ON, RESULTS
from tests.e2e.harness import Backend, OverlayProbe, open_capture, wait_settled

pytestmark = pytest.mark.e2e

CHANNEL = "youtube/yt_channel_kurzgesagt_2026-01"   # @kurzgesagt's videos tab
POST = "youtube/yt_watch_QqsLTNkzvaY_2026-01"        # one of its videos, on its own page
OTHER = "x/x_profile_XDevelopers_latest"
POST_ID = "QqsLTNkzvaY"
POST_URL = f"https://www.youtube.com/watch?v={POST_ID}"


def channel_showing_the_post(views: int) -> dict:
    """The real channel capture at the profile URL a refresh asks for, its newest video swapped for the
    deliverable with `views` views (a modified copy, written to tmp_path only)."""
    capture, _ = load_case(CHANNEL)
    html = capture["html"]
    assert html.count("1,545,374 views") == 1
    html = html.replace("D0WQK7cMJn8", POST_ID).replace("1,545,374 views", f"{views:,} views")
    return dict(capture, url="https://www.youtube.com/@kurzgesagt", html=html)


@pytest.fixture
def replay_backend(tmp_path):
    """A backend of its own whose refreshes read platform pages from tmp_path/replay."""
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "kurzgesagt.capture.json").write_text(json.dumps(channel_showing_the_post(19_000_000)))
    server = Backend(tmp_path / "data", extra_args=("--replay", str(replay))).start()
    yield server, replay
    server.stop()


def login(page, backend: Backend) -> None:
    page.goto(f"{backend.url}/campaigns")
    page.fill('input[name="token"]', backend.token)
    page.click('button[type="submit"]')
    page.goto(f"{backend.url}/campaigns")


def add_from_overlay(browser, page, case: str, campaign_id: str) -> dict:
    capture, expected = load_case(case)
    page.bring_to_front()  # the worker grants only the tab in front (a person clicks what they see)
    open_capture(browser, page, capture)
    assert wait_settled(page)["state"] == "scored"
    probe = OverlayProbe.of(page)
    assert probe.count('[data-kolscope="campaign-select"]') == 0  # nothing asked for before the click
    probe.click('[data-kolscope="campaign-open"]')
    probe.wait_for(f'[data-kolscope="campaign-select"] option[value="{campaign_id}"]')
    probe.select('[data-kolscope="campaign-select"]', campaign_id)
    probe.click('[data-kolscope="campaign-add"]')
    probe.wait_for('[data-kolscope="campaign-status"]', text="Added to")
    return expected


def partner_row(page, handle: str):
    return page.locator(f'table.partners tr[data-partner$="/{handle}" i]')


def save_plan(page, handle: str, fee: str, codes: str, due: str, fmt: str, points: str) -> None:
    plan = page.locator("details.plan", has_text=f"@{handle}")
    if not plan.get_attribute("open"):
        plan.locator("summary").click()
    form = plan.locator("form.plan-form")
    form.locator('select[name="status"]').select_option("agreed")
    form.locator('input[name="fee"]').fill(fee)
    form.locator('input[name="promo_codes"]').fill(codes)
    form.locator('textarea[name="talking_points"]').fill(points)
    form.locator('select[name="d_format"]').first.select_option(fmt)
    form.locator('input[name="d_count"]').first.fill("1")
    form.locator('input[name="d_due"]').first.fill(due)
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert "saved" in page.locator(".notice").first.inner_text()


def test_a_campaign_from_setup_to_report(browser, page, replay_backend, tmp_path):
    backend, replay = replay_backend
    browser.configure(backendUrl=backend.url, token=backend.token, platforms=ALL_PLATFORMS_ON)
    dash = browser.context.new_page()
    try:
        # 1. The campaign, with two KPIs, set up on the dashboard.
        login(dash, backend)
        dash.fill('input[name="name"]', "Spring launch <b>2026</b>")
        dash.select_option('select[name="objective"]', "sales")
        dash.fill('input[name="budget"]', "5000")
        dash.fill('input[name="start"]', "2026-01-01")
        dash.fill('input[name="end"]', "2026-03-31")
        metrics, targets = dash.locator('select[name="kpi_metric"]'), dash.locator('input[name="kpi_target"]')
        metrics.nth(0).select_option("orders")
        targets.nth(0).fill("4")
        metrics.nth(1).select_option("revenue")
        targets.nth(1).fill("1,000")
        dash.click("form.campaign-form button[type=submit]")
        dash.wait_for_load_state()
        cid = re.search(r"/campaigns/([^/#?]+)", dash.url).group(1)
        assert "Spring launch <b>2026</b>" in dash.locator("h2").first.inner_text()  # text, not markup

        # 2. Two creators added from the overlay, on their own pages.
        add_from_overlay(browser, page, CHANNEL, cid)
        x = add_from_overlay(browser, page, OTHER, cid)

        # 3. Each its own plan.
        dash.goto(f"{backend.url}/campaigns/{cid}")
        save_plan(dash, "kurzgesagt", "1200", "KURZ10, kurz-vip", "2026-02-01", "video", "Say what the product does.")
        save_plan(dash, x["handle"], "300", "XDEV", "2026-02-15", "post", "A thread for developers.")
        st, detail = backend.api("GET", f"/campaigns/{cid}")
        assert st == 200, detail

        # 4. A real post marked as a deliverable, from the overlay on its own page.
        capture, _ = load_case(POST)
        page.bring_to_front()
        open_capture(browser, page, capture)
        assert wait_settled(page)["state"] == "scored"
        probe = OverlayProbe.of(page)
        probe.click('[data-kolscope="campaign-open"]')
        probe.wait_for('[data-kolscope="campaign-deliverable"]')
        probe.select('[data-kolscope="campaign-select"]', cid)
        probe.click('[data-kolscope="campaign-deliverable"]')
        probe.wait_for('[data-kolscope="campaign-status"]', text="is a deliverable")
        # the post's page captured again now that it is a deliverable: its first reading
        open_capture(browser, page, capture)
        assert wait_settled(page)["state"] == "scored"
        first = _deliverable_views(backend, cid)
        assert first == 18_567_581

        # 5. A refresh (replay) sees the post with more views: its numbers move.
        dash.goto(f"{backend.url}/campaigns/{cid}")
        dash.click("text=Refresh the partners' numbers now")
        _wait_for(lambda: _deliverable_views(backend, cid) == 19_000_000, "the refreshed reading")
        dash.goto(f"{backend.url}/campaigns/{cid}")
        cell = dash.locator("table.deliverables td.d-views").first.inner_text()
        assert "19,000,000" in cell and "+432,419" in cell

        # 6. Orders whose codes match one partner (kurzgesagt), imported from a CSV file.
        orders = tmp_path / "orders.csv"
        orders.write_text("date,order_id,total,currency,discount_code\n"
                          "2026-02-02,1001,100.00,USD,KURZ10\n"
                          "2026-02-03,1002,250.00,USD,kurz10\n"
                          "2026-02-04,1003,50.00,USD,KURZ-VIP\n"
                          "2026-02-05,1004,80.00,USD,SOMEONE-ELSE\n", encoding="utf-8")
        dash.set_input_files('input[name="orders"]', str(orders))
        dash.click("text=Import orders")
        dash.wait_for_load_state()
        assert "4 orders imported: 3 matched" in dash.locator(".notice").first.inner_text()

        # 7. KPI progress, ROAS and cost per order on the page...
        kurz = partner_row(dash, "kurzgesagt")
        assert kurz.locator("td.orders").inner_text() == "3"
        assert kurz.locator("td.roas").inner_text() == "0.33"      # 400 / 1,200
        assert kurz.locator("td.cpo").inner_text() == "400"        # 1,200 / 3
        assert partner_row(dash, x["handle"]).locator("td.orders").inner_text() == "0"
        assert dash.locator('tr[data-metric="orders"] .kpi-progress').inner_text() == "75.0%"
        assert dash.locator('tr[data-metric="revenue"] .kpi-progress').inner_text() == "40.0%"
        RESULTS.mkdir(exist_ok=True)
        dash.screenshot(path=str(RESULTS / "campaign.png"), full_page=True)

        # ...and in the report.
        with dash.expect_download() as download:
            dash.click("text=HTML")
        report = open(download.value.path(), encoding="utf-8").read()
        assert "Spring launch &lt;b&gt;2026&lt;/b&gt;" in report and "<link" not in report
        assert re.search(r'class="num roas">0\.33<', report) and re.search(r'class="num cpo">400<', report)
        assert 'class="kpi-progress">75.0%<' in report
    finally:
        dash.close()


def _deliverable_views(backend: Backend, cid: str) -> int | None:
    st, body = backend.api("GET", f"/campaigns/{cid}/report")
    assert st == 200, body
    st, detail = backend.api("GET", f"/campaigns/{cid}")
    metrics = [m for d in detail.get("deliverables") or [] for m in d.get("metrics") or []]
    return metrics[-1]["views"] if metrics else None


def _wait_for(check, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.5)


def test_the_popup_marks_the_post_of_the_tab_as_a_deliverable(browser, backend, page):
    st, campaign = backend.api("POST", "/campaigns", {"name": "Popup campaign", "objective": "reach"})
    assert st == 201, campaign
    capture, expected = load_case("x/x_tweetdetail_latest")
    open_capture(browser, page, capture)
    assert wait_settled(page)["state"] == "scored"
    tab_id = browser.worker.evaluate(
        "url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", page.url)
    popup = browser.context.new_page()
    try:
        popup.goto(f"chrome-extension://{browser.extension_id}/popup/popup.html?tab={tab_id}")
        popup.locator("#campaign").select_option(campaign["id"])
        popup.click("#mark-deliverable")
        popup.locator("#deliverable-status", has_text="Marked as a deliverable of Popup campaign").wait_for()
    finally:
        popup.close()
    st, detail = backend.api("GET", f"/campaigns/{campaign['id']}")
    assert [(p["platform"], p["handle"]) for p in detail["partners"]] == [("x", expected["handle"])]
    assert [(d["post_id"], d["url"]) for d in detail["deliverables"]] == [("1649191520250245121", capture["url"])]
