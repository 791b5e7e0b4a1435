"""The OpenAPI document is true: schemathesis generates requests from it (with the token) and
checks every answer: no 5xx, documented status codes, content types and response schemas."""

from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis.specs.openapi import checks
from hypothesis import HealthCheck, settings

from server.api.openapi import _document
from tests.server.api.conftest import post_capture, x_capture


# the document as the app serves it (test_served_document_is_this_one checks they are the same)
schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def seeded(app, client, auth):
    """Some data, so that GETs of creators and watchlists have something to answer."""
    post_capture(client, auth, x_capture("bo_runs"))
    wl = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "bo_runs"}, headers=auth)
    return app


# Not run: checks of semantics JSON Schema cannot state. A schema-valid capture may be a login wall
# (422 by design); watchlist members are {platform, handle} OR {url} with per-platform handle
# formats; pydantic's lax mode accepts 5 for 5.0 (negative_data_rejection). Flask answers OPTIONS
# itself (allow_header_conformance). Everything else schemathesis checks runs: no 5xx, documented
# status codes, content types and response schemas, auth not ignored.
EXCLUDED = [checks.positive_data_acceptance, checks.negative_data_rejection, checks.allow_header_conformance]


@schema.parametrize()
# 6 examples per operation in the normal run (CI); `make fuzz` sets KOLSCOPE_FUZZ_API_EXAMPLES=500
@settings(max_examples=int(os.environ.get("KOLSCOPE_FUZZ_API_EXAMPLES", "6")), deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_matches_openapi(case, seeded, auth):
    # the app of this test (its own data dir); schemathesis' auth probes send through schema.app
    case.operation.schema.app = seeded
    case.call_and_validate(app=seeded, headers=auth, excluded_checks=EXCLUDED)


def test_served_document_is_this_one(client, auth):
    assert client.get("/api/v1/openapi.json", headers=auth).json == _document()


def test_openapi_is_openapi_3(client, auth):
    doc = client.get("/api/v1/openapi.json", headers=auth).json
    assert doc["openapi"].startswith("3.")
    assert "/captures" in doc["paths"] and doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
