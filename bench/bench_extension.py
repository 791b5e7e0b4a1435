"""Browser extension: time from page load to the overlay showing its scores, over the real pages.

Debian's Chromium with the unpacked extension and a real local backend (`kolscope serve` on a free
127.0.0.1 port); each saved page of ../shared/realpages (the ones that are creator pages) is served
over HTTPS at its own URL by a local page server (the platforms' hosts resolve to it), and its API
answers are fetched by the page once parsed, as the platform's app would. Playwright drives the
browser but stays out of its network path: its request interception and its inspection of the
service worker's traffic copy every body through the DevTools protocol, which no user's browser does.
Target: p95 <= 300 ms from page load (the page's DOMContentLoaded) to the overlay showing its scores.
The time from navigation start is printed beside it: it adds the page's own parsing and inline
scripts (~250 ms p50 for a 1 MB YouTube page on these machines, with or without the extension).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import load_line, pct
from tests.conftest import REALPAGES, realpage_cases
from tests.e2e.harness import (
    CHROMIUM,
    NON_CREATOR_STATES,
    SETTLED,
    Backend,
    Browser,
    PageServer,
    launch_args,
    overlay_values,
)

TARGET_P95_MS = 300
ROUNDS = 2  # each page loaded this many times: 78 samples, so p95 is not one page's luck
BRIEF = {"name": "bench brief", "keywords": ["science", "technology"], "languages": ["en"]}


def main() -> bool | None:
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

    captures = {case: json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
                for case in cases}
    pages = PageServer(PageServer.hosts_of(list(captures.values()))).start()
    backend = Backend(Path(tempfile.mkdtemp(prefix="kolscope-bench-ext-")) / "data").start()
    try:
        _, brief = backend.api("POST", "/briefs", BRIEF)
        backend.api("PUT", "/briefs/active", {"id": brief["id"]})
        with sync_playwright() as pw:
            browser = Browser(pw, page_server=pages)
            try:
                browser.configure(backendUrl=backend.url, token=backend.token)
                page = browser.context.new_page()
                # Warm-up: first launch costs (service worker start, backend imports) are not page loads.
                for case in cases[:2]:
                    _run(pages, page, captures[case])
                rows, unscored = [], []
                for _ in range(ROUNDS):
                    for case in cases:
                        try:
                            rows.append(Row(case, *_run(pages, page, captures[case])))
                        except NotScored as exc:  # a parser gap is the parser's figure, not this one's
                            unscored.append(str(exc))
            finally:
                browser.close()
            baseline = _page_load_without_extension(pw, pages, [captures[c] for c in cases])
    finally:
        backend.stop()
        pages.stop()

    for line in sorted(set(unscored)):
        print(f"not scored, left out: {line}")
    if not rows:
        print("no page was scored")
        return
    print(f"{len(rows) // ROUNDS} real pages x {ROUNDS} rounds; ms. 'page load' is the page's DOMContentLoaded, "
          "'nav. start' its navigation start (performance.timeOrigin)")
    print(f"{'platform':<10} {'n':>3} {'load->shown p50/p95':>20} {'nav.start->shown p50/p95':>25} "
          f"{'DOMready p50':>13} {'load->capture p50':>18} {'backend p50':>12} {'server p50':>11}")
    by_platform: dict[str, list[Row]] = {}
    for row in rows:
        by_platform.setdefault(row.platform, []).append(row)
    for platform, items in sorted(by_platform.items()) + [("all", rows)]:
        after = [r.after_load for r in items]
        shown = [r.shown for r in items]
        backend_ms = [r.backend for r in items if r.backend is not None]
        server_ms = [r.server for r in items if r.server is not None]
        print(f"{platform:<10} {len(items):>3} {pct(after, 50):>11.0f} / {pct(after, 95):>6.0f} "
              f"{pct(shown, 50):>16.0f} / {pct(shown, 95):>6.0f} {pct([r.dcl for r in items], 50):>13.0f} "
              f"{pct([r.capture - r.dcl for r in items], 50):>18.0f} "
              f"{(pct(backend_ms, 50) if backend_ms else float('nan')):>12.0f} "
              f"{(pct(server_ms, 50) if server_ms else float('nan')):>11.0f}")
    p95 = pct([r.after_load for r in rows], 95)
    verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
    print(f"page load -> overlay shown: p95 {p95:.0f} ms (target <= {TARGET_P95_MS} ms: {verdict}); "
          f"from navigation start: p95 {pct([r.shown for r in rows], 95):.0f} ms")
    print(f"({load_line()} while measuring. "
          "DOMready is the page's own parsing and inline scripts, which the extension cannot shorten; "
          "load->capture is negative when the data was there before the page finished (the capture starts "
          "during parsing); backend is the POST /captures round trip as the service worker saw it, server "
          "the backend's own share of it (its Server-Timing))")
    with_ext = [r.dcl for r in rows]
    print(f"the page's own DOMready p50/p95: {pct(with_ext, 50):.0f} / {pct(with_ext, 95):.0f} ms with the "
          f"extension, {pct(baseline, 50):.0f} / {pct(baseline, 95):.0f} ms in the same Chromium without it "
          "(what capturing costs the page itself)")
    slowest = sorted(rows, key=lambda r: -r.after_load)[:3]
    print("slowest after page load: " + ", ".join(
        f"{r.case.split('/')[1]} {r.after_load:.0f} ms (backend {r.backend} ms)" for r in slowest))
    return p95 <= TARGET_P95_MS


@dataclass
class Row:
    case: str
    shown: float  # overlay scored, ms since navigation start
    capture: float  # capture started, ms since navigation start
    dcl: float  # the page's DOMContentLoaded (its start: the page is parsed), ms since navigation start
    backend: float | None  # POST /captures round trip in the service worker
    server: float | None  # the backend's own share (Server-Timing)

    @property
    def platform(self) -> str:
        return self.case.split("/")[0]

    @property
    def after_load(self) -> float:
        """From page load to overlay shown (0 when it showed before the page finished loading)."""
        return max(0.0, self.shown - self.dcl)


class NotScored(Exception):
    pass


# Waits in the page with the browser's own querySelector every 10 ms. Playwright's wait_for_selector
# runs its shadow-piercing selector engine on every animation frame, on the same main thread as the
# extension's content script: harness work inside the figure being measured.
WAIT_JS = """({settled, states, timeout}) => new Promise((resolve, reject) => {
  const done = [settled, ...states.map((s) => `kolscope-overlay[data-state="${s}"]`)].join(', ');
  const started = performance.now();
  const tick = () => {
    if (document.querySelector(done)) resolve(true);
    else if (performance.now() - started > timeout) reject(new Error('no settled overlay'));
    else setTimeout(tick, 10);
  };
  tick();
})"""


def _page_load_without_extension(pw, pages: PageServer, captures: list[dict]) -> list[float]:
    """DOMContentLoaded of the same pages, served the same way, in a Chromium without the extension."""
    profile = tempfile.mkdtemp(prefix="kolscope-bench-noext-")
    args = [a for a in launch_args(mapped_hosts=pages.mapped_hosts()) if "extension" not in a]
    context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=False, args=args,
                                                    ignore_https_errors=True, service_workers="block")
    try:
        page = context.new_page()
        out = []
        for _ in range(ROUNDS):
            for capture in captures:
                pages.serve(capture)
                page.goto(capture["url"], wait_until="domcontentloaded")
                out.append(page.evaluate(
                    "performance.getEntriesByType('navigation')[0].domContentLoadedEventStart"))
        return out
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def _run(pages: PageServer, page, capture: dict) -> tuple[float, float, float, float | None, float | None]:
    pages.serve(capture)
    page.goto(capture["url"], wait_until="commit")
    page.evaluate(WAIT_JS, {"settled": SETTLED, "states": list(NON_CREATOR_STATES), "timeout": 30000})
    values = overlay_values(page)
    if values["state"] != "scored":
        raise NotScored(f"{capture['url']}: overlay state {values['state']}: {values.get('message')}")
    shown, started, dcl, backend, server = page.evaluate("""() => {
        const h = document.querySelector('kolscope-overlay');
        const nav = performance.getEntriesByType('navigation')[0];
        const num = (v) => (v == null ? null : Number(v));
        return [num(h.dataset.shownMs), num(h.dataset.captureMs), nav.domContentLoadedEventStart,
                num(h.dataset.backendMs), num(h.dataset.serverMs)];
    }""")
    return float(shown), float(started), float(dcl), backend, server


if __name__ == "__main__":
    main()
