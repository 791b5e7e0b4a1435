"""Issue 10's display parts: the confidence beside every fit and authenticity score ("no grade" with
the reason where the scorer withholds one) in the dashboard list, the creator page and the exports;
the decision numbers in the capture and creator answers and on the creator page."""

from __future__ import annotations

import csv
import io
import re

import pytest

from server import ingest
from server.scoring.decision import decision_numbers
from server.scoring.fit import NEEDS_BRIEF
from tests.server.api.conftest import post_capture, x_capture

WITHHELD = "Withheld: 2 of the 3 real factors needed (no post views, no comments)."


@pytest.fixture
def withheld_authenticity(monkeypatch):
    """The scorer withholding authenticity (score None with its reason) for handles starting 'thin'."""
    real = ingest.compute_scores

    def compute(snapshot, *args, **kwargs):
        scores = real(snapshot, *args, **kwargs)
        if str(snapshot.get("handle")).startswith("thin"):
            scores["authenticity"] = {"score": None, "grade": None, "confidence": "low", "reason": WITHHELD,
                                      "factors": scores["authenticity"]["factors"]}
        return scores

    monkeypatch.setattr(ingest, "compute_scores", compute)


def test_capture_and_creator_answers_carry_the_decision_numbers(client, auth):
    r = post_capture(client, auth, x_capture("deciding"))
    assert r.status_code == 201, r.json
    d = r.json["decision"]
    assert d == decision_numbers(r.json["snapshot"])
    # the fixture's numbers: 3 posts with likes, 2 with views, one paid post naming @ShoeCo
    assert d["engagement_rate_percent"] == round(r.json["scores"]["engagement_rate"] * 100, 2)
    assert d["median_views"] == 750 and d["median_views_posts"] == 2
    assert d["last_post_at"] == "2025-03-01T10:00:00Z" and d["inactive"] is False
    assert d["paid_brands"] == [{"name": "ShoeCo", "posts": 1}]
    got = client.get("/api/v1/creators/x/deciding", headers=auth).json
    assert got["decision"] == d


def test_a_creator_not_captured_yet_has_no_decision_numbers(client, auth):
    wl = client.post("/api/v1/watchlists", json={"name": "Later"}, headers=auth).json
    r = client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"url": "https://x.com/not_yet"}, headers=auth)
    assert r.status_code == 201, r.json
    got = client.get("/api/v1/creators/x/not_yet", headers=auth).json
    assert got["decision"] is None


def _login(client, app):
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303


def _cells(html: str, handle: str) -> str:
    row = re.search(rf"<tr data-creator=\"x/{handle}\">.*?</tr>", html, re.S)
    assert row, handle
    return row.group(0)


def test_the_dashboard_list_shows_confidence_or_no_grade_with_the_reason(client, auth, app, withheld_authenticity):
    post_capture(client, auth, x_capture("full_data"))
    post_capture(client, auth, x_capture("thin_data"))
    wl = client.post("/api/v1/watchlists", json={"name": "Mixed"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"url": "https://x.com/not_yet"}, headers=auth)
    _login(client, app)
    # the browsed creators (in no watchlist) and the shortlist (not_yet is in a watchlist)
    html = client.get("/browsed").get_data(as_text=True) + client.get("/").get_data(as_text=True)
    full = client.get("/api/v1/creators/x/full_data", headers=auth).json["creator"]["authenticity"]
    row = _cells(html, "full_data")
    score = round(full["score"])
    assert re.search(rf'data-score="authenticity">{score} <span class="grade">{full["grade"]}</span>', row)
    assert f'data-confidence="authenticity">{full["confidence"]} confidence<' in row
    # no active brief: fit is withheld, and says why, in every row
    assert 'data-score="fit">No grade<' in row and NEEDS_BRIEF in row
    thin = _cells(html, "thin_data")
    assert 'data-score="authenticity">No grade<' in thin and WITHHELD in thin
    assert 'data-confidence="authenticity"' not in thin  # nothing like a 0 or an F
    assert re.search(r'data-score="authenticity">\s*0\b', thin) is None
    never = _cells(html, "not_yet")
    assert never.count("Not captured yet.") == 2


def test_the_creator_page_shows_confidence_and_the_decision_numbers(client, auth, app, withheld_authenticity):
    brief = client.post("/api/v1/briefs", json={"name": "Running", "keywords": ["running"]}, headers=auth).json
    client.put("/api/v1/briefs/active", json={"id": brief["id"]}, headers=auth)
    post_capture(client, auth, x_capture("thin_page"))
    _login(client, app)
    html = client.get("/creator/x/thin_page").get_data(as_text=True)
    api = client.get("/api/v1/creators/x/thin_page", headers=auth).json
    fit = api["scores"]["fit"]
    assert f'data-score="fit">{round(fit["score"])} <span class="grade">{fit["grade"]}</span>' in html
    assert f'data-confidence="fit">{fit["confidence"]} confidence<' in html
    assert 'data-score="authenticity">No grade<' in html and WITHHELD in html
    d = api["decision"]
    assert f'data-decision="engagement">{d["engagement_rate_percent"]:.2f}%<' in html
    assert 'data-decision="median-views">750<' in html
    assert 'data-decision="last-post">2025-03-01<' in html
    assert 'data-decision="brands">@ShoeCo<' in html


def test_an_inactive_creator_page_says_inactive(client, auth, app):
    post_capture(client, auth, x_capture("sleepy", captured_at="2026-01-01T00:00:00Z"))
    _login(client, app)
    html = client.get("/creator/x/sleepy").get_data(as_text=True)
    assert 'data-decision="last-post">inactive<' in html and "(last 2025-03-01)" in html


def test_the_withheld_reason_reads_after_the_no_grade_label(client, auth, app):
    """The scorer's reason does not repeat the "No grade" the dashboard and overlay put before it."""
    thin = x_capture("thin_real")
    for response in thin.get("responses", []):  # the profile without its posts: too little for a grade
        if "UserTweets" in response.get("url", ""):
            response["body"] = '{"data": {}}'
    r = post_capture(client, auth, thin)
    reason = r.json["scores"]["authenticity"]["reason"]
    assert r.json["scores"]["authenticity"]["score"] is None, r.json["scores"]["authenticity"]
    assert not reason.lower().startswith("no grade"), reason
    _login(client, app)
    html = client.get("/creator/x/thin_real").get_data(as_text=True)
    assert html.count(">No grade<") >= 1 and "No grade: " not in html


def test_exports_carry_confidence_and_say_no_grade_with_the_reason(client, auth, withheld_authenticity):
    post_capture(client, auth, x_capture("full_data"))
    post_capture(client, auth, x_capture("thin_data"))
    wl = client.post("/api/v1/watchlists", json={"name": "Export"}, headers=auth).json
    for handle in ("full_data", "thin_data"):
        client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": handle}, headers=auth)
    text = client.get(f"/api/v1/watchlists/{wl['id']}/export.csv", headers=auth).get_data(as_text=True)
    rows = {r["handle"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    full = client.get("/api/v1/creators/x/full_data", headers=auth).json["creator"]["authenticity"]
    assert rows["full_data"]["authenticity_grade"] == full["grade"]
    assert rows["full_data"]["authenticity_confidence"] == full["confidence"]
    assert rows["full_data"]["authenticity_withheld_reason"] == ""
    assert rows["thin_data"]["authenticity_score"] == "" and rows["thin_data"]["authenticity_grade"] == "No grade"
    assert rows["thin_data"]["authenticity_withheld_reason"] == WITHHELD
    assert rows["thin_data"]["authenticity_confidence"] == ""
    assert rows["full_data"]["fit_grade"] == "No grade" and rows["full_data"]["fit_withheld_reason"] == NEEDS_BRIEF
    j = client.get(f"/api/v1/watchlists/{wl['id']}/export.json", headers=auth).json
    by = {c["handle"]: c for c in j["creators"]}
    assert by["full_data"]["authenticity_confidence"] == full["confidence"]
    assert by["thin_data"]["authenticity_grade"] == "No grade"
    assert by["thin_data"]["authenticity_withheld_reason"] == WITHHELD
    assert "fit_confidence" in j["columns"] and "authenticity_withheld_reason" in j["columns"]
