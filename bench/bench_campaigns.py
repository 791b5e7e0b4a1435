"""Campaign orders at scale, through the API in-process (the app's test client, fsync on as served):
import 100,000 orders from a CSV and read the campaign report.

Targets (issue 14): 100,000 orders import in under 10 s (parse, match, one atomic write of rows and
totals); the report answers in under 300 ms, measured at p95 both in the process that imported
(warm) and in a fresh app over the same data directory, where the first report, which reads the
orders file, must meet it too.
Also shown, without a target: the same file imported again (every order skipped), a Shopify
export of 100,000 orders over 200,000 line-item rows, and `deliverables_of` (asked by every capture)
over 200 campaigns: the first call after opening the store and the calls after it
(`python -m bench.bench_campaigns deliverables` runs only that part).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import load_line, pct
from server import create_app
from server.store import open_store

ORDERS = 100_000
PARTNERS = 20
IMPORT_TARGET_S = 10.0
REPORT_TARGET_MS = 300.0
REPORTS = 20
CAMPAIGNS = 200     # deliverables_of: campaigns in the data directory, each with PARTNERS_EACH partners
PARTNERS_EACH = 5   # ... each with one deliverable; the creator asked about is a partner of 2 of them
LOOKUPS = 200


def orders_csv(n: int, seed: int = 14) -> bytes:
    """n orders in the plain format: most with a partner's code, some with none or an unknown one,
    a few refunds and a few in another currency."""
    rng = random.Random(seed)
    lines = ["date,order_id,total,currency,discount_code"]
    for i in range(n):
        roll = rng.random()
        code = f"CODE{rng.randrange(PARTNERS)}" if roll < 0.7 else ("" if roll < 0.9 else "OTHER")
        total = -round(rng.uniform(5, 50), 2) if rng.random() < 0.02 else round(rng.uniform(5, 300), 2)
        currency = "EUR" if rng.random() < 0.05 else "USD"
        lines.append(f"2025-03-{1 + i % 28:02d},{100000 + i},{total},{currency},{code}")
    return ("\n".join(lines) + "\n").encode()


def shopify_csv(n: int) -> bytes:
    """n orders of a Shopify export, each over two line-item rows (the second without totals)."""
    lines = ["Name,Email,Currency,Subtotal,Total,Discount Code,Created at,Lineitem quantity,Lineitem name"]
    for i in range(n):
        lines.append(f"#{i},c{i}@example.com,USD,20.00,24.00,CODE{i % PARTNERS},2025-03-01 10:00:00 -0500,1,Mug")
        lines.append(f"#{i},c{i}@example.com,,,,,2025-03-01 10:00:00 -0500,1,Tea")
    return ("\n".join(lines) + "\n").encode()


def _app(data: Path):
    return create_app({"DATA_DIR": str(data), "TESTING": True})


def _campaign(client, auth: dict) -> str:
    cid = client.post("/api/v1/campaigns", json={
        "name": "Bench", "objective": "sales", "currency": "USD", "budget": 50_000,
        "kpis": [{"metric": "orders", "target": 50_000}, {"metric": "roas", "target": 3}]}, headers=auth).json["id"]
    for i in range(PARTNERS):
        r = client.post(f"/api/v1/campaigns/{cid}/partners", json={
            "platform": "x", "handle": f"creator_{i}", "plan": {"fee": 1000 + i, "promo_codes": [f"CODE{i}"]}}, headers=auth)
        assert r.status_code == 201, r.json
    return cid


def _import(client, auth: dict, cid: str, body: bytes) -> tuple[float, float, dict]:
    """(wall s, CPU s, answer) of one import (in-process: the CPU time is the request's)."""
    t, cpu = time.perf_counter(), time.process_time()
    r = client.post(f"/api/v1/campaigns/{cid}/orders", data=body, headers=dict(auth, **{"Content-Type": "text/csv"}))
    elapsed, cpu = time.perf_counter() - t, time.process_time() - cpu
    assert r.status_code == 200, r.json
    return elapsed, cpu, r.json


def _reports(client, auth: dict, cid: str) -> list[float]:
    out = []
    for _ in range(REPORTS):
        t = time.perf_counter()
        r = client.get(f"/api/v1/campaigns/{cid}/report", headers=auth)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return out


def deliverables_of_figures(tmp: Path) -> None:
    """A capture's deliverables_of with CAMPAIGNS campaigns on disk: the first call after the store
    opens, then the p50/p95 of LOOKUPS more (a creator in 2 campaigns, and one in none)."""
    data = tmp / "deliverables"
    store = open_store({"DATA_DIR": str(data), "STORE_FSYNC": False})
    plan = {"fee": 1, "currency": "USD", "promo_codes": [], "tracking_url": None, "deliverables": []}
    for n in range(CAMPAIGNS):
        cid = store.create_campaign({"name": f"c{n}", "objective": "sales", "kpis": [], "currency": "USD"})["id"]
        for p in range(PARTNERS_EACH):
            handle = "anna" if p == 0 and n in (7, 150) else f"creator_{n}_{p}"
            pid = store.add_partner(cid, "x", handle, plan)["id"]
            store.add_deliverable(cid, pid, f"https://x.com/{handle}/status/{n}{p}", "x", f"{n}{p}")
    store.close()
    store = open_store({"DATA_DIR": str(data), "STORE_FSYNC": False})
    try:
        t = time.perf_counter()
        found = store.deliverables_of("x", "anna")
        first = (time.perf_counter() - t) * 1000
        assert len(found) == 2, found
        times = {}
        for handle in ("anna", "nobody"):
            times[handle] = []
            for _ in range(LOOKUPS):
                t = time.perf_counter()
                store.deliverables_of("x", handle)
                times[handle].append((time.perf_counter() - t) * 1000)
    finally:
        store.close()
    print(f"deliverables_of over {CAMPAIGNS} campaigns ({CAMPAIGNS * PARTNERS_EACH} deliverables): the first call "
          f"after opening {first:.1f} ms; then a creator in 2 campaigns p50 {pct(times['anna'], 50):.2f} ms, "
          f"p95 {pct(times['anna'], 95):.2f} ms; one in none p50 {pct(times['nobody'], 50):.2f} ms")


def main() -> bool:
    print(load_line())
    body = orders_csv(ORDERS)
    tmp = Path(tempfile.mkdtemp(prefix="kolscope-bench-campaigns-"))
    try:
        app = _app(tmp / "data")
        client, auth = app.test_client(), {"Authorization": f"Bearer {app.config['TOKEN']}"}
        cid = _campaign(client, auth)
        took, cpu, answer = _import(client, auth, cid, body)
        print(f"import {ORDERS:,} orders ({len(body) / 1e6:.1f} MB CSV): {took:.2f} s wall, {cpu:.2f} s CPU "
              f"(target < {IMPORT_TARGET_S:.0f} s wall); {answer['matched']:,} matched, {answer['unmatched']:,} unmatched")
        again, cpu, answer = _import(client, auth, cid, body)
        print(f"the same file again: {again:.2f} s wall, {cpu:.2f} s CPU, {answer['imported']} imported, "
              f"{answer['skipped']:,} skipped")
        warm = _reports(client, auth, cid)
        size = (tmp / "data" / "campaigns" / f"{cid}.orders.json").stat().st_size
        app.extensions["kolscope.store"].close()

        app = _app(tmp / "data")
        client = app.test_client()
        cold_first_t = time.perf_counter()
        first = client.get(f"/api/v1/campaigns/{cid}/report", headers=auth)
        cold_first = (time.perf_counter() - cold_first_t) * 1000
        assert first.status_code == 200 and first.json["totals"]["orders"] > 0
        fresh = [cold_first, *_reports(client, auth, cid)]
        app.extensions["kolscope.store"].close()
        print(f"orders file: {size / 1e6:.1f} MB")
        print(f"report, warm: p50 {pct(warm, 50):.1f} ms, p95 {pct(warm, 95):.1f} ms; after a restart: the first "
              f"{cold_first:.1f} ms (it reads the orders file), then p95 {pct(fresh, 95):.1f} ms "
              f"(target < {REPORT_TARGET_MS:.0f} ms, the first included)")

        app = _app(tmp / "shopify")
        client, auth = app.test_client(), {"Authorization": f"Bearer {app.config['TOKEN']}"}
        shop = shopify_csv(ORDERS)
        took_shop, cpu, answer = _import(client, auth, _campaign(client, auth), shop)
        app.extensions["kolscope.store"].close()
        print(f"Shopify export, {ORDERS:,} orders over {answer['rows']:,} rows ({len(shop) / 1e6:.1f} MB): "
              f"{took_shop:.2f} s wall, {cpu:.2f} s CPU")
        deliverables_of_figures(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    met = took < IMPORT_TARGET_S and max(pct(warm, 95), pct(fresh, 95), cold_first) < REPORT_TARGET_MS
    print("targets met" if met else "TARGET MISSED")
    return met


if __name__ == "__main__":
    if sys.argv[1:] == ["deliverables"]:
        print(load_line())
        with tempfile.TemporaryDirectory(prefix="kolscope-bench-deliverables-") as where:
            deliverables_of_figures(Path(where))
        raise SystemExit(0)
    raise SystemExit(0 if main() else 1)
