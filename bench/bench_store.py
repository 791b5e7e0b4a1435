"""The two store engines side by side (issue 16), with real servers only.

(a) Ingest throughput: the same captures posted by CLIENTS concurrent HTTP clients to TinyDB behind
    one `kolscope serve` (its only possible setup: one process owns a data directory) and to
    PostgreSQL behind SERVERS `kolscope serve` processes sharing one database (the clients spread
    over them). Both figures are captures/s over the whole batch, after a warm-up.
(b) Store size per creator-year: CREATORS creators, each given DAYS daily captures through the store's
    own add_snapshot with the history point ingest makes (scoring's history_point of a snapshot whose
    numbers and recent posts move day by day as a real account's do). TinyDB: the bytes of the data
    directory's files; PostgreSQL: the database's growth (pg_database_size: tables, indexes, TOAST)
    after a VACUUM (what autovacuum does on a running server), and after VACUUM FULL (compacted).
    Both figures are per creator, the empty store's size subtracted. Target: PostgreSQL <= 40 KB.

TinyDB keeps the previous copy of every file it rewrites (`.bak`, for repair): its figure is given
with and without them (the issue's "~225 KB today" counted the creator file alone).

Env: KOLSCOPE_BENCH_STORE_CREATORS (PostgreSQL, default 20), KOLSCOPE_BENCH_STORE_TINY_CREATORS
(default 3) and KOLSCOPE_BENCH_STORE_CAPTURES (default 800).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import load_line, pct

CLIENTS = 16
SERVERS = 4
CAPTURES = int(os.environ.get("KOLSCOPE_BENCH_STORE_CAPTURES", "800"))
# TinyDB rewrites a creator's whole file on each capture (~30 s per creator-year here): fewer of them;
# the figure is per creator either way
CREATORS = int(os.environ.get("KOLSCOPE_BENCH_STORE_CREATORS", "20"))
TINY_CREATORS = int(os.environ.get("KOLSCOPE_BENCH_STORE_TINY_CREATORS", "3"))
DAYS = 365
TARGET_PG_KB = 40
T0 = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
WORDS = ("run", "trail", "marathon", "shoes", "recovery", "tempo", "hills", "coffee", "stretch", "race",
         "training", "plan", "rain", "sunrise", "interval", "gear", "review", "week", "long", "easy")


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


# -- (a) ingest throughput ---------------------------------------------------------------------------

def ingest_bodies() -> list[bytes]:
    """CAPTURES captures of CAPTURES // 2 creators (each seen twice, a day apart), as sent."""
    from tests.server.api.conftest import x_capture

    creators = max(1, CAPTURES // 2)
    return [json.dumps(x_capture(f"ing{i % creators}", followers=1000 + i,
                                 captured_at=_iso(T0 + timedelta(days=i // creators, minutes=i % 60)))).encode()
            for i in range(CAPTURES)]


def post_all(targets: list[tuple[str, str]], bodies: list[bytes]) -> tuple[float, list[float], int]:
    """Post every body to /api/v1/captures from CLIENTS threads, body i to targets[i % len(targets)];
    answers (wall seconds, latencies in ms, how many were not 201)."""
    from tests.serving import call

    lock = threading.Lock()
    jobs = iter(enumerate(bodies))
    lat: list[float] = []
    bad = [0]

    def client() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            if job is None:
                return
            i, body = job
            base, token = targets[i % len(targets)]
            t = time.perf_counter()
            try:
                status, _ = call("POST", f"{base}/api/v1/captures", token, body)
            except OSError:
                status = 0
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                bad[0] += status != 201

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, lat, bad[0]


def ingest_throughput(tmp: Path, postgres) -> dict[str, float]:
    from tests.serving import ServeProcess

    bodies = ingest_bodies()
    url = postgres.new_database("ingest")
    setups = {"TinyDB, 1 server": [ServeProcess(tmp / "tiny")],
              f"PostgreSQL, {SERVERS} servers": [ServeProcess(tmp / f"pg{i}", url) for i in range(SERVERS)]}
    rates: dict[str, float] = {}
    for name, servers in setups.items():
        try:
            for s in servers:
                s.launch()
            for s in servers:
                s.wait_ready()
            targets = [(s.url, s.token()) for s in servers]
            # warm-up: a capture of a creator outside the timed set through every server
            post_all(targets, [json.dumps(_warm_capture(i)).encode() for i in range(2 * len(targets))])
            wall, lat, bad = post_all(targets, bodies)
            rates[name] = len(bodies) / wall
            print(f"ingest, {name}, {CLIENTS} clients: {rates[name]:.0f} captures/s ({len(bodies)} captures in "
                  f"{wall:.1f} s), p50 {pct(lat, 50):.0f} ms, p99 {pct(lat, 99):.0f} ms, not stored {bad}", flush=True)
            if bad:
                raise RuntimeError(f"{bad} captures were not stored ({name})")
        finally:
            for s in servers:
                s.stop()
    return rates


def _warm_capture(i: int) -> dict:
    from tests.server.api.conftest import x_capture

    return x_capture(f"warm{i}", followers=500 + i, captured_at=_iso(T0 - timedelta(days=1)))


# -- (b) store size per creator-year ----------------------------------------------------------------

def year_of_snapshots(base: dict, n: int) -> list[dict]:
    """DAYS daily snapshots of creator `n`: followers and post count growing unevenly, a new post
    most days, the six most recent posts with views and likes that grow as they age, titles (the
    point keeps their top terms) and hashtags, as a daily refresh of a real account would give."""
    rnd = random.Random(n)
    followers, posts, out = 20_000 + 997 * n, 300 + n, []
    published: list[dict] = []
    for d in range(DAYS):
        day = T0 + timedelta(days=d, minutes=rnd.randrange(600))
        followers += rnd.randrange(-15, 60)
        if rnd.random() < 0.8:
            posts += 1
            title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(5, 12)))
            published.insert(0, {"id": str(1_800_000_000_000 + n * 100_000 + posts), "title": title,
                                 "published_at": _iso(day - timedelta(hours=rnd.randrange(1, 20))),
                                 "hashtags": rnd.sample(WORDS, rnd.randrange(0, 3)),
                                 "is_sponsored": rnd.random() < 0.1, "base": rnd.randrange(800, 9000)})
            del published[8:]
        recent = []
        for p in published[:6]:
            age = max(1.0, (day - datetime.fromisoformat(p["published_at"].replace("Z", "+00:00"))).days + 1)
            views = int(p["base"] * min(age, 7) ** 0.5)
            recent.append({k: v for k, v in p.items() if k != "base"}
                          | {"views": views, "likes": views // 25, "comments": views // 400})
        out.append(dict(base, handle=f"year{n}", platform_id=str(3_000_000_000 + n), followers=followers,
                        following=300 + d // 30, posts=posts, recent_posts=recent, captured_at=_iso(day)))
    return out


def fill(store, creators: int) -> tuple[float, float]:
    """Give `creators` creators a year of daily captures through add_snapshot; answers (seconds,
    the mean size of a history point as compact JSON)."""
    from scraper import parse
    from server.scoring import history_point, score
    from tests.server.api.conftest import x_capture

    base = parse(x_capture("year0")).to_dict()
    t, point_bytes = time.perf_counter(), 0
    for n in range(creators):
        days = year_of_snapshots(base, n)
        history: list[dict] = []
        scores = score(days[0])  # replaced every day: only the last day's (scored with the year) stays
        for d, snap in enumerate(days):
            if d == len(days) - 1:
                scores = score(snap, history=history)
            point = history_point(snap)
            store.add_snapshot(snap, scores, history_point=point)
            history.append(point)
            point_bytes += len(json.dumps(point, separators=(",", ":")))
    return time.perf_counter() - t, point_bytes / (creators * DAYS)


def dir_bytes(path: Path, backups: bool = True) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and (backups or f.suffix != ".bak"))


def tinydb_size(tmp: Path) -> float:
    """Bytes per creator-year of the TinyDB data directory."""
    from server.store import open_store

    data = tmp / "size-tiny"
    with open_store({"DATA_DIR": str(data), "STORE_FSYNC": False}) as store:
        store.token()
        empty, empty_files = dir_bytes(data), dir_bytes(data, backups=False)
        seconds, point = fill(store, TINY_CREATORS)
    per = (dir_bytes(data) - empty) / TINY_CREATORS
    files = (dir_bytes(data, backups=False) - empty_files) / TINY_CREATORS
    print(f"TinyDB: {per / 1000:.0f} KB per creator-year on disk, {files / 1000:.0f} KB without the .bak copies "
          f"({TINY_CREATORS} creators x {DAYS} captures, a history point {point:.0f} B as JSON; built in "
          f"{seconds:.0f} s)", flush=True)
    return per


def pg_size(postgres) -> tuple[float, float]:
    """Bytes per creator-year of the PostgreSQL database: after VACUUM, and after VACUUM FULL."""
    import psycopg

    from server.store import open_store

    url = postgres.new_database("size")

    def db_size() -> int:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    def vacuum(full: bool) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (FULL, ANALYZE)" if full else "VACUUM (ANALYZE)")

    with open_store({"DATABASE": url}) as store:
        store.token()
        vacuum(full=True)
        empty = db_size()
        seconds, point = fill(store, CREATORS)
    vacuum(full=False)
    per = (db_size() - empty) / CREATORS
    vacuum(full=True)
    compact = (db_size() - empty) / CREATORS
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT relname, pg_total_relation_size(relid) AS bytes FROM pg_stat_user_tables "
            "ORDER BY 2 DESC LIMIT 4").fetchall()
    where = ", ".join(f"{name} {size / 1000 / CREATORS:.1f} KB" for name, size in tables)
    print(f"PostgreSQL: {per / 1000:.1f} KB per creator-year after VACUUM, {compact / 1000:.1f} KB after "
          f"VACUUM FULL ({CREATORS} creators x {DAYS} captures, a history point {point:.0f} B as JSON; built in "
          f"{seconds:.0f} s; per creator, with "
          f"indexes and TOAST: {where})", flush=True)
    return per, compact


def main() -> bool | None:
    from tests.services import PostgresServer, ServiceUnavailable

    try:
        postgres = PostgresServer().start()
    except (ServiceUnavailable, OSError, subprocess.CalledProcessError) as exc:
        print(f"skipped: no PostgreSQL to compare with ({exc})")
        return None
    tmp = Path(tempfile.mkdtemp(prefix="kolscope-bench-store-"))
    try:
        print(f"uptime: {_uptime()}", flush=True)
        rates = ingest_throughput(tmp, postgres)
        tiny, pg = rates["TinyDB, 1 server"], rates[f"PostgreSQL, {SERVERS} servers"]
        print(f"ingest: PostgreSQL with {SERVERS} servers {pg / tiny:.2f}x TinyDB with one "
              f"(on {os.cpu_count()} cores); {load_line()}", flush=True)
        tiny_b = tinydb_size(tmp)
        pg_b, _ = pg_size(postgres)
        met = pg_b <= TARGET_PG_KB * 1000
        print(f"size per creator-year: PostgreSQL {pg_b / 1000:.1f} KB ({'within' if met else 'NOT within'} the "
              f"{TARGET_PG_KB} KB target), TinyDB {tiny_b / 1000:.0f} KB; {load_line()}", flush=True)
        print(f"uptime: {_uptime()}", flush=True)
        return met
    finally:
        postgres.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
