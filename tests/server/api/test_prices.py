"""GET /api/v1/creators/<platform>/<handle>/price: bands for a stored creator, a quote judged, and
every bad input a 400 naming its field."""

from __future__ import annotations

from tests.server.api.conftest import post_capture, x_capture

URL = "/api/v1/creators/x/bo_runs/price"


def test_bands_for_every_format_of_the_platform(client, auth):
    assert post_capture(client, auth, x_capture("bo_runs", followers=40_000)).status_code in (200, 201)
    r = client.get(URL, headers=auth)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["currency"] == "USD" and body["quote"] is None
    assert [f["format"] for f in body["formats"]] == ["video", "post"]
    for band in body["formats"]:
        assert 0 < band["low"] < band["high"]
        assert [f["label"] for f in band["factors"]] == ["Engagement", "Tier", "Country"]
        assert all(f["reason"] for f in band["factors"])


def test_a_quote_is_judged_against_its_formats_band(client, auth):
    post_capture(client, auth, x_capture("bo_runs", followers=40_000))
    band = client.get(URL + "?format=post", headers=auth).json["formats"][0]
    for quote, verdict in ((band["high"] * 3, "high"), (band["low"] / 3, "low"), ((band["low"] + band["high"]) / 2, "fair")):
        q = client.get(f"{URL}?format=post&quote={quote}", headers=auth).json["quote"]
        assert q["verdict"] == verdict and q["cpm"] > 0


def test_bad_input_is_one_400_listing_each_field(client, auth):
    post_capture(client, auth, x_capture("bo_runs"))
    r = client.get(URL + "?format=gif&quote=-3", headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == {"format", "quote"}
    r = client.get(URL + "?format=story", headers=auth)  # X has no stories
    assert r.status_code == 400 and "no price band for story" in r.json["error"]["fields"]["format"]
    r = client.get(URL + "?quote=100", headers=auth)
    assert r.status_code == 400 and "format" in r.json["error"]["fields"]
    assert client.get("/api/v1/creators/x/nobody_here/price", headers=auth).status_code == 404
    assert client.get("/api/v1/creators/myspace/bo/price", headers=auth).status_code == 400


def test_a_creator_known_but_not_captured_has_no_price_yet(client, auth):
    wl = client.post("/api/v1/watchlists", json={"name": "W"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "later_one"}, headers=auth)
    r = client.get("/api/v1/creators/x/later_one/price", headers=auth)
    assert r.status_code == 409 and r.json["error"]["code"] == "not_captured"
