"""POST /api/v1/captures with pathological captures: a clear JSON error or a snapshot, fast, never a 500."""

from __future__ import annotations

import time

import pytest

from bench.pathological import cases, deep_object
from scraper.capture import LIMITS
from tests.server.api.conftest import post_capture, x_capture

SAMPLE = ["instagram:html:svg_openers", "instagram:html:meta_openers", "instagram:html:og_title_spaces",
          "youtube:html:yt_initial_data_markers", "youtube:json:deep_1000", "tiktok:json:huge_number",
          "x:json:deep_objects_1000", "tiktok:html:universal_scripts"]
CASES = {name: capture for name, capture in cases() if name in SAMPLE}  # not all ~440 MB of them


@pytest.mark.parametrize("name", SAMPLE)
def test_pathological_capture_answers_fast(client, auth, name):
    started = time.thread_time()
    r = post_capture(client, auth, CASES[name], gz=True)
    assert r.status_code in (201, 413, 422), r.json
    if r.status_code != 201:
        assert r.json["error"]["code"] and r.json["error"]["message"]
    assert time.thread_time() - started < 2.0
    assert client.get("/api/v1/health").status_code == 200


def test_deep_response_object_is_a_clear_error(client, auth):
    capture = {"url": "https://x.com/someone", "html": "",
               "responses": [{"url": "https://x.com/i/api/graphql/a/UserByScreenName", "body": deep_object(300)}]}
    r = post_capture(client, auth, capture)
    assert r.status_code in (400, 413), r.json  # the request's own depth limit, or the parser's
    assert r.json["error"]["code"] in ("json_too_deep", "too_large")


def test_capture_over_the_parser_html_cap_is_413(client, auth, monkeypatch):
    # the parser's cap (the request's own 32 MB cap comes first in the API: shrink the parser's to see it)
    monkeypatch.setitem(LIMITS, "html", 10_000)
    capture = {"url": "https://www.youtube.com/@a", "html": "x" * 10_001}
    r = post_capture(client, auth, capture, gz=True)
    assert r.status_code == 413 and r.json["error"]["code"] == "too_large"
    assert client.get("/api/v1/creators", headers=auth).json["total"] == 0


def test_capture_past_the_parse_budget_is_422_parse_timeout(client, auth, monkeypatch):
    from scraper import budget

    monkeypatch.setattr(budget, "PARSE_BUDGET_S", 0.0)
    r = post_capture(client, auth, x_capture())
    assert r.status_code == 422 and r.json["error"]["code"] == "parse_timeout"
    assert client.get("/api/v1/creators", headers=auth).json["total"] == 0
    monkeypatch.setattr(budget, "PARSE_BUDGET_S", 3.0)
    assert post_capture(client, auth, x_capture()).status_code == 201
