"""The dashboard in the real Chromium: token form -> cookie -> table; creator text stays text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.api.conftest import x_capture
from tests.api.test_crash import free_port, request, start_server

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
XSS = "<img src=x onerror=alert(1)>"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed (make install)")
def test_dashboard_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_server(tmp_path / "data", port)
    try:
        token = (tmp_path / "data" / "token").read_text().strip()
        assert request(port, token, "POST", "/api/v1/captures", json.dumps(x_capture("xss", name=XSS)).encode())[0] == 201
        args = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("input[name=token]", token)
            page.click("button[type=submit]")
            page.wait_for_selector("table.creators")
            assert page.url == f"http://127.0.0.1:{port}/"  # the token left the address bar
            cell = page.locator("table.creators tbody tr td").first
            assert XSS in cell.inner_text() and cell.locator("img").count() == 0
            # the stylesheet loaded under the CSP
            assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(29, 29, 31)"
            assert page.goto(f"http://127.0.0.1:{port}/api/v1/creators").status == 200  # cookie: GETs only
            browser.close()
        assert dialogs == []
    finally:
        proc.terminate()
        proc.wait(10)
