"""CSV and JSON exports of a watchlist and of a comparison in spreadsheet units: percents as percents,
dates as `YYYY-MM-DD HH:MM` UTC, confidence and brief columns; the comparison's bad links are the
API's one JSON error listing each bad `c`; the CSV formula guard holds for a comparison too."""

from __future__ import annotations

import csv
import io
import re

from server.api.exports import COLUMNS
from tests.server.dashboard.conftest import compare_query
from tests.server.api.conftest import post_capture, x_capture

SHEET_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d$")


def csv_rows(resp) -> list[dict]:
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_watchlist_export_units(client, auth, trio):
    wl = client.post("/api/v1/watchlists", json={"name": "Spring"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "bob_miles"}, headers=auth)
    client.post("/api/v1/creators/x/bob_miles/notes", json={"text": "call back"}, headers=auth)
    api = client.get("/api/v1/creators/x/bob_miles", headers=auth).json["creator"]
    [row] = csv_rows(client.get(f"/api/v1/watchlists/{wl['id']}/export.csv", headers=auth))
    assert list(row) == list(COLUMNS)
    # the API's fraction 0.0018 is 0.18 in the percent column
    assert float(row["engagement_rate_percent"]) == round(api["engagement_rate"] * 100, 2)
    assert row["growth_30d_percent"] == str(api["growth_30d"]) and row["followers"] == "5100"
    assert row["captured_at_utc"] == "2026-02-01 09:30"
    assert row["median_views"].isdigit() and 0 <= float(row["paid_share_percent"]) <= 100
    assert row["brief_id"] == trio["id"] and row["brief_name"] == "Trail run"
    assert row["fit_confidence"] in ("low", "medium", "high") and row["fit_grade"] == api["fit"]["grade"]
    assert row["watchlist"] == "Spring" and row["notes"] == "call back"
    j = client.get(f"/api/v1/watchlists/{wl['id']}/export.json", headers=auth).json
    [c] = j["creators"]
    assert j["columns"] == list(COLUMNS) and c["captured_at_utc"] == "2026-02-01 09:30"
    assert c["engagement_rate_percent"] == float(row["engagement_rate_percent"]) and c["brief_name"] == "Trail run"
    assert SHEET_TIME.match(c["notes"][0]["created_at_utc"]) and c["notes"][0]["text"] == "call back"


def test_comparison_exports(client, auth, trio):
    wl = client.post("/api/v1/watchlists", json={"name": "Shortlist"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "ann_trails"}, headers=auth)
    q = compare_query("cat_sprints", "ann_trails")
    r = client.get(f"/api/v1/compare/export.csv?{q}", headers=auth)
    assert 'filename="kolscope-compare-cat_sprints-ann_trails.csv"' in r.headers["Content-Disposition"]
    rows = csv_rows(r)
    assert [x["handle"] for x in rows] == ["cat_sprints", "ann_trails"]  # in the order asked
    assert [x["watchlist"] for x in rows] == ["", "Shortlist"]
    assert all(SHEET_TIME.match(x["captured_at_utc"]) and x["brief_name"] == "Trail run" for x in rows)
    j = client.get(f"/api/v1/compare/export.json?{q}", headers=auth).json
    assert j["comparison"] == {"creators": ["x/cat_sprints", "x/ann_trails"]}
    assert [c["followers"] for c in j["creators"]] == [1300, 900]


def test_comparison_export_errors_are_the_api_shape(client, auth, trio):
    r = client.get("/api/v1/compare/export.csv?c=x/ann_trails&c=nope&c=zz/b", headers=auth)
    assert r.status_code == 400 and r.json["error"]["code"] == "invalid"
    assert set(r.json["error"]["fields"]) == {"c[1]", "c[2]"}
    r = client.get("/api/v1/compare/export.json?c=x/ann_trails", headers=auth)
    assert r.status_code == 400 and "c" in r.json["error"]["fields"]
    r = client.get("/api/v1/compare/export.json?c=x/ann_trails&c=x/ghost", headers=auth)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert r.json["error"]["fields"] == {"c[1]": "kolscope has nothing stored for x/ghost."}
    assert client.get("/api/v1/compare/export.csv?" + compare_query("ann_trails", "bob_miles")).status_code == 401


def test_comparison_csv_keeps_the_formula_guard(client, auth):
    post_capture(client, auth, x_capture("eve", name=" =HYPERLINK(evil)"))
    post_capture(client, auth, x_capture("max", name="＋1"))
    rows = csv_rows(client.get("/api/v1/compare/export.csv?" + compare_query("eve", "max"), headers=auth))
    assert [x["display_name"] for x in rows] == ["' =HYPERLINK(evil)", "'＋1"]
    # not captured by a brief: fit says so in words, never an empty grade
    assert {x["fit_grade"] for x in rows} == {"No grade"} and all(x["fit_withheld_reason"] for x in rows)
