"""A watchlist's schedule: interval alone can be changed, a cron line replaces it, a bad one is a 400."""

from __future__ import annotations

import pytest

from server import create_app

TOKEN = "s" * 40


@pytest.fixture
def client(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "TOKEN": TOKEN, "SCHEDULER_ENABLED": False, "TESTING": True})
    c = app.test_client()
    c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TOKEN}"
    return c


def test_patch_interval_alone(client):
    wl = client.post("/api/v1/watchlists", json={"name": "Daily"}).get_json()
    r = client.patch(f"/api/v1/watchlists/{wl['id']}", json={"refresh_interval_hours": 6})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["refresh_interval_hours"] == 6
    assert r.get_json()["name"] == "Daily"


def test_cron_set_and_cleared(client):
    wl = client.post("/api/v1/watchlists", json={"name": "Mornings", "refresh_cron": "0 6 * * *"}).get_json()
    assert wl["refresh_cron"] == "0 6 * * *"
    r = client.patch(f"/api/v1/watchlists/{wl['id']}", json={"refresh_cron": ""})
    assert r.status_code == 200 and r.get_json()["refresh_cron"] is None


def test_bad_cron_is_a_400_naming_the_field(client):
    r = client.post("/api/v1/watchlists", json={"name": "Bad", "refresh_cron": "every morning"})
    assert r.status_code == 400
    assert "refresh_cron" in r.get_json()["error"]["fields"]
    wl = client.post("/api/v1/watchlists", json={"name": "Ok"}).get_json()
    r = client.patch(f"/api/v1/watchlists/{wl['id']}", json={"refresh_cron": "61 * * * *"})
    assert r.status_code == 400 and "refresh_cron" in r.get_json()["error"]["fields"]


def test_scheduler_follows_cron_over_interval():
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from server.scheduler import trigger_for

    assert isinstance(trigger_for({"refresh_interval_hours": 6, "refresh_cron": "0 6 * * *"}), CronTrigger)
    assert isinstance(trigger_for({"refresh_interval_hours": 6, "refresh_cron": None}), IntervalTrigger)
