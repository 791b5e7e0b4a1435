"""API benchmark with a real `kolscope serve` on 127.0.0.1: ingest throughput and latency with 16
concurrent clients, score-lookup latency, ingest latency with 100 vs 10,000 stored creators (each
with a year of daily history), and the server's peak RSS.

Env: KOLSCOPE_BENCH_CREATORS (default 10000) to try a smaller big store.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import load_line, pct, run_clients
from tests.server.api.conftest import x_capture, x_user_id

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
BIG = int(os.environ.get("KOLSCOPE_BENCH_CREATORS", "10000"))
SMALL = 100
DAYS = 365
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def capture(handle: str, followers: int, at: datetime) -> bytes:
    """The X fixture as `handle`'s page: each handle its own account (its own user id), since the
    store keeps one creator per account and would fold same-id handles into one."""
    return json.dumps(x_capture(handle, followers=followers, captured_at=_iso(at))).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data: Path):
        self.data, self.port = data, free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--data", str(data), "--host", "127.0.0.1",
             "--port", str(self.port), "--no-scheduler"], cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)  # waitress logs queue depth under the 16 clients: noise here
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        self.token = (data / "token").read_text().strip()

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, float]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                r.read()
                status = r.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        return status, (time.perf_counter() - t) * 1000

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def concurrent(server: Server, jobs: list[tuple[str, str, bytes | None]]) -> tuple[list[float], float, int]:
    """Run jobs over CLIENTS threads; answer latencies (ms), wall seconds, errors."""
    lat: list[float] = []
    errors = [0]
    it = iter(jobs)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                return
            status, ms = server.call(*job)
            with lock:
                lat.append(ms)
                if status >= 300:
                    errors[0] += 1

    return lat, run_clients(worker, CLIENTS), errors[0]


def build_store(data: Path, creators: int) -> float:
    """`creators` creators, each with DAYS daily history points, written through the repository."""
    from scraper import parse
    from server.scoring import history_point, score
    from server.store import Store

    snap = parse(json.loads(capture("bench_0", 800, T0))).to_dict()
    scores = score(snap, now=T0)
    point = history_point(snap)
    t = time.perf_counter()
    with Store(data) as store, store.bulk():
        for i in range(creators):
            s = dict(snap, handle=f"bench_{i}", platform_id=x_user_id(f"bench_{i}"), followers=800 + i)
            hist = []
            for d in range(DAYS):
                p = copy.copy(point)
                p.update(handle=f"bench_{i}", followers=800 + i + d, captured_at=_iso(T0 + timedelta(days=d)))
                hist.append(p)
            store.import_creator(s, scores, hist)
        store.token()
    return time.perf_counter() - t


def integrity_times(data: Path) -> tuple[float, float]:
    """Seconds to open the store (what a server start checks) and to fsck it (reads every file)."""
    from server.fsck import check
    from server.store import Store, lock_dir

    t = time.perf_counter()
    Store(data).close()
    open_s = time.perf_counter() - t
    fd = lock_dir(data)
    try:
        t = time.perf_counter()
        report = check(data)
        fsck_s = time.perf_counter() - t
    finally:
        os.close(fd)
    if report.problems:
        raise RuntimeError(f"fsck found problems in the benchmark store: {report.problems[:3]}")
    return open_s, fsck_s


def ingest_latency(servers: dict[int, Server], n: int = 150) -> dict[int, list[float]]:
    """Sequential captures of existing creators, one client, alternating between the servers so
    that load from other processes on the machine falls on both figures alike."""
    lat: dict[int, list[float]] = {c: [] for c in servers}
    for k in range(n + 10):
        for creators, server in servers.items():
            i = (k * 7919) % creators
            status, ms = server.call("POST", "/api/v1/captures",
                                     capture(f"bench_{i}", 900 + k, T0 + timedelta(days=DAYS, minutes=k)))
            if status != 201:
                raise RuntimeError(f"ingest answered {status}")
            if k >= 10:  # the first few warm caches up
                lat[creators].append(ms)
    return lat


def main() -> bool:
    tmp = Path(tempfile.mkdtemp(prefix="kolscope-bench-api-"))
    try:
        # 1. throughput and latency with 16 concurrent clients, on a fresh store
        server = Server(tmp / "fresh")
        try:
            jobs = [("POST", "/api/v1/captures", capture(f"c{i % 400}", 1000 + i, T0 + timedelta(minutes=i)))
                    for i in range(800)]
            lat, wall, errors = concurrent(server, jobs)
            print(f"ingest, {CLIENTS} clients: {len(jobs) / wall:.0f} captures/s, p50 {pct(lat, 50):.1f} ms, "
                  f"p99 {pct(lat, 99):.1f} ms, errors {errors}")
            jobs = [("GET", f"/api/v1/creators/x/c{i % 400}/scores", None) for i in range(2000)]
            lat, wall, errors = concurrent(server, jobs)
            print(f"score lookup, {CLIENTS} clients: {len(jobs) / wall:.0f} req/s, p50 {pct(lat, 50):.1f} ms, "
                  f"p99 {pct(lat, 99):.1f} ms, errors {errors}")
            print(f"server peak RSS (fresh store, after the above): {server.peak_rss_mb():.0f} MB")
        finally:
            server.stop()

        # 2. ingest latency: 100 creators vs BIG creators, each with a year of daily history
        servers: dict[int, Server] = {}
        try:
            for creators in (SMALL, BIG):
                data = tmp / f"store{creators}"
                build_s = build_store(data, creators)
                size_mb = sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 1e6
                print(f"built a store of {creators} creators x {DAYS} days of history: {size_mb:.0f} MB "
                      f"in {build_s:.1f} s", flush=True)
                open_s, fsck_s = integrity_times(data)
                print(f"store with {creators} creators: open (integrity checks of every file's header and "
                      f"size) {open_s * 1000:.0f} ms; kolscope fsck (every checksum) {fsck_s:.1f} s", flush=True)
                servers[creators] = Server(data)
            lat = ingest_latency(servers)
            results = {}
            for creators, server in servers.items():
                results[creators] = statistics.median(lat[creators])
                print(f"ingest with {creators} creators: p50 {results[creators]:.1f} ms, "
                      f"p99 {pct(lat[creators], 99):.1f} ms; server peak RSS {server.peak_rss_mb():.0f} MB")
        finally:
            for server in servers.values():
                server.stop()
        ratio = results[BIG] / results[SMALL]
        verdict = "within" if ratio <= 1.5 else "NOT within"
        print(f"ingest p50 {BIG} vs {SMALL} creators: {ratio:.2f}x ({verdict} the 1.5x target); {load_line()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ratio <= 1.5


if __name__ == "__main__":
    main()
