"""Idle sockets cannot stop the server: with 500 idle connections (and with more sockets than the
connection limit) a real `kolscope serve` still answers /health quickly."""

from __future__ import annotations

import socket
import statistics
import time
import urllib.request

import pytest

from server.serve import connection_limit, evict_idle_when_full, waitress_options
from tests.server.api.test_crash import free_port, start_server

IDLE = 500
BUDGET_MS = 100


def health_ms(port: int, tries: int = 7) -> float:
    """The median time of a fresh connection's GET /health (the median: 8 engineers share 2 cores)."""
    times = []
    for _ in range(tries):
        t0 = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=3) as r:
            assert r.status == 200
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def open_idle(port: int, count: int, partial: bool = False) -> list[socket.socket]:
    """`count` connected sockets that send nothing (or, partial, half a request line: slowloris)."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if partial:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(s)
    return socks


def close_all(socks: list[socket.socket]) -> None:
    for s in socks:
        s.close()


@pytest.mark.slow
def test_health_answers_under_500_idle_sockets(tmp_path):
    port = free_port()
    proc = start_server(tmp_path / "data", port)
    socks: list[socket.socket] = []
    try:
        socks = open_idle(port, IDLE // 2) + open_idle(port, IDLE - IDLE // 2, partial=True)
        time.sleep(0.5)  # let the server accept them all
        took = health_ms(port)
        assert took < BUDGET_MS, f"/health took {took:.0f} ms with {IDLE} idle sockets"
        assert proc.poll() is None
    finally:
        close_all(socks)
        proc.terminate()
        proc.wait(10)


@pytest.mark.slow
def test_more_sockets_than_the_limit_evicts_the_idle_ones(tmp_path):
    port = free_port()
    proc = start_server(tmp_path / "data", port, "--max-connections", "64")
    socks: list[socket.socket] = []
    try:
        socks = open_idle(port, 200, partial=True)
        time.sleep(0.5)
        took = health_ms(port)
        assert took < BUDGET_MS, f"/health took {took:.0f} ms with 200 sockets over a limit of 64"
        # the oldest idle sockets were closed by the server (read gives EOF or a reset)
        closed = 0
        for s in socks[:50]:
            s.settimeout(0.01)
            try:
                closed += s.recv(1) == b""
            except ConnectionResetError:
                closed += 1
            except TimeoutError:
                pass
        assert closed > 0
    finally:
        close_all(socks)
        proc.terminate()
        proc.wait(10)


def test_limit_follows_the_open_file_limit(monkeypatch):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert connection_limit(100) == 100
    monkeypatch.setattr(resource, "setrlimit", lambda *a: (_ for _ in ()).throw(ValueError("not allowed")))
    monkeypatch.setattr(resource, "getrlimit", lambda _r: (1024, 1024))
    assert connection_limit(4000) == 1024 - 128  # what the descriptors allow, never more


def test_waitress_options_and_eviction_patch(app):
    import waitress

    opts = waitress_options(app, 50)
    assert opts["connection_limit"] == 50 and opts["asyncore_use_poll"] is True
    assert opts["channel_timeout"] <= 30 and opts["cleanup_interval"] <= 5
    server_map: dict = {}
    server = waitress.create_server(app, map=server_map, host="127.0.0.1", port=0, **opts)
    try:
        assert evict_idle_when_full(server_map) == 1
        assert server.readable() is True  # below the limit: accepting
    finally:
        server.close()


def test_max_connections_out_of_range_is_a_clear_error(tmp_path, capsys):
    from server.cli import main

    for bad in ("0", "-5", "1000000"):
        assert main(["serve", "--data", str(tmp_path), "--max-connections", bad]) == 2
        assert "--max-connections must be between 16 and 100000" in capsys.readouterr().err
