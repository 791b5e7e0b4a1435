"""The store under test: `store_factory` opens it (again after a close: the same data), once per
engine. A new engine adds its name to the params and a branch to `_open`; the contract suite then
runs against it unchanged."""

from __future__ import annotations

import pytest

from server.store import open_store


def _open(engine: str, where) -> object:
    if engine == "tinydb":
        # durability is the TinyDB tests' subject (test_tinydb.py), not the contract's
        return open_store({"DATA_DIR": str(where), "STORE_FSYNC": False})
    raise AssertionError(f"no such engine {engine}")


@pytest.fixture(params=["tinydb"])
def store_factory(request, tmp_path):
    opened = []

    def factory(name: str = "data"):
        store = _open(request.param, tmp_path / name)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory):
    return store_factory()
