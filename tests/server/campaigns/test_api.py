"""The campaign API (server/api/campaigns.py): a campaign with KPIs, partners each with a plan (a copy
flagged until edited), deliverables by post URL, orders imported from CSV (idempotent, nothing on a
broken file), the report and the advice; bad input is one 400 listing every field."""

from __future__ import annotations

import pytest

from tests.server.api.conftest import post_capture, x_capture

API = "/api/v1/campaigns"
CAMPAIGN = {"name": "Spring launch", "objective": "sales", "budget": 3000, "currency": "usd", "start": "2025-03-01",
            "end": "2025-04-30", "seller_monthly_sales": 40000,
            "kpis": [{"metric": "orders", "target": 20}, {"metric": "roas", "target": 2}]}
PLAN = {"fee": 500, "currency": "USD", "promo_codes": ["BO10"], "tracking_url": "https://shop.example/?ref=bo",
        "talking_points": "the blue mug", "deliverables": [{"platform": "x", "format": "post", "count": 2, "due": "2025-03-15"}]}
ORDERS = ("date,order_id,total,currency,discount_code\n"
          "2025-03-02,1001,120.00,USD,bo10\n2025-03-02,1002,80.00,USD,BO10\n2025-03-03,1003,50.00,USD,\n"
          "2025-03-04,1004,40.00,USD,ALI\n")


def _campaign(client, auth, **extra) -> dict:
    r = client.post(API, json={**CAMPAIGN, **extra}, headers=auth)
    assert r.status_code == 201, r.json
    return r.json


def _csv(client, auth, cid: str, text: str):
    return client.post(f"{API}/{cid}/orders", data=text.encode(), headers=dict(auth, **{"Content-Type": "text/csv"}))


def test_a_campaign_from_creation_to_report(client, auth):
    c = _campaign(client, auth)
    assert c["currency"] == "USD" and c["kpis"][1] == {"metric": "roas", "target": 2.0} and c["orders"] == 0
    bo = client.post(f"{API}/{c['id']}/partners", json={"platform": "x", "handle": "@bo_runs", "plan": PLAN}, headers=auth)
    assert bo.status_code == 201 and bo.json["status"] == "shortlisted" and bo.json["copied_from"] is None
    ali = client.post(f"{API}/{c['id']}/partners", json={"url": "https://x.com/ali_k", "copy_plan_from": bo.json["id"]},
                      headers=auth).json
    assert ali["copied_from"] == bo.json["id"] and ali["plan"]["fee"] == 500
    assert ali["plan"]["promo_codes"] == [] and ali["plan"]["tracking_url"] is None  # they tell partners apart
    r = client.patch(f"{API}/{c['id']}/partners/{ali['id']}", json={"status": "agreed"}, headers=auth)
    assert r.json["copied_from"] == bo.json["id"] and r.json["status"] == "agreed"
    r = client.patch(f"{API}/{c['id']}/partners/{ali['id']}", json={"plan": {**PLAN, "fee": 300, "promo_codes": ["ALI"]}},
                     headers=auth)
    assert r.status_code == 200 and r.json["copied_from"] is None and r.json["plan"]["fee"] == 300

    d = client.post(f"{API}/{c['id']}/deliverables", json={"partner_id": bo.json["id"], "url": "https://x.com/bo_runs/status/42"},
                    headers=auth)
    assert d.status_code == 201 and (d.json["platform"], d.json["post_id"]) == ("x", "42")

    r = _csv(client, auth, c["id"], ORDERS)
    assert r.status_code == 200 and r.json == {"imported": 4, "matched": 3, "unmatched": 1, "skipped": 0, "total": 4,
                                               "format": "plain", "rows": 4}
    again = _csv(client, auth, c["id"], ORDERS).json
    assert (again["imported"], again["skipped"], again["total"]) == (0, 4, 4)

    report = client.get(f"{API}/{c['id']}/report", headers=auth).json
    rows = {p["handle"]: p for p in report["partners"]}
    assert (rows["bo_runs"]["orders"], rows["bo_runs"]["revenue"], rows["bo_runs"]["roas"], rows["bo_runs"]["cost_per_order"]) == (
        2, 200.0, 0.4, 250.0)
    assert (rows["ali_k"]["orders"], rows["ali_k"]["revenue"]) == (1, 40.0)
    assert report["kpis"] == [{"metric": "orders", "target": 20.0, "actual": 3, "progress": 0.15},
                              {"metric": "roas", "target": 2.0, "actual": 0.3, "progress": 0.15}]
    assert report["unattributed"]["orders"] == 1

    full = client.get(f"{API}/{c['id']}", headers=auth).json
    assert [p["handle"] for p in full["partners"]] == ["bo_runs", "ali_k"] and len(full["deliverables"]) == 1
    assert client.get(API, headers=auth).json["items"][0]["partner_count"] == 2
    assert client.delete(f"{API}/{c['id']}/partners/{ali['id']}", headers=auth).status_code == 204
    assert client.delete(f"{API}/{c['id']}", headers=auth).status_code == 204
    assert client.get(f"{API}/{c['id']}", headers=auth).status_code == 404


def test_shopify_export_imported_and_matched(client, auth):
    c = _campaign(client, auth)
    client.post(f"{API}/{c['id']}/partners", json={"platform": "x", "handle": "bo_runs", "plan": PLAN}, headers=auth)
    text = ("Name,Email,Currency,Total,Discount Code,Created at,Lineitem name\n"
            "#1,a@x.io,USD,30.00,Bo10,2025-03-01 10:00:00 -0500,Mug\n#1,a@x.io,,,,2025-03-01 10:00:00 -0500,Tea\n"
            "#2,b@x.io,USD,10.00,,2025-03-01 11:00:00 -0500,Tea\n")
    r = _csv(client, auth, c["id"], text)
    assert r.json == {"imported": 2, "matched": 1, "unmatched": 1, "skipped": 0, "total": 2, "format": "shopify", "rows": 3}


def test_a_broken_orders_file_says_which_line_and_imports_nothing(client, auth):
    c = _campaign(client, auth)
    bad = ORDERS + "2025-03-05,1005,twelve,USD,BO10\n2025-03-05,1006,5,USD\n"
    r = _csv(client, auth, c["id"], bad)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid_orders_csv"
    assert r.json["error"]["fields"] == {"line 6": "the total 'twelve' is not a number.",
                                         "line 7": "has 4 field(s), the header has 5 (a separator or quote out of place?)."}
    assert "line 6" in r.json["error"]["message"]
    assert client.get(f"{API}/{c['id']}", headers=auth).json["orders"] == 0
    r = _csv(client, auth, c["id"], "order,amount\n1,2\n")
    assert r.status_code == 400 and "line 1" in r.json["error"]["fields"]
    r = client.post(f"{API}/{c['id']}/orders", json={"orders": []}, headers=auth)
    assert r.status_code == 415


def test_bad_campaign_lists_every_field(client, auth):
    r = client.post(API, json={"name": "", "objective": "fame", "budget": -1, "currency": "dollars", "start": "2025-05-01",
                               "end": "2025-04-01", "kpis": [{"metric": "likes", "target": 0}], "extra": 1}, headers=auth)
    assert r.status_code == 400
    assert {"name", "objective", "budget", "currency", "kpis.0.metric", "kpis.0.target", "extra"} <= set(r.json["error"]["fields"])
    r = client.post(API, json={**CAMPAIGN, "end": "2025-01-01"}, headers=auth)
    assert r.status_code == 400 and "end is before the start" in str(r.json["error"]["fields"])
    r = client.post(API, json={**CAMPAIGN, "kpis": [{"metric": "orders", "target": 1}, {"metric": "orders", "target": 2}]},
                    headers=auth)
    assert r.status_code == 400 and "given twice" in r.json["error"]["fields"]["kpis"]
    r = client.post(API, json={**CAMPAIGN, "brief_id": "br_000000000000"}, headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"] == {"brief_id": "There is no brief br_000000000000."}
    _campaign(client, auth)
    assert client.post(API, json={**CAMPAIGN, "name": "SPRING LAUNCH"}, headers=auth).status_code == 409


def test_patch_campaign(client, auth):
    c = _campaign(client, auth)
    r = client.patch(f"{API}/{c['id']}", json={"budget": 4000, "kpis": [{"metric": "revenue", "target": 5000}]}, headers=auth)
    assert r.status_code == 200 and r.json["budget"] == 4000 and r.json["kpis"] == [{"metric": "revenue", "target": 5000.0}]
    assert r.json["name"] == "Spring launch"
    assert client.patch(f"{API}/{c['id']}", json={}, headers=auth).status_code == 400
    r = client.patch(f"{API}/{c['id']}", json={"name": None, "end": "2024-01-01"}, headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == {"name"}
    r = client.patch(f"{API}/{c['id']}", json={"end": "2024-01-01"}, headers=auth)
    assert r.status_code == 400 and r.json["error"]["fields"] == {"end": "The end is before the start."}
    assert client.patch(f"{API}/cp_000000000000", json={"budget": 1}, headers=auth).status_code == 404


def test_partner_and_deliverable_errors(client, auth):
    c = _campaign(client, auth)
    base = f"{API}/{c['id']}"
    bo = client.post(f"{base}/partners", json={"platform": "x", "handle": "bo_runs", "plan": PLAN}, headers=auth).json
    r = client.post(f"{base}/partners", json={"platform": "x", "handle": "BO_RUNS"}, headers=auth)
    assert r.status_code == 409
    r = client.post(f"{base}/partners", json={"platform": "x", "handle": "ali", "plan": {**PLAN, "promo_codes": ["bo10"]}},
                    headers=auth)
    assert r.status_code == 400 and "is the code of bo_runs" in r.json["error"]["fields"]["plan.promo_codes"]
    r = client.post(f"{base}/partners", json={"platform": "x", "handle": "ali", "plan": {
        "fee": -5, "currency": "usd!", "promo_codes": ["A,B"], "tracking_url": "javascript:alert(1)",
        "deliverables": [{"platform": "myspace", "format": "tweet", "count": 0}]}}, headers=auth)
    assert r.status_code == 400
    assert {"plan.fee", "plan.currency", "plan.promo_codes", "plan.tracking_url", "plan.deliverables.0.platform",
            "plan.deliverables.0.format", "plan.deliverables.0.count"} <= set(r.json["error"]["fields"])
    for body, field in (({"url": "https://example.com/x"}, "url"), ({"platform": "x", "handle": "a b"}, "handle"),
                        ({"platform": "x"}, "body"), ({"platform": "x", "handle": "ali", "copy_plan_from": "pt_000000000000"},
                                                      "copy_plan_from")):
        r = client.post(f"{base}/partners", json=body, headers=auth)
        assert r.status_code == 400 and field in r.json["error"]["fields"], (body, r.json)
    r = client.patch(f"{base}/partners/{bo['id']}", json={"status": "married"}, headers=auth)
    assert r.status_code == 400 and "status" in r.json["error"]["fields"]
    assert client.patch(f"{base}/partners/pt_000000000000", json={"status": "done"}, headers=auth).status_code == 404
    assert client.delete(f"{base}/partners/pt_000000000000", headers=auth).status_code == 404
    for url, words in (("https://x.com/bo_runs", "does not name a post"), ("https://www.tiktok.com/@bo/video/123", "the partner is on X"),
                       ("https://example.com/p/1", "Not a URL of a supported platform")):
        r = client.post(f"{base}/deliverables", json={"partner_id": bo["id"], "url": url}, headers=auth)
        assert r.status_code == 400 and words in r.json["error"]["fields"]["url"], r.json
    r = client.post(f"{base}/deliverables", json={"partner_id": "pt_000000000000", "url": "nope"}, headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == {"partner_id", "url"}


def test_a_deliverable_url_holding_a_nul_is_a_400_in_words_on_every_engine(client, auth):
    # valid JSON ("\\u0000") naming a post, but no URL holds a NUL: one 400 invalid_text naming the
    # URL on every engine (PostgreSQL text cannot hold it: it was a misleading 404 there)
    c = _campaign(client, auth)
    base = f"{API}/{c['id']}"
    bo = client.post(f"{base}/partners", json={"platform": "x", "handle": "bo_runs", "plan": PLAN}, headers=auth).json
    r = client.post(f"{base}/deliverables", json={"partner_id": bo["id"], "url": "https://x.com/bo_runs/status/123?s=\x00"},
                    headers=auth)
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_text" and "NUL" in r.json["error"]["fields"]["url"]
    assert client.get(base, headers=auth).json["deliverables"] == []


@pytest.mark.parametrize("method, path", [("get", ""), ("delete", ""), ("get", "/report"), ("get", "/advice"),
                                          ("post", "/orders"), ("post", "/partners"), ("post", "/deliverables")])
def test_unknown_campaign_is_404(client, auth, method, path):
    for cid in ("cp_000000000000", "nothing", "..%2F..%2Fmeta"):
        r = getattr(client, method)(f"{API}/{cid}{path}", headers=auth, json={} if method == "post" else None)
        assert r.status_code == 404 and r.json["error"]["code"] == "not_found"


def test_advice_from_the_stored_creators(client, auth):
    post_capture(client, auth, x_capture("bo_runs", followers=12_000))
    c = _campaign(client, auth)
    r = client.get(f"{API}/{c['id']}/advice", headers=auth)
    assert r.status_code == 200 and r.json["seller_band"] == "small" and r.json["guided_tier"] == "micro"
    micro = next(t for t in r.json["tiers"] if t["tier"] == "micro")
    assert micro["creators"] == 1 and micro["median_followers"] == 12_000 and "small seller" in r.json["words"]


def test_writes_need_the_token(client, auth):
    assert client.post(API, json=CAMPAIGN).status_code == 401
    c = _campaign(client, auth)
    assert client.post(f"{API}/{c['id']}/orders", data=ORDERS, headers={"Content-Type": "text/csv"}).status_code == 401


def test_answers_match_the_documented_schemas(client, auth):
    """Schemathesis cannot guess a campaign id, so the 200/201 answers are checked here against the
    schemas OPENAPI_PATHS documents."""
    import jsonschema_rs  # schemathesis' own validator

    from server.api.campaigns import OPENAPI_PATHS

    def check(path: str, method: str, status: str, answer) -> None:
        schema = OPENAPI_PATHS[path][method]["responses"][status]["content"]["application/json"]["schema"]
        jsonschema_rs.validate(schema, answer)

    post_capture(client, auth, x_capture("bo_runs", followers=12_000))
    c = _campaign(client, auth)
    check("/campaigns", "post", "201", c)
    base = f"{API}/{c['id']}"
    bo = client.post(f"{base}/partners", json={"platform": "x", "handle": "bo_runs", "plan": PLAN}, headers=auth).json
    check("/campaigns/{cid}/partners", "post", "201", bo)
    check("/campaigns/{cid}/partners/{pid}", "patch", "200",
          client.patch(f"{base}/partners/{bo['id']}", json={"status": "paid"}, headers=auth).json)
    d = client.post(f"{base}/deliverables", json={"partner_id": bo["id"], "url": "https://x.com/bo_runs/status/42"}, headers=auth)
    check("/campaigns/{cid}/deliverables", "post", "201", d.json)
    check("/campaigns/{cid}/orders", "post", "200", _csv(client, auth, c["id"], ORDERS).json)
    check("/campaigns/{cid}", "get", "200", client.get(base, headers=auth).json)
    check("/campaigns/{cid}", "patch", "200", client.patch(base, json={"budget": 10}, headers=auth).json)
    check("/campaigns", "get", "200", client.get(API, headers=auth).json)
    check("/campaigns/{cid}/report", "get", "200", client.get(f"{base}/report", headers=auth).json)
    check("/campaigns/{cid}/advice", "get", "200", client.get(f"{base}/advice", headers=auth).json)


def test_problems_found_beside_the_schema_are_listed_with_it(client, auth):
    r = client.post(API, json={**CAMPAIGN, "brief_id": "br_000000000000", "budget": -1}, headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == {"brief_id", "budget"}
    c = _campaign(client, auth)
    client.post(f"{API}/{c['id']}/partners", json={"platform": "x", "handle": "bo_runs", "plan": PLAN}, headers=auth)
    r = client.post(f"{API}/{c['id']}/partners", json={"platform": "x", "handle": "a b", "plan": PLAN}, headers=auth)
    assert r.status_code == 400 and set(r.json["error"]["fields"]) == {"handle", "plan.promo_codes"}
