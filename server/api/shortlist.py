"""A shortlist's creators, read once for everything that shows several side by side: the comparison
page, the reports and the exports.

`parse_refs` reads a comparison's `c=<platform>/<handle>` values (2 to 4 creators) and names every bad
one; `load_records` reads each creator's record (summary, latest capture, history) or says which are
unknown; `creator_facts` turns one record into the key numbers a marketer compares, in the units a
person reads (percents as percents). The dashboard (a page in plain words) and the API (the JSON error
shape) both call them, so the page, the reports and the exports cannot disagree on a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from scraper import registry
from scraper.times import parse_time
from server.api.views import creator_view
from server.scoring.content import posts_of, sponsored_share
from server.scoring.decision import decision_numbers
from server.store import Repository, StoreError

MIN_COMPARE, MAX_COMPARE = 2, 4
_SHOWN = 60  # characters of a bad value quoted back in a message


class ShortlistError(Exception):
    """A comparison that cannot be shown: 400 (bad or too few/many `c`) or 404 (unknown creators).
    `message` is for a person; `fields` names each bad value (the API's `error.fields`)."""

    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def _quote(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")


def _ref_problem(raw: str) -> tuple[tuple[str, str] | None, str | None]:
    """(platform, handle) from "platform/handle", or the reason it is not one."""
    platform, sep, handle = raw.strip().partition("/")
    platform, handle = platform.strip().lower(), handle.strip().lstrip("@")
    if not sep or not platform or not handle:
        return None, (f"{_quote(raw)} is not a creator: write platform/handle, the platform one of "
                      f"{', '.join(registry.NAMES)}.")
    name = registry.name_for(platform)
    if name is None:
        return None, f"{_quote(raw)}: kolscope does not know the platform {_quote(platform)} (it reads {registry.labels()})."
    if not registry.valid_handle(name, handle):
        p = registry.require(name)
        return None, f"{_quote(raw)} is not a valid {p.label} handle ({p.handle_rule})."
    return (name, handle), None


def parse_refs(values: Iterable[str]) -> list[tuple[str, str]]:
    """The creators a comparison names, in the order given, each once; ShortlistError (400) naming
    every bad value, or saying how many to pick."""
    values = list(values)
    if len(values) > 10 * MAX_COMPARE:  # not worth reading one by one
        raise ShortlistError(400, f"Pick {MIN_COMPARE} to {MAX_COMPARE} creators to compare; the link names {len(values)}.",
                             {"c": f"{len(values)} creators named; at most {MAX_COMPARE}."})
    refs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    problems: dict[str, str] = {}
    for i, raw in enumerate(values):
        ref, problem = _ref_problem(raw)
        if ref is None:
            problems[f"c[{i}]"] = problem or ""
            continue
        key = (ref[0], registry.creator_key(*ref))
        if key not in seen:  # the same creator named twice is compared once
            seen.add(key)
            refs.append(ref)
    if problems:
        raise ShortlistError(400, " ".join(problems.values()), problems)
    if not MIN_COMPARE <= len(refs) <= MAX_COMPARE:
        got = "none" if not refs else "only one" if len(refs) == 1 else str(len(refs))
        raise ShortlistError(400, f"Pick {MIN_COMPARE} to {MAX_COMPARE} creators to compare; this link names {got}.",
                             {"c": f"{len(refs)} creators named; compare {MIN_COMPARE} to {MAX_COMPARE}."})
    return refs


def load_records(store: Repository, refs: list[tuple[str, str]]) -> list[dict]:
    """Each creator's {summary, latest, history}, in order (an old handle and the new one are one
    creator, shown once); ShortlistError (404) naming the creators kolscope knows nothing of."""
    records, missing, seen = [], {}, set()
    for i, (platform, handle) in enumerate(refs):
        try:
            record = store.creator_record(platform, handle)
        except StoreError as exc:
            if exc.code != "invalid_handle":
                raise
            record = None
        if record is None:
            missing[f"c[{i}]"] = f"kolscope has nothing stored for {platform}/{handle}."
            continue
        key = (record["summary"]["platform"], record["summary"]["key"])
        if key not in seen:
            seen.add(key)
            records.append(record)
    if missing:
        raise ShortlistError(404, " ".join(missing.values()) + " Open their page with the extension, or add them "
                             "to a watchlist by URL, then compare again.", missing)
    return records


def percent(fraction: float | None, digits: int = 2) -> float | None:
    return None if fraction is None else round(fraction * 100, digits)


def sheet_time(value: object) -> str | None:
    """A date and time as spreadsheets read them: `YYYY-MM-DD HH:MM`, in UTC."""
    when = parse_time(value)
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _languages(fit: dict) -> list[tuple[str, float]]:
    """The audience's languages (code, percent), most first, from the fit's language factor (scored
    with or without a brief: the shares are a fact of the capture)."""
    for f in fit.get("factors") or []:
        if f.get("key") == "language" and isinstance(f.get("value"), dict):
            shares = f["value"].get("languages") or {}
            return [(code, round(share * 100)) for code, share in shares.items() if isinstance(share, (int, float))]
    return []


def _score(compact: dict | None, full: dict | None) -> dict:
    """A score as shown: score, grade, confidence and reason (withheld: score None) and its factors."""
    compact, full = compact or {}, full or {}
    return {"score": compact.get("score"), "grade": compact.get("grade"), "confidence": compact.get("confidence"),
            "reason": compact.get("reason"), "factors": list(full.get("factors") or [])}


def creator_facts(record: dict) -> dict:
    """The key numbers of one creator (a creator_record), None where the capture does not show them:
    followers, tier, engagement rate and growth in percent, median views, paid share in percent,
    audience languages, fit and authenticity with their factors, the brief fit was scored against,
    the follower history and the capture time."""
    summary = record["summary"]
    latest = record.get("latest") or {}
    snapshot, scores = latest.get("snapshot") or {}, latest.get("scores") or {}
    view = creator_view(summary)
    decision = decision_numbers(snapshot) if snapshot else {}
    share, paid, total = sponsored_share(posts_of(snapshot)) if snapshot else (None, 0, 0)
    fit = _score(view["fit"], scores.get("fit"))
    return {
        "platform": view["platform"], "handle": view["handle"], "key": summary["key"], "display_name": view["display_name"],
        "url": view["url"], "followers": view["followers"], "tier": view["tier"], "country": view["country"],
        "engagement_rate_percent": percent(view["engagement_rate"]),
        "median_views": decision.get("median_views"),
        "growth_30d_percent": view["growth_30d"],
        "paid_share_percent": percent(share, 1), "paid_posts": paid, "posts_seen": total,
        "paid_brands": [b["name"] for b in decision.get("paid_brands") or []],
        "languages": _languages(fit),
        "fit": fit, "authenticity": _score(view["authenticity"], scores.get("authenticity")),
        "summary": dict(scores.get("summary") or {}),
        "brief_id": view["fit_brief_id"],
        "captured": view["captured"], "captured_at": view["captured_at"], "stale": view["stale"],
        "refresh_status": view["refresh"]["status"],
        "history": [p for p in record.get("history") or [] if isinstance(p, dict)],
    }


def brief_names(store: Repository, ids: Iterable[str | None]) -> dict[str, dict]:
    """The briefs fits were scored against, by id: {id, name, brief}; a deleted one says so."""
    out: dict[str, dict] = {}
    for bid in ids:
        if not bid or bid in out:
            continue
        try:
            doc = store.get_brief(bid)
        except StoreError as exc:
            if exc.code != "not_found":
                raise
            out[bid] = {"id": bid, "name": "(a deleted brief)", "brief": {}}
            continue
        out[bid] = {"id": bid, "name": doc["brief"].get("name") or bid, "brief": dict(doc["brief"])}
    return out
