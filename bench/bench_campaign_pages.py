"""The campaign screens' costs: a fair price per creator (every real creator page), the campaign page
and its HTML report for 20 partners, each with a deliverable read 30 times and 10,000 imported orders
(targets: the page and the report each <= 500 ms median, our judgement of a page that feels at once),
and what the deliverable hook adds to one capture's ingest."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from bench import load_line, pct
from scraper import parse
from scraper.errors import CaptureError
from server import create_app
from server.campaigns.price import fair_price
from server.ingest import track_deliverables
from tests.conftest import REALPAGES
from tests.server.api.conftest import post_capture, x_capture

PARTNERS, READINGS, ORDERS, RUNS = 20, 30, 10_000, 15
TARGET_MS = 500


def _prices() -> None:
    snaps = []
    for path in sorted(REALPAGES.glob("*/*.capture.json")):
        try:
            snaps.append(parse(json.loads(path.read_text(encoding="utf-8"))).to_dict())
        except CaptureError:
            continue
    if not snaps:
        print("fair price: real pages not found (../shared/realpages), skipped")
        return
    times = []
    for s in snaps:
        t = time.perf_counter()
        fair_price(s)
        times.append((time.perf_counter() - t) * 1000)
    print(f"fair price, every format, {len(snaps)} real creator pages: median {statistics.median(times):.2f} ms, "
          f"p95 {pct(times, 95):.2f} ms")


def _seed(client, auth, store) -> str:
    cid = client.post("/api/v1/campaigns", json={"name": "Bench", "objective": "sales", "budget": 50000,
                                                 "kpis": [{"metric": "orders", "target": 5000},
                                                          {"metric": "revenue", "target": 100000}]},
                      headers=auth).json["id"]
    for i in range(PARTNERS):
        handle = f"bench_{i:02d}"
        post_capture(client, auth, x_capture(handle))
        p = client.post(f"/api/v1/campaigns/{cid}/partners", json={"platform": "x", "handle": handle, "plan": {
            "fee": 500 + i, "promo_codes": [f"CODE{i}"], "deliverables": [
                {"platform": "x", "format": "post", "count": 1, "due": "2026-02-01"}]}}, headers=auth).json
        d = client.post(f"/api/v1/campaigns/{cid}/deliverables", json={
            "partner_id": p["id"], "url": f"https://x.com/{handle}/status/9103"}, headers=auth).json
        for r in range(READINGS):
            store.record_deliverable_metrics(cid, d["id"], {"at": f"2026-02-{1 + r % 28:02d}T{r % 24:02d}:00:00Z",
                                                            "views": 1000 + r * 10, "likes": 30, "comments": 2,
                                                            "shares": 1})
    rows = "\n".join(f"2026-02-{1 + n % 28:02d},{n},{10 + n % 90}.50,USD,CODE{n % (PARTNERS + 5)}" for n in range(ORDERS))
    r = client.post(f"/api/v1/campaigns/{cid}/orders", data="date,order_id,total,currency,discount_code\n" + rows,
                    headers=dict(auth, **{"Content-Type": "text/csv"}))
    assert r.status_code == 200, r.json
    return cid


def _time(client, path: str) -> tuple[float, float, int]:
    for _ in range(2):
        client.get(path)
    times, size = [], 0
    for _ in range(RUNS):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
        size = len(r.data)
    return statistics.median(times), pct(times, 95), size


def main() -> bool:
    print(load_line())
    _prices()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": str(Path(tmp) / "data"), "TESTING": True, "STORE_FSYNC": False})
        try:
            client, store = app.test_client(), app.extensions["kolscope.store"]
            auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
            cid = _seed(client, auth, store)
            client.post("/login", data={"token": app.config["TOKEN"]})
            met = True
            for label, path in (("campaign page", f"/campaigns/{cid}"), ("HTML report", f"/campaigns/{cid}/report.html")):
                med, p95, size = _time(client, path)
                ok = med <= TARGET_MS
                met = met and ok
                print(f"{label}, {PARTNERS} partners x {READINGS} readings, {ORDERS:,} orders: median {med:.0f} ms, "
                      f"p95 {p95:.0f} ms, {size / 1024:.0f} KB (target <= {TARGET_MS} ms median: "
                      f"{'ok' if ok else 'OVER TARGET'})")
            post_capture(client, auth, x_capture("no_deals"))
            for handle, what in (("bench_00", "a partner with 1 deliverable (read and written)"),
                                 ("no_deals", "a creator in no campaign (read only)")):
                snap = parse(x_capture(handle)).to_dict()
                summary = store.get_creator("x", handle)
                times = []
                for _ in range(RUNS):
                    t = time.perf_counter()
                    track_deliverables(store, snap, summary)
                    times.append((time.perf_counter() - t) * 1000)
                print(f"deliverable tracking added to one capture of {what}, 1 campaign stored: "
                      f"median {statistics.median(times):.1f} ms")
        finally:
            store.close()
    return met


if __name__ == "__main__":
    main()
