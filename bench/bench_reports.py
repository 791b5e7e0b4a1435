"""Report generation for a 50-creator watchlist (each creator with 3 captures a month apart, scored
against a brief): the self-contained HTML report (median and p95 of 10) and its PDF printed by
Chromium (median of 3), through the app as the dashboard serves them; and their sizes.

Targets: HTML <= 1 s median, PDF <= 15 s median (a person waits for a download).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import load_line, pct
from server import create_app
from tests.server.api.conftest import post_capture, x_capture

CREATORS = 50
HTML_RUNS, PDF_RUNS = 10, 3
HTML_TARGET_S, PDF_TARGET_S = 1.0, 15.0
DATES = ("2026-01-01T09:00:00Z", "2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z")


def _seed(client, auth) -> str:
    brief = client.post("/api/v1/briefs", json={"name": "Trail run", "keywords": ["running", "trail"],
                                                "languages": ["en"]}, headers=auth).json
    client.put("/api/v1/briefs/active", json={"id": brief["id"]}, headers=auth)
    wid = client.post("/api/v1/watchlists", json={"name": "Fifty"}, headers=auth).json["id"]
    for i in range(CREATORS):
        handle = f"runner_{i:02d}"
        for step, at in enumerate(DATES):
            cap = x_capture(handle, followers=1000 + 97 * i + 40 * step, name=f"Runner {i}", captured_at=at)
            assert post_capture(client, auth, cap).status_code == 201
        client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": handle}, headers=auth)
    return wid


def _times(client, path: str, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:300])
        size = len(r.data)
    return times, size


def main() -> bool | None:
    print(load_line())
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": str(Path(tmp) / "data"), "TESTING": True, "STORE_FSYNC": False})
        try:
            client = app.test_client()
            auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
            t = time.perf_counter()
            wid = _seed(client, auth)
            print(f"seeded {CREATORS} creators x {len(DATES)} captures in {time.perf_counter() - t:.1f} s")
            client.post("/login", data={"token": app.config["TOKEN"]})
            _times(client, f"/watchlists/{wid}/report.html", 1)  # templates compiled once
            html, html_size = _times(client, f"/watchlists/{wid}/report.html", HTML_RUNS)
            if not Path("/usr/bin/chromium").exists():
                print("PDF: skipped, /usr/bin/chromium is not installed")
                pdf, pdf_size = [], 0
            else:
                pdf, pdf_size = _times(client, f"/watchlists/{wid}/report.pdf", PDF_RUNS)
        finally:
            app.extensions["kolscope.store"].close()
    med = statistics.median(html)
    ok_html = med <= HTML_TARGET_S
    print(f"HTML report, {CREATORS} creators: median {med * 1000:.0f} ms, p95 {pct(html, 95) * 1000:.0f} ms, "
          f"{html_size / 1024:.0f} KiB (target <= {HTML_TARGET_S * 1000:.0f} ms median: {'ok' if ok_html else 'OVER TARGET'})")
    if not pdf:  # the PDF target could not be checked
        return False if not ok_html else None
    med_pdf = statistics.median(pdf)
    ok_pdf = med_pdf <= PDF_TARGET_S
    print(f"PDF report, {CREATORS} creators: median {med_pdf:.2f} s, slowest {max(pdf):.2f} s, {pdf_size / 1024:.0f} KiB "
          f"(Chromium started per PDF; target <= {PDF_TARGET_S:.0f} s median: {'ok' if ok_pdf else 'OVER TARGET'})")
    return ok_html and ok_pdf


if __name__ == "__main__":
    main()
