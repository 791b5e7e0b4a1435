"""Issue 11 (hardening), parts 7, 8, 10 and the full disk: every bad input is a 400 naming its field
(or a 507 for a full disk), never a 500, and nothing is written when it is refused."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, UTC
from pathlib import Path
from urllib.parse import quote

import pytest

from server.store import growth_30d
from tests.server.api.conftest import post_capture, x_capture

ROOT = Path(__file__).resolve().parents[3]
JSON = {"Content-Type": "application/json"}


def files_of(app) -> dict[str, bytes]:
    """Every file of the store (its lock aside) and its bytes: "nothing written" means this is equal."""
    root = Path(app.config["DATA_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "lock"}


def post(client, auth, path: str, body, method: str = "post"):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return getattr(client, method)(path, data=data, headers=dict(auth, **JSON))


@pytest.fixture
def wid(client, auth) -> str:
    return post(client, auth, "/api/v1/watchlists", {"name": "W"}).json["id"]


@pytest.fixture
def bid(client, auth) -> str:
    return post(client, auth, "/api/v1/briefs", {"name": "B"}).json["id"]


# -- part 7: JSON nested ~1,100 deep on every JSON route --------------------------------------------

DEEP = "[" * 1100 + "]" * 1100


def test_deep_json_is_a_400_on_every_json_route(client, auth, wid, bid, app):
    post_capture(client, auth, x_capture("bo_runs"))
    before = files_of(app)
    routes = [("post", "/api/v1/captures"), ("post", "/api/v1/watchlists"), ("patch", f"/api/v1/watchlists/{wid}"),
              ("post", f"/api/v1/watchlists/{wid}/creators"), ("post", "/api/v1/briefs"),
              ("put", f"/api/v1/briefs/{bid}"), ("put", "/api/v1/briefs/active"),
              ("post", "/api/v1/creators/x/bo_runs/notes"), ("put", "/api/v1/extension")]
    for method, path in routes:
        for body in (DEEP, '{"a":' * 1100 + "1" + "}" * 1100, "[" * 150 + "]" * 150):
            resp = post(client, auth, path, body, method)
            assert resp.status_code == 400, (path, resp.status_code, resp.data[:200])
            assert resp.json["error"]["code"] == "json_too_deep", path
            assert "100 levels" in resp.json["error"]["message"]
    assert files_of(app) == before


def test_deep_json_in_a_lone_surrogate_body_is_a_400(client, auth):
    # orjson refuses lone surrogates, so this body takes the json fallback (whose recursion gave the 500)
    body = '{"name": "\\ud800", "x": ' + DEEP + "}"
    resp = post(client, auth, "/api/v1/watchlists", body)
    assert resp.status_code == 400 and resp.json["error"]["code"] == "json_too_deep"


def test_a_capture_whose_response_body_nests_1000_deep_is_a_400_naming_it(client, auth, app):
    before = files_of(app)
    cap = x_capture("deep_one")
    cap["responses"].append({"url": "https://x.com/i/api/graphql/abc/UserByScreenName", "status": 200,
                             "body": "DEEP"})
    text = json.dumps(cap).replace('"body": "DEEP"', '"body": ' + "[" * 1000 + "]" * 1000)
    resp = post(client, auth, "/api/v1/captures", text)
    assert resp.status_code == 400
    err = resp.json["error"]
    assert err["code"] == "json_too_deep"
    assert list(err["fields"]) == [f"responses.{len(cap['responses']) - 1}.body"]
    assert files_of(app) == before
    assert client.get("/api/v1/creators/x/deep_one", headers=auth).status_code == 404


def test_json_just_under_the_depth_limit_is_read(client, auth):
    resp = post(client, auth, "/api/v1/watchlists", '{"name": "W", "x": ' + "[" * 95 + "]" * 95 + "}")
    assert resp.status_code == 400  # read, then refused by the schema: x is no field of a watchlist
    assert resp.json["error"]["fields"] == {"x": "Unknown field."}


# -- parts 7 and 10: captured_at ----------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00Z",        # year 1: growth overflowed after the point was written
    "9999-12-31T00:00:00Z",        # stayed the latest capture for ever
    "1999-06-01T00:00:00Z",        # before any of the platforms
    "yesterday", "2026-13-45T00:00:00Z", "", "2026-01-31",
    "0001-01-01T00:00:00+14:00",   # year 1 with an offset: out of range once made UTC
])
def test_captured_at_that_is_no_usable_date_is_refused_before_anything_is_written(client, auth, app, value):
    before = files_of(app)
    resp = post_capture(client, auth, x_capture("when_1", captured_at=value))
    assert resp.status_code == 400, resp.json
    assert list(resp.json["error"]["fields"]) == ["captured_at"]
    assert files_of(app) == before
    assert client.get("/api/v1/creators/x/when_1", headers=auth).status_code == 404


def test_captured_at_now_or_a_few_minutes_ahead_is_accepted(client, auth):
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    assert post_capture(client, auth, x_capture("when_2", captured_at=soon)).status_code == 201
    assert post_capture(client, auth, x_capture("when_2", captured_at="2019-05-01T10:00:00+02:00")).status_code == 201


def test_growth_never_overflows_on_a_year_1_point_already_stored():
    points = [{"captured_at": "0001-01-01T00:00:00Z", "followers": 10},
              {"captured_at": "2026-01-01T00:00:00Z", "followers": 20}]
    assert growth_30d(points, {"captured_at": "0001-01-03T00:00:00Z", "followers": 30}) is None
    assert growth_30d(points, {"captured_at": "2026-02-01T00:00:00Z", "followers": 30}) == 50.0


def test_ingest_refuses_a_snapshot_dated_in_the_future(app):
    from scraper.errors import Malformed
    from server.ingest import ingest_snapshot

    store = app.extensions["kolscope.store"]
    with pytest.raises(Malformed, match="captured_at"):
        ingest_snapshot(store, {"platform": "x", "handle": "later", "captured_at": "9999-01-01T00:00:00Z"})
    assert store.get_creator("x", "later") is None


# -- handles ---------------------------------------------------------------------------------------

def test_youtube_handles_in_any_script_and_with_a_middle_dot_are_accepted(client, auth, wid):
    for handle, url in (("@ñandú", "https://www.youtube.com/@ñandú"), ("a·b·c", "https://www.youtube.com/@a·b·c"),
                        ("नमस्ते", "https://www.youtube.com/@नमस्ते")):
        resp = post(client, auth, f"/api/v1/watchlists/{wid}/creators", {"platform": "youtube", "handle": handle})
        assert resp.status_code == 201, (handle, resp.json)
        assert resp.json["creator"]["url"] == url
        path = "/api/v1/creators/youtube/" + quote(handle.lstrip("@"))
        assert client.get(path, headers=auth).status_code == 200, path


@pytest.mark.parametrize("platform,handle", [
    ("youtube", "abc١٢٣"),   # Arabic-Indic digits: YouTube allows 0-9 only (the URL builder refused them)
    ("x", "bo١"), ("tiktok", "bo١٢"), ("instagram", "bo١"),
    ("x", "a" * 16), ("tiktok", "a"), ("tiktok", "a" * 25), ("youtube", "ab"), ("youtube", "a" * 31),
    ("x", "home"), ("instagram", "explore"), ("tiktok", "bo-runs"),
])
def test_handles_the_url_builder_refuses_are_refused(client, auth, wid, app, platform, handle):
    before = files_of(app)
    resp = post(client, auth, f"/api/v1/watchlists/{wid}/creators", {"platform": platform, "handle": handle})
    assert resp.status_code == 400
    assert list(resp.json["error"]["fields"]) == ["handle"]
    assert files_of(app) == before


def test_a_handle_ending_in_a_newline_is_refused_in_paths(client, auth, wid):
    post_capture(client, auth, x_capture("bo_runs"))
    for path in ("/api/v1/creators/x/bo_runs%0A", "/api/v1/creators/x/bo_runs%0A/history",
                 "/api/v1/creators/youtube/abc%0A"):
        resp = client.get(path, headers=auth)
        assert resp.status_code == 400, path
        assert list(resp.json["error"]["fields"]) == ["handle"]
    resp = post(client, auth, "/api/v1/creators/x/bo_runs%0A/notes", {"text": "hi"})
    assert resp.status_code == 400


def test_a_page_handle_ending_in_a_newline_is_not_stored(client, auth, app):
    before = files_of(app)
    cap = x_capture("nl_one")
    cap = json.loads(json.dumps(cap).replace('\\"screen_name\\": \\"nl_one\\"', '\\"screen_name\\": \\"nl_one\\\\n\\"'))
    resp = post_capture(client, auth, cap)
    assert resp.status_code in (400, 422), resp.json
    assert files_of(app) == before


def test_each_platforms_handle_rule_matches_its_url_builder():
    from scraper.registry import BY_NAME

    samples = ["bo_runs", "a", "ab", "abc", "a.b", "a-b", "a·b", "ñandú", "abc١", "a" * 15, "a" * 16, "a" * 24,
               "a" * 25, "a" * 30, "a" * 31, "home", "explore", "UCsXVk37bltHxD1rDPwtNM8Q", "a b", "a/b", "a\nb"]
    for name, module in BY_NAME.items():
        for handle in samples:
            try:
                module.profile_url(handle)
                built = True
            except ValueError:
                built = False
            assert module.valid_handle(handle) == built, (name, handle)
        # the builder strips what a person pastes around a handle; a stored handle has nothing around it
        assert not module.valid_handle("bo_runs\n") and not module.valid_handle(" bo_runs")


def test_openapi_handle_patterns_are_per_platform(client, auth):
    from scraper.registry import BY_NAME

    paths = client.get("/api/v1/openapi.json", headers=auth).json["paths"]
    assert "/creators/{platform}/{handle}" not in paths
    for name, module in BY_NAME.items():
        param = next(p for p in paths[f"/creators/{name}/{{handle}}"]["get"]["parameters"] if p["name"] == "handle")
        assert param["schema"]["pattern"] == module.handle_pattern
    assert paths["/creators/youtube/{handle}"] != paths["/creators/x/{handle}"]


# -- part 8: schedules -----------------------------------------------------------------------------

@pytest.mark.parametrize("line,why", [
    ("* * * * *", "1 minute apart"), ("*/30 * * * *", "30 minutes apart"), ("0,30 6 * * *", "30 minutes apart"),
    ("0 0 31 2 *", "never fires"), ("0 0 30 2 *", "never fires"), ("0 0 * * 8", "0-7"), ("0 0 * *", "5 fields"),
])
def test_crontab_lines_that_fire_too_often_or_never_are_refused(client, auth, app, wid, line, why):
    before = files_of(app)
    for method, path in (("post", "/api/v1/watchlists"), ("patch", f"/api/v1/watchlists/{wid}")):
        resp = post(client, auth, path, {"name": "S", "refresh_cron": line}, method)
        assert resp.status_code == 400, (line, resp.json)
        assert why in resp.json["error"]["fields"]["refresh_cron"]
    assert files_of(app) == before


def test_sunday_is_7_and_0_as_in_crontab(client, auth):
    from server.scheduler import trigger_for

    resp = post(client, auth, "/api/v1/watchlists", {"name": "Sundays", "refresh_cron": "0 0 * * 7"})
    assert resp.status_code == 201
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)  # a Monday
    for line in ("0 0 * * 7", "0 0 * * 0", "0 0 * * sun"):
        fire = trigger_for({"refresh_cron": line}).get_next_fire_time(None, now)
        assert fire == datetime(2026, 12, 6, tzinfo=UTC), line  # the next Sunday
    weekdays = trigger_for({"refresh_cron": "0 6 * * 1-5"})
    fires, t = [], now
    for _ in range(5):
        t = weekdays.get_next_fire_time(None, t + timedelta(seconds=1))
        fires.append(t.strftime("%a"))
    assert fires == ["Tue", "Wed", "Thu", "Fri", "Mon"]


def test_day_and_weekday_both_given_fire_on_either_as_in_crontab():
    from server.scheduler import trigger_for

    trigger = trigger_for({"refresh_cron": "0 0 1 * 1"})  # the 1st of the month, and every Monday
    t, fires = datetime(2026, 11, 26, tzinfo=UTC), []
    for _ in range(3):
        t = trigger.get_next_fire_time(None, t + timedelta(seconds=1))
        fires.append(t.date().isoformat())
    assert fires == ["2026-11-30", "2026-12-01", "2026-12-07"]


def test_an_hourly_line_is_the_minimum_and_is_accepted(client, auth):
    resp = post(client, auth, "/api/v1/watchlists", {"name": "Hourly", "refresh_cron": "0 * * * *"})
    assert resp.status_code == 201
    resp = post(client, auth, "/api/v1/watchlists", {"name": "Late", "refresh_cron": "0 0,23 * * *"})
    assert resp.status_code == 201


def test_a_stored_minute_line_is_not_scheduled_every_minute():
    from apscheduler.triggers.interval import IntervalTrigger

    from server.scheduler import trigger_for

    for line in ("* * * * *", "0 0 31 2 *", "not cron"):
        trigger = trigger_for({"id": "wl_1", "refresh_interval_hours": 6, "refresh_cron": line})
        assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(hours=6), line


def test_booleans_are_not_numbers(client, auth, app, bid):
    before = files_of(app)
    resp = post(client, auth, "/api/v1/watchlists", {"name": "B", "refresh_interval_hours": True})
    assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == ["refresh_interval_hours"]
    for field, value in (("followers_min", True), ("min_engagement_rate", False), ("max_sponsored_ratio", True)):
        resp = post(client, auth, f"/api/v1/briefs/{bid}", {"name": "B", field: value}, "put")
        assert resp.status_code == 400 and list(resp.json["error"]["fields"]) == [field]
    assert files_of(app) == before


# -- part 10: briefs with codes that name no country or language -----------------------------------

def test_brief_codes_must_be_real_iso_codes(client, auth, app):
    before = files_of(app)
    resp = post(client, auth, "/api/v1/briefs", {"name": "B", "countries": ["ZZ", "US"], "languages": ["xx", "en"]})
    assert resp.status_code == 400
    fields = resp.json["error"]["fields"]
    assert set(fields) == {"countries", "languages"}
    assert "ZZ" in fields["countries"] and "xx" in fields["languages"]
    assert files_of(app) == before
    resp = post(client, auth, "/api/v1/briefs", {"name": "B", "countries": ["us", "DE"], "languages": ["EN", "pt"]})
    assert resp.status_code == 201
    assert resp.json["countries"] == ["US", "DE"] and resp.json["languages"] == ["en", "pt"]


# -- part 10: lengths --------------------------------------------------------------------------------

def test_a_1_mb_display_name_and_a_5_mb_bio_are_cut_not_served(client, auth):
    cap = x_capture("long_one", name="N" * 1_000_000)
    cap = json.loads(json.dumps(cap).replace('\\"description\\": \\"Runner\\"',
                                             '\\"description\\": \\"' + "b" * 5_000_000 + '\\"'))
    resp = post_capture(client, auth, cap, gz=True)  # the name is in the page 3 times: 18 MB
    assert resp.status_code == 201
    snap = resp.json["snapshot"]
    assert len(snap["display_name"]) == 200 and len(snap["bio"]) == 5000
    assert any("display_name was 1,000,000 characters" in w for w in snap["warnings"])
    assert any("bio was 5,000,000 characters" in w for w in snap["warnings"])
    listing = client.get("/api/v1/creators", headers=auth)
    assert len(listing.data) < 10_000
    assert len(client.get("/api/v1/creators/x/long_one", headers=auth).json["snapshot"]["bio"]) == 5000


@pytest.mark.parametrize("path,body,field", [
    ("/api/v1/watchlists", {"name": "w" * 101}, "name"),
    ("/api/v1/briefs", {"name": "b" * 201}, "name"),
    ("/api/v1/briefs", {"name": "b", "keywords": ["k" * 101]}, "keywords"),
    ("/api/v1/briefs", {"name": "b", "blocked_terms": [f"k{i}" for i in range(101)]}, "blocked_terms"),
    ("/api/v1/creators/x/bo_runs/notes", {"text": "n" * 20_001}, "text"),
])
def test_request_fields_over_their_cap_are_refused_naming_the_field(client, auth, app, path, body, field):
    post_capture(client, auth, x_capture("bo_runs"))
    before = files_of(app)
    resp = post(client, auth, path, body)
    assert resp.status_code == 400
    assert list(resp.json["error"]["fields"]) == [field]
    assert files_of(app) == before


# -- part 11: a full disk ------------------------------------------------------------------------------

def _full_disk(monkeypatch):
    """ENOSPC at the store's write boundary: every file the store opens for writing."""
    import builtins

    import server.store.tinydb as store_module

    real_open = builtins.open

    def open_on_full_disk(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(store_module, "open", open_on_full_disk, raising=False)


@pytest.mark.tinydb_only  # a full disk under the data directory's files (PostgreSQL's disk is its server's)
def test_a_full_disk_is_a_507_and_the_store_keeps_what_it_had(client, auth, app, monkeypatch, wid):
    assert post_capture(client, auth, x_capture("bo_runs", followers=800)).status_code == 201
    before = files_of(app)
    listing = client.get("/api/v1/creators", headers=auth).json
    _full_disk(monkeypatch)
    for resp in (post_capture(client, auth, x_capture("bo_runs", followers=900)),
                 post_capture(client, auth, x_capture("new_one")),
                 post(client, auth, "/api/v1/watchlists", {"name": "Full"}),
                 post(client, auth, f"/api/v1/watchlists/{wid}/creators", {"platform": "x", "handle": "bo_runs"}),
                 post(client, auth, "/api/v1/creators/x/bo_runs/notes", {"text": "a note"}),
                 post(client, auth, "/api/v1/briefs", {"name": "B"})):
        assert resp.status_code == 507, resp.data[:300]
        assert resp.json["error"]["code"] == "disk_full"
        assert "disk full" in resp.json["error"]["message"]
    assert files_of(app) == before
    assert client.get("/api/v1/creators", headers=auth).json == listing
    monkeypatch.undo()  # space freed: writes work again
    resp = post_capture(client, auth, x_capture("bo_runs", followers=900))
    assert resp.status_code == 201 and resp.json["creator"]["followers"] == 900


def test_starting_on_a_full_disk_says_so_and_exits_non_zero(tmp_path):
    code = (
        "import builtins, errno, os, sys\n"
        "import server.store.tinydb as s\n"
        "real = builtins.open\n"
        "def full(f, mode='r', *a, **k):\n"
        "    if any(c in mode for c in 'wax+'):\n"
        "        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(f))\n"
        "    return real(f, mode, *a, **k)\n"
        "s.open = full\n"
        "from server.cli import main\n"
        f"sys.exit(main(['serve', '--data', {str(tmp_path / 'data')!r}, '--port', '0', '--no-scheduler']))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert proc.returncode != 0
    assert "disk full" in proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_odd_post_dates_in_a_page_never_overflow_scoring_or_history(app):
    """A page's own date may be year 1 at +14:00 (no UTC time exists for it): it reads as no date."""
    from server.ingest import ingest_snapshot

    store = app.extensions["kolscope.store"]
    odd = ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01", "9999-12-31T23:59:59Z")
    snapshot = {"platform": "x", "handle": "odd_dates", "followers": 100, "captured_at": "2026-01-01T00:00:00Z",
                "recent_posts": [{"id": str(i), "title": "a post", "likes": 3, "published_at": d}
                                 for i, d in enumerate(odd)],
                "comments": [{"post_id": "0", "author": "fan", "text": "nice", "published_at": d} for d in odd]}
    summary, scores = ingest_snapshot(store, snapshot)
    assert summary["snapshots"] == 1 and scores["authenticity"] is not None
    summary, _ = ingest_snapshot(store, dict(snapshot, captured_at="2026-02-01T00:00:00Z", followers=110))
    assert summary["growth_30d"] == 10.0
