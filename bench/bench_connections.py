"""Idle-connection benchmark with a real `kolscope serve`: /health latency (fresh connection each
time) with no other socket, with 500 idle sockets (half silent, half slowloris: half a request), and
with 3x more sockets than a --max-connections of 200 (the longest-idle ones are evicted).

Target: /health p50 under 100 ms in every case (waitress's defaults froze the server at 101 sockets).
"""

from __future__ import annotations

import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import load_line, pct
from tests.server.api.test_connections import close_all, open_idle
from tests.server.api.test_crash import free_port, start_server

TARGET_MS = 100
SAMPLES = 40


def health_latencies(port: int, n: int = SAMPLES) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=10) as r:
            r.read()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def case(tmp: Path, label: str, idle: int, extra: tuple[str, ...] = ()) -> bool:
    port = free_port()
    proc = start_server(tmp / f"data{port}", port, *extra)
    socks = []
    try:
        socks = open_idle(port, idle // 2) + open_idle(port, idle - idle // 2, partial=True)
        time.sleep(0.5)
        lat = health_latencies(port)
        p50, p99 = pct(lat, 50), pct(lat, 99)
        print(f"/health with {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({SAMPLES} requests)", flush=True)
        return p50 < TARGET_MS
    finally:
        close_all(socks)
        proc.terminate()
        proc.wait(10)


def main() -> bool:
    print(load_line(), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="kolscope-bench-conn-"))
    try:
        ok = case(tmp, "no other socket", 0)
        ok &= case(tmp, "500 idle sockets", 500)
        ok &= case(tmp, "600 idle sockets over --max-connections 200", 600, ("--max-connections", "200"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"target: p50 < {TARGET_MS} ms in every case: {'met' if ok else 'MISSED'}")
    return ok
