"""The PostgreSQL engine's own properties (the contract suite checks its behaviour on both engines):
a creator-year's size, one writer per creator across processes, several processes sharing one
database with nothing cached, and a database that cannot be reached said in words."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.store import StoreError, open_store
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365
TARGET_KB = 40  # issue 16: <= 40 KB per creator with 365 daily points (TinyDB: ~225 KB)
SIZE = ("SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s "
        "ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND c.relkind = 'r'")


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _snap(handle: str, followers: int = 100, at: str = "2025-01-01T00:00:00Z") -> dict:
    return {"format": "kolscope.snapshot/1", "platform": "x", "handle": handle, "followers": followers,
            "captured_at": at}


@pytest.fixture
def pg(postgres_url):
    store = open_store({"DATABASE": postgres_url})
    yield store
    store.close()


def _child(code: str, url: str) -> subprocess.Popen:
    """Another process on the same database: `store` is its own PostgresStore."""
    prelude = f"from server.store import open_store\nstore = open_store({{'DATABASE': {url!r}}})\n"
    return subprocess.Popen([sys.executable, "-c", prelude + textwrap.dedent(code)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _year(scale: int) -> list[tuple[dict, dict, list[dict]]]:
    """Creators as the API benchmark builds them: the X fixture's page scored, 365 daily points whose
    followers and post counts move each day."""
    from scraper import parse
    from server.scoring import history_point, score
    from tests.server.api.conftest import x_capture, x_user_id

    snap = parse(x_capture("bench_0", followers=800, captured_at=_iso(T0))).to_dict()
    scores, point = score(snap, now=T0), history_point(snap)
    out = []
    for i in range(scale):
        handle = f"bench_{i}"
        history = []
        for d in range(DAYS):
            p = copy.deepcopy(point)
            p.update(handle=handle, followers=800 + i + d, captured_at=_iso(T0 + timedelta(days=d)))
            for post in p["recent_posts"]:
                post["likes"] = post.get("likes", 0) + d // 7
            history.append(p)
        out.append((dict(snap, handle=handle, platform_id=x_user_id(handle), followers=800 + i + DAYS), scores, history))
    return out


def _size(store) -> int:
    with store._tx() as conn:
        return conn.execute(SIZE).fetchone()["n"]


def test_a_creator_year_takes_at_most_40_kb(pg):
    """Database growth (tables, indexes, TOAST) per creator with 365 daily points, measured past a
    few creators (the empty tables' first pages are not the creators')."""
    creators = _year(25)
    for snap, scores, history in creators[:5]:
        pg.import_creator(snap, scores, history)
    before = _size(pg)
    for snap, scores, history in creators[5:]:
        pg.import_creator(snap, scores, history)
    per_creator_kb = (_size(pg) - before) / 20 / 1024
    assert per_creator_kb <= TARGET_KB, f"{per_creator_kb:.1f} KB per creator-year"
    snap, _, history = creators[7]
    assert pg.history("x", snap["handle"]) == history  # packed, and given back exactly


def test_points_stored_one_by_one_come_back_exactly(pg):
    """add_snapshot's points (a scoring point, the snapshot's counts, odd values) are the dicts stored."""
    points = [
        {"captured_at": "2025-01-02T00:00:00.250Z", "followers": 2**70, "posts": -3, "likes": 1.5, "views": None},
        {"format": "kolscope.history/1", "captured_at": "2025-01-01T00:00:00Z", "followers": 10, "following": True,
         "recent_posts": [{"id": "1", "views": 5, "likes": "many"}, "odd", {"comments": 0}], "terms": ["ñandú"]},
        {"captured_at": "2025-01-01T00:00:00+00:00", "followers": 0, "extra": {"nested": [1, 2]}},
        {"captured_at": None, "followers": 7},
    ]
    for p in points:
        pg.add_snapshot(_snap("a", at=p["captured_at"] or "2025-01-03T00:00:00Z"), None, history_point=p)
    assert pg.history("x", "a") == sorted(points, key=lambda p: str(p.get("captured_at") or ""))


def test_creator_lock_holds_across_processes(pg, postgres_url):
    child = _child("""
        import sys, time
        with store.creator_lock("x", "Anna"):
            print("held", flush=True)
            time.sleep(1.0)
        print("released", flush=True)
    """, postgres_url)
    try:
        assert child.stdout.readline().strip() == "held", child.stderr.read()
        started = time.monotonic()
        with pg.creator_lock("x", "bo"):  # another creator: not blocked
            assert time.monotonic() - started < 0.5
        with pg.creator_lock("x", "anna"):  # the same creator, case folded: waits for the other process
            waited = time.monotonic() - started
        assert waited > 0.5
    finally:
        child.wait(30)
    assert child.returncode == 0, child.stderr.read()


def test_a_second_process_sees_the_first_ones_writes_at_once(pg, postgres_url):
    pg.add_snapshot(_snap("anna", 100), None)
    wl = pg.create_watchlist("Team")
    child = _child(f"""
        import json
        from server.store import CreatorQuery
        store.add_to_watchlist({wl['id']!r}, "x", "anna", author="bo")
        store.add_snapshot({_snap('anna', 150, '2025-02-01T00:00:00Z')!r}, None)
        store.add_note("x", "anna", "from the other process", author="bo")
        page = store.find_creators(CreatorQuery(watchlist={wl['id']!r}))
        print(json.dumps([c["followers"] for c in page.items]))
    """, postgres_url)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert json.loads(out) == [150]
    # this process, open all along, sees it all: nothing of it was cached here
    assert pg.get_creator("x", "ANNA")["followers"] == 150
    assert [p["followers"] for p in pg.history("x", "anna")] == [100, 150]
    assert [(c["key"], c["added_by"]) for c in pg.watchlist_creators(wl["id"])] == [("anna", "bo")]
    assert [n["author"] for n in pg.list_notes("x", "anna")] == ["bo"]


def test_processes_starting_together_share_one_schema_and_one_token(postgres_server):
    url = postgres_server.new_database(with_schema=False)  # an empty one: the schema is made by the processes
    try:
        code = "print(store.token(), flush=True)\nstore.close()\n"
        children = [_child(code, url) for _ in range(3)]
        tokens = set()
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
            tokens.add(out.strip())
        assert len(tokens) == 1
        with open_store({"DATABASE": url}) as store:
            assert store.token() == tokens.pop()
    finally:
        postgres_server.drop_database(url)


def test_writers_in_threads_lose_nothing(pg):
    """Eight threads add points to one creator under its lock: every point is kept, counted once."""
    def capture(n: int) -> None:
        with pg.creator_lock("x", "busy"):
            pg.add_snapshot(_snap("busy", 100 + n, f"2025-01-{1 + n:02d}T00:00:00Z"), None, task_id=f"t{n}")

    threads = [threading.Thread(target=capture, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = pg.get_creator("x", "busy")
    assert summary["snapshots"] == 8 and [p["followers"] for p in pg.history("x", "busy")] == list(range(100, 108))
    assert all(pg.applied_task("x", "busy", f"t{n}") for n in range(8))


def test_a_database_that_cannot_be_reached_is_said_in_words():
    url = f"postgresql://kolscope:s3cret-pw@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(StoreError) as err:
        open_store({"DATABASE": url})
    assert err.value.code == "store_unavailable"
    assert "Cannot connect to the PostgreSQL database" in err.value.message
    assert "s3cret-pw" not in err.value.message and "Traceback" not in err.value.message


def test_an_unknown_scheme_is_a_clear_error():
    with pytest.raises(StoreError) as err:
        open_store({"DATABASE": "mysql://127.0.0.1/x", "DATA_DIR": "unused"})
    assert err.value.code == "store_unsupported" and "mysql" in err.value.message


def test_psycopg_is_loaded_only_for_a_postgresql_store():
    code = "import sys, server.store, server.cli; print('psycopg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_text_postgresql_cannot_hold_is_kept_or_not_found(pg):
    """NUL and lone surrogates (valid in a JSON body) are kept in records, and an id or name holding
    them is simply not found: never a database error."""
    odd = "a\x00b\ud800c"
    pg.add_snapshot(dict(_snap("anna"), display_name=f"Anna {odd}"), None)
    note = pg.add_note("x", "anna", odd)
    assert pg.list_notes("x", "anna")[0]["text"] == odd
    assert pg.update_note("x", "anna", note["id"], odd + "!")["text"] == odd + "!"
    wl = pg.create_watchlist(odd)
    assert pg.get_watchlist(wl["id"])["name"] == odd
    assert pg.get_creator("x", "anna")["display_name"] == f"Anna {odd}"
    from server.store import CreatorQuery, NotFound

    assert [c["key"] for c in pg.find_creators(CreatorQuery(q="anna a")).items] == ["anna"]
    assert pg.find_creators(CreatorQuery(q=odd, country="\x00")).total == 0
    for call in (lambda: pg.get_brief("br_\x00"), lambda: pg.get_watchlist("wl_\ud800"), lambda: pg.get_user("a\x00"),
                 lambda: pg.delete_note("x", "anna", "nt_\x00")):
        with pytest.raises(NotFound):
            call()


def _points(handle: str, days: int) -> list[dict]:
    from bench.bench_store import year_of_snapshots
    from scraper import parse
    from server.scoring import history_point
    from tests.server.api.conftest import x_capture

    snaps = year_of_snapshots(parse(x_capture("year0")).to_dict(), len(handle))[:days]
    return [dict(history_point(s), handle=handle) for s in snaps]


def test_forgotten_creators_leave_no_rows_behind(pg):
    """Forgetting creators removes every row of theirs."""
    for handle in ("anna", "bo"):
        for point in _points(handle, 10):
            pg.add_snapshot(_snap(handle, point["followers"], point["captured_at"]), None, history_point=point)
    with pg._tx() as conn:
        tables = [r["relname"] for r in conn.execute("SELECT relname FROM pg_stat_user_tables")]
        before = {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}
    assert pg.forget_creators([("x", "anna")]) == 1
    assert len(pg.history("x", "bo")) == 10 and pg.history("x", "anna") == []
    with pg._tx() as conn:
        after = {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}
    assert after["history"] == before["history"] - 10 and after["creators"] == before["creators"] - 1
    assert {t: n for t, n in after.items() if t not in ("history", "creators")} == \
        {t: n for t, n in before.items() if t not in ("history", "creators")}
    assert pg.forget_creators([("x", "bo")]) == 1
    with pg._tx() as conn:  # nothing of any creator is left anywhere (the settings and meta are the store's)
        left = {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}
    assert {t: n for t, n in left.items() if n and t not in ("settings", "meta")} == {}


def test_non_finite_numbers_in_a_point_are_kept_as_tinydb_keeps_them(pg):
    """NaN and Infinity in a history point (a caller's own point: JSON bodies refuse them) come back
    as floats, as TinyDB's json keeps them; never a database error."""
    import math

    pg.add_snapshot(_snap("nan"), None, history_point={"captured_at": "2025-01-01T00:00:00Z", "followers": math.nan,
                                                        "likes": math.inf, "views": -math.inf})
    point = pg.history("x", "nan")[0]
    assert math.isnan(point["followers"]) and point["likes"] == math.inf and point["views"] == -math.inf


def test_a_database_of_a_newer_schema_is_refused_in_words(postgres_url):
    """A database a newer kolscope wrote is not read (nor written) by this one: it says which
    versions, instead of misreading the rows."""
    from server.store.postgres import SCHEMA_VERSION

    with open_store({"DATABASE": postgres_url}) as store, store._tx() as conn:
        conn.execute("UPDATE meta SET value = %s WHERE name = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError) as err:
        open_store({"DATABASE": postgres_url})
    assert err.value.code == "store_too_new" and str(SCHEMA_VERSION + 1) in str(err.value)
