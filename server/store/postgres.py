"""The PostgreSQL engine of the store (issue 16): one database shared by several server processes
and refresh workers. Chosen by `open_store` for a `postgresql://` DATABASE URL; the only module (with
its table mixins postgres_campaigns.py and postgres_discovery.py) that imports psycopg.

Every public method is one transaction on a connection from this process's pool (`_tx`); nothing
is cached in the process that another process could change (several servers and workers write).
The schema is created on first open and upgraded in order (`SCHEMA`, then each mixin's
`SCHEMA_SQL`), under an advisory lock so two processes starting together do not race.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from server.store.base import StoreError
from server.store.postgres_campaigns import CampaignTables
from server.store.postgres_discovery import DiscoveryTables

SCHEMA_LOCK = 0x6B6F6C73  # "kols": the advisory lock held while the schema is created or upgraded


class PostgresStore(CampaignTables, DiscoveryTables):
    """The repository over one PostgreSQL database (see the module's docstring)."""

    def __init__(self, url: str, *, pool_size: int = 8):
        self.url = url
        self.dir = None  # no data directory: callers that print one say the database instead
        try:
            self.pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=True, timeout=30,
                                       kwargs={"row_factory": dict_row, "autocommit": False})
            self.pool.wait(timeout=30)
        except (psycopg.Error, Exception) as exc:  # PoolTimeout, OperationalError: said in words
            raise StoreError("store_unavailable", f"Cannot connect to the PostgreSQL database: {exc}") from exc
        self._create_schema()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        """One transaction (committed when the block ends, rolled back on an exception)."""
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    def _create_schema(self) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for sql in (CampaignTables.SCHEMA_SQL, DiscoveryTables.SCHEMA_SQL):
                if sql.strip():
                    conn.execute(sql)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
