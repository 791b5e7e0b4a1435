"""The creator page (/creator/<platform>/<handle>) as a marketer opens it: a creator with a year of
daily captures (365 history points: the chart and the 60-row table), 20 notes and a full refresh
log, rendered by the Flask app in-process (the page's own work: store read, figures, charts,
template), and the page's size. With the real pages present, a 30-post YouTube channel too.

Target: p95 under 300 ms (the issue's bound for the dashboard's pages).
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import load_line, pct

DAYS = 365
RUNS = 40
TARGET_MS = 300
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _time(client, path: str) -> tuple[list[float], int]:
    client.get(path)  # the first render compiles the templates
    times, size = [], 0
    for _ in range(RUNS):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
        size = len(r.data)
    return times, size


def main() -> bool | None:
    from server import create_app
    from tests.conftest import REALPAGES
    from tests.server.api.conftest import x_capture

    print(load_line())
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": str(Path(tmp) / "data"), "TESTING": True, "STORE_FSYNC": False})
        try:
            client = app.test_client()
            auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
            t = time.perf_counter()
            for day in range(DAYS):
                cap = x_capture("bench_user", followers=5_000 + 7 * day, captured_at=_iso(T0 + timedelta(days=day)))
                assert client.post("/api/v1/captures", json=cap, headers=auth).status_code == 201
            print(f"setup: {DAYS} daily captures in {time.perf_counter() - t:.1f} s")
            store = app.extensions["kolscope.store"]
            for i in range(20):
                store.add_note("x", "bench_user", f"note {i}: " + "call about the spring launch. " * 5)
                store.record_refresh("x", "bench_user", "error" if i % 3 else "ok",
                                     "Page.goto: net::ERR_NAME_NOT_RESOLVED" if i % 3 else None,
                                     at=_iso(T0 + timedelta(days=DAYS + i)))
            assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
            pages = {f"x, {DAYS} history points, 20 notes, 20 refreshes": "/creator/x/bench_user"}
            channel = REALPAGES / "youtube" / "yt_channel_kurzgesagt_2026-01.capture.json"
            if channel.is_file():
                cap = json.loads(channel.read_text(encoding="utf-8"))
                assert client.post("/api/v1/captures", json=cap, headers=auth).status_code == 201
                pages["youtube, 30 posts (12 paid), 1 capture"] = "/creator/youtube/kurzgesagt"
            met = True
            for what, path in pages.items():
                times, size = _time(client, path)
                p95 = pct(times, 95)
                met = met and p95 < TARGET_MS
                print(f"creator page ({what}): p50 {pct(times, 50):.0f} ms, p95 {p95:.0f} ms over {RUNS}; "
                      f"{size / 1024:.0f} KB of HTML")
        finally:
            app.extensions["kolscope.store"].close()
    print(f"target p95 < {TARGET_MS} ms: {'ok' if met else 'MISSED'}")
    return met


if __name__ == "__main__":
    main()
