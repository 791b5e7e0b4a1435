"""Every parser on pathological captures of about 1 MB (bench/pathological.py): each ends in well
under a second with a snapshot or a typed CaptureError, never a crash, a hang or the safety net.

Times are CPU time of this thread (the machine is shared; wall time measures the neighbours), with
a generous margin: the precise figures are in `make bench` (bench_pathological).
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.pathological import RESPONSE_URLS, URLS, cases, deep_object
from scraper import budget, parse
from scraper.capture import LIMITS, Capture
from scraper.errors import CODES, CaptureError
from scraper.jsonpath import MAX_DECODE_TRIES, json_after, json_at_key
from tests.conftest import load_fixture

LIMIT_S = 1.0
# The names at import; the ~440 captures of ~1 MB each only while this module runs (module fixture),
# not held by every later test of the session.
NAMES = sorted(name for name, _capture in cases())


@pytest.fixture(scope="module")
def pathological() -> dict:
    return dict(cases())


@pytest.fixture(scope="module", autouse=True)
def warm() -> None:
    """First use imports lxml, compiles patterns and loads the country tables: not the input's cost."""
    for name in ("youtube_watch.capture.json", "instagram_profile_rendered.capture.json",
                 "tiktok_profile_universal.capture.json", "x_profile_new.capture.json"):
        parse(load_fixture(name))


@pytest.mark.parametrize("name", NAMES)
def test_pathological_capture_is_answered_fast(pathological: dict, name: str) -> None:
    started = time.thread_time()
    try:
        parse(pathological[name])
    except CaptureError as exc:
        # a typed answer of the parser itself, not the catch-all around it
        assert getattr(exc, "unexpected", None) is None, repr(exc.unexpected)
    spent = time.thread_time() - started
    assert spent < LIMIT_S, f"{name}: {spent:.2f} s of CPU"


def test_every_platform_and_shape_is_covered(pathological: dict) -> None:
    kinds = {name.split(":")[0] for name in pathological}
    assert kinds == {"youtube", "youtube_watch", "youtube_shorts", "tiktok", "tiktok_video", "instagram",
                     "instagram_post", "x", "x_status"}
    assert all(len(c["html"]) >= 1_000_000 for n, c in pathological.items() if ":html:" in n)


@pytest.mark.parametrize("kind", ["youtube", "tiktok", "instagram", "x"])
def test_deep_json_is_too_large_not_a_crash(pathological: dict, kind: str) -> None:
    for shape in ("json:deep_1000", "json:deep_100000", "json:deep_objects_1000", "object:deep_1000"):
        with pytest.raises(CaptureError) as info:
            parse(pathological[f"{kind}:{shape}"])
        assert info.value.code in ("too_large", "malformed", "not_a_creator_page"), shape
    with pytest.raises(CaptureError) as info:
        parse(pathological[f"{kind}:object:deep_1000"])
    assert info.value.code == "too_large"


def test_deep_response_body_text_is_too_large(pathological: dict) -> None:
    with pytest.raises(CaptureError) as info:
        Capture.load(pathological["youtube:json:deep_1000"]).responses[0].json()
    assert info.value.code == "too_large"


def test_size_caps() -> None:
    base = {"url": "https://www.youtube.com/@a", "html": "<html></html>", "responses": []}
    with pytest.raises(CaptureError) as info:
        Capture.load(dict(base, html="x" * (LIMITS["html"] + 1)))
    assert info.value.code == "too_large"
    with pytest.raises(CaptureError) as info:
        Capture.load(dict(base, responses=[{"url": "u", "body": "x"}] * (LIMITS["responses"] + 1)))
    assert info.value.code == "too_large"
    with pytest.raises(CaptureError) as info:
        Capture.load(dict(base, responses=[{"url": "u", "body": "x" * (LIMITS["body"] + 1)}]))
    assert info.value.code == "too_large"
    with pytest.raises(CaptureError) as info:
        Capture.load(dict(base, responses=[{"url": "u", "body": deep_object(201)}]))
    assert info.value.code == "too_large"
    Capture.load(dict(base, responses=[{"url": "u", "body": deep_object(150)}]))  # deep, but a page's shape


def test_parse_budget_stops_the_parse() -> None:
    capture = load_fixture("youtube_watch.capture.json")
    with budget.budget(0), pytest.raises(CaptureError) as info:
        parse(capture)
    assert info.value.code == "parse_timeout"
    assert "budget" in info.value.message
    parse(capture)  # the budget ends with its block


def test_budget_checks_inside_long_walks() -> None:
    from scraper.jsonpath import find_key

    data = [{"a": i} for i in range(20_000)]
    with budget.budget(0), pytest.raises(CaptureError) as info:
        list(find_key(data, "a"))
    assert info.value.code == "parse_timeout"
    assert len(list(find_key(data, "a"))) == 20_000  # no budget open: no deadline


def test_failed_decodes_are_bounded() -> None:
    # each failed raw_decode numbers its error's line by scanning the text before it: unbounded
    # retries over a page of markers were quadratic
    text = "var ytInitialData = {" * 50_000
    started = time.thread_time()
    assert json_after(text, "var ytInitialData") == (None, -1)
    assert json_at_key('"k":{x' * 50_000, "k") is None
    assert time.thread_time() - started < LIMIT_S
    good = "var ytInitialData = {x" * (MAX_DECODE_TRIES - 1) + 'var ytInitialData = {"ok": 1}'
    assert json_after(good, "var ytInitialData")[0] == {"ok": 1}


# --- generated pages: hypothesis strings of the tokens that trip scanners ---------------------------

# Bounded in the normal run (CI); `make fuzz` sets KOLSCOPE_FUZZ_EXAMPLES=1000.
FUZZ_SETTINGS = settings(max_examples=int(os.environ.get("KOLSCOPE_FUZZ_EXAMPLES", "40")), deadline=None,
                         database=None, suppress_health_check=list(HealthCheck))
TOKENS = ["<", ">", "<svg", "</svg>", "<meta ", 'property="og:description" content="', '"', "'", "{", "}", "[",
          "]", ":", ",", "<header>", "</header>", "<ul><li>", "<main>", "</main>", "<!--", "<script>",
          "</script>", "var ytInitialData = ", "ytInitialPlayerResponse", '"webapp.user-detail":',
          '<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">', "SIGI_STATE", "(@", ") on Instagram: \u201c",
          "1,234", "9" * 40, "1.2M", " Followers", "vor 2 Tagen", "\\", "\ud83d", "<html lang=", "<img alt=\"",
          'href="/p/ABCDEFG/"', "profilePage_", "</a>", " ", "\n"]
KINDS = sorted(URLS.values())


@FUZZ_SETTINGS
@given(url=st.sampled_from(KINDS), parts=st.lists(st.sampled_from(TOKENS), max_size=400),
       repeat=st.integers(1, 2000), body=st.lists(st.sampled_from(TOKENS), max_size=60))
def test_generated_pages_get_an_answer_fast(url: str, parts: list[str], repeat: int, body: list[str]) -> None:
    html = "".join(parts) * repeat  # up to ~1 MB of one repeated shape
    capture = {"url": url, "html": html[:1_200_000] or "<html></html>",
               "responses": [{"url": u, "body": "".join(body)} for u in RESPONSE_URLS.values()]}
    started = time.thread_time()
    try:
        parse(capture)
    except CaptureError as exc:
        assert exc.code in CODES
        assert getattr(exc, "unexpected", None) is None, repr(exc.unexpected)
    assert time.thread_time() - started < LIMIT_S
