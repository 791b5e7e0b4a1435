"""The briefs screen through the test client: list, create (the first becomes active), edit,
duplicate, delete after a confirm page, activate; typed inputs ("3%", "Germany", "German") stored
as the scoring's units; mistakes named next to their field with the typed values kept."""

from __future__ import annotations

import re

import pytest

from tests.server.api.conftest import post_capture, x_capture

GOOD = {"name": "Running shoes DACH", "keywords": "running, marathon\ntrail", "countries": "Germany, Österreich, CH",
        "languages": "German", "tiers": ["micro", "mid"], "platforms": ["x"], "followers_min": "10k",
        "min_engagement_rate": "3%", "max_sponsored_ratio": "0.3", "blocked_terms": "nike", "competitors": "Salomon",
        "competitor_days": "60"}


def _login(client, app) -> str:
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    page = client.get("/briefs").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _wait_rescore(app) -> None:
    thread = app.extensions.get("kolscope_rescore")
    if thread is not None:
        thread.join(30)


def _api_briefs(client, auth):
    return client.get("/api/v1/briefs", headers=auth).json


def test_briefs_page_needs_a_session(client):
    r = client.get("/briefs")
    assert r.status_code == 401 and 'name="token"' in r.get_data(as_text=True)
    r = client.post("/briefs/new", data=GOOD)
    assert r.status_code == 401 and 'name="token"' in r.get_data(as_text=True)


def test_create_reads_what_a_marketer_types_and_the_first_brief_becomes_active(client, app, auth):
    csrf = _login(client, app)
    page = client.get("/briefs/new").get_data(as_text=True)
    # tiers with their follower ranges from scoring's table
    assert "micro" in page and "10k–100k followers" in page and "1M followers or more" in page
    r = client.post("/briefs/new", data=dict(GOOD, csrf=csrf))
    assert r.status_code == 303 and r.headers["Location"].endswith("/briefs")
    listed = _api_briefs(client, auth)
    [b] = listed["items"]
    assert listed["active"] == b["id"]
    assert b["countries"] == ["DE", "AT", "CH"] and b["languages"] == ["de"]
    assert b["min_engagement_rate"] == 0.03 and b["max_sponsored_ratio"] == 0.3 and b["followers_min"] == 10_000
    assert b["keywords"] == ["running", "marathon", "trail"] and b["tiers"] == ["micro", "mid"]
    assert b["competitors"] == ["Salomon"] and b["competitor_days"] == 60
    _wait_rescore(app)
    page = client.get("/briefs").get_data(as_text=True)
    assert "saved and made active" in page and "Running shoes DACH" in page
    assert re.search(r'class="active-brief".*?Running shoes DACH.*?badge">active', page, re.S)
    assert "ER at least 3%" in page and "Germany" in page and "German" in page

    # a second brief is saved but does not take over
    r = client.post("/briefs/new", data={"name": "Other", "csrf": csrf})
    assert r.status_code == 303
    assert _api_briefs(client, auth)["active"] == b["id"]


@pytest.mark.parametrize(("field", "typed", "words"), [
    ("min_engagement_rate", "lots", "is not a percentage"),
    ("max_sponsored_ratio", "150%", "between 0% and 100%"),
    ("countries", "Germany, Atlantis", "Not a country kolscope knows: “Atlantis”"),
    ("languages", "Klingon", "Not a language kolscope knows: “Klingon”"),
    ("followers_min", "many", "is not a number of followers"),
    ("name", "", "Give the brief a name"),
])
def test_a_mistake_is_named_next_to_its_field_and_the_typed_values_stay(client, app, auth, field, typed, words):
    csrf = _login(client, app)
    r = client.post("/briefs/new", data=dict(GOOD, csrf=csrf, **{field: typed}))
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(words)}', page.replace("&#34;", '"'))
    if typed:
        assert f'value="{typed}"' in page or f">{typed}<" in page
    assert 'value="Running shoes DACH"' in page or field == "name"
    assert 'value="micro" checked' in page  # ticked boxes stay ticked
    assert _api_briefs(client, auth)["items"] == []  # nothing stored


def test_every_mistake_at_once(client, app, auth):
    csrf = _login(client, app)
    r = client.post("/briefs/new", data={"csrf": csrf, "name": "x", "countries": "Narnia", "min_engagement_rate": "?",
                                         "followers_min": "100k", "followers_max": "1k", "tiers": ["giga"]})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    for field in ("countries", "min_engagement_rate", "tiers"):
        assert f'id="{field}-error"' in page
    r = client.post("/briefs/new", data={"csrf": csrf, "name": "x", "followers_min": "100k", "followers_max": "1k"})
    assert r.status_code == 400 and "must not be below" in r.get_data(as_text=True)


def test_edit_shows_words_and_saves_changes(client, app, auth):
    csrf = _login(client, app)
    client.post("/briefs/new", data=dict(GOOD, csrf=csrf))
    bid = _api_briefs(client, auth)["items"][0]["id"]
    page = client.get(f"/briefs/{bid}/edit").get_data(as_text=True)
    assert 'value="3%"' in page and 'value="30%"' in page and 'value="10,000"' in page
    assert "Germany, Austria, Switzerland" in page and 'value="German"' in page
    # sending the form back unchanged keeps the brief as it was
    before = _api_briefs(client, auth)["items"][0]
    form = {"csrf": csrf, "name": "Running shoes DACH", "keywords": "running\nmarathon\ntrail",
            "countries": "Germany, Austria, Switzerland", "languages": "German", "tiers": ["micro", "mid"],
            "platforms": ["x"], "followers_min": "10,000", "min_engagement_rate": "3%",
            "max_sponsored_ratio": "30%", "blocked_terms": "nike", "competitors": "Salomon", "competitor_days": "60"}
    assert client.post(f"/briefs/{bid}/edit", data=form).status_code == 303
    after = _api_briefs(client, auth)["items"][0]
    assert {k: v for k, v in after.items() if k != "updated_at"} == {k: v for k, v in before.items() if k != "updated_at"}
    form.update(min_engagement_rate="2,5 %", countries="Allemagne")
    assert client.post(f"/briefs/{bid}/edit", data=form).status_code == 303
    after = _api_briefs(client, auth)["items"][0]
    assert after["min_engagement_rate"] == 0.025 and after["countries"] == ["DE"]
    assert client.get("/briefs/nope/edit").status_code == 404


def test_duplicate_activate_and_delete_with_a_confirm_step(client, app, auth):
    post_capture(client, auth, x_capture("bo_runs"))
    csrf = _login(client, app)
    client.post("/briefs/new", data=dict(GOOD, csrf=csrf))
    first = _api_briefs(client, auth)["items"][0]["id"]
    r = client.post(f"/briefs/{first}/duplicate", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"].endswith("/edit")
    listed = _api_briefs(client, auth)
    copy = next(b for b in listed["items"] if b["id"] != first)
    assert copy["name"] == "Running shoes DACH (copy)" and copy["countries"] == ["DE", "AT", "CH"]
    assert listed["active"] == first

    _wait_rescore(app)
    assert client.post(f"/briefs/{copy['id']}/activate", data={"csrf": csrf}).status_code == 303
    _wait_rescore(app)
    assert _api_briefs(client, auth)["active"] == copy["id"]
    [creator] = client.get("/api/v1/creators", headers=auth).json["items"]
    assert creator["fit_brief_id"] == copy["id"]  # re-scored against the brief now active

    # delete: a GET shows a confirm page (nothing deleted), the POST deletes
    page = client.get(f"/briefs/{copy['id']}/delete").get_data(as_text=True)
    assert "Delete the brief" in page and "It is the active brief" in page
    assert len(_api_briefs(client, auth)["items"]) == 2
    r = client.post(f"/briefs/{copy['id']}/delete", data={"csrf": csrf})
    assert r.status_code == 303
    _wait_rescore(app)
    listed = _api_briefs(client, auth)
    assert [b["id"] for b in listed["items"]] == [first] and listed["active"] is None
    assert "No brief is active now" in client.get("/briefs").get_data(as_text=True)
    assert client.post(f"/briefs/{copy['id']}/delete", data={"csrf": csrf}).status_code == 404


def test_forms_need_the_csrf_token(client, app, auth):
    _login(client, app)
    r = client.post("/briefs/new", data=dict(GOOD, csrf="forged"))
    assert r.status_code == 403 and "out of date" in r.get_data(as_text=True)
    assert _api_briefs(client, auth)["items"] == []


def test_brief_names_are_text_not_markup(client, app, auth):
    csrf = _login(client, app)
    client.post("/briefs/new", data={"csrf": csrf, "name": "<script>alert(1)</script>"})
    page = client.get("/briefs").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
