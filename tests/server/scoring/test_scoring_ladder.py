"""ladder: a factor's thresholds as one table (first rung whose bound the value stays under)."""

from __future__ import annotations

from server.scoring.common import ladder

RUNGS = [(0.2, 100, "normal"), (0.4, 75, "noticeable")]


def test_ladder_inclusive_and_strict_bounds():
    assert ladder(0.1, RUNGS, (20, "mostly")) == (100, "normal")
    assert ladder(0.2, RUNGS, (20, "mostly")) == (100, "normal")
    assert ladder(0.2, RUNGS, (20, "mostly"), strict=True) == (75, "noticeable")
    assert ladder(0.9, RUNGS, (20, "mostly")) == (20, "mostly")
