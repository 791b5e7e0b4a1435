"""Property tests: `scraper.parse` answers every mutated real capture with a snapshot or a typed error.

The captures are the real pages in ../shared/realpages (the project's own tests/fixtures/*.capture.json
when those are absent). Hypothesis truncates them, drops keys, swaps types, injects garbage into the
embedded JSON and the response bodies, and gives them random URLs. The property:

- `parse` returns a Snapshot whose `to_dict()` is JSON-serialisable, with `platform` set and the creator
  named (`handle`, or `platform_id` for the old YouTube channels that have no @handle),
- or raises `CaptureError` with a code from `scraper.errors.CODES`; nothing else escapes.

`scraper.parse` wraps a parser's unexpected exception as `malformed` (and marks it `unexpected`). That
net keeps the promise to callers, but a parser that needs it for an ordinary truncation or a missing
key has a bug, so every property except the deep type swaps also asserts that the net did not fire.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from scraper import parse
from scraper.errors import CODES, CaptureError
from scraper.registry import NAMES
from tests.conftest import FIXTURES, REALPAGES, realpage_cases

# Bounded: a few dozen examples per property over captures of up to 2 MB. A deeper hunt for parser
# bugs: KOLSCOPE_FUZZ_EXAMPLES=500 pytest tests/scraper/test_parse_robustness.py
SETTINGS = settings(max_examples=int(os.environ.get("KOLSCOPE_FUZZ_EXAMPLES", "40")), deadline=None,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Where pages keep their data as JSON inside the HTML (the thing a parser decodes instead of the DOM).
EMBEDDED_MARKERS = (
    "ytInitialData", "ytInitialPlayerResponse", "__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE",
    "_sharedData", "__NEXT_DATA__", "__INITIAL_STATE__", "__additionalDataLoaded", 'type="application/json"',
)
_decoder = json.JSONDecoder()


# --- the captures, loaded once ---------------------------------------------------------------------


@cache
def _sources() -> tuple[str, ...]:
    """Capture names: the real pages ('youtube/yt_...', when ../shared is there) and the project's own
    fixtures ('fixture:x_loginwall.capture.json': synthetic login walls, rate limits... the real set lacks)."""
    fixtures = sorted("fixture:" + p.name for p in FIXTURES.glob("*.capture.json"))
    return tuple(realpage_cases()) + tuple(fixtures)


@cache
def _load(name: str) -> dict:
    path = FIXTURES / name[len("fixture:"):] if name.startswith("fixture:") else REALPAGES / f"{name}.capture.json"
    return json.loads(Path(path).read_text(encoding="utf-8"))


@cache
def _blob_spans(name: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each embedded JSON blob in the capture's HTML."""
    html = _load(name).get("html") or ""
    spans = []
    for marker in EMBEDDED_MARKERS:
        i = html.find(marker)
        while i != -1 and len(spans) < 8:
            j = i + len(marker)
            window = html[j:j + 300]
            k = min((p for p in (window.find("{"), window.find("[")) if p != -1), default=-1)
            if k != -1:
                try:
                    _value, end = _decoder.raw_decode(html, j + k)
                    if end - (j + k) > 2:
                        spans.append((j + k, end))
                except ValueError:
                    pass
            i = html.find(marker, j)
    return tuple(sorted(set(spans)))


@cache
def _decoded_blob(name: str, index: int) -> Any:
    start, end = _blob_spans(name)[index]
    return json.loads(_load(name)["html"][start:end])


@cache
def _decoded_body(name: str, index: int) -> Any:
    body = _load(name)["responses"][index]["body"]
    try:
        return json.loads(body) if isinstance(body, str) else body
    except ValueError:
        return None


def _with(capture: dict, **changes: Any) -> dict:
    """A shallow copy with some fields replaced: the big strings are shared, never copied."""
    out = dict(capture)
    out.update(changes)
    return out


def _with_response(capture: dict, index: int, **changes: Any) -> dict:
    responses = list(capture["responses"])
    responses[index] = _with(responses[index], **changes)
    return _with(capture, responses=responses)


# --- the property ----------------------------------------------------------------------------------


def _platform(name: str) -> str:
    return name.split("/")[0] if "/" in name else name.split(":")[-1].split("_")[0]


def _check(capture: Any, *, net_allowed: bool = False, name: str = "") -> None:
    label = _platform(name) if name else "?"
    try:
        snap = parse(capture)
    except CaptureError as exc:
        assert exc.code in CODES, f"unknown error code {exc.code!r}"
        assert isinstance(exc.message, str) and exc.message
        unexpected = getattr(exc, "unexpected", None)
        if unexpected is not None:
            event(f"{label}: safety net fired: {type(unexpected).__name__}")
            assert net_allowed, (
                f"the parser crashed and leaned on scraper.parse's safety net: {unexpected!r}"
            )
        else:
            event(f"{label}: typed error: {exc.code}")
        return
    data = snap.to_dict()
    json.dumps(data)  # raises on anything JSON cannot hold
    assert data["platform"] in NAMES
    # The creator is identified: by handle, or (old YouTube channels without an @handle, whose
    # expected handle is null) by the platform id.
    assert (isinstance(data["handle"], str) and data["handle"]) or (
        data["handle"] is None and isinstance(data["platform_id"], str) and data["platform_id"]
    ), f"snapshot names no creator: handle={data['handle']!r} platform_id={data['platform_id']!r}"
    for count in ("followers", "following", "posts", "likes", "views"):
        value = data[count]
        assert value is None or (isinstance(value, int) and not isinstance(value, bool)), f"{count}={value!r}"
    event(f"{label}: snapshot")


@cache
def _by_platform() -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for name in _sources():
        groups.setdefault(_platform(name), []).append(name)
    return {k: tuple(v) for k, v in sorted(groups.items())}


# Platform first, then a capture of it: YouTube's many layouts must not crowd out X's five pages.
names = st.sampled_from(sorted(_by_platform())).flatmap(lambda p: st.sampled_from(_by_platform()[p]))


def _random_path(data: st.DataObject, obj: Any) -> list:
    """A random path of keys/indices into `obj`, stopping at a leaf or wherever hypothesis likes."""
    path: list = []
    node = obj
    while isinstance(node, (dict, list)) and node and len(path) < 60:
        if path and data.draw(st.integers(0, 5), label="stop here") == 0:
            break
        if isinstance(node, dict):
            keys = list(node)
            key = keys[data.draw(st.integers(0, len(keys) - 1), label="key")]
        else:
            key = data.draw(st.integers(0, len(node) - 1), label="index")
        path.append(key)
        node = node[key]
    return path


def _set_at(obj: Any, path: list, op: str, new: Any = None) -> Any:
    """Copy-on-write: `obj` with the node at `path` dropped (op 'drop') or replaced by `new`."""
    if not path:
        return {} if op == "drop" else new
    head, rest = path[0], path[1:]
    copy = dict(obj) if isinstance(obj, dict) else list(obj)
    if not rest and op == "drop":
        del copy[head]
    else:
        copy[head] = _set_at(obj[head], rest, op, new)
    return copy


ODD_VALUES = st.sampled_from([
    None, 0, -1, 1.5, True, "", "garbage", "12,3K", [], {}, [[]], {"": None}, 10**30, float("1e308"),
    ["a", 1, None], {"text": 5, "runs": "x"},
])


def _json_target(data: st.DataObject, name: str) -> tuple[str, int] | None:
    """Pick an embedded blob ('html', i) or a response body ('body', i) of the capture, if any."""
    targets = [("html", i) for i in range(len(_blob_spans(name)))]
    targets += [("body", i) for i, r in enumerate(_load(name).get("responses") or [])
                if isinstance(_decoded_body(name, i), (dict, list))]
    if not targets:
        return None
    return targets[data.draw(st.integers(0, len(targets) - 1), label="target")]


def _replace_json(name: str, target: tuple[str, int], value: Any) -> dict:
    capture = _load(name)
    kind, index = target
    text = json.dumps(value, ensure_ascii=False)
    if kind == "html":
        start, end = _blob_spans(name)[index]
        html = capture["html"]
        return _with(capture, html=html[:start] + text + html[end:])
    return _with_response(capture, index, body=text)


def _original_json(name: str, target: tuple[str, int]) -> Any:
    kind, index = target
    return _decoded_blob(name, index) if kind == "html" else _decoded_body(name, index)


# --- the properties --------------------------------------------------------------------------------


def test_sources_exist() -> None:
    assert _sources(), "no captures at all: neither ../shared/realpages nor tests/fixtures/*.capture.json"


@SETTINGS
@given(name=names, cut=st.floats(0.0, 1.0))
def test_truncated_html(name: str, cut: float) -> None:
    capture = _load(name)
    html = capture.get("html") or ""
    note(f"{name}: html cut at {int(len(html) * cut)} of {len(html)}")
    _check(_with(capture, html=html[: int(len(html) * cut)]), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_truncated_html_inside_embedded_json(name: str, data: st.DataObject) -> None:
    """Cut where it hurts most: inside the blob the parser decodes (a page saved mid-load)."""
    capture = _load(name)
    spans = _blob_spans(name)
    if not spans:
        _check(_with(capture, html=(capture.get("html") or "")[: data.draw(st.integers(0, 5000))]), name=name)
        return
    start, end = spans[data.draw(st.integers(0, len(spans) - 1), label="blob")]
    cut = data.draw(st.integers(start, end), label="cut")
    note(f"{name}: html cut at {cut} inside blob {start}..{end}")
    _check(_with(capture, html=capture["html"][:cut]), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_corrupted_response_bodies(name: str, data: st.DataObject) -> None:
    capture = _load(name)
    responses = capture.get("responses") or []
    if not responses:
        _check(_with(capture, responses=[{"url": capture["url"], "status": 200, "body": "{"}]), name=name)
        return
    index = data.draw(st.integers(0, len(responses) - 1), label="response")
    body = responses[index].get("body")
    body = body if isinstance(body, str) else json.dumps(body)
    how = data.draw(st.sampled_from(["truncate", "garbage", "flip", "empty", "html"]), label="how")
    if how == "truncate":
        body = body[: data.draw(st.integers(0, len(body)), label="cut")]
    elif how == "garbage":
        at = data.draw(st.integers(0, len(body)), label="at")
        body = body[:at] + data.draw(st.text(max_size=20), label="garbage") + body[at:]
    elif how == "flip" and body:
        at = data.draw(st.integers(0, len(body) - 1), label="at")
        body = body[:at] + data.draw(st.sampled_from('{}[]":,0aé\\\x00'), label="char") + body[at + 1:]
    elif how == "empty":
        body = ""
    else:
        body = "<html><body>Something went wrong. Try reloading.</body></html>"
    note(f"{name}: response {index} {how}")
    _check(_with_response(capture, index, body=body), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_garbage_in_embedded_json(name: str, data: st.DataObject) -> None:
    capture = _load(name)
    spans = _blob_spans(name)
    html = capture.get("html") or ""
    if spans:
        start, end = spans[data.draw(st.integers(0, len(spans) - 1), label="blob")]
    else:
        start, end = 0, len(html)
    at = data.draw(st.integers(start, end), label="at")
    garbage = data.draw(st.one_of(st.text(max_size=30), st.sampled_from(["}", "]", '"', "\\", "</script>",
                                                                         "NaN", "{{{", ",,"])), label="garbage")
    note(f"{name}: {garbage!r} injected at {at}")
    _check(_with(capture, html=html[:at] + garbage + html[at:]), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_dropped_keys(name: str, data: st.DataObject) -> None:
    """Missing keys are ordinary (every field but platform and handle is optional)."""
    capture = _load(name)
    where = data.draw(st.sampled_from(["capture", "response", "json"]), label="where")
    if where == "capture":
        keys = data.draw(st.sets(st.sampled_from(sorted(capture))), label="dropped keys")
        _check({k: v for k, v in capture.items() if k not in keys}, name=name)
        return
    if where == "response" and capture.get("responses"):
        index = data.draw(st.integers(0, len(capture["responses"]) - 1), label="response")
        response = capture["responses"][index]
        keys = data.draw(st.sets(st.sampled_from(sorted(response))), label="dropped keys")
        _check(_with_response(capture, index, **{k: None for k in keys}) if keys else capture, name=name)
        return
    target = _json_target(data, name)
    if target is None:
        _check(_with(capture, html=""), name=name)
        return
    original = _original_json(name, target)
    mutated = original
    for _ in range(data.draw(st.integers(1, 4), label="drops")):
        path = _random_path(data, mutated)
        note(f"{name}: drop {target} {path[:12]}")
        mutated = _set_at(mutated, path, "drop")
    _check(_replace_json(name, target, mutated), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_swapped_types_in_capture(name: str, data: st.DataObject) -> None:
    capture = _load(name)
    field = data.draw(st.sampled_from(["html", "responses", "url", "captured_at", "source", "format",
                                       "response", "body", "status", "response url", "whole"]), label="field")
    odd = data.draw(ODD_VALUES, label="value")
    note(f"{name}: {field} -> {odd!r}")
    if field == "whole":
        _check(odd, name=name)
    elif field in ("response", "body", "status", "response url"):
        responses = capture.get("responses") or [{"url": capture["url"], "body": "{}"}]
        index = data.draw(st.integers(0, len(responses) - 1), label="response")
        changed = list(responses)
        if field == "response":
            changed[index] = odd
        else:
            key = {"body": "body", "status": "status", "response url": "url"}[field]
            changed[index] = _with(responses[index], **{key: odd})
        _check(_with(capture, responses=changed), name=name)
    else:
        _check(_with(capture, **{field: odd}), name=name)


@SETTINGS
@given(name=names, data=st.data())
def test_swapped_types_in_embedded_json(name: str, data: st.DataObject) -> None:
    """A value of a type never seen deep in the data: the one place the safety net may catch a parser
    (each firing is reported as a hypothesis event: run with --hypothesis-show-statistics)."""
    target = _json_target(data, name)
    if target is None:
        _check(_load(name), name=name)
        return
    mutated = _original_json(name, target)
    for _ in range(data.draw(st.integers(1, 3), label="swaps")):
        path = _random_path(data, mutated)
        odd = data.draw(ODD_VALUES, label="value")
        note(f"{name}: {target} {path[:12]} -> {odd!r}")
        mutated = _set_at(mutated, path, "swap", odd)
    _check(_replace_json(name, target, mutated), net_allowed=True, name=name)


HOSTS = st.sampled_from([
    "www.youtube.com", "m.youtube.com", "youtube.com", "www.tiktok.com", "m.tiktok.com", "www.instagram.com",
    "instagram.com", "x.com", "twitter.com", "mobile.twitter.com", "example.com", "youtu.be", "localhost",
])
PATH_PARTS = st.sampled_from([
    "", "@", "@someone", "someone", "channel", "UCxxxxxxxxxxxxxxxxxxxxxx", "c", "user", "videos", "watch",
    "shorts", "video", "123456789", "status", "followers", "following", "p", "reel", "explore", "home",
    "i", "search", "%00", "..", "ü", "a" * 200,
])
URLS = st.one_of(
    st.builds(lambda scheme, host, parts, query: f"{scheme}://{host}/" + "/".join(parts) + query,
              st.sampled_from(["https", "http"]), HOSTS, st.lists(PATH_PARTS, max_size=4),
              st.sampled_from(["", "?v=abc", "?lang=de", "#x", "?v=", "?variables=%7B"])),
    st.text(max_size=60),
    st.just("https://"),
)


@SETTINGS
@given(name=names, url=URLS)
def test_random_urls(name: str, url: str) -> None:
    note(f"{name} at {url!r}")
    _check(_with(_load(name), url=url), name=name)
