"""The test PostgreSQL server's lent databases (tests/services.py): a database given back after one
test is lent to the next only in the template's state -- no rows, ids restarting, no connection or
lock of the last test left -- and is dropped instead when its schema was changed."""

from __future__ import annotations

import psycopg
import pytest

from server.store import open_store
from server.store.postgres import SCHEMA_VERSION


def test_a_given_back_database_is_lent_again_as_the_template_left_it(postgres_server):
    url = postgres_server.lend_database()
    store = open_store({"DATABASE": url})
    store.token()  # the owner token: a settings row
    wid = store.create_watchlist("Daily")["id"]
    with psycopg.connect(url, autocommit=True) as conn:
        first_seq = conn.execute("SELECT seq FROM watchlists WHERE id = %s", (wid,)).fetchone()[0]
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    # a connection the test left open, holding a session lock: ended before the next test
    leftover = psycopg.connect(url, autocommit=True)
    leftover.execute("SELECT pg_advisory_lock(42)")
    postgres_server.give_back(url)  # the store's pool is still open too

    again = postgres_server.lend_database()
    try:
        assert again == url  # the same database, lent again
        assert leftover.closed or _is_dead(leftover)
        with psycopg.connect(again, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
            assert {t: n for t, n in counts.items() if n} == {"meta": 1}
            assert conn.execute("SELECT value::text FROM meta").fetchone()[0] == str(SCHEMA_VERSION)
            assert conn.execute("SELECT pg_try_advisory_lock(42)").fetchone()[0]
        with open_store({"DATABASE": again}) as fresh:
            wid2 = fresh.create_watchlist("Daily")["id"]  # the name is free again
            with psycopg.connect(again) as conn:
                assert conn.execute("SELECT seq FROM watchlists WHERE id = %s", (wid2,)).fetchone()[0] == first_seq
    finally:
        store.close()
        postgres_server.give_back(again)


def _is_dead(conn: psycopg.Connection) -> bool:
    try:
        conn.execute("SELECT 1")
    except psycopg.OperationalError:
        return True
    return False


def test_a_database_whose_schema_changed_is_dropped_not_lent_again(postgres_server):
    url = postgres_server.lend_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE jobs (id text)")
    postgres_server.give_back(url)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_server.url("postgres")) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0
    other = postgres_server.lend_database()
    try:
        assert other != url
    finally:
        postgres_server.give_back(other)


@pytest.mark.parametrize("round_", [1, 2])
def test_postgres_url_starts_empty_whichever_test_ran_before(postgres_url, round_):
    """Two runs of one test on the fixture: the second sees none of the first's rows."""
    with open_store({"DATABASE": postgres_url}) as store:
        assert store.list_watchlists() == []
        store.create_watchlist("Only one")
