"""kolscope's store: the repository interface (base.py), the rules of its records (records.py), and
its engines (tinydb.py today). `open_store(config)` is the one place that picks the engine.

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

# DATABASE URL schemes that name an engine kolscope has not got yet (said as such, not as a typo)
PLANNED_SCHEMES = ("postgresql", "postgres")


def open_store(config: Mapping[str, Any]) -> Repository:
    """The store the app's config asks for. `DATABASE` (a URL) picks an engine; without it, the
    TinyDB store in `DATA_DIR` (locked by this process; `STORE_FSYNC` false only for tests)."""
    url = config.get("DATABASE")
    if url:
        scheme = urlsplit(str(url)).scheme.lower()
        if scheme in PLANNED_SCHEMES:
            raise StoreError("store_unsupported",
                             f"DATABASE={scheme}://... is not supported yet: this kolscope stores its data in "
                             "a directory (leave DATABASE unset and pass --data or KOLSCOPE_DATA).")
        raise StoreError("store_unsupported",
                         f"DATABASE has the scheme {scheme or '(none)'!r}, which kolscope does not know: leave "
                         "DATABASE unset to use the data directory (--data or KOLSCOPE_DATA).")
    return TinyDBStore(config["DATA_DIR"], fsync=bool(config.get("STORE_FSYNC", True)))


__all__ = [
    "CONFIDENCES", "REFRESH_FILTERS", "DEFAULT_REFRESH_HOURS", "FORMAT_VERSION", "PLATFORMS", "REFRESH_STATUSES", "SORTS", "BriefRepository",
    "CampaignRepository", "Conflict", "CreatorPage", "CreatorQuery", "CreatorRepository", "DiscoveryRepository",
    "NoteRepository", "NotFound",
    "RefreshRepository", "Repository", "Store", "StoreCorrupt", "StoreError", "StoreLocked", "TinyDBStore",
    "WatchlistRepository", "creator_key", "growth_30d", "lock_dir", "open_store", "valid_handle",
]
