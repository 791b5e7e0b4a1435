"""A real `kolscope serve` under a stream of captures, SIGKILLed several times: after each restart
the store loads and holds every capture that was acknowledged with 201."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest

from tests.server.api.conftest import x_capture

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
ROUNDS = 4
CLIENTS = 4
HANDLES = [f"crash_{i}" for i in range(12)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--data", str(data), "--host", "127.0.0.1",
         "--port", str(port), "--no-scheduler", *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not answer /health within 30 s")


def request(port: int, token: str, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_sigkill_loses_no_acknowledged_capture(tmp_path):
    data, port = tmp_path / "data", free_port()
    rng = random.Random(4)
    acked: list[tuple[str, str]] = []  # (handle, captured_at) answered 201
    lock = threading.Lock()
    seq = iter(range(10**9))
    t0 = datetime(2025, 1, 1, tzinfo=UTC)

    def stream(token: str, stop: threading.Event) -> None:
        while not stop.is_set():
            n = next(seq)
            handle = HANDLES[n % len(HANDLES)]
            at = (t0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
            body = json.dumps(x_capture(handle, followers=1000 + n, captured_at=at)).encode()
            try:
                status, _ = request(port, token, "POST", "/api/v1/captures", body)
            except (OSError, http.client.HTTPException):
                continue  # the server is gone (maybe mid-answer): this capture was never acknowledged
            if status == 201:
                with lock:
                    acked.append((handle, at))

    for round_no in range(ROUNDS):
        proc = start_server(data, port)
        token = (data / "token").read_text().strip()
        # the store loads and holds everything acknowledged before the last kill
        for handle in HANDLES:
            want = {at for h, at in acked if h == handle}
            if not want:
                continue
            status, body = request(port, token, "GET", f"/api/v1/creators/x/{handle}/history")
            assert status == 200, body
            have = {p["captured_at"] for p in body["points"]}
            assert want <= have, f"round {round_no}: {len(want - have)} acknowledged captures lost"
        before = len(acked)
        stop = threading.Event()
        threads = [threading.Thread(target=stream, args=(token, stop)) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(1.0, 2.5))
        os.kill(proc.pid, signal.SIGKILL)  # mid-stream, while writes are in flight
        proc.wait(10)
        stop.set()
        for t in threads:
            t.join(15)
        assert len(acked) > before, "no capture was acknowledged in this round"
    # a last restart checks the last round
    proc = start_server(data, port)
    try:
        token = (data / "token").read_text().strip()
        status, body = request(port, token, "GET", "/api/v1/creators?limit=500")
        assert status == 200
        for handle in {h for h, _ in acked}:
            status, body = request(port, token, "GET", f"/api/v1/creators/x/{handle}/history")
            have = {p["captured_at"] for p in body["points"]}
            assert {at for h, at in acked if h == handle} <= have
        print(f"{len(acked)} captures acknowledged over {ROUNDS} SIGKILLs, all present after restarts")
    finally:
        proc.terminate()
        proc.wait(10)
