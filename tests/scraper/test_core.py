"""The shared pieces under every parser: tolerant JSON walking, the capture, the snapshot, text helpers."""

from __future__ import annotations

import json

import pytest

from scraper import parse
from scraper.capture import Capture
from scraper.errors import CODES, CaptureError
from scraper.jsonpath import find_key, first_key, json_after, json_at_key, script_span, traverse
from scraper.models import Comment, Post, Snapshot
from scraper.registry import platform_for
from scraper.text import hashtags, looks_sponsored, mentions

DOC = {"a": {"b": [{"c": 1}, {"c": 2}, {"d": 3}]}, "s": "text"}


def test_traverse_is_tolerant():
    assert traverse(DOC, ("a", "b", 0, "c")) == 1
    assert traverse(DOC, ("a", "b", -1, "d")) == 3
    assert traverse(DOC, ("a", "x", 0), ("s",)) == "text"
    assert traverse(DOC, ("a", "b", 9, "c")) is None
    assert traverse(DOC, ("s", "nope")) is None
    assert traverse(DOC, ("a", "b", ..., "c")) == [1, 2]
    assert traverse(DOC, ("s",), expected_type=int, default=0) == 0
    assert traverse(DOC, ("a", "b", len)) == 3
    assert traverse(None, ("a",)) is None


# One rule per type, whichever parser asks: (type, value found, what traverse answers).
CONVERSIONS = [
    (str, "  Ada Bakes \n", "Ada Bakes"), (str, "   ", None), (str, "", None), (str, 12345, "12345"),
    (str, True, None), (str, 1.5, None), (str, {"a": 1}, None), (str, ["a"], None),
    (int, 42, 42), (int, -3, -3), (int, " 7 ", 7), (int, "1200", 1200), (int, 3.0, 3), (int, 2.7, 2),
    (int, True, None), (int, "1,234", None), (int, "1.2M", None), (int, "-5", None), (int, "", None),
    (int, float("nan"), None), (int, float("inf"), None), (int, [1], None),
    (list, [1, 2], [1, 2]), (list, [], None), (list, {"a": 1}, None), (list, "ab", None),
    (dict, {"a": 1}, {"a": 1}), (dict, [{"a": 1}], None), (dict, "a", None),
    (bool, False, False), (bool, True, True), (bool, 0, None), (bool, "true", None),
]


@pytest.mark.parametrize("kind,value,expected", CONVERSIONS)
def test_traverse_converts_by_one_rule_per_type(kind, value, expected):
    doc = {"v": value}
    assert traverse(doc, ("v", {kind})) == expected  # a set ending the path
    assert traverse(doc, "v", expected_type=kind) == expected  # the same rule for every path


def test_a_value_a_rule_refuses_is_not_there():
    doc = {"stats": {"followers": "hidden", "count": "1200"}, "legacy": {"followers_count": 900},
           "items": [{"n": "3"}, {"n": "x"}, {"n": 4}], "name": "  ", "alt": "Ada"}
    # the next path is tried, then the default
    assert traverse(doc, ("stats", "followers"), ("legacy", "followers_count"), expected_type=int) == 900
    assert traverse(doc, ("stats", "followers", {int}), default=0) == 0
    assert traverse(doc, "name", "alt", expected_type=str) == "Ada"
    # inside a branch each item is converted and the ones it refuses are left out
    assert traverse(doc, ("items", ..., "n", {int})) == [3, 4]
    # a conversion can sit mid-path: a dict where one is expected, or nothing
    assert traverse(doc, ("stats", {dict}, "count", {int})) == 1200
    assert traverse(doc, ("name", {dict}, "count")) is None


@pytest.mark.parametrize("kind", [float, {str, int}, "int", set()])
def test_traverse_refuses_a_conversion_it_has_no_rule_for(kind):
    with pytest.raises(ValueError, match="traverse|conversion"):
        traverse({"v": 1}, ("v", kind if isinstance(kind, set) else {kind}))


def test_find_key_in_document_order():
    assert list(find_key(DOC, "c")) == [1, 2]
    assert first_key(DOC, "c", lambda v: v > 1) == 2
    assert first_key(DOC, "zzz") is None


def test_json_after_script_span_and_json_at_key():
    html = 'x <script>var ytInitialData = {"k": [1, 2]};</script><script id="D" type="application/json">{"z":1}</script>'
    value, end = json_after(html, "var ytInitialData")
    assert value == {"k": [1, 2]} and html[end] == ";"
    assert json_after(html, "missing") == (None, -1)
    assert json_after('var a = {"broken": ', "var a") == (None, -1)
    start, end = script_span(html, "D")
    assert html[start:end] == '{"z":1}'
    assert script_span(html, "E") is None
    blob = '{"a": 1, "big": {"skip": 2}, "b": {"z": 1}, "deep": {"b": {"y": 2}}}'
    assert json_at_key(blob, "b", expected_type=dict) == {"z": 1}
    assert json_at_key(blob, "a") == 1
    assert json_at_key(blob, "missing") is None


def test_capture_load_validates_shape():
    cap = Capture.load({"url": "https://x.com/a", "html": "<html lang='de-DE'>", "responses": [
        {"url": "https://x.com/i/api/graphql/1/UserTweets", "status": 200, "body": '{"a": 1}'},
        {"url": "https://x.com/other", "body": "not json"},
        "garbage",
    ]})
    assert cap.lang == "de-DE"
    assert list(cap.json_responses("UserTweets")) == [{"a": 1}]
    assert len(cap.responses) == 2
    for bad in (None, [], {"html": "x"}, {"url": "ftp://a", "html": "x"}, {"url": "https://a.b", "html": 5},
                {"url": "https://a.b", "html": "x", "responses": {}}, {"url": "https://a.b"},
                {"url": "https://a.b", "html": "x", "format": "other/1"}):
        with pytest.raises(CaptureError) as info:
            Capture.load(bad)
        assert info.value.code == "malformed"


def test_unknown_site_is_unsupported():
    with pytest.raises(CaptureError) as info:
        parse({"url": "https://example.com/@someone", "html": "<html></html>"})
    assert info.value.code == "unsupported_platform"
    assert platform_for("https://www.youtube.com/@a").name == "youtube"
    assert platform_for("https://twitter.com/a").name == "x"
    assert platform_for("https://www.tiktok.com/@a").name == "tiktok"
    assert platform_for("https://www.instagram.com/a/").name == "instagram"
    assert platform_for("https://youtube.com.evil.example/") is None


def test_error_codes_are_closed():
    assert set(CODES) == {"not_a_creator_page", "unavailable", "restricted", "login_wall", "blocked",
                          "unsupported_platform", "malformed", "too_large", "parse_timeout"}
    with pytest.raises(ValueError):
        CaptureError("nope")
    assert CaptureError("blocked").to_dict()["error"]["code"] == "blocked"


def test_snapshot_round_trip_and_counts():
    snap = Snapshot(platform="x", handle="a", recent_posts=[Post(id="1", views=3, hashtags=["h"])],
                    comments=[Comment(author="@b", text="hi")])
    snap.set_count("followers", 1200, approx=True)
    snap.set_count("followers", 1234, approx=False)
    snap.set_count("likes", 5_000_000, approx=True)
    assert snap.approximate == ["likes"]
    data = json.loads(json.dumps(snap.to_dict()))
    assert data["format"] == "kolscope.snapshot/1"
    assert Snapshot.from_dict(data) == snap


def test_text_helpers():
    assert hashtags("Love it #Ad #travel, #ad #日本") == ["ad", "travel", "日本"]
    assert mentions("thanks @nike and @adidas.") == ["nike", "adidas"]
    assert looks_sponsored("new video #anzeige")
    assert looks_sponsored("Includes paid promotion")
    assert not looks_sponsored("just a trip to the lake #travel")


def test_without_lone_surrogates_cleans_nested_values_and_keeps_pairs():
    from scraper.models import Post, Snapshot
    from scraper.text import without_lone_surrogates

    snap = Snapshot(platform="x", handle="a", display_name="Fan \ud83d", bio="ok \U0001F600",
                    recent_posts=[Post(id="1", title="half \udc00 pair", hashtags=["t\ud800"])])
    out = without_lone_surrogates(snap)
    assert out.display_name == "Fan \ufffd"
    assert out.bio == "ok \U0001F600"  # a whole pair is one character: untouched
    assert out.recent_posts[0].title == "half \ufffd pair" and out.recent_posts[0].hashtags == ["t\ufffd"]
    assert without_lone_surrogates({"k\ud83d": ["\ud83d"]}) == {"k\ufffd": ["\ufffd"]}
    assert without_lone_surrogates(3) == 3
    out.to_dict()  # and it serialises as UTF-8
    import json
    json.dumps(out.to_dict(), ensure_ascii=False).encode("utf-8")
