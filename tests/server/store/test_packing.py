"""packing.Chain: a creator's points written each against the one before, read back exactly (any
JSON value: key order, int vs float vs bool, -0.0, lone surrogates), and small where points repeat."""

from __future__ import annotations

import json
import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from server.store.packing import Chain

TEXT = st.sampled_from(["a", "run", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.250Z", "0", "007", "12345678901234",
                        "ñandú", "a\ud800b", "", "2025-02-30T00:00:00Z", "+1", "2025-01-01T00:00:00+00:00"]) | st.text()
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=6) | st.dictionaries(TEXT, inner, max_size=6),
                      max_leaves=30)


def _exact(a, b) -> bool:
    """Equal with types and float bits (Python's == takes 1 == 1.0 == True, and 0.0 == -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_exact(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_exact(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


def _round_trip(points: list) -> list:
    writer, reader = Chain(), Chain()
    rows = [writer.encode(p) for p in points]
    return [reader.decode(r) for r in rows]


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=6))
def test_any_chain_of_json_values_reads_back_exactly(points):
    assert all(_exact(a, b) for a, b in zip(_round_trip(points), points, strict=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.fixed_dictionaries({"id": st.sampled_from("abcdefgh"), "views": st.integers(0, 10**6)},
                                               optional={"tags": st.lists(TEXT, max_size=2)}), max_size=7),
                min_size=2, max_size=6))
def test_shifted_lists_of_posts_read_back_exactly(lists):
    """Lists whose items come back shifted (the case the shift is tried for), with keys coming and going."""
    points = [{"recent_posts": posts, "n": i} for i, posts in enumerate(lists)]
    assert all(_exact(a, b) for a, b in zip(_round_trip(points), points, strict=True))


def test_odd_values_read_back_exactly():
    points = [{"x": float("nan"), "y": -0.0, "z": float("inf"), "big": 2**70, "neg": -3, "t": True},
              {"x": 1.5, "y": 0.0, "z": float("-inf"), "big": -(2**70), "neg": -3.0, "t": 1},
              {"t": "2025-01-01T00:00:00Z", "y": "2025-01-01T00:00:00Z"}, [], "text", 7, None]
    back = _round_trip(points)
    assert math.isnan(back[0]["x"]) and struct.pack("<d", back[0]["y"]) == struct.pack("<d", -0.0)
    assert all(_exact(a, b) for a, b in zip(back[1:], points[1:], strict=True))


def test_a_year_of_realistic_points_packs_small():
    """The bench's realistic creator (a new post most days, views growing as posts age): ~60 bytes
    a point where its JSON takes ~1,000 (steady points take ~10)."""
    from bench.bench_store import steady_year, year_of_snapshots
    from scraper import parse
    from server.scoring import history_point
    from tests.server.api.conftest import x_capture

    base = parse(x_capture("year0")).to_dict()
    for profile, most in ((year_of_snapshots, 70), (steady_year, 15)):
        points = [history_point(s) for s in profile(base, 3)]
        writer = Chain()
        rows = [writer.encode(p) for p in points]
        assert sum(map(len, rows)) / len(rows) <= most, profile.__name__
        assert _round_trip(points) == points
        assert json.dumps(_round_trip(points)) == json.dumps(points)
