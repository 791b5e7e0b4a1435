"""A dashboard page that meets a store problem, a full disk or a bug answers an error page in plain
words (never a traceback, never the API's JSON); the API keeps its JSON error shape."""

from __future__ import annotations

import errno

import pytest

from server.store import StoreError
from tests.server.api.conftest import post_capture, x_capture


def _login(client, app):
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303


def _break_list_briefs(app, monkeypatch, exc):
    store = app.extensions["kolscope.store"]

    def broken(*_a, **_k):
        raise exc

    monkeypatch.setattr(store, "list_briefs", broken)


@pytest.mark.parametrize(("exc", "status", "words"), [
    (StoreError("store_corrupt", "briefs.json failed its checksum"), 503, "kolscope fsck --repair"),
    (StoreError("store_locked", "locked by pid 42"), 503, "Another kolscope server is using this data directory"),
    (StoreError("store_write", "[Errno 28] No space left on device"), 500, "[Errno 28] No space left on device"),
    (OSError(errno.ENOSPC, "No space left on device"), 507, "Free some space on the disk"),
    (RuntimeError("boom at 0x7f"), 500, "kolscope hit an unexpected problem making this page"),
])
def test_a_broken_page_is_an_error_page_in_words(client, app, auth, monkeypatch, exc, status, words):
    _login(client, app)
    _break_list_briefs(app, monkeypatch, exc)
    r = client.get("/briefs")
    page = r.get_data(as_text=True)
    assert r.status_code == status and r.mimetype == "text/html"
    assert words in page and "Traceback" not in page and "0x7f" not in page
    assert '<section class="error-page">' in page
    # the API, over the same broken store, still answers its JSON error shape
    r = client.get("/api/v1/briefs", headers=auth)
    assert r.status_code == status and r.mimetype == "application/json" and "error" in r.json


def test_unknown_brief_and_an_oversized_form_are_pages(client, app):
    _login(client, app)
    r = client.get("/briefs/nope/delete")
    assert r.status_code == 404 and "No such brief" in r.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = client.post("/briefs/new", data={"name": "x", "keywords": "k" * 5000})
    assert r.status_code == 413 and r.mimetype == "text/html" and '<section class="error-page">' in r.get_data(as_text=True)


def test_a_failed_refresh_reads_in_words_on_the_creators_list(client, app, auth):
    assert post_capture(client, auth, x_capture("bo_runs", captured_at="2026-01-01T00:00:00Z")).status_code == 201
    store = app.extensions["kolscope.store"]
    store.record_refresh("x", "bo_runs", "stale", "the page could not be loaded: Page.goto: "
                         "net::ERR_NAME_NOT_RESOLVED at https://x.com/bo_runs", at="2030-01-01T00:00:00Z",
                         code="network")
    _login(client, app)
    # a browsed creator (in no watchlist) is listed on /browsed, with the same table as the shortlist
    page = client.get("/browsed").get_data(as_text=True)
    assert "Could not reach x.com: no network" in page
    assert "ERR_NAME_NOT_RESOLVED" not in page and "Page.goto" not in page
