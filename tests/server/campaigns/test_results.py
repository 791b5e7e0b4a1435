"""A campaign's results (server/campaigns/results.py): orders attributed by promo code, ROAS, cost per
order, realised CPM and cost per engagement per partner and campaign, KPI progress, and what happens
with refunds, several codes and other currencies."""

from __future__ import annotations

import pytest

from server.campaigns.results import campaign_results, code_owners, latest_reach, match_counts


def _partner(pid: str, handle: str, fee, *codes: str, currency: str | None = "USD") -> dict:
    return {"id": pid, "platform": "x", "key": handle, "handle": handle, "status": "agreed", "copied_from": None,
            "plan": {"fee": fee, "currency": currency, "promo_codes": list(codes)}}


def _totals(*rows) -> list[dict]:
    return [{"codes": codes, "currency": cur, "orders": n, "revenue": rev, "refunds": ref} for codes, cur, n, rev, ref in rows]


def _metrics(pid: str, *points) -> dict:
    return {"id": f"dl_{pid}", "partner_id": pid, "metrics": [dict(zip(("at", "views", "likes", "comments", "shares"), p))
                                                              for p in points]}


CAMPAIGN = {"name": "Spring", "objective": "sales", "currency": "USD", "budget": 2000,
            "kpis": [{"metric": "orders", "target": 20}, {"metric": "revenue", "target": 1000},
                     {"metric": "roas", "target": 2}, {"metric": "cost_per_order", "target": 50},
                     {"metric": "views", "target": 10000}, {"metric": "signups", "target": 5}]}


def test_partners_and_campaign_figures():
    partners = [_partner("pt_a", "alice", 500, "ALICE10"), _partner("pt_b", "bob", 1000, "BOB", "bob-2")]
    totals = _totals((["alice10"], "USD", 8, 640.0, 1), (["bob-2"], "USD", 2, 100.0, 0), ([], "USD", 5, 250.0, 0),
                     (["nobody"], "USD", 1, 30.0, 0))
    deliverables = [_metrics("pt_a", ("2025-03-01", 1000, 50, 5, 1), ("2025-03-03", 4000, 150, 20, 10)),
                    _metrics("pt_b", ("2025-03-02", 6000, 100, 10, None))]
    report = campaign_results(CAMPAIGN, partners, deliverables, totals)
    alice, bob = report["partners"]
    assert (alice["orders"], alice["refunds"], alice["revenue"], alice["roas"], alice["cost_per_order"]) == (8, 1, 640.0, 1.28, 62.5)
    assert (alice["views"], alice["engagements"], alice["cpm"], alice["cpe"]) == (4000, 180, 125.0, 2.7778)  # the latest point
    assert (bob["orders"], bob["revenue"], bob["roas"], bob["views"], bob["engagements"]) == (2, 100.0, 0.1, 6000, 110)
    t = report["totals"]
    assert (t["fees"], t["orders"], t["revenue"], t["roas"], t["cost_per_order"], t["views"], t["engagements"]) == (
        1500, 10, 740.0, 0.493, 150.0, 10000, 290)
    assert t["budget_used"] == 0.75
    assert report["unattributed"] == {"orders": 6, "refunds": 0, "revenue": {"USD": 280.0}}
    kpis = {k["metric"]: (k["actual"], k["progress"]) for k in report["kpis"]}
    assert kpis == {"orders": (10, 0.5), "revenue": (740.0, 0.74), "roas": (0.493, 0.2465),
                    "cost_per_order": (150.0, 0.3333), "views": (10000, 1.0), "signups": (None, None)}
    assert any("Sign-ups are measured only" in n for n in report["notes"])


def test_signups_are_the_attributed_orders_of_a_signup_campaign():
    campaign = {**CAMPAIGN, "objective": "signups"}
    report = campaign_results(campaign, [_partner("pt_a", "a", 100, "APP")], [], _totals((["app"], "USD", 4, 0.0, 0)))
    assert next(k for k in report["kpis"] if k["metric"] == "signups") == {"metric": "signups", "target": 5, "actual": 4,
                                                                           "progress": 0.8}


def test_an_order_with_several_codes_counts_once_for_the_first_partner_owning_one():
    partners = [_partner("pt_a", "alice", 100, "ALICE"), _partner("pt_b", "bob", 100, "BOB")]
    report = campaign_results(CAMPAIGN, partners, [], _totals((["spring", "bob", "alice"], "USD", 1, 50.0, 0)))
    assert [(p["handle"], p["orders"]) for p in report["partners"]] == [("alice", 0), ("bob", 1)]
    assert report["totals"]["orders"] == 1


def test_other_currencies_are_counted_apart_never_converted():
    partners = [_partner("pt_a", "alice", 100, "ALICE"), _partner("pt_e", "eve", 90, "EVE", currency="EUR")]
    totals = _totals((["alice"], "USD", 2, 200.0, 0), (["alice"], "EUR", 1, 80.0, 0), (["eve"], "EUR", 3, 270.0, 0))
    report = campaign_results(CAMPAIGN, partners, [], totals)
    alice, eve = report["partners"]
    assert (alice["orders"], alice["revenue"], alice["revenue_other"], alice["roas"]) == (3, 200.0, {"EUR": 80.0}, 2.0)
    assert (eve["revenue"], eve["roas"], eve["currency"]) == (270.0, 3.0, "EUR")  # against its own fee's currency
    assert report["totals"]["revenue"] == 200.0 and report["totals"]["fees"] == 100 and report["totals"]["orders"] == 6
    assert report["other_currencies"] == [{"currency": "EUR", "orders": 4, "revenue": 350.0}]
    assert any("eve is in EUR" in n for n in report["notes"]) and any("in EUR" in n and "no conversion" in n for n in report["notes"])


def test_without_fee_or_orders_or_metrics_the_ratios_are_none_not_errors():
    report = campaign_results({**CAMPAIGN, "budget": None}, [_partner("pt_a", "a", None, "A")], [_metrics("pt_a")], [])
    (p,) = report["partners"]
    assert (p["roas"], p["cost_per_order"], p["cpm"], p["cpe"], p["views"], p["deliverables"], p["measured"]) == (
        None, None, None, None, None, 1, 0)
    assert report["totals"]["roas"] is None and report["totals"]["budget_used"] is None
    assert {k["metric"]: k["progress"] for k in report["kpis"]}["orders"] == 0.0


@pytest.mark.parametrize("target", [0, -5, None])
def test_a_target_that_is_no_target_has_no_progress(target):
    report = campaign_results({**CAMPAIGN, "kpis": [{"metric": "orders", "target": target}]}, [], [], [])
    assert report["kpis"][0]["progress"] is None


def test_codes_and_matching():
    partners = [_partner("pt_a", "a", 1, " Alice10 ", ""), _partner("pt_b", "b", 1, "ALICE10", "B")]
    assert code_owners(partners) == {"alice10": "pt_a", "b": "pt_b"}
    assert match_counts({"alice10": 3, "x\nb": 2, "": 4, "zzz": 1}, partners) == (5, 5)
    assert latest_reach([]) == {}
