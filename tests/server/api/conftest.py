"""API test fixtures: an app over a temporary data directory per test (flaskr's conftest), its
token, and synthetic captures built from the project's own X fixtures."""

from __future__ import annotations

import copy
import gzip
import json
import re
import zlib

import pytest

from server import create_app
from tests.conftest import load_fixture

BASE = "x_profile_new.capture.json"  # handle bo_runs, 800 followers


@pytest.fixture
def app(app_store_config):
    # TinyDB in a temporary directory, or a new PostgreSQL database (KOLSCOPE_TEST_STORE=postgresql);
    # durability is the crash test's subject, not these tests'
    app = create_app(dict(app_store_config, TESTING=True))
    yield app
    app.extensions["kolscope.store"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(app) -> dict:
    return {"Authorization": f"Bearer {app.config['TOKEN']}"}


def x_user_id(handle: str) -> str:
    """The account id x_capture gives `handle` (one account per handle)."""
    return str(2_000_000_000 + zlib.crc32(handle.lower().encode()))


def x_capture(handle: str = "bo_runs", followers: int | None = None, name: str | None = None,
              captured_at: str | None = None, user_id: str | None = None) -> dict:
    """The X profile fixture, renamed to `handle` (and its follower count / display name changed).

    Each handle is its own account (a user id derived from it) unless `user_id` says otherwise: the
    store keeps one creator per account id, so a second handle with the same id is a renamed account."""
    cap = copy.deepcopy(load_fixture(BASE))
    text = json.dumps(cap)
    if user_id is None and handle != "bo_runs":
        user_id = x_user_id(handle)
    if user_id is not None:
        # the fixture's account id: rest_id, user_id_str, the avatar path, and the URL-encoded userId
        text = text.replace("%221100%22", f"%22{user_id}%22")
        text = re.sub(r"(?<!\d)1100(?!\d)", user_id, text)
    text = text.replace("bo_runs", handle)
    if name is not None:
        text = text.replace("Bo Runs", name)
    cap = json.loads(text)
    if followers is not None:
        for r in cap["responses"]:
            r["body"] = r["body"].replace('"followers": 800', f'"followers": {followers}')
    if captured_at is not None:
        cap["captured_at"] = captured_at
    return cap


def post_capture(client, auth, capture: dict, gz: bool = False):
    data = json.dumps(capture).encode()
    headers = dict(auth, **{"Content-Type": "application/json"})
    if gz:
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    return client.post("/api/v1/captures", data=data, headers=headers)
