"""GET /brands, /brands/<name>/creators and /creators/<p>/<h>/similar over real pages posted to
/captures, and a brief's competitors flagging a creator through the API."""

from __future__ import annotations

import pytest

from tests.conftest import REALPAGES, load_recorded
from tests.server.api.conftest import post_capture

pytestmark = pytest.mark.realpages


def real(client, auth, folder: str, case: str) -> dict:
    capture, _ = load_recorded(REALPAGES / folder, case, f"real pages not found at {REALPAGES}")
    r = post_capture(client, auth, capture, gz=True)
    assert r.status_code == 201, r.json
    return r.json["creator"]


def test_brands_and_who_promoted_them_with_dates(client, auth):
    kurz = real(client, auth, "youtube", "yt_channel_kurzgesagt_2026-01")
    real(client, auth, "youtube", "yt_channel_gronkh_2024-04")
    every = client.get("/api/v1/brands", headers=auth).json
    assert every["brands"][0]["name"] == "Brilliant" and every["brands"][0]["creators"] == 1
    got = client.get("/api/v1/brands/brilliant.org/creators", headers=auth)
    assert got.status_code == 200, got.json
    (c,) = got.json["creators"]
    assert (c["platform"], c["handle"]) == (kurz["platform"], kurz["handle"])
    assert c["last"].startswith("2026-01-12") and len(c["posts"]) == c["count"] >= 5
    assert all(p["at"] and p["url"] for p in c["posts"])
    missing = client.get("/api/v1/brands/Salomon/creators", headers=auth)
    assert missing.status_code == 404 and "Salomon" in missing.json["error"]["message"]


def test_search_by_brand_or_topic_says_why(client, auth):
    real(client, auth, "youtube", "yt_channel_kurzgesagt_2026-01")
    real(client, auth, "youtube", "yt_channel_gronkh_2024-04")
    r = client.get("/api/v1/brands", query_string={"q": "astronomy or Brilliant"}, headers=auth)
    assert r.status_code == 200, r.json
    assert r.json["terms"] == ["astronomy", "Brilliant"]
    assert [b["name"] for b in r.json["brands"]] == ["Brilliant"]
    (first, *rest) = r.json["creators"]
    assert first["display_name"].lower().startswith("kurzgesagt")
    assert "promoted Brilliant" in first["why"] and "astronomy" in first["why"]
    assert all("gaming" not in c["why"] for c in rest)
    gaming = client.get("/api/v1/brands", query_string={"q": "video games"}, headers=auth).json["creators"]
    assert [c["handle"].lower() for c in gaming] == ["gronkh"]


def test_bad_brand_queries_are_400s(client, auth):
    assert client.get("/api/v1/brands?nope=1", headers=auth).status_code == 400
    assert client.get("/api/v1/brands?limit=0", headers=auth).status_code == 400
    r = client.get("/api/v1/brands/%20/creators", headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"]["name"]


def test_similar_ranks_the_same_topic_first(client, auth):
    kurz = real(client, auth, "youtube", "yt_channel_kurzgesagt_2026-01")
    vsauce = real(client, auth, "youtube", "yt_channel_vsauce_2021-07")
    real(client, auth, "youtube", "yt_channel_gronkh_2024-04")
    real(client, auth, "youtube", "yt_channel_nbcnews_2021-02_pbj")
    r = client.get(f"/api/v1/creators/{kurz['platform']}/{kurz['handle']}/similar", headers=auth)
    assert r.status_code == 200, r.json
    best = r.json["similar"][0]
    assert (best["platform"], best["handle"]) == (vsauce["platform"], vsauce["handle"])
    assert best["kind"] == "creator" and "astronomy" in best["why"]
    assert client.get("/api/v1/creators/youtube/nobody_here/similar", headers=auth).status_code == 404
    assert client.get(f"/api/v1/creators/{kurz['platform']}/{kurz['handle']}/similar?limit=0", headers=auth).status_code == 400


def test_a_brief_naming_a_competitor_flags_the_creator(client, auth):
    brief = {"name": "Learning app", "keywords": ["science"], "competitors": ["Brilliant"], "competitor_days": 90}
    bid = client.post("/api/v1/briefs", json=brief, headers=auth).json["id"]
    assert client.put("/api/v1/briefs/active", json={"id": bid}, headers=auth).status_code == 200
    kurz = real(client, auth, "youtube", "yt_channel_kurzgesagt_2026-01")
    scores = client.get(f"/api/v1/creators/{kurz['platform']}/{kurz['handle']}/scores", headers=auth).json["scores"]
    factor = next(f for f in scores["fit"]["factors"] if f["key"] == "exclusivity")
    assert factor["score"] == 0 and "Brilliant" in factor["reason"]
    assert scores["fit"]["score"] <= 40
    bad = client.post("/api/v1/briefs", json={"name": "x", "competitor_days": -1}, headers=auth)
    assert bad.status_code == 400 and "competitor_days" in bad.json["error"]["fields"]


def test_similar_lists_candidates_found_through_the_creator(client, auth):
    from tests.conftest import load_listpage

    dev = real(client, auth, "x", "x_profile_XDevelopers_latest")
    capture, _ = load_listpage("x/x_following_XDevelopers_2026-08")
    assert post_capture(client, auth, capture, gz=True).status_code == 201
    r = client.get(f"/api/v1/creators/x/{dev['handle']}/similar", query_string={"limit": 200}, headers=auth)
    assert r.status_code == 200, r.json
    found = [s for s in r.json["similar"] if s["kind"] == "candidate"]
    assert found and all(s["id"] and "XDevelopers" in s["why"] for s in found)
    none = client.get(f"/api/v1/creators/x/{dev['handle']}/similar?candidates=false", headers=auth).json
    assert all(s["kind"] == "creator" for s in none["similar"])
