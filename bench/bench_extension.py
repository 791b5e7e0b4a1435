"""Browser extension: time from page load to the overlay showing its scores, over the real pages.

Debian's Chromium with the unpacked extension and a real local backend (`kolscope serve` on a free
127.0.0.1 port); each saved page of ../shared/realpages (the ones that are creator pages) is served
at its own URL and its API answers are fetched by the page, as the platform's app would.
Target: p95 <= 300 ms from navigation start to the overlay scored.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.conftest import REALPAGES, realpage_cases
from tests.e2e.harness import CHROMIUM, Backend, Browser, open_capture, wait_settled

TARGET_P95_MS = 300
BRIEF = {"name": "bench brief", "keywords": ["science", "technology"], "languages": ["en"]}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    import json

    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing")
        return
    cases = []
    for case in realpage_cases():
        expected = json.loads((REALPAGES / f"{case}.expected.json").read_text(encoding="utf-8"))
        if not expected.get("error"):
            cases.append(case)
    if not cases:
        print(f"skipped: no real pages at {REALPAGES}")
        return

    from playwright.sync_api import sync_playwright

    backend = Backend(Path(tempfile.mkdtemp(prefix="kolscope-bench-ext-")) / "data").start()
    try:
        _, brief = backend.api("POST", "/briefs", BRIEF)
        backend.api("PUT", "/briefs/active", {"id": brief["id"]})
        with sync_playwright() as pw:
            browser = Browser(pw)
            try:
                browser.configure(backendUrl=backend.url, token=backend.token)
                page = browser.context.new_page()
                # Warm-up: first launch costs (service worker start, backend imports) are not page loads.
                for case in cases[:2]:
                    _run(browser, page, case)
                rows, unscored = [], []
                for case in cases:
                    try:
                        shown, backend_ms, dcl, wall, server_ms = _run(browser, page, case)
                    except NotScored as exc:  # a parser gap is the parser's figure, not this one's
                        unscored.append(str(exc))
                        continue
                    rows.append((case.split("/")[0], case, shown, backend_ms, dcl, wall, server_ms))
            finally:
                browser.close()
    finally:
        backend.stop()

    for line in unscored:
        print(f"not scored, left out: {line}")
    if not rows:
        print("no page was scored")
        return
    print(f"{len(rows)} real pages; times in ms from navigation start (performance.timeOrigin)")
    print(f"{'platform':<10} {'n':>3} {'shown p50':>10} {'shown p95':>10} {'DOMready p50':>13} "
          f"{'after DOMready p50/p95':>23} {'backend p50':>12} {'server p50':>11} {'ext. share p50':>15}")
    by_platform: dict[str, list[tuple]] = {}
    for row in rows:
        by_platform.setdefault(row[0], []).append(row)
    for platform, items in sorted(by_platform.items()) + [("all", rows)]:
        shown = [r[2] for r in items]
        backend_ms = [r[3] for r in items if r[3] is not None]
        server_ms = [r[6] for r in items if r[6] is not None]
        dcl = [r[4] for r in items]
        # what the extension itself adds: capture, messaging, overlay (not the page, not the backend)
        share = [r[2] - r[4] - (r[3] or 0) for r in items]
        after = [r[2] - r[4] for r in items]
        print(f"{platform:<10} {len(items):>3} {_pct(shown, 50):>10.0f} {_pct(shown, 95):>10.0f} "
              f"{_pct(dcl, 50):>13.0f} {_pct(after, 50):>14.0f} / {_pct(after, 95):>6.0f} "
              f"{(_pct(backend_ms, 50) if backend_ms else float('nan')):>12.0f} "
              f"{(_pct(server_ms, 50) if server_ms else float('nan')):>11.0f} {_pct(share, 50):>15.0f}")
    p95 = _pct([r[2] for r in rows], 95)
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"page load -> overlay shown: p95 {p95:.0f} ms (target <= {TARGET_P95_MS} ms: {verdict})")
    print(f"(machine load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          "DOMready is the page's own parsing, backend the POST /captures round trip as the service worker "
          "saw it, server the backend's own share of it (its Server-Timing))")
    slowest = sorted(rows, key=lambda r: -r[2])[:3]
    print("slowest: " + ", ".join(f"{r[1].split('/')[1]} {r[2]:.0f} ms (backend {r[3]} ms)" for r in slowest))


class NotScored(Exception):
    pass


def _run(browser: Browser, page, case: str) -> tuple[float, float | None, float, float]:
    import json

    capture = json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
    browser.routes.clear()
    t0 = time.perf_counter()
    open_capture(browser, page, capture)
    values = wait_settled(page, timeout_ms=30000)
    wall = (time.perf_counter() - t0) * 1000
    if values["state"] != "scored":
        raise NotScored(f"{case}: overlay state {values['state']}: {values.get('message')}")
    host = page.evaluate("""() => {
        const h = document.querySelector('kolscope-overlay');
        const nav = performance.getEntriesByType('navigation')[0];
        return [Number(h.dataset.shownMs), h.dataset.backendMs ? Number(h.dataset.backendMs) : null,
                nav.domContentLoadedEventEnd, h.dataset.serverMs ? Number(h.dataset.serverMs) : null];
    }""")
    return float(host[0]), host[1], float(host[2]), wall, host[3]


if __name__ == "__main__":
    main()
