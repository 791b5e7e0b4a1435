"""kolscope's store: the repository interface (base.py), the rules of its records (records.py), and
its engines (tinydb.py, the default; postgres.py for a `postgresql://` DATABASE). `open_store(config)`
is the one place that picks the engine.

Callers import from here: `from server.store import Store, StoreError, NotFound, CreatorQuery, ...`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from server.store.base import (
    CONFIDENCES, DEFAULT_REFRESH_HOURS, REFRESH_FILTERS, REFRESH_STATUSES, SORTS, BriefRepository, CampaignRepository, Conflict, CreatorPage,
    CreatorQuery, CreatorRepository, DiscoveryRepository, NoteRepository, NotFound, RefreshRepository, Repository, StoreCorrupt, StoreError,
    StoreLocked, WatchlistRepository,
)
from server.store.records import PLATFORMS, creator_key, growth_30d, valid_handle
from server.store.tinydb import FORMAT_VERSION, Store, TinyDBStore, lock_dir

# DATABASE URL schemes of the PostgreSQL engine
POSTGRES_SCHEMES = ("postgresql", "postgres")


def open_store(config: Mapping[str, Any]) -> Repository:
    """The store the app's config asks for. `DATABASE` (a URL) picks an engine; without it, the
    TinyDB store in `DATA_DIR` (locked by this process; `STORE_FSYNC` false only for tests)."""
    url = config.get("DATABASE")
    if url:
        scheme = urlsplit(str(url)).scheme.lower()
        if scheme in POSTGRES_SCHEMES:
            # imported here: psycopg is loaded only by a process that uses PostgreSQL (`kolscope parse`
            # and the TinyDB default never pay for it)
            from server.store.postgres import PostgresStore

            return PostgresStore(str(url))
        raise StoreError("store_unsupported",
                         f"DATABASE has the scheme {scheme or '(none)'!r}, which kolscope does not know: leave "
                         "DATABASE unset to use the data directory (--data or KOLSCOPE_DATA).")
    return TinyDBStore(config["DATA_DIR"], fsync=bool(config.get("STORE_FSYNC", True)))


def __getattr__(name: str) -> Any:
    """`PostgresStore`, imported on first use (psycopg only in processes that ask for it)."""
    if name == "PostgresStore":
        from server.store.postgres import PostgresStore  # late: see __getattr__'s docstring

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONFIDENCES", "REFRESH_FILTERS", "DEFAULT_REFRESH_HOURS", "FORMAT_VERSION", "PLATFORMS", "REFRESH_STATUSES", "SORTS", "BriefRepository",
    "CampaignRepository", "Conflict", "CreatorPage", "CreatorQuery", "CreatorRepository", "DiscoveryRepository",
    "NoteRepository", "NotFound", "POSTGRES_SCHEMES", "PostgresStore",
    "RefreshRepository", "Repository", "Store", "StoreCorrupt", "StoreError", "StoreLocked", "TinyDBStore",
    "WatchlistRepository", "creator_key", "growth_30d", "lock_dir", "open_store", "valid_handle",
]
