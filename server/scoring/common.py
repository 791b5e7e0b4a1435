"""Shared pieces of the scores: tolerant readers for odd snapshot data, factors, grades, weighting."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

GRADES = ((80, "A"), (65, "B"), (50, "C"), (35, "D"), (0, "F"))


def num(value: Any) -> float | None:
    """A finite number, or None (bools, strings, NaN and infinities are not counts)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def count(value: Any) -> float | None:
    """A non-negative count, or None."""
    v = num(value)
    return v if v is not None and v >= 0 else None


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def items(value: Any) -> list:
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict]:
    return [v for v in items(value) if isinstance(v, dict)]


def strs(value: Any) -> list[str]:
    return [v for v in items(value) if isinstance(v, str)]


def clamp(x: float, lo: float = 0.0, hi: float = 100.0) -> float:
    return lo if x < lo else min(x, hi)


def median(values: Iterable[float]) -> float | None:
    vals = sorted(values)
    n = len(vals)
    if not n:
        return None
    mid = n // 2
    return vals[mid] if n % 2 else (vals[mid - 1] + vals[mid]) / 2


def grade(score: float | None) -> str | None:
    if score is None:
        return None
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "F"


def ladder(value: float, rungs: list[tuple[float, float, str]], top: tuple[float, str], *,
           strict: bool = False) -> tuple[float, str]:
    """(score, reason) of the first rung whose bound `value` stays under (<=, or < when strict);
    `top` past the last one. Keeps a factor's thresholds in one readable table."""
    for bound, score, msg in rungs:
        if value < bound or (not strict and value == bound):
            return score, msg
    return top


def factor(key: str, label: str, weight: float, score: float | None, value: Any, reason: str) -> dict:
    """One factor as the overlay and the dashboard show it; a None score means withheld."""
    return {
        "key": key,
        "label": label,
        "score": None if score is None else round(clamp(score)),
        "weight": weight,
        "value": value,
        "reason": reason,
    }


def combine(factors: list[dict], *, data_points: int, cap: tuple[float, str] | None = None,
            min_factors: int = 1) -> dict:
    """Weighted mean of the scored factors with a confidence that says how much of it stood on data.

    confidence: the share of the total weight that could be scored, and how much raw data (posts,
    comments, history points) it rested on. Withheld factors lower it instead of pulling the score.
    """
    total = sum(f["weight"] for f in factors) or 1.0
    scored = [f for f in factors if f["score"] is not None]
    covered = sum(f["weight"] for f in scored) / total
    if len(scored) < max(1, min_factors):
        # too few factors for a verdict (authenticity from one ratio): show them, give no overall score
        return {"score": None, "grade": None, "confidence": "low", "factors": factors}
    score = sum(f["score"] * f["weight"] for f in scored) / sum(f["weight"] for f in scored)
    if cap is not None and score > cap[0]:
        score = cap[0]
    if covered >= 0.7 and data_points >= 8:
        confidence = "high"
    elif covered >= 0.45 and data_points >= 3:
        confidence = "medium"
    else:
        confidence = "low"
    score = round(clamp(score))
    return {"score": score, "grade": grade(score), "confidence": confidence, "factors": factors}


def pct(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x * 100:.{digits}f}%"


def human(n: float | None) -> str:
    """12,345 -> '12.3k' for reasons a marketer reads."""
    if n is None:
        return "n/a"
    n = float(n)
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.1f}".rstrip("0").rstrip(".") + unit
    return f"{n:.0f}"
