"""What discovery costs: a list page through POST /captures, what it adds to every creator-page
capture, and the candidates' store at 10,000 candidates.

Targets (2 shared cores): a real list page is answered (parse, candidates merged, JSON) in at most
500 ms CPU at the median; discovery is at most 25% of a creator-page capture's CPU (parse, score,
store) at the median: its second parse of the page for a list (a channel's featured channels, a
profile's followers tab; "no list" for most pages) and the ingest hook; with
10,000 candidates stored, the per-capture look-up ("is this creator a candidate?") takes at most
1 ms, merging one list page's 20 creators at most 300 ms (one file rewrite, no fsync) and a page of
50 candidates at most 100 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench import load_line, pct
from scraper import parse
from scraper.errors import CaptureError
from server import create_app
from server.discovery import note_capture, side_listing
from server.ingest import ingest_capture
from server.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KOLSCOPE_REALPAGES") or ROOT.parent / "shared" / "realpages").parent


def _cpu_ms(fn) -> float:
    t = time.thread_time()
    fn()
    return (time.thread_time() - t) * 1000


def _list_pages(met: bool) -> bool:
    pages = sorted((SHARED / "listpages").glob("*/*.capture.json"))
    if not pages:
        print("real list pages not found (../shared/listpages): list captures not measured")
        return met
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "TESTING": True, "STORE_FSYNC": False})
        client, auth = app.test_client(), {"Authorization": f"Bearer {app.config['TOKEN']}"}
        times = []
        for path in pages:
            body = path.read_bytes()
            for _ in range(3):  # the first merges, the next ones count again (the common re-visit)
                ms = _cpu_ms(lambda body=body: client.post("/api/v1/captures", data=body, headers={
                    **auth, "Content-Type": "application/json"}))
                times.append(ms)
        total = app.extensions["kolscope.store"].list_candidates(limit=1).total
        app.extensions["kolscope.store"].close()
    med, p95 = statistics.median(times), pct(times, 95)
    ok = med <= 500
    print(f"list page through POST /captures ({len(pages)} real pages x3, {total} candidates): median "
          f"{med:.1f} ms, p95 {p95:.1f} ms CPU (target <= 500 ms median: {'ok' if ok else 'OVER TARGET'})")
    return met and ok


def _creator_pages(met: bool) -> bool:
    pages = sorted((SHARED / "realpages").glob("*/*.capture.json"))
    if not pages:
        print("real pages not found (../shared/realpages): the cost on creator pages not measured")
        return met
    shares, extra = [], []
    with tempfile.TemporaryDirectory() as tmp, Store(tmp, fsync=False) as store:
        for path in pages[::3]:  # a third of them: every platform, a bounded run
            capture = json.loads(path.read_bytes())
            try:
                snapshot = parse(capture).to_dict()
            except CaptureError:
                continue
            # the capture as the API takes it: parse, score, store (its ingest hook included), then the list
            whole = statistics.median(_cpu_ms(lambda capture=capture: (
                ingest_capture(store, capture), side_listing(store, capture))) for _ in range(3))
            added = statistics.median(_cpu_ms(lambda capture=capture, snapshot=snapshot: (
                side_listing(store, capture), note_capture(store, snapshot))) for _ in range(3))
            extra.append(added)
            shares.append(added / whole * 100 if whole else 0.0)
    med = statistics.median(shares)
    ok = med <= 25
    print(f"discovery's share of a creator-page capture ({len(shares)} real pages): median {med:.0f}% "
          f"({statistics.median(extra):.1f} ms CPU: the list parse and the hook), p95 {pct(shares, 95):.0f}% "
          f"(target <= 25% median: {'ok' if ok else 'OVER TARGET'})")
    return met and ok


def _at_scale(met: bool) -> bool:
    n = 10_000
    with tempfile.TemporaryDirectory() as tmp, Store(tmp, fsync=False) as store:
        path = {"kind": "search", "label": '"bench" search on X', "via": "search:bench", "count": 1}
        for start in range(0, n, 1000):
            store.add_candidates([{"platform": "x", "handle": f"cand_{i}", "platform_id": str(10**6 + i),
                                   "followers": i, "path": path} for i in range(start, start + 1000)])
        size = (Path(tmp) / "discovery.json").stat().st_size
        look = [_cpu_ms(lambda i=i: store.candidate_captured("x", f"nobody_{i}", str(i))) for i in range(200)]
        page = [{"platform": "x", "handle": f"new_{r}_{i}", "path": dict(path, via=f"search:r{r}")}
                for r in range(5) for i in range(20)]
        merge = [_cpu_ms(lambda r=r: store.add_candidates(page[r * 20:(r + 1) * 20])) for r in range(5)]
        listing = [_cpu_ms(lambda: store.list_candidates(source="search", limit=50, offset=500)) for _ in range(5)]
    figures = (("look-up per capture", look, 1), ("merge a list page of 20", merge, 300),
               ("a page of 50 (filtered)", listing, 100))
    print(f"{n:,} candidates in discovery.json ({size / 1e6:.1f} MB):")
    for name, times, target in figures:
        med = statistics.median(times)
        ok = med <= target
        met = met and ok
        print(f"  {name}: median {med:.2f} ms, p95 {pct(times, 95):.2f} ms CPU "
              f"(target <= {target} ms median: {'ok' if ok else 'OVER TARGET'})")
    return met


def main() -> bool:
    print(load_line())
    met = _list_pages(True)
    met = _creator_pages(met)
    return _at_scale(met)


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
