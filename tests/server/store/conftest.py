"""The store under test: `store_factory` opens it (again after a close: the same data), once per
engine. A new engine adds its name to the params and a branch to `_open`; the contract suite then
runs against it unchanged."""

from __future__ import annotations

import pytest

from server.store import open_store



def _open(engine: str, where, database: str | None) -> object:
    if engine == "tinydb":
        # durability is the TinyDB tests' subject (test_tinydb.py), not the contract's
        return open_store({"DATA_DIR": str(where), "STORE_FSYNC": False})
    if engine == "postgresql":
        return open_store({"DATA_DIR": str(where), "DATABASE": database})
    raise AssertionError(f"no such engine {engine}")


@pytest.fixture(params=["tinydb", "postgresql"])
def store_factory(request, tmp_path):
    opened = []
    databases: dict[str, str] = {}  # store name -> its database (one per name, like a directory)

    def database(name: str) -> str | None:
        if request.param != "postgresql":
            return None
        if name not in databases:
            databases[name] = (request.getfixturevalue("postgres_url") if not databases
                               else request.getfixturevalue("postgres_server").new_database())
        return databases[name]

    def factory(name: str = "data"):
        store = _open(request.param, tmp_path / name, database(name))
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()
    for url in list(databases.values())[1:]:  # the first is postgres_url's, dropped by it
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture
def store(store_factory):
    return store_factory()
