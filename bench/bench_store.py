"""The two store engines side by side (issue 16), with real servers only.

(a) Ingest throughput: the same captures posted by CLIENTS concurrent HTTP clients to TinyDB behind
    one `kolscope serve` (its only possible setup: one process owns a data directory) and to
    PostgreSQL behind SERVERS `kolscope serve` processes sharing one database (the clients spread
    over them). Both figures are captures/s over the whole batch, after a warm-up.
(b) Store size per creator-year, two kinds of creator, each with DAYS daily points:
    - realistic: a snapshot whose numbers and recent posts move day by day as a real account's do (a
      new post most days, six recent posts whose views grow as they age), stored as ingest stores it:
      one add_snapshot a day with scoring's history_point;
    - steady: bench_api's creators (the fixture's page, only the follower count and likes moving),
      the points the issue's "TinyDB today is ~225 KB" was measured on; imported (import_creator).
    TinyDB: the bytes of the data directory's files, with and without the `.bak` copy it keeps of
    every file it rewrites (for repair; the issue's figure counted the creator file alone).
    PostgreSQL: the database's growth (pg_database_size: tables, indexes, TOAST) after VACUUM (what
    autovacuum leaves on a running server) and after VACUUM FULL (the rows themselves, compacted).
    Per creator, past a first creator (which gives every file, table and index its first pages).
    pg_database_size counts whole 8 KB pages: over SIZE_CREATORS (2) creators a page is ~4 KB a
    creator, so the realistic points are also imported for PRECISE_CREATORS creators (the same
    history rows as one add_snapshot a day writes: each point is written against the one before).
    Target: PostgreSQL <= 40 KB per realistic creator-year, after VACUUM FULL (the precise figure).
(c) A capture of a realistic creator with a year of history on PostgreSQL: history() (what ingest
    reads to score), then add_snapshot (which reads it again for the summary, and appends the point),
    in ms per capture (median over YEAR_CAPTURES captures), each part apart: wall time, and this
    process's CPU time (decoding and encoding points; steadier than wall time on a busy machine).

Env: KOLSCOPE_BENCH_STORE_CREATORS (realistic creators per engine, default 2) and
KOLSCOPE_BENCH_STORE_CAPTURES (ingest captures, default 800).
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

from bench import load_line, pct, run_clients

CLIENTS = 16
SERVERS = 4
CAPTURES = int(os.environ.get("KOLSCOPE_BENCH_STORE_CAPTURES", "800"))
# A year of daily add_snapshot costs ~25 s a creator on TinyDB (a file rewrite per capture) and ~45 s
# on PostgreSQL at load 10: few creators for the realistic points; more for the imported steady ones
SIZE_CREATORS = int(os.environ.get("KOLSCOPE_BENCH_STORE_CREATORS", "2"))
STEADY_CREATORS = 10
PRECISE_CREATORS = 20
YEAR_CAPTURES = 30
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

    return run_clients(client, CLIENTS), lat, bad[0]


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


def steady_year(base: dict, n: int) -> list[dict]:
    """DAYS daily snapshots as bench_api builds its stores (the issue's "TinyDB ~225 KB" figure):
    the fixture's page every day, only the follower count (and its three posts' likes) moving."""
    out = []
    for d in range(DAYS):
        posts = [dict(p, likes=(p.get("likes") or 0) + d // 7) for p in base.get("recent_posts") or []]
        out.append(dict(base, handle=f"steady{n}", platform_id=str(4_000_000_000 + n), followers=800 + n + d,
                        recent_posts=posts, captured_at=_iso(T0 + timedelta(days=d))))
    return out


def fill(store, profile, first: int, creators: int, daily: bool) -> tuple[float, float]:
    """Give creators first..first+creators-1 a year of snapshots from `profile`: one add_snapshot a
    day (`daily`, ingest's path) or one import_creator each; answers (seconds per creator, the
    mean size of a history point as compact JSON)."""
    from scraper import parse
    from server.scoring import history_point, score
    from tests.server.api.conftest import x_capture

    base = parse(x_capture("year0")).to_dict()
    t, point_bytes = time.perf_counter(), 0
    for n in range(first, first + creators):
        days = profile(base, n)
        points = [history_point(snap) for snap in days]
        point_bytes += sum(len(json.dumps(p, separators=(",", ":"))) for p in points)
        scores = score(days[-1], history=points[:-1])  # what the last capture of the year is scored with
        if not daily:
            store.import_creator(days[-1], scores, points)
            continue
        early = score(days[0])  # replaced every day: only the last day's stays
        for d, (snap, point) in enumerate(zip(days, points)):
            store.add_snapshot(snap, scores if d == DAYS - 1 else early, history_point=point)
    return (time.perf_counter() - t) / creators, point_bytes / (creators * DAYS)


def dir_bytes(path: Path, backups: bool = True) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and (backups or f.suffix != ".bak"))


def tinydb_size(tmp: Path, name: str, profile, creators: int, daily: bool) -> dict[str, float]:
    """Bytes per creator-year of the TinyDB data directory, with and without the .bak copies."""
    from server.store import open_store

    data = tmp / f"size-tiny-{name}"
    with open_store({"DATA_DIR": str(data), "STORE_FSYNC": False}) as store:
        store.token()
        fill(store, profile, 0, 1, daily)  # the first creator makes the index shards and folders
        empty, empty_files = dir_bytes(data), dir_bytes(data, backups=False)
        seconds, point = fill(store, profile, 1, creators, daily)
    out = {"disk": (dir_bytes(data) - empty) / creators, "files": (dir_bytes(data, backups=False) - empty_files) / creators}
    print(f"TinyDB, {name} points ({point:.0f} B each as JSON): {out['disk'] / 1000:.0f} KB per creator-year on "
          f"disk, {out['files'] / 1000:.0f} KB without the .bak copies ({creators} creators, "
          f"{'one add_snapshot a day' if daily else 'import_creator'}: {seconds:.1f} s a creator)", flush=True)
    return out


def pg_size(postgres, name: str, profile, creators: int, daily: bool) -> dict[str, float]:
    """Bytes per creator-year of the PostgreSQL database: its growth after VACUUM (what autovacuum
    leaves on a running server), and after VACUUM FULL (the rows themselves, compacted)."""
    import psycopg

    from server.store import open_store

    url = postgres.new_database(f"size_{name}")

    def db_size(full: bool) -> int:
        # a plain VACUUM after the FULL one too: it gives every relation its free-space and visibility
        # maps (~32 KB each), which would otherwise count as the creators' growth
        with psycopg.connect(url, autocommit=True) as conn:
            if full:
                conn.execute("VACUUM (FULL)")
            conn.execute("VACUUM (ANALYZE)")
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]

    with open_store({"DATABASE": url}) as store:
        store.token()
        fill(store, profile, 0, 1, daily)  # the first creator gives every table and index its first pages
        empty = db_size(full=True)
        seconds, point = fill(store, profile, 1, creators, daily)
    out = {"vacuum": (db_size(full=False) - empty) / creators, "full": (db_size(full=True) - empty) / creators}
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT relname, pg_total_relation_size(relid) AS bytes FROM pg_stat_user_tables "
            "ORDER BY 2 DESC LIMIT 3").fetchall()
    where = ", ".join(f"{t} {b / 1000 / (creators + 1):.1f} KB" for t, b in tables)
    print(f"PostgreSQL, {name} points ({point:.0f} B each as JSON): {out['full'] / 1000:.1f} KB per creator-year "
          f"after VACUUM FULL, {out['vacuum'] / 1000:.1f} KB after VACUUM ({creators} creators, "
          f"{'one add_snapshot a day' if daily else 'import_creator'}: {seconds:.1f} s a creator; the largest "
          f"tables per creator with their indexes and TOAST: {where})", flush=True)
    return out


def capture_at_a_year(postgres) -> dict[str, float]:
    """(c): ms per capture of a creator with DAYS - YEAR_CAPTURES points already, median of each part."""
    from scraper import parse
    from server.scoring import history_point
    from server.store import open_store
    from tests.server.api.conftest import x_capture

    days = year_of_snapshots(parse(x_capture("year0")).to_dict(), 1)
    points = [history_point(s) for s in days]
    first = DAYS - YEAR_CAPTURES
    url = postgres.new_database("capture_year")
    read, write, cpu_read, cpu_write = [], [], [], []
    with open_store({"DATABASE": url}) as store:
        store.import_creator(days[first - 1], None, points[:first])
        for snap, point in zip(days[first:], points[first:]):
            t, c = time.perf_counter(), time.process_time()
            history = store.history("x", snap["handle"])
            t1, c1 = time.perf_counter(), time.process_time()
            store.add_snapshot(snap, None, history_point=point)
            read.append((t1 - t) * 1000)
            write.append((time.perf_counter() - t1) * 1000)
            cpu_read.append((c1 - c) * 1000)
            cpu_write.append((time.process_time() - c1) * 1000)
        assert len(history) == DAYS - 1 and store.history("x", snap["handle"]) == points
    out = {"history": pct(read, 50), "add_snapshot": pct(write, 50), "history_cpu": pct(cpu_read, 50),
           "add_snapshot_cpu": pct(cpu_write, 50)}
    print(f"capture of a creator with a year of history (PostgreSQL, {DAYS} points): history() "
          f"{out['history']:.1f} ms ({out['history_cpu']:.1f} ms CPU here) + add_snapshot {out['add_snapshot']:.1f} ms "
          f"({out['add_snapshot_cpu']:.1f} ms CPU here), medians of {YEAR_CAPTURES}; {load_line()}", flush=True)
    return out


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
        # realistic points, stored as ingest stores them; then the baseline points, imported
        tiny = tinydb_size(tmp, "realistic", year_of_snapshots, SIZE_CREATORS, daily=True)
        pg_size(postgres, "realistic", year_of_snapshots, SIZE_CREATORS, daily=True)
        pg_real = pg_size(postgres, "realistic_imported", year_of_snapshots, PRECISE_CREATORS, daily=False)
        tinydb_size(tmp, "steady", steady_year, STEADY_CREATORS, daily=False)
        pg_steady = pg_size(postgres, "steady", steady_year, STEADY_CREATORS, daily=False)
        capture_at_a_year(postgres)
        met = pg_real["full"] <= TARGET_PG_KB * 1000
        print(f"size per creator-year, realistic points: PostgreSQL {pg_real['full'] / 1000:.1f} KB "
              f"({'within' if met else 'NOT within'} the {TARGET_PG_KB} KB target; the steady points: "
              f"{pg_steady['full'] / 1000:.1f} KB), TinyDB {tiny['disk'] / 1000:.0f} KB on disk; {load_line()}",
              flush=True)
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
