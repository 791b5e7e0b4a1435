"""Scoring: pure functions from a snapshot (and its history) to fit and authenticity with reasons.

`score(snapshot, brief=..., history=..., now=...)` reads no file, no clock and no network: the same
input gives the same answer, in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from server.scoring.authenticity import authenticity as _authenticity
from server.scoring.authenticity import engagement_rate
from server.scoring.brief import Brief
from scraper.times import parse_time
from server.scoring.common import count
from server.scoring.fit import NEEDS_BRIEF, audience_languages, facts
from server.scoring.fit import fit as _fit
from server.scoring.history import all_posts, as_dict, history_point, normalize, observations
from server.scoring.tiers import TIERS, tier_for
from server.scoring.traits import traits

__all__ = ["TIERS", "Brief", "engagement_rate", "history_point", "score", "tier_for"]


def _now(now: datetime | str | None, snapshot: dict) -> datetime:
    if isinstance(now, datetime):
        return now if now.tzinfo else now.replace(tzinfo=UTC)
    parsed = parse_time(now) if isinstance(now, str) else None
    if parsed is not None:
        return parsed
    if now is not None:
        raise ValueError(f"now must be an aware datetime or an ISO-8601 string, not {now!r}")
    # no `now` given: the capture's own time (never the clock: scoring stays pure)
    return parse_time(snapshot.get("captured_at")) or datetime(1970, 1, 1, tzinfo=UTC)


def _brief(brief: Brief | Mapping[str, Any] | None) -> Brief | None:
    if brief is None or isinstance(brief, Brief):
        return brief
    return Brief.model_validate(dict(brief))  # pydantic's ValidationError is a ValueError


# Pass/fail checks: passing them is expected, not a strength worth naming.
_GATES = {"blocked_terms", "platform"}


def _strengths(factors: list[dict]) -> list[str]:
    """Labels of the factors that are real strengths: scored 80 or more, with weight, not a gate."""
    good = [f for f in factors if f["score"] is not None and f["weight"] and f["score"] >= 80 and f["key"] not in _GATES]
    good.sort(key=lambda f: (-f["weight"], -f["score"]))
    return [f["label"].lower() for f in good[:3]]


def _weakest(factors: list[dict]) -> dict | None:
    scored = [f for f in factors if f["score"] is not None and f["weight"]]
    return min(scored, key=lambda f: (f["score"], -f["weight"])) if scored else None


def _summary_fit(result: dict, brief: Brief | None) -> str:
    if brief is None or result["score"] is None:
        return NEEDS_BRIEF if brief is None else result.get("reason", "Nothing to check against the brief.")
    word = "fits" if result["score"] >= 65 else "partly fits" if result["score"] >= 45 else "does not fit"
    s = f"{word.capitalize()} '{brief.name}' ({result['grade']}, {result['score']}/100)"
    strong = _strengths(result["factors"])
    if strong:
        s += f"; strong on {', '.join(strong)}"
    worst = _weakest(result["factors"])
    if worst is not None and worst["score"] < 60:
        s += f"; weak on {worst['label'].lower()}"
    return s + f" ({result['confidence']} confidence)."


def _summary_authenticity(result: dict) -> str:
    if result["score"] is None:
        return "No authenticity grade: too little on this page to judge (see what is missing below)."
    sc = result["score"]
    word = "Looks authentic" if sc >= 75 else "Mostly authentic, with warning signs" if sc >= 50 else "Doubtful following"
    s = f"{word} ({result['grade']}, {sc}/100)"
    strong = _strengths(result["factors"])
    if strong:
        s += f"; strong on {', '.join(strong)}"
    worst = _weakest(result["factors"])
    if worst is not None and worst["score"] < 60:
        s += f"; check: {worst['label'].lower()}"
    return s + f" ({result['confidence']} confidence)."


def score(
    snapshot: Any,
    *,
    brief: Brief | Mapping[str, Any] | None = None,
    history: Iterable[Any] = (),
    now: datetime | str | None = None,
    tiers: Mapping[str, int] | Sequence[tuple[str, int]] | None = None,
) -> dict:
    """Fit and authenticity of one snapshot, every factor with its reason.

    `snapshot` is a scraper.models.Snapshot or its dict form; `history` earlier snapshots or history
    points (any order); `now` an aware datetime or ISO string; `tiers` overrides the TIERS table.
    Raises ValueError only for an invalid brief, `now` or `tiers` (the caller's arguments); odd
    snapshot data gives withheld factors, never an exception.
    """
    snap = as_dict(snapshot)
    when = _now(now, snap)
    the_brief = _brief(brief)
    followers = count(snap.get("followers"))
    tier = tier_for(followers, tiers)
    # one observation per day: a page reloaded three times is one look at the creator, not three
    points = observations(normalize(history), parse_time(snap.get("captured_at")) or when)
    posts = all_posts(snap, points)
    er, er_info = engagement_rate(snap)
    langs = audience_languages(snap)

    auth = _authenticity(snap, points, posts, when, er, er_info)
    if the_brief is None:
        fit_result = {"score": None, "grade": None, "confidence": "low", "reason": NEEDS_BRIEF,
                      "factors": facts(snap, tier, langs)}
    else:
        fit_result = _fit(snap, the_brief, tier=tier, tiers=tiers, er=er, er_info=er_info, langs=langs)
    return {
        "platform": snap.get("platform") if isinstance(snap.get("platform"), str) else None,
        "handle": snap.get("handle") if isinstance(snap.get("handle"), str) else None,
        "followers": int(followers) if followers is not None else None,
        "tier": tier,
        "engagement_rate": None if er is None else round(er, 5),
        "fit": fit_result,
        "authenticity": auth,
        "summary": {"fit": _summary_fit(fit_result, the_brief), "authenticity": _summary_authenticity(auth)},
        # what the creator is like (hashtags, topics, languages, brands): for "similar" and brand search
        "traits": traits(snap, langs, tier),
        "scored_at": when.isoformat(timespec="seconds"),
    }
