"""Debian's Chromium for the browser tests, launched one way (the project's rule): Python Playwright
with executable_path=/usr/bin/chromium, every host name but 127.0.0.1 and localhost unresolvable (a
test never reaches the network), and --no-sandbox when the tests run as root (CI does). Also the
dashboard's token login, which every dashboard browser test starts with."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
OFFLINE_HOSTS = "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's Chromium is not installed (make install)")


def chromium_args(*extra: str, mapped_hosts: dict[str, int] | None = None) -> list[str]:
    """Chromium's flags: `extra`, then the host rules (`mapped_hosts`, {host: port}, sends those
    hosts to 127.0.0.1:port; every other name fails to resolve), then --no-sandbox as root."""
    maps = "".join(f"MAP {host} 127.0.0.1:{port}, " for host, port in (mapped_hosts or {}).items())
    args = [*extra, f"--host-resolver-rules={maps}{OFFLINE_HOSTS}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium's sandbox refuses root
        args.append("--no-sandbox")
    return args


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium (a Playwright Browser), closed when the block ends."""
    from playwright.sync_api import sync_playwright  # late: only the browser tests pay for Playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        try:
            yield browser
        finally:
            browser.close()


def log_in(page, url: str, token: str, ready: str = "main") -> None:
    """Open `url` without a session (the dashboard answers with its token form), send the token, and
    wait for `ready` (a selector) on the page the form leads to."""
    page.goto(url)
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_selector(ready)


@contextlib.contextmanager
def dashboard_server(data: Path, *extra: str) -> Iterator[tuple[int, str]]:
    """A real `kolscope serve` over `data` on a free loopback port (extra: more serve options), for a
    browser to open: (port, the owner token). Stopped when the block ends."""
    from tests.server.api.test_crash import free_port, start_server  # late: the API tests' server helpers

    port = free_port()
    proc = start_server(data, port, *extra)
    try:
        yield port, (data / "token").read_text().strip()
    finally:
        proc.terminate()
        proc.wait(10)
