"""POST /api/v1/captures: 201 with creator/snapshot/scores, gzip, 422 per parse error code, 400s."""

from __future__ import annotations

import gzip
import json

import pytest

from scraper.errors import CODES
from tests.server.api.conftest import post_capture, x_capture
from tests.conftest import load_fixture

# one capture per parse error code: the X fixtures for what X answers, small synthetic ones for the rest
ERROR_CAPTURES = {
    "blocked": lambda: load_fixture("x_ratelimited.capture.json"),
    "login_wall": lambda: load_fixture("x_loginwall.capture.json"),
    "unavailable": lambda: load_fixture("x_notfound.capture.json"),
    "restricted": lambda: load_fixture("x_protected.capture.json"),
    "not_a_creator_page": lambda: dict(x_capture(), url="https://x.com/explore"),
    "unsupported_platform": lambda: dict(x_capture(), url="https://example.com/someone"),
    "malformed": lambda: {"format": "kolscope.capture/1", "url": "https://x.com/bo_runs", "html": "",
                          "responses": []},
}


def test_every_code_has_a_case():
    # too_large (413) and parse_timeout: tests/server/api/test_pathological_api.py
    assert set(ERROR_CAPTURES) | {"too_large", "parse_timeout"} == set(CODES)


def test_capture_201(client, auth):
    r = post_capture(client, auth, x_capture())
    assert r.status_code == 201, r.json
    body = r.json
    assert set(body) == {"creator", "snapshot", "scores", "decision"}
    c = body["creator"]
    for key in ("platform", "handle", "url", "display_name", "avatar_url", "followers", "tier", "watchlists",
                "fit", "authenticity", "stale", "refresh"):
        assert key in c
    assert (c["platform"], c["handle"], c["followers"]) == ("x", "bo_runs", 800)
    assert c["watchlists"] == [] and c["stale"] is False
    assert body["snapshot"]["format"] == "kolscope.snapshot/1"
    assert body["scores"]["authenticity"] is not None
    assert float(r.headers["Server-Timing"].removeprefix("app;dur=")) > 0
    got = client.get("/api/v1/creators/x/bo_runs", headers=auth).json
    assert got["snapshot"]["followers"] == 800 and got["history"]["points"] == 1


def test_capture_gzip(client, auth):
    r = post_capture(client, auth, x_capture("gz_user"), gz=True)
    assert r.status_code == 201, r.json
    assert r.json["creator"]["handle"] == "gz_user"


def test_capture_bad_gzip(client, auth):
    r = client.post("/api/v1/captures", data=b"not gzip at all",
                    headers=dict(auth, **{"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_body"


def test_capture_gzip_bomb_is_413(app, client, auth):
    app.config["MAX_DECOMPRESSED_LENGTH"] = 100_000
    bomb = gzip.compress(b'{"a": "' + b"x" * 1_000_000 + b'"}')
    assert len(bomb) < 100_000
    r = client.post("/api/v1/captures", data=bomb,
                    headers=dict(auth, **{"Content-Type": "application/json", "Content-Encoding": "gzip"}))
    assert r.status_code == 413 and r.json["error"]["code"] == "too_large"


@pytest.mark.parametrize("code", sorted(ERROR_CAPTURES))
def test_capture_422_per_code_stores_nothing(client, auth, code):
    r = post_capture(client, auth, ERROR_CAPTURES[code]())
    assert r.status_code == 422, r.json
    assert r.json["error"]["code"] == code
    assert r.json["error"]["message"]
    assert client.get("/api/v1/creators", headers=auth).json["total"] == 0


def test_capture_400_lists_every_field(client, auth):
    r = client.post("/api/v1/captures", json={"html": 5, "responses": "no", "format": "v2"}, headers=auth)
    assert r.status_code == 400
    err = r.json["error"]
    assert err["code"] == "invalid"
    assert {"url", "html", "responses", "format"} <= set(err["fields"])


@pytest.mark.parametrize("payload", [None, [], "text", 5])
def test_capture_400_not_an_object(client, auth, payload):
    r = client.post("/api/v1/captures", data=json.dumps(payload), headers=dict(auth, **{"Content-Type": "application/json"}))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid"


def test_capture_invalid_json(client, auth):
    r = client.post("/api/v1/captures", data=b"{nope", headers=dict(auth, **{"Content-Type": "application/json"}))
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_json"


def test_capture_with_lone_surrogate_is_read(client, auth):
    # A JS string may hold half a surrogate pair; JSON.stringify writes it as "\ud83d". orjson refuses
    # it, the json fallback takes it and makes it U+FFFD: stored, not a 400 (nor a 500 on writing).
    cap = x_capture("surrogate_fan", name="Fan \ud83d")
    r = client.post("/api/v1/captures", data=json.dumps(cap).encode(),
                    headers=dict(auth, **{"Content-Type": "application/json"}))
    assert r.status_code == 201, r.json
    assert r.json["creator"]["handle"] == "surrogate_fan"
    assert r.json["snapshot"]["display_name"] == "Fan \ufffd"


def test_capture_with_lone_surrogate_inside_an_api_answer(client, auth):
    # The escape sits inside a response body (JSON text in a string): it turns up only when the parser
    # decodes the answer, and the snapshot must still be storable.
    cap = x_capture("surrogate_two")
    for r in cap["responses"]:
        r["body"] = r["body"].replace('"Bo Runs"', '"Bo \\ud83d Runs"')
    assert any("\\ud83d" in r["body"] for r in cap["responses"])
    r = post_capture(client, auth, cap)
    assert r.status_code == 201, r.json
    assert r.json["snapshot"]["display_name"] == "Bo \ufffd Runs"
    stored = client.get("/api/v1/creators/x/surrogate_two", headers=auth).json
    assert stored["creator"]["display_name"] == "Bo \ufffd Runs"


def test_capture_not_json_content_type(client, auth):
    r = client.post("/api/v1/captures", data=b"url=x", headers=dict(auth, **{"Content-Type": "text/plain"}))
    assert r.status_code == 415


def test_capture_413(app, client, auth):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    cap = x_capture()
    cap["html"] = "<html>" + "x" * 60_000 + "</html>"
    r = post_capture(client, auth, cap)
    assert r.status_code == 413
    assert r.json["error"]["code"] == "too_large"


def test_second_capture_adds_history_and_growth(client, auth):
    post_capture(client, auth, x_capture(followers=1000, captured_at="2025-03-01T12:00:00Z"))
    r = post_capture(client, auth, x_capture(followers=1100, captured_at="2025-03-31T12:00:00Z"))
    assert r.status_code == 201
    c = r.json["creator"]
    assert c["followers"] == 1100 and c["snapshots"] == 2 and c["growth_30d"] == pytest.approx(10.0)
    hist = client.get("/api/v1/creators/x/bo_runs/history", headers=auth).json["points"]
    assert [p["followers"] for p in hist] == [1000, 1100]


def test_renamed_account_continues_its_history(client, auth):
    # The same X account (user id 1100 in the fixture) under a new handle: one creator, two points.
    r1 = post_capture(client, auth, x_capture("bo_runs", followers=800, captured_at="2026-01-01T00:00:00Z"))
    r2 = post_capture(client, auth, x_capture("bo_fast", followers=1000, captured_at="2026-02-01T00:00:00Z",
                                              user_id="1100"))
    assert r1.status_code == 201 and r2.status_code == 201
    assert r2.json["creator"]["handle"] == "bo_fast"
    old = client.get("/api/v1/creators/x/bo_runs", headers=auth).json["creator"]
    assert old["handle"] == "bo_fast" and old["followers"] == 1000
    points = client.get("/api/v1/creators/x/bo_fast/history", headers=auth).json["points"]
    assert [p["followers"] for p in points] == [800, 1000]
    assert [c["handle"] for c in client.get("/api/v1/creators", headers=auth).json["items"]] == ["bo_fast"]


def test_post_page_capture_keeps_what_the_profile_showed(client, auth):
    """An Instagram post page names its owner but shows no follower count: the creator captured from its
    profile keeps its followers, name and badge; the post page's commenters are its audience sample."""
    r = post_capture(client, auth, load_fixture("instagram_profile_rendered.capture.json"))
    assert r.status_code == 201, r.json
    assert r.json["creator"]["followers"] == 1_234_567
    post = load_fixture("instagram_post_sjs.capture.json")
    r = post_capture(client, auth, post)
    assert r.status_code == 201, r.json
    body = r.json
    assert body["snapshot"]["followers"] is None and body["snapshot"]["recent_posts"][0]["id"] == "Cabc123DEF_"
    assert [a["username"] for a in body["snapshot"]["audience_sample"]] == ["clay.fan", "user83920142", "potter.pro"]
    creator = client.get("/api/v1/creators/instagram/sara.studio", headers=auth).json["creator"]
    assert (creator["followers"], creator["display_name"], creator["verified"]) == (1_234_567, "Sara Studio ✨", True)
