"""`form_action` (server/dashboard/forms.py), the one shape of the dashboard's form POSTs, on its own
edges: what it does when a view is done, refuses, meets a store error, a gone object, a bad value
that stays on its page, or an error it does not own; and the session + CSRF check in front of all.

Its routes are the test's own, added to the real app (real store) under the dashboard's endpoint
prefix, so the security guard and the blueprint's error pages treat them as dashboard forms."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from server.dashboard.forms import Done, Refused, form_action, refusing
from server.services import get_store
from server.store import Conflict


def _missing(wid: str):
    return render_template_string("<p>gone: {{ wid }}</p>", wid=wid), 404


def _refused():
    raise Refused("Name it.", "Pick a number.", to="/watchlists")


def _taken(name: str):
    store = get_store()
    store.create_watchlist(name, 24)
    with refusing(Conflict, lambda exc: f"Taken <b>{name}</b> ({exc.code})."):
        store.create_watchlist(name, 24)  # the real store's Conflict
    return Done("not reached")


def _get_watchlist(wid: str):
    get_store().get_watchlist(wid)
    return Done("found")


def _bad_value():
    return render_template_string("<p>Followers: “{{ v }}” is not a number.</p>", v="10k<"), 400


def _bug():
    raise ZeroDivisionError("a bug at 0x7f")


# name: (rule, the route's view)
VIEWS = {
    "done": ("/t/done", form_action(back="/briefs")(lambda: Done("Saved <b>it</b>."))),
    "done_to": ("/t/done-to", form_action(back="/briefs")(lambda: Done("Moved.", to="/watchlists"))),
    "refused": ("/t/refused", form_action(back="/briefs")(_refused)),
    "taken": ("/t/taken/<name>", form_action(back=lambda name: f"/briefs#{name}")(_taken)),
    "gone": ("/t/gone/<wid>", form_action(back="/briefs", missing=_missing)(_get_watchlist)),
    "gone_unhandled": ("/t/gone-unhandled/<wid>", form_action(back="/briefs")(_get_watchlist)),
    "bad_value": ("/t/bad-value", form_action(back="/briefs")(_bad_value)),
    "bug": ("/t/bug", form_action(back="/briefs")(_bug)),
    "no_back": ("/t/no-back", form_action()(lambda: Done("Where to?"))),
}


@pytest.fixture
def forms(app, client):
    """The signed-in client, its CSRF token, and the test's form routes on the app."""
    for name, (rule, view) in VIEWS.items():
        app.add_url_rule(rule, endpoint=f"dashboard.test_{name}", view_func=view, methods=["POST"])
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    page = client.get("/briefs").get_data(as_text=True)
    return client, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _notices(client) -> list[tuple[str, str]]:
    """(kind, text) of the notices the next page shows (each is shown once)."""
    page = client.get("/briefs").get_data(as_text=True)
    return re.findall(r'<p class="notice notice-(\w+)" role="status">(.*?)</p>', page)


def test_done_is_one_notice_then_a_303_to_back_or_to(forms):
    client, csrf = forms
    r = client.post("/t/done", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/briefs"
    assert _notices(client) == [("ok", "Saved &lt;b&gt;it&lt;/b&gt;.")]  # text, never markup
    assert _notices(client) == []  # shown once
    r = client.post("/t/done-to", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/watchlists"


def test_refused_says_each_problem_as_an_error_notice(forms):
    client, csrf = forms
    r = client.post("/t/refused", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/watchlists"
    assert _notices(client) == [("error", "Name it."), ("error", "Pick a number.")]


def test_a_store_error_becomes_a_notice_and_the_stored_data_stays(forms):
    client, csrf = forms
    r = client.post("/t/taken/Trail", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["Location"] == "/briefs#Trail"  # `back` from the route's arguments
    assert _notices(client) == [("error", "Taken &lt;b&gt;Trail&lt;/b&gt; (conflict).")]
    with client.application.app_context():
        assert [w["name"] for w in get_store().list_watchlists()] == ["Trail"]


def test_a_gone_object_is_the_missing_page_else_the_error_page(forms):
    client, csrf = forms
    r = client.post("/t/gone/wl_nope", data={"csrf": csrf})
    assert r.status_code == 404 and r.get_data(as_text=True) == "<p>gone: wl_nope</p>"
    r = client.post("/t/gone-unhandled/wl_nope", data={"csrf": csrf})  # no `missing`: the blueprint's page
    assert r.status_code == 404 and '<section class="error-page">' in r.get_data(as_text=True)
    assert _notices(client) == []


def test_a_bad_value_stays_on_the_page_with_its_message(forms):
    client, csrf = forms
    r = client.post("/t/bad-value", data={"csrf": csrf})
    assert r.status_code == 400 and "Location" not in r.headers
    assert r.get_data(as_text=True) == "<p>Followers: “10k&lt;” is not a number.</p>"
    assert _notices(client) == []


def test_an_error_it_does_not_own_is_the_error_page_not_a_notice(forms):
    client, csrf = forms
    for path in ("/t/bug", "/t/no-back"):  # a bug; a form_action without `back` whose Done has no `to`
        r = client.post(path, data={"csrf": csrf})
        page = r.get_data(as_text=True)
        assert r.status_code == 500 and "kolscope hit an unexpected problem" in page
        assert "Traceback" not in page and "0x7f" not in page
    assert _notices(client) == []


def test_a_form_needs_the_session_and_its_csrf_token(forms, app):
    client, csrf = forms
    r = client.post("/t/done", data={"csrf": "forged"})
    assert r.status_code == 403 and "This form is out of date" in r.get_data(as_text=True)
    assert _notices(client) == []  # the view did not run
    stranger = app.test_client()
    r = stranger.post("/t/done", data={"csrf": csrf})
    assert r.status_code == 401 and 'name="token"' in r.get_data(as_text=True)
