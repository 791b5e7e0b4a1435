"""Compare three real creators in the real Chromium, as a person would: sign in, open the comparison,
see the best markers, download the HTML report and the PDF and read them back. Leaves the
screenshot test-results/compare.png (KOLSCOPE_UPDATE_SCREENSHOTS=1 also copies it to docs/img)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.browser import chromium, dashboard_server, log_in, needs_chromium
from tests.conftest import ROOT, load_case
from tests.server.api.test_crash import request
from tests.server.dashboard.report_checks import outside_refs, pdf_text

pytestmark = [pytest.mark.slow, pytest.mark.realpages]
# (case, platform/handle): three platforms; X twice, a year apart, so its card has a follower line
PAGES = (("x/x_profile_XDevelopers_2024-02", None),
         ("x/x_profile_XDevelopers_latest", "x/XDevelopers"),
         ("youtube/yt_channel_kurzgesagt_2026-01", "youtube/kurzgesagt"),
         ("tiktok/tt_profile_dylanlemay_2023-02_sigi", "tiktok/dylanlemay"))


@needs_chromium
def test_compare_three_creators_and_download_the_reports(tmp_path):
    cases = [(load_case(case), ref) for case, ref in PAGES]
    with dashboard_server(tmp_path / "data") as (port, token):
        brief = {"name": "Science explainers", "keywords": ["science", "space"], "languages": ["en"]}
        status, answer = request(port, token, "POST", "/api/v1/briefs", json.dumps(brief).encode())
        assert status == 201
        assert request(port, token, "PUT", "/api/v1/briefs/active", json.dumps({"id": answer["id"]}).encode())[0] == 200
        names = {}
        for (capture, expected), ref in cases:
            assert request(port, token, "POST", "/api/v1/captures", json.dumps(capture).encode())[0] == 201
            if ref:
                names[ref] = (expected["display_name"], expected["followers"]["value"])
        query = "&".join(f"c={ref}" for ref in names)
        with chromium() as browser:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1280, "height": 1000})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            # no session yet: the login form, then back here (/ is the shortlist: maybe empty)
            log_in(page, f"http://127.0.0.1:{port}/compare?{query}", token, "table.creators, table.compare, form.filters")
            page.goto(f"http://127.0.0.1:{port}/compare?{query}")
            table = page.locator("table.compare")
            for name, _ in names.values():
                assert name in table.locator("thead").inner_text()
            # the most followers: Kurzgesagt's cell carries the marker, in words and by class
            followers = page.locator('tr[data-row="followers"]')
            assert "higher is better" in followers.inner_text()
            best = followers.locator("td.best")
            assert best.count() == 1 and "★ best" in best.inner_text() and "25,000,000" in best.inner_text()
            assert page.locator("td.best").count() >= 3  # other rows have their best too
            assert "lower is better" in page.locator('tr[data-row="paid_share"]').inner_text()
            assert "Science explainers" in page.locator("main").inner_text()
            out = ROOT / "test-results"
            out.mkdir(exist_ok=True)
            page.screenshot(path=str(out / "compare.png"), full_page=True)
            if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(out / "compare.png", ROOT / "docs" / "img" / "compare.png")

            with page.expect_download() as dl:
                page.click("text=HTML report")
            html = Path(dl.value.path()).read_text(encoding="utf-8")
            assert dl.value.suggested_filename == "kolscope-compare-XDevelopers-kurzgesagt-dylanlemay.html"
            assert outside_refs(html) == [] and "★ best" in html and "Science explainers" in html
            for name, followers in names.values():
                assert name in html and f"{followers:,}" in html
            assert html.count("<polyline") >= 1  # X's follower line, inline

            with page.expect_download(timeout=60_000) as dl:
                page.click("text=PDF report")
            assert dl.value.suggested_filename.endswith(".pdf")
            text = pdf_text(Path(dl.value.path()).read_bytes())
            for name, followers in names.values():
                assert name in text and f"{followers:,}" in text
            assert "Science explainers" in text
        assert dialogs == []
