"""NaN and Infinity (issue 16's review): JSON has no such numbers, Python's json reads them anyway
(orjson refuses them), and PostgreSQL's json type refuses them. A body holding one is a 400 in words
on either engine, whatever its endpoint; a page's answer holding one is parsed as the page's parser
reads it (it drops such counts), never a 500."""

from __future__ import annotations

import json

import pytest

from tests.server.api.conftest import post_capture, x_capture


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_body_with_a_non_finite_number_is_a_400(client, auth, constant):
    body = json.dumps(dict(x_capture("nan_body"), extra=0)).replace('"extra": 0', f'"extra": {constant}')
    r = client.post("/api/v1/captures", data=body.encode(), headers=dict(auth, **{"Content-Type": "application/json"}))
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_json" and "finite" in r.json["error"]["message"]
    assert client.get("/api/v1/creators/x/nan_body", headers=auth).status_code == 404


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "1e999"])
def test_a_page_answer_with_a_non_finite_number_is_stored_or_refused_in_words(client, auth, constant):
    cap = x_capture("nan_page")
    for r in cap["responses"]:
        r["body"] = r["body"].replace('"followers": 800', f'"followers": {constant}')
    r = post_capture(client, auth, cap)
    assert r.status_code in (201, 400, 422), r.json
    got = client.get("/api/v1/creators/x/nan_page", headers=auth)
    assert got.status_code == (200 if r.status_code == 201 else 404)


@pytest.mark.parametrize("constant", ["NaN", "-Infinity", "1e999"])
def test_a_brief_with_a_non_finite_number_is_a_400_and_stores_nothing(client, auth, constant):
    # the field's own bounds refuse NaN and Infinity too: the body is refused before they are asked
    body = json.dumps({"name": "Shoes", "min_engagement_rate": 0}).replace(
        '"min_engagement_rate": 0', f'"min_engagement_rate": {constant}')
    r = client.post("/api/v1/briefs", data=body.encode(), headers=dict(auth, **{"Content-Type": "application/json"}))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_json", r.json
    assert "finite" in r.json["error"]["message"]
    assert client.get("/api/v1/briefs", headers=auth).json["items"] == []
