"""Watchlists in the real Chromium, as a person works: make a watchlist, add creators by their
profile URL (and be told in words when a URL is no profile), sort by a column, filter, remove one,
move one to another watchlist; the shortlist and Browsed stay apart. Leaves
test-results/watchlists.png."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.browser import chromium, dashboard_server, log_in, needs_chromium
from tests.server.api.conftest import x_capture
from tests.server.api.test_crash import request

pytestmark = pytest.mark.slow
SHOTS = Path(__file__).resolve().parents[3] / "test-results"


def _rows(page) -> list[str]:
    return page.locator("table.creators tbody tr").evaluate_all("rows => rows.map(r => r.dataset.creator)")


@needs_chromium
def test_watchlists_in_chromium(tmp_path):
    with dashboard_server(tmp_path / "data") as (port, token):
        base = f"http://127.0.0.1:{port}"
        for handle, followers in (("alpha", 800), ("beta", 5000), ("gamma", 20000), ("delta", 150)):
            body = json.dumps(x_capture(handle, followers=followers, name=f"{handle.title()} <i>Runs</i>")).encode()
            assert request(port, token, "POST", "/api/v1/captures", body)[0] == 201
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            # (the login form answers 401 and a bad filter 400, by design: "Failed to load resource")
            page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                    and errors.append(m.text))
            log_in(page, f"{base}/", token, "main h2")
            # nothing is in a watchlist yet: the shortlist is empty, the four are in Browsed
            assert "No creator in a watchlist yet" in page.inner_text("main")
            page.click("text=Browsed: the creators you looked at")
            assert sorted(_rows(page)) == ["x/alpha", "x/beta", "x/delta", "x/gamma"]

            # make two watchlists
            page.click("nav.main-nav >> text=Watchlists")
            page.fill("form[aria-label='New watchlist'] input[name=name]", "Backup")
            page.click("form[aria-label='New watchlist'] button")
            page.wait_for_selector("text=Watchlist “Backup” made.")
            page.goto(f"{base}/watchlists")
            page.fill("form[aria-label='New watchlist'] input[name=name]", "Spring launch")
            page.fill("form[aria-label='New watchlist'] input[name=refresh_interval_hours]", "12")
            page.click("form[aria-label='New watchlist'] button")
            page.wait_for_selector("text=Watchlist “Spring launch” made.")
            launch = page.url
            assert "Refreshed every 12 h" in page.inner_text("main")

            # add by URL, and a URL that is no creator's profile, said in words
            for handle in ("alpha", "beta", "gamma"):
                page.fill("input[name=url]", f"https://x.com/{handle}")
                page.click("form[aria-label='Add a creator by URL'] button")
                page.wait_for_selector(f"text=@{handle} (x) added.")
            page.fill("input[name=url]", "https://example.com/@someone")
            page.click("form[aria-label='Add a creator by URL'] button")
            refusal = page.locator(".notice-error")
            assert refusal.inner_text().startswith("Not a URL of a supported platform")
            assert sorted(_rows(page)) == ["x/alpha", "x/beta", "x/gamma"]
            assert "Alpha <i>Runs</i>" in page.inner_text("table.creators")  # text, not markup

            # sort by followers (most first), then the other way round
            page.click("th a[data-sort=followers]")
            page.wait_for_url("**sort=followers**")
            assert _rows(page) == ["x/gamma", "x/beta", "x/alpha"]
            page.click("th a[data-sort=followers]")
            page.wait_for_url("**order=asc**")
            assert _rows(page) == ["x/alpha", "x/beta", "x/gamma"]

            # filter: micro creators (10k-100k followers), the sort kept; then clear it
            page.select_option("form.filters select[name=tier]", "micro")
            page.click("form.filters button[type=submit]")
            page.wait_for_url("**tier=micro**")
            assert _rows(page) == ["x/gamma"] and "order=asc" in page.url
            page.fill("form.filters input[name=country]", "Atlantis")
            page.click("form.filters button[type=submit]")
            assert page.inner_text(".form-errors") == "Type a country's name (Germany) or its two-letter code (DE)."
            page.click("text=Clear filters")
            assert sorted(_rows(page)) == ["x/alpha", "x/beta", "x/gamma"]

            # remove alpha; move beta to Backup
            page.click("tr[data-creator='x/alpha'] button[value=remove]")
            page.wait_for_selector("text=Removed @alpha from “Spring launch”.")
            page.select_option("tr[data-creator='x/beta'] select[name=to]", label="Backup")
            page.click("tr[data-creator='x/beta'] button[value=move]")
            page.wait_for_selector("text=Moved @beta to “Backup”.")
            assert _rows(page) == ["x/gamma"]
            page.goto(f"{base}/watchlists")
            page.click("table.watchlists >> text=Backup")
            assert _rows(page) == ["x/beta"]
            # the shortlist holds the watchlisted two; Browsed the rest
            page.goto(f"{base}/")
            assert sorted(_rows(page)) == ["x/beta", "x/gamma"]
            page.goto(f"{base}/browsed")
            assert sorted(_rows(page)) == ["x/alpha", "x/delta"]
            # compare: ticked boxes go to /compare as c=platform/handle (a GET)
            page.goto(launch)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "watchlists.png"), full_page=True)
            if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(SHOTS / "watchlists.png", SHOTS.parent / "docs" / "img" / "watchlists.png")
            page.check("tr[data-creator='x/gamma'] input[type=checkbox]")
            assert errors == []  # no script error, no CSP violation on any page so far
            with page.expect_navigation():  # (the compare page is another screen's: only its URL counts)
                page.click("button[form=compare]")
            assert page.url.startswith(f"{base}/compare?c=x%2Fgamma")
