"""Dashboard test fixtures: the API's app, client and token (tests/server/api/conftest.py), a signed-in
client, and three creators with a follower history, scored against an active brief."""

from __future__ import annotations

import pytest

from tests.server.api.conftest import app, auth, client, post_capture, x_capture  # noqa: F401 -- fixtures

# handle, display name, followers on the two capture dates
TRIO = (("ann_trails", "Ann Trails", 800), ("bob_miles", "Bob Miles", 5000), ("cat_sprints", "Cat Sprints", 1200))


@pytest.fixture
def signed_in(app, client):  # noqa: F811 -- the fixture above
    assert client.post("/login", data={"token": app.config["TOKEN"]}).status_code == 303
    return client


@pytest.fixture
def trio(client, auth):  # noqa: F811
    """Three X creators, each captured twice a month apart, fit scored against the brief 'Trail run'."""
    brief = client.post("/api/v1/briefs", json={"name": "Trail run", "keywords": ["running", "trail"],
                                                "languages": ["en"]}, headers=auth).json
    assert client.put("/api/v1/briefs/active", json={"id": brief["id"]}, headers=auth).status_code == 200
    for handle, name, followers in TRIO:
        for extra, at in ((0, "2026-01-01T09:00:00Z"), (100, "2026-02-01T09:30:00Z")):
            cap = x_capture(handle, followers=followers + extra, name=name, captured_at=at)
            assert post_capture(client, auth, cap).status_code == 201
    return brief


def compare_query(*handles: str) -> str:
    return "&".join(f"c=x/{h}" for h in handles)
