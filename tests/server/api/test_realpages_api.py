"""Every real captured page through POST /api/v1/captures: a creator page is stored and served
back, an error page answers 422 with the expected code and stores nothing."""

from __future__ import annotations

import pytest

from tests.server.api.conftest import post_capture
from scraper import parse
from scraper.errors import CaptureError
from tests.conftest import FIXTURES, cases_or_placeholder, load_case, load_fixture


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_or_placeholder())
def test_real_page_through_the_api(client, auth, case):
    capture, expected = load_case(case)
    r = post_capture(client, auth, capture, gz=True)
    if expected.get("error"):
        assert r.status_code == 422, r.json
        assert r.json["error"]["code"] == expected["error"]
        assert client.get("/api/v1/creators", headers=auth).json["total"] == 0
        return
    assert r.status_code == 201, r.json
    creator = r.json["creator"]
    assert creator["platform"] == expected["platform"]
    if expected.get("handle"):
        assert creator["handle"].lower() == expected["handle"].lower()
    got = client.get(f"/api/v1/creators/{creator['platform']}/{creator['handle']}", headers=auth)
    assert got.status_code == 200, got.json
    assert got.json["snapshot"]["followers"] == r.json["snapshot"]["followers"]
    scores = client.get(f"/api/v1/creators/{creator['platform']}/{creator['handle']}/scores", headers=auth)
    assert scores.status_code == 200 and scores.json["scores"] == r.json["scores"]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.capture.json")))
def test_every_fixture_parse_output_is_accepted(client, auth, name):
    """Whatever `kolscope parse` prints as a snapshot, POST /captures stores (a channel known only by id too)."""
    capture = load_fixture(name)
    try:
        parse(capture)
    except CaptureError as exc:
        r = post_capture(client, auth, capture)
        assert r.status_code == 422 and r.json["error"]["code"] == exc.code
        return
    r = post_capture(client, auth, capture)
    assert r.status_code == 201, r.json
