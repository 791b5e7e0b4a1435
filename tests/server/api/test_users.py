"""Issue 16, users: who makes each request (the store's own token is the admin "owner"; a user's token
is that user, looked up on every request so a revoked or rotated token stops at once, dashboard
sessions too), the admin-only users API, /me, and the author kept on notes, bookmarks and plans."""

from __future__ import annotations

import re

from tests.server.api.conftest import post_capture, x_capture

EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
OTHER = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def add_user(client, auth, name: str, admin: bool = False) -> str:
    r = client.post("/api/v1/users", json={"name": name, "admin": admin}, headers=auth)
    assert r.status_code == 201, r.json
    assert r.json["name"] == name and r.json["admin"] is admin and r.json["revoked_at"] is None
    assert r.json["token_hint"] == r.json["token"][:4]
    return r.json["token"]


def test_me_names_the_owner_and_each_user(client, auth):
    assert client.get("/api/v1/me", headers=auth).json == {"name": "owner", "admin": True}
    ana = add_user(client, auth, "ana", admin=True)
    bo = add_user(client, auth, "bo")
    assert client.get("/api/v1/me", headers=bearer(ana)).json == {"name": "ana", "admin": True}
    assert client.get("/api/v1/me", headers=bearer(bo)).json == {"name": "bo", "admin": False}
    assert client.get("/api/v1/me", headers=bearer(bo + "x")).status_code == 401


def test_only_admins_manage_users(client, auth):
    ana = add_user(client, auth, "ana", admin=True)
    bo = add_user(client, auth, "bo")
    for method, path, body in (("get", "/api/v1/users", None), ("post", "/api/v1/users", {"name": "cy"}),
                               ("post", "/api/v1/users/ana/revoke", None), ("post", "/api/v1/users/ana/rotate", None)):
        r = getattr(client, method)(path, json=body, headers=bearer(bo))
        assert r.status_code == 403 and r.json["error"]["code"] == "forbidden", (path, r.json)
    # an admin user may, as the owner may
    add_user(client, auth=bearer(ana), name="cy")
    names = [u["name"] for u in client.get("/api/v1/users", headers=bearer(ana)).json["items"]]
    assert names == ["ana", "bo", "cy"]
    # the list never shows a token or its digest
    listed = client.get("/api/v1/users", headers=auth).get_data(as_text=True)
    assert bo not in listed and "sha256" not in listed
    # the non-admin's own request changed nothing
    assert client.get("/api/v1/me", headers=bearer(ana)).status_code == 200


def test_bad_names_and_duplicates_are_clear_errors(client, auth):
    add_user(client, auth, "ana")
    for name in ("", "a b", "x" * 65, "ana/../x"):
        r = client.post("/api/v1/users", json={"name": name}, headers=auth)
        assert r.status_code == 400 and r.json["error"]["code"] == "invalid", name
    r = client.post("/api/v1/users", json={"name": "owner"}, headers=auth)
    assert r.status_code == 400 and "owner" in r.json["error"]["message"]
    r = client.post("/api/v1/users", json={"name": "ANA"}, headers=auth)
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    r = client.post("/api/v1/users/nobody/revoke", headers=auth)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    r = client.post("/api/v1/users", json={"name": "cy", "admin": "yes"}, headers=auth)
    assert r.status_code == 400


def test_revoke_and_rotate_take_effect_at_once(client, auth):
    bo = add_user(client, auth, "bo")
    assert client.get("/api/v1/watchlists", headers=bearer(bo)).status_code == 200
    r = client.post("/api/v1/users/bo/rotate", headers=auth)
    assert r.status_code == 200 and r.json["token"] != bo and r.json["revoked_at"] is None
    new = r.json["token"]
    assert client.get("/api/v1/watchlists", headers=bearer(bo)).status_code == 401
    assert client.get("/api/v1/watchlists", headers=bearer(new)).status_code == 200
    r = client.post("/api/v1/users/bo/revoke", headers=auth)
    assert r.status_code == 200 and r.json["revoked_at"]
    assert client.get("/api/v1/watchlists", headers=bearer(new)).status_code == 401
    # the owner's token is no user: it cannot be revoked through the users API
    assert client.post("/api/v1/users/owner/revoke", headers=auth).status_code == 404
    assert client.get("/api/v1/me", headers=auth).status_code == 200


def test_notes_carry_their_author_and_editor(client, auth):
    post_capture(client, auth, x_capture("AdaRuns"))
    ana, bo = add_user(client, auth, "ana"), add_user(client, auth, "bo")
    r = client.post("/api/v1/creators/x/AdaRuns/notes", json={"text": "Rate 300 USD"}, headers=bearer(ana))
    assert r.status_code == 201 and r.json["author"] == "ana" and r.json["updated_by"] is None
    nid = r.json["id"]
    r = client.patch(f"/api/v1/creators/x/AdaRuns/notes/{nid}", json={"text": "Rate 350 USD"}, headers=bearer(bo))
    assert r.json["author"] == "ana" and r.json["updated_by"] == "bo"
    r = client.post("/api/v1/creators/x/AdaRuns/notes", json={"text": "owner's"}, headers=auth)
    assert r.json["author"] == "owner"
    notes = client.get("/api/v1/creators/x/AdaRuns/notes", headers=auth).json["items"]
    assert [(n["author"], n["updated_by"]) for n in notes] == [("ana", "bo"), ("owner", None)]


def test_bookmarks_carry_who_added_them(client, auth):
    bo = add_user(client, auth, "bo")
    wid = client.post("/api/v1/watchlists", json={"name": "Spring"}, headers=auth).json["id"]
    r = client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "AdaRuns"},
                    headers=bearer(bo))
    assert r.status_code == 201 and r.json["added_by"] == "bo" and r.json["added_at"]
    # adding it again keeps the first adder
    r = client.post(f"/api/v1/watchlists/{wid}/creators", json={"url": "https://x.com/AdaRuns"}, headers=auth)
    assert r.json["added_by"] == "bo"
    client.post(f"/api/v1/watchlists/{wid}/creators", json={"platform": "x", "handle": "CyRides"}, headers=auth)
    members = client.get(f"/api/v1/watchlists/{wid}", headers=auth).json["creators"]
    assert {m["handle"]: m["added_by"] for m in members} == {"AdaRuns": "bo", "CyRides": "owner"}


def test_campaign_plans_carry_who_set_them(client, auth):
    ana, bo = add_user(client, auth, "ana"), add_user(client, auth, "bo")
    cid = client.post("/api/v1/campaigns", json={"name": "Launch", "objective": "sales"}, headers=auth).json["id"]
    r = client.post(f"/api/v1/campaigns/{cid}/partners", json={"platform": "x", "handle": "AdaRuns"},
                    headers=bearer(ana))
    assert r.status_code == 201, r.json
    assert r.json["author"] == "ana" and r.json["updated_by"] == "ana"
    r = client.patch(f"/api/v1/campaigns/{cid}/partners/{r.json['id']}", json={"status": "contacted"},
                     headers=bearer(bo))
    assert r.status_code == 200, r.json
    assert r.json["author"] == "ana" and r.json["updated_by"] == "bo"


# ---- the dashboard ----------------------------------------------------------------------------------

def login(client, token: str):
    return client.post("/login", data={"token": token})


def csrf_of(client, path: str = "/") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_a_user_signs_in_to_the_dashboard_and_is_named(app, client, auth):
    bo = add_user(client, auth, "bo")
    dash = app.test_client()
    assert login(dash, bo).status_code == 303
    page = dash.get("/").get_data(as_text=True)
    assert "Signed in as <strong>bo</strong>" in page and 'href="/users"' not in page
    assert dash.get("/users").status_code == 403
    # revoked: the session opened with that token ends on the next request
    client.post("/api/v1/users/bo/revoke", headers=auth)
    r = dash.get("/")
    assert r.status_code == 401 and b'action="/login"' in r.data
    # and a revoked token cannot sign in again
    assert b"not right" in login(app.test_client(), bo).data


def test_a_rotated_token_ends_its_dashboard_sessions(app, client, auth):
    bo = add_user(client, auth, "bo")
    dash = app.test_client()
    login(dash, bo)
    assert dash.get("/").status_code == 200
    client.post("/api/v1/users/bo/rotate", headers=auth)
    assert dash.get("/").status_code == 401


def test_the_dashboard_writes_under_the_signed_in_name(app, client, auth):
    post_capture(client, auth, x_capture("AdaRuns"))
    wid = client.post("/api/v1/watchlists", json={"name": "Spring"}, headers=auth).json["id"]
    bo = add_user(client, auth, "bo")
    dash = app.test_client()
    login(dash, bo)
    csrf = csrf_of(dash, "/creator/x/AdaRuns")
    assert dash.post("/creator/x/AdaRuns/notes", data={"csrf": csrf, "text": "Met at the fair"}).status_code == 303
    assert dash.post("/creator/x/AdaRuns/watchlists", data={"csrf": csrf, "watchlist": wid}).status_code == 303
    page = dash.get("/creator/x/AdaRuns").get_data(as_text=True)
    assert '<span class="note-author">bo</span>' in page
    assert "added by bo" in dash.get(f"/watchlists/{wid}").get_data(as_text=True)
    note = client.get("/api/v1/creators/x/AdaRuns/notes", headers=auth).json["items"][0]
    assert note["author"] == "bo"
    # a campaign plan set on the dashboard: the page says who set it
    cid = client.post("/api/v1/campaigns", json={"name": "Launch", "objective": "sales"}, headers=auth).json["id"]
    assert dash.post(f"/campaigns/{cid}/partners", data={"csrf": csrf, "creator": "x/AdaRuns"}
                     ).status_code == 303
    assert 'plan set by <span class="plan-author">bo</span>' in dash.get(f"/campaigns/{cid}").get_data(as_text=True)
    partner = client.get(f"/api/v1/campaigns/{cid}", headers=auth).json["partners"][0]
    assert (partner["author"], partner["updated_by"]) == ("bo", "bo")


def test_users_page_adds_shows_the_token_once_and_revokes(app, client, auth):
    dash = app.test_client()
    login(dash, app.config["TOKEN"])
    assert 'href="/users"' in dash.get("/").get_data(as_text=True)
    csrf = csrf_of(dash, "/users")
    r = dash.post("/users", data={"csrf": csrf, "name": "dee", "admin": "on"})
    assert r.status_code == 201
    token = re.search(r'<code class="token">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me", headers=bearer(token)).json == {"name": "dee", "admin": True}
    assert token not in dash.get("/users").get_data(as_text=True)  # shown that once
    r = dash.post("/users", data={"csrf": csrf, "name": "a b"})
    assert r.status_code == 400 and "is not a user name" in r.get_data(as_text=True)
    r = dash.post("/users/dee/revoke", data={"csrf": csrf})
    assert r.status_code == 303
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert "dee is revoked" in dash.get("/users").get_data(as_text=True)
    # without the form's CSRF token nothing happens
    assert dash.post("/users", data={"name": "eve"}).status_code == 403


def test_a_page_name_is_text_not_markup(app, client, auth):
    add_user(client, auth, "x_script_y")
    dash = app.test_client()
    login(dash, app.config["TOKEN"])
    r = dash.post("/users", data={"csrf": csrf_of(dash, "/users"), "name": "<b>x</b>"})
    assert r.status_code == 400 and "<b>x</b>" not in r.get_data(as_text=True)


# ---- the extension on a team server ------------------------------------------------------------------

def test_each_member_extension_gets_cors_with_its_own_token(client, auth):
    bo = add_user(client, auth, "bo")
    assert client.put("/api/v1/extension", json={"id": EXT[-32:]}, headers={**auth, "Origin": EXT}).status_code == 200
    # bo's extension has another id (each install has its own): with bo's token it is answered
    r = client.get("/api/v1/watchlists", headers={**bearer(bo), "Origin": OTHER})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == OTHER
    # the owner's token from another extension stays refused, as does no token
    assert client.get("/api/v1/watchlists", headers={**auth, "Origin": OTHER}).status_code == 403
    assert client.get("/api/v1/watchlists", headers={"Origin": OTHER}).status_code == 403
    # registering the server's extension is an admin's act
    r = client.put("/api/v1/extension", json={"id": OTHER[-32:]}, headers={**bearer(bo), "Origin": OTHER})
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden"
    r = client.delete("/api/v1/extension", headers=bearer(bo))
    assert r.status_code == 403
