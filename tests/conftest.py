"""Shared test fixtures: where the real captured pages live, and how their absence is reported."""

from __future__ import annotations

import contextlib
import json
import os
import urllib.parse
from pathlib import Path

import hypothesis
import pytest

from tests import routes_cache

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REALPAGES = Path(os.environ.get("KOLSCOPE_REALPAGES", ROOT.parent / "shared" / "realpages"))
REQUIRE_REALPAGES = os.environ.get("KOLSCOPE_REQUIRE_REALPAGES", "") not in ("", "0", "false")

# CI runs every property test on a fixed set of examples, so a red run can be reproduced and a
# green one is not luck; `make fuzz` (and a local run) keeps exploring new examples.
hypothesis.settings.register_profile("ci", derandomize=True)
if os.environ.get("CI", "") not in ("", "0", "false"):
    hypothesis.settings.load_profile("ci")
MISSING_REASON = (
    f"real captured pages not found at {REALPAGES} (set KOLSCOPE_REALPAGES to the shared/realpages "
    "folder); the project's own fixtures in tests/fixtures still cover every part"
)


def realpage_cases(platform: str | None = None) -> list[str]:
    """Case names ('youtube/yt_channel_...') of the real captures, or [] when they are absent."""
    if not REALPAGES.is_dir():
        return []
    pattern = f"{platform}/*.capture.json" if platform else "*/*.capture.json"
    return sorted(str(p.relative_to(REALPAGES))[: -len(".capture.json")] for p in REALPAGES.glob(pattern))


def require_realpages() -> None:
    """Skip (or, in CI, fail) when the real pages are absent."""
    if not REALPAGES.is_dir():
        if REQUIRE_REALPAGES:
            pytest.fail(MISSING_REASON + " -- KOLSCOPE_REQUIRE_REALPAGES is set, so this is a failure")
        pytest.skip(MISSING_REASON)


def load_case(case: str) -> tuple[dict, dict]:
    """The capture and expected values of one real page."""
    require_realpages()
    capture = json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
    expected = json.loads((REALPAGES / f"{case}.expected.json").read_text(encoding="utf-8"))
    return capture, expected


def cases_or_placeholder(platform: str | None = None) -> list[str]:
    """Parametrize over real cases; with none present, one placeholder that skips or fails clearly."""
    return realpage_cases(platform) or ["<realpages missing>"]


def creator_cases_or_placeholder(platform: str | None = None) -> list[str]:
    """Like cases_or_placeholder, but only the real pages that are creator pages (no expected error)."""
    cases = [c for c in realpage_cases(platform)
             if not json.loads((REALPAGES / f"{c}.expected.json").read_text(encoding="utf-8"))["error"]]
    return cases or ["<realpages missing>"]


@pytest.fixture
def realpages_dir() -> Path:
    require_realpages()
    return REALPAGES


LISTPAGES = REALPAGES.parent / "listpages"


def listpage_cases(*kinds: str) -> list[str]:
    """Case names ('x/x_followers_...') of the real list pages of these kinds, or one placeholder."""
    if not LISTPAGES.is_dir():
        return ["<listpages missing>"]
    cases = []
    for p in sorted(LISTPAGES.glob("*/*.expected.json")):
        if json.loads(p.read_text(encoding="utf-8")).get("kind") in kinds:
            cases.append(str(p.relative_to(LISTPAGES))[: -len(".expected.json")])
    return cases or ["<listpages missing>"]


def load_recorded(folder: Path, case: str, missing: str) -> tuple[dict, dict]:
    """The capture and expected values of one recording in `folder` (skips with `missing`, or fails
    under KOLSCOPE_REQUIRE_REALPAGES, when it is absent)."""
    if not (folder / f"{case}.capture.json").is_file():
        if REQUIRE_REALPAGES:
            pytest.fail(missing + " -- KOLSCOPE_REQUIRE_REALPAGES is set, so this is a failure")
        pytest.skip(missing)
    capture = json.loads((folder / f"{case}.capture.json").read_text(encoding="utf-8"))
    expected = json.loads((folder / f"{case}.expected.json").read_text(encoding="utf-8"))
    return capture, expected


def load_listpage(case: str) -> tuple[dict, dict]:
    """The capture and expected values of one real list page (skips, or fails in CI, when absent)."""
    return load_recorded(LISTPAGES, case, f"real list pages not found at {LISTPAGES} (beside the realpages folder)")


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def x_about_response(screen_name: str, based_in: str | None) -> dict:
    """An AboutAccountQuery answer (X's "About this account" panel), shaped as X sends it."""
    about = {"source": "Web", "location_accurate": True}
    if based_in is not None:
        about["account_based_in"] = based_in
    body = {"data": {"user_result_by_screen_name": {"result": {
        "__typename": "User", "about_profile": about, "core": {"screen_name": screen_name, "name": "N"},
        "rest_id": "1100"}}}}
    variables = json.dumps({"screenName": screen_name}, separators=(",", ":"))
    return {"url": "https://x.com/i/api/graphql/Zz9/AboutAccountQuery?variables=" + urllib.parse.quote(variables),
            "status": 200, "content_type": "application/json", "body": json.dumps(body)}


def pytest_configure(config):
    """Every test app compiles its ~120 URL builders once per session, not once per app (~80% of
    create_app's time; tests/routes_cache.py says why the URLs are the same)."""
    routes_cache.install()


# -- real servers: PostgreSQL and Redis (tests/services.py) ------------------------------------------
# One cluster and one Redis per test session, started on first use; each test gets its own database.
# KOLSCOPE_TEST_STORE=postgresql runs the app-level suites (API, refresh) on PostgreSQL instead of the
# embedded TinyDB store (`make test` runs them both ways).
TEST_STORE = os.environ.get("KOLSCOPE_TEST_STORE", "tinydb").lower()


@pytest.fixture(scope="session")
def postgres_server():
    from tests.services import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """A PostgreSQL database of this test's own, holding the schema and no data: lent by the server
    and given back after the test, emptied for the next one (or dropped if its schema changed)."""
    url = postgres_server.lend_database()
    yield url
    postgres_server.give_back(url)


@pytest.fixture(scope="session")
def redis_server():
    from tests.services import RedisServer

    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """A Redis database number of its own for this test (flushed after it)."""
    url = redis_server.new_database()
    yield url
    import redis

    with contextlib.suppress(redis.RedisError):
        redis.Redis.from_url(url).flushdb()


@pytest.fixture
def app_store_config(request, tmp_path) -> dict:
    """The store part of an app's config for the app-level suites: the data directory (TinyDB), or,
    under KOLSCOPE_TEST_STORE=postgresql, a new PostgreSQL database beside it. A test of the
    TinyDB files themselves marks itself `tinydb_only` (it is skipped on PostgreSQL)."""
    config = {"DATA_DIR": str(tmp_path / "data"), "STORE_FSYNC": False}
    if TEST_STORE == "postgresql":
        if request.node.get_closest_marker("tinydb_only"):
            pytest.skip("a test of the TinyDB data directory's files")
        config["DATABASE"] = request.getfixturevalue("postgres_url")
    return config


def pytest_collection_modifyitems(config, items):
    """Under KOLSCOPE_TEST_STORE=postgresql (`make test`'s second pass) only the tests whose store comes
    from app_store_config run: the others do not depend on the engine and ran in the first pass."""
    if TEST_STORE != "postgresql":
        return
    keep = [item for item in items if "app_store_config" in getattr(item, "fixturenames", ())]
    dropped = [item for item in items if "app_store_config" not in getattr(item, "fixturenames", ())]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
