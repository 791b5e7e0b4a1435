"""End-to-end fixtures: a real backend on a free 127.0.0.1 port, Debian's Chromium with the unpacked
extension, platform URLs routed to saved pages; on failure, a screenshot and the page's HTML under
test-results/."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from scraper.registry import NAMES
from tests.e2e.harness import CHROMIUM, ROOT, Backend, Browser, OverlayProbe

RESULTS = ROOT / "test-results"
ALL_PLATFORMS_ON = {name: True for name in NAMES}
BRIEF = {"name": "E2E: science and tech explainers", "keywords": ["science", "technology", "animation", "developer", "api"],
         "languages": ["en"], "tiers": ["micro", "mid", "macro", "mega"]}

# Logs every state the overlay goes through (and its removal) into window.__kolscopeLog, from the
# page's side, so a test can tell "never shown" from "shown, then removed".
STATE_LOG = """
(() => {
  window.__kolscopeLog = [];
  const log = (entry) => window.__kolscopeLog.push(entry);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target.localName === 'kolscope-overlay') {
        log(r.target.getAttribute('data-state') || '');
      }
      for (const n of r.addedNodes || []) {
        if (n.localName === 'kolscope-overlay') log(n.getAttribute('data-state') || '');
      }
      for (const n of r.removedNodes || []) if (n.localName === 'kolscope-overlay') log('removed');
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
})();
"""


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# Package scope: the sync API keeps an event loop running in this thread; it must stop before other
# packages (tests/scraper) start their own loops.
@pytest.fixture(scope="package")
def playwright_instance():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (make install puts Debian's Chromium there)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    server = Backend(tmp_path_factory.mktemp("backend") / "data").start()
    # An active brief, so fit is scored (without one the backend leaves fit unscored, with a reason).
    status, brief = server.api("POST", "/briefs", BRIEF)
    assert status == 201, brief
    status, _ = server.api("PUT", "/briefs/active", {"id": brief["id"]})
    assert status == 200
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(playwright_instance, backend, tmp_path_factory):
    b = Browser(playwright_instance, tmp_path_factory.mktemp("profile"))
    b.context.add_init_script(STATE_LOG)
    b.configure(backendUrl=backend.url, token=backend.token)
    yield b
    b.close()


@pytest.fixture
def page(browser, backend, request):
    """A fresh tab; the extension pointed at the session's backend; routes reset."""
    browser.routes.clear()
    browser.configure(backendUrl=backend.url, token=backend.token,
                      platforms=ALL_PLATFORMS_ON)
    tab = browser.context.new_page()
    console: list[str] = []
    tab.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    tab.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        _save_artifacts(request.node.nodeid, tab, console, backend)
    tab.close()


def _save_artifacts(nodeid: str, tab, console: list[str], backend: Backend) -> None:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)[-150:]
    out = RESULTS / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    try:
        tab.screenshot(path=str(out / "screenshot.png"), full_page=False)
    except PlaywrightError as exc:  # a crashed tab still leaves the rest of the evidence
        (out / "screenshot-error.txt").write_text(str(exc))
    try:
        (out / "page.html").write_text(tab.content(), encoding="utf-8")
        inner = OverlayProbe.of(tab).html()  # the root is closed: read through DevTools
        if inner is not None:
            host = tab.evaluate("() => document.querySelector('kolscope-overlay').outerHTML")
            (out / "overlay.html").write_text(host + "\n" + inner, encoding="utf-8")
    except (PlaywrightError, RuntimeError) as exc:
        (out / "page-error.txt").write_text(str(exc))
    (out / "console.txt").write_text("\n".join(console), encoding="utf-8")
    (out / "backend.log").write_text(backend.log(), encoding="utf-8")
