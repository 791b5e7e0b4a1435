"""The campaign screens: set up a campaign with KPIs, add partners by URL or from a watchlist, give each
its own plan (a copied one flagged), mark a post, see its numbers move with the next capture, import
orders, and read KPI progress, ROAS and cost per order on the page, in the HTML/PDF report and the CSV.
Every form needs the session's CSRF token; bad input is a page or a notice in words, never a 500."""

from __future__ import annotations

import csv
import html as html_text
import io
import json
import re
import time

import pytest

from tests.server.api.conftest import post_capture, x_capture

XSS = "<img src=x onerror=alert(1)>"


def _login(client, app) -> str:
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    page = client.get("/campaigns").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _bumped(views: int, at: str = "2026-02-10T00:00:00Z") -> dict:
    """bo_runs again at `at`, its newest post (9103) now showing `views` views."""
    cap = x_capture("bo_runs", captured_at=at)
    for r in cap["responses"]:
        r["body"] = r["body"].replace('"count": "1200"', f'"count": "{views}"')
    return cap


def _notice(client, location: str) -> str:
    html = client.get(location).get_data(as_text=True)
    found = re.findall(r'<p class="notice notice-(\w+)" role="status">([^<]*)</p>', html)
    return " | ".join(f"{k}: {html_text.unescape(t)}" for k, t in found)


@pytest.fixture
def campaign(client, auth, app):
    post_capture(client, auth, x_capture("bo_runs"))
    post_capture(client, auth, x_capture("cy_cooks"))
    csrf = _login(client, app)
    r = client.post("/campaigns", data={
        "csrf": csrf, "name": f"Spring {XSS}", "objective": "sales", "budget": "2,000", "currency": "usd",
        "start": "2026-01-01", "end": "2026-03-31",
        "kpi_metric": ["orders", "revenue", ""], "kpi_target": ["4", "1,000", ""]})
    assert r.status_code == 303, r.get_data(as_text=True)
    cid = re.search(r"/campaigns/(cp_[0-9a-f]+)", r.headers["Location"]).group(1)
    return {"id": cid, "csrf": csrf, "url": f"/campaigns/{cid}"}


def test_the_campaign_list_and_a_new_campaign_with_its_kpis(client, app, auth, campaign):
    doc = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=auth).json
    assert doc["kpis"] == [{"metric": "orders", "target": 4}, {"metric": "revenue", "target": 1000}]
    assert doc["budget"] == 2000 and doc["currency"] == "USD"
    listing = client.get("/campaigns").get_data(as_text=True)
    assert "Spring &lt;img src=x onerror=alert(1)&gt;" in listing and "<img" not in listing
    page = client.get(campaign["url"])
    assert page.status_code == 200 and 'tr data-metric="orders"' in page.get_data(as_text=True)


def test_bad_campaign_input_is_a_page_naming_each_field_and_stores_nothing(client, app):
    csrf = _login(client, app)
    r = client.post("/campaigns", data={"csrf": csrf, "name": "", "objective": "fame", "budget": "lots",
                                        "kpi_metric": ["orders"], "kpi_target": ["-3"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "objective" in html and "budget" in html and "kpis" in html
    assert 'value="lots"' in html  # what was typed is kept
    assert client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {app.config['TOKEN']}"}).json["items"] == []


def test_forms_need_the_session_and_its_csrf_token(client, app, campaign):
    r = client.post(f"{campaign['url']}/partners", data={"url": "https://x.com/bo_runs"})
    assert r.status_code == 403
    client.post("/logout", data={"csrf": campaign["csrf"]})
    r = client.post(f"{campaign['url']}/partners", data={"csrf": campaign["csrf"], "url": "https://x.com/bo_runs"})
    assert r.status_code == 401 and b'name="token"' in r.data
    assert client.get(campaign["url"]).status_code == 401


def test_partners_plans_deliverables_orders_and_results(client, app, auth, campaign):
    url, csrf, cid = campaign["url"], campaign["csrf"], campaign["id"]
    # by URL, and from a watchlist (the shortlist)
    r = client.post(f"{url}/partners", data={"csrf": csrf, "url": "https://x.com/bo_runs"})
    assert r.status_code == 303 and "bo_runs added" in _notice(client, r.headers["Location"])
    wl = client.post("/api/v1/watchlists", json={"name": "Cooks"}, headers=auth).json
    client.post(f"/api/v1/watchlists/{wl['id']}/creators", json={"platform": "x", "handle": "cy_cooks"}, headers=auth)
    assert 'value="x/cy_cooks"' in client.get(url).get_data(as_text=True)
    partners = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["partners"]
    bo = partners[0]["id"]
    r = client.post(f"{url}/partners", data={"csrf": csrf, "creator": "x/cy_cooks", "copy_plan_from": bo})
    assert "copied plan" in _notice(client, r.headers["Location"])
    cy = [p for p in client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["partners"] if p["id"] != bo][0]["id"]
    assert "copied from @bo_runs — edit before use" in client.get(url).get_data(as_text=True)

    # each its own plan; a bad one is a notice naming the field, and changes nothing
    r = client.post(f"{url}/partners/{bo}", data={
        "csrf": csrf, "status": "agreed", "fee": "300", "currency": "USD", "promo_codes": "BO10, bo-vip",
        "tracking_url": "https://shop.example/bo", "talking_points": f"Say it <b>plainly</b> {XSS}",
        "d_platform": ["x", "x"], "d_format": ["post", ""], "d_count": ["2", ""], "d_due": ["2026-02-01", ""]})
    assert "Plan of @bo_runs saved" in _notice(client, r.headers["Location"])
    r = client.post(f"{url}/partners/{cy}", data={"csrf": csrf, "fee": "cheap", "promo_codes": "BO10",
                                                 "d_platform": ["x"], "d_format": ["gif"], "d_count": ["1"], "d_due": [""]})
    said = _notice(client, r.headers["Location"])
    assert "not saved" in said and "fee" in said and "format" in said
    r = client.post(f"{url}/partners/{cy}", data={"csrf": csrf, "fee": "100", "promo_codes": "CY5",
                                                 "d_platform": ["x"], "d_format": ["post"], "d_count": ["1"], "d_due": [""]})
    assert "saved" in _notice(client, r.headers["Location"])
    page = client.get(url).get_data(as_text=True)
    assert "edit before use" not in page  # the copy flag ends with the edit
    assert "Say it &lt;b&gt;plainly&lt;/b&gt; &lt;img" in page and "<b>plainly" not in page

    # a post of bo_runs as a deliverable; the next capture of bo_runs reads its numbers
    r = client.post(f"{url}/deliverables", data={"csrf": csrf, "partner_id": bo, "url": "https://x.com/bo_runs/status/9103"})
    assert "marked" in _notice(client, r.headers["Location"])
    r = client.post(f"{url}/deliverables", data={"csrf": csrf, "partner_id": bo, "url": "https://x.com/bo_runs"})
    assert "does not name a post" in _notice(client, r.headers["Location"])
    post_capture(client, auth, _bumped(1200, "2026-02-10T00:00:00Z"))
    post_capture(client, auth, _bumped(1500, "2026-02-11T00:00:00Z"))
    page = client.get(url).get_data(as_text=True)
    views = re.search(r'<td class="num d-views">([^<]*)<small>\(\+([^)]*)\)', page)
    assert views and views.group(1).strip() == "1,500" and views.group(2) == "300"
    assert 'class="spark"' in page

    # orders: codes of bo_runs, case-insensitively; one code nobody has
    body = ("date,order_id,total,currency,discount_code\n2026-02-02,1,100,USD,bo10\n2026-02-03,2,50,USD,BO-VIP\n"
            "2026-02-04,3,20,USD,NOPE\n")
    r = client.post(f"{url}/orders", data={"csrf": csrf, "orders": (io.BytesIO(body.encode()), "orders.csv")},
                    content_type="multipart/form-data")
    assert "3 orders imported: 2 matched a partner's promo code, 1 did not" in _notice(client, r.headers["Location"])
    broken = "date,order_id,total,currency,discount_code\n2026-02-02,9,abc,USD,BO10\n"
    r = client.post(f"{url}/orders", data={"csrf": csrf, "orders": (io.BytesIO(broken.encode()), "bad.csv")},
                    content_type="multipart/form-data")
    said = _notice(client, r.headers["Location"])
    assert "Nothing was imported" in said and "2" in said  # the line named

    page = client.get(url).get_data(as_text=True)
    row = re.search(r'<tr data-partner="x/bo_runs">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'class="num orders">2<', row) and re.search(r'class="num roas">0.50<', row)
    assert re.search(r'class="num cpo">150<', row) and re.search(r'class="num revenue">150<', row)
    assert re.search(r'data-metric="orders">.*?kpi-progress">50.0%', page, re.S)
    assert re.search(r'data-metric="revenue">.*?kpi-progress">15.0%', page, re.S)
    assert '<svg class="campaign-chart"' in page and 'class="live"' in page and 'class="due"' in page

    # the report: self-contained HTML, the same figures; a PDF of it; a CSV
    r = client.get(f"{url}/report.html")
    html = r.get_data(as_text=True)
    assert r.headers["Content-Disposition"].startswith("attachment") and "<link" not in html and "<style>" in html
    assert re.search(r'class="num roas">0.50<', html) and 'kpi-progress">50.0%' in html
    assert "Spring &lt;img" in html and "<img" not in html
    rows = list(csv.reader(io.StringIO(client.get(f"{url}/report.csv").get_data(as_text=True).lstrip("\ufeff"))))
    head = rows[0]
    bo_row = dict(zip(head, next(r for r in rows if r[:2] == ["x", "bo_runs"])))
    assert (bo_row["orders"], bo_row["roas"], bo_row["cost_per_order"]) == ("2", "0.5", "150.0")


def test_the_pdf_report(client, app, campaign):
    from pypdf import PdfReader

    r = client.get(f"{campaign['url']}/report.pdf")
    if r.status_code == 503:
        pytest.skip(r.get_data(as_text=True))
    assert r.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "KPI progress" in text and "Spring" in text


def test_fair_price_beside_the_fee_with_its_verdict(client, app, auth, campaign):
    url, csrf, cid = campaign["url"], campaign["csrf"], campaign["id"]
    client.post(f"{url}/partners", data={"csrf": csrf, "url": "https://x.com/bo_runs"})
    bo = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["partners"][0]["id"]
    band = client.get("/api/v1/creators/x/bo_runs/price?format=post", headers=auth).json["formats"][0]
    client.post(f"{url}/partners/{bo}", data={"csrf": csrf, "fee": str(band["high"] * 10), "d_platform": ["x"],
                                             "d_format": ["post"], "d_count": ["1"], "d_due": [""]})
    page = client.get(url).get_data(as_text=True)
    assert 'class="verdict verdict-high"' in page and "Fair post fee" in page


def test_unknown_campaign_is_a_404_page(client, app):
    _login(client, app)
    for path in ("/campaigns/cp_000000000000", "/campaigns/cp_000000000000/report.html",
                 "/campaigns/cp_000000000000/report.csv"):
        r = client.get(path)
        assert r.status_code == 404 and b"No such campaign" in r.data


def test_the_refresh_button_refreshes_the_partners_and_their_deliverables_move(client, app, auth, campaign, tmp_path):
    """Through the watchlists' refresh machinery, replaying a capture of bo_runs whose post shows more views."""
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / "bo.capture.json").write_text(json.dumps(_bumped(2000, "2026-02-12T00:00:00Z")))
    app.config["REPLAY_DIR"] = str(replay)
    url, csrf, cid = campaign["url"], campaign["csrf"], campaign["id"]
    client.post(f"{url}/partners", data={"csrf": csrf, "url": "https://x.com/bo_runs"})
    bo = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["partners"][0]["id"]
    client.post(f"{url}/deliverables", data={"csrf": csrf, "partner_id": bo, "url": "https://x.com/bo_runs/status/9103"})
    r = client.post(f"{url}/refresh", data={"csrf": csrf})
    assert r.status_code == 303 and "Refreshing" in _notice(client, r.headers["Location"])
    deadline = time.monotonic() + 90
    while client.get(f"/api/v1/campaigns/{cid}/refresh", headers=auth).json["running"]:
        assert time.monotonic() < deadline, "the refresh did not finish"
        time.sleep(0.3)
    status = client.get(f"/api/v1/campaigns/{cid}/refresh", headers=auth).json
    assert [(p["handle"], p["status"]) for p in status["partners"]] == [("bo_runs", "ok")], status
    metrics = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["deliverables"][0]["metrics"]
    assert metrics[-1]["views"] == 2000
    assert "last refresh" in client.get(url).get_data(as_text=True)


def test_a_fee_in_another_currency_than_the_band_is_not_judged(client, app, auth):
    post_capture(client, auth, x_capture("bo_runs"))
    csrf = _login(client, app)
    r = client.post("/campaigns", data={"csrf": csrf, "name": "Euro", "objective": "reach", "currency": "EUR"})
    url = r.headers["Location"]
    client.post(f"{url}/partners", data={"csrf": csrf, "url": "https://x.com/bo_runs"})
    pid = client.get(f"/api/v1/campaigns/{url.rsplit('/', 1)[1]}", headers=auth).json["partners"][0]["id"]
    client.post(f"{url}/partners/{pid}", data={"csrf": csrf, "fee": "100000"})
    page = client.get(url).get_data(as_text=True)
    assert 'verdict-unknown' in page and "The fee is in EUR; the band is in USD (no conversion)." in page
