"""The rules of stored records, as pure functions (no I/O, no clock: `now` is passed in): identity
(handle rules, keys, renamed accounts, placeholders), the creator summary and its growth figure, the
listing (filter, sort, page), and what refers to what. Every engine applies these same rules.

Platform facts (handle and key rules) come from `scraper.registry`; nothing here names a platform.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from scraper import registry
from scraper.times import parse_time
from server.scoring.tiers import TIER_NAMES
from server.store.base import CONFIDENCES, CreatorPage, CreatorQuery, StoreError

# The platforms a creator can belong to. Each platform module's valid_handle is the one handle rule
# (it matches that platform's profile_url).
PLATFORMS = registry.NAMES


# -- identity -------------------------------------------------------------------------------------

def valid_handle(platform: str, handle: Any) -> bool:
    return registry.valid_handle(platform, handle)


def creator_key(platform: str, handle: str) -> str:
    """The identity a handle is stored under: its platform's key rule (case-folded on most)."""
    return registry.creator_key(platform, handle)


def identity(platform: str, handle: str, aliases: Mapping[tuple[str, str], str]) -> tuple[str, str]:
    """(platform, the key the creator's data is stored under): an old handle, or an account id, leads
    to the same creator as its current handle (`aliases`: (platform, other key) -> stored key)."""
    if not valid_handle(platform, handle):
        raise StoreError("invalid_handle", f"{handle!r} is not a valid {platform} handle.")
    key = creator_key(platform, handle)
    return platform, aliases.get((platform, key), key)


def has_data(summary: Mapping | None) -> bool:
    """Whether a creator has captures of its own (a watchlisted-only placeholder has none)."""
    return bool(summary and (summary.get("captured") or summary.get("snapshots")))


def known_key(platform: str, key: str, pid: Any, index: Mapping[tuple[str, str], Mapping],
              pids: Mapping[tuple[str, str], str]) -> str:
    """The stored key of the account with platform id `pid` that a capture under `key` shows: `key`
    itself unless `key` is new (or only a placeholder) and the id belongs to a known creator (the
    account was renamed, or is known by its account id and now by a handle, or the other way round)."""
    if not isinstance(pid, str) or not pid:
        return key
    if has_data(index.get((platform, key))):
        return key  # a creator with data of its own never folds into another
    known = pids.get((platform, pid))
    return known if known is not None and known != key and (platform, known) in index else key


def fold_members(members: list[dict], platform: str, key: str, known: str) -> list[dict]:
    """A watchlist's members once the placeholder `key` turned out to be the known account `known`:
    it takes the placeholder's place, once."""
    moved = [dict(m, key=known) if (m["platform"], m["key"]) == (platform, key) else m for m in members]
    seen: set[tuple[str, str]] = set()
    out = []
    for m in moved:  # the first membership of an account stays (its author and time)
        if (m["platform"], m["key"]) not in seen:
            seen.add((m["platform"], m["key"]))
            out.append(m)
    return out


# -- summaries ------------------------------------------------------------------------------------

def compact_score(part: Any) -> dict | None:
    if not isinstance(part, dict):
        return None
    # the reason too: a withheld score (None) is shown as "no grade" with why, in lists and exports
    return {k: part.get(k) for k in ("score", "grade", "confidence", "reason")}


def tier_name(tier: Any) -> str | None:
    if isinstance(tier, str):
        return tier
    if isinstance(tier, dict):
        for k in ("name", "tier", "label"):
            if isinstance(tier.get(k), str):
                return tier[k]
    return None


def score_fields(scores: dict, brief_id: str | None) -> dict:
    """What a creator's summary shows of its scores (set by a capture, and by re-scoring)."""
    return {"tier": tier_name(scores.get("tier")), "engagement_rate": scores.get("engagement_rate"),
            "fit": compact_score(scores.get("fit")), "authenticity": compact_score(scores.get("authenticity")),
            "brief_id": brief_id, "traits": scores.get("traits")}


def growth_30d(points: list[dict], latest: dict) -> float | None:
    """Follower growth in percent over the last ~30 days of history (None without data)."""
    now_t, now_f = parse_time(latest.get("captured_at")), latest.get("followers")
    if now_t is None or not isinstance(now_f, int):
        return None
    try:
        target = now_t - timedelta(days=30)
    except OverflowError:  # a point dated in year 1 (stored before captured_at was checked)
        return None
    best = None
    for p in points:
        t, f = parse_time(p.get("captured_at")), p.get("followers")
        if t is None or not isinstance(f, int) or f <= 0 or t >= now_t:
            continue
        # the point nearest to 30 days ago, but at least a day old
        if now_t - t < timedelta(days=1):
            continue
        if best is None or abs(t - target) < abs(best[0] - target):
            best = (t, f)
    if best is None:
        return None
    return round((now_f - best[1]) / best[1] * 100, 2)


def default_point(snapshot: dict) -> dict:
    """A history point of a snapshot's counts (when scoring gave no compact point)."""
    point = {"captured_at": snapshot.get("captured_at")}
    for k in ("followers", "following", "posts", "likes", "views"):
        point[k] = snapshot.get(k)
    return point


def _known(snapshot: dict, old: dict, name: str):
    """The snapshot's value, or the stored one when this capture does not show it."""
    value = snapshot.get(name)
    return value if value is not None else old.get(name)


def summary(platform: str, key: str, snapshot: dict, scores: dict | None, brief_id: str | None,
            points: list[dict], old: dict, now: str) -> dict:
    """A creator's summary after a capture: the snapshot's facts, falling back on the known ones
    (`old`, the previous summary) where this capture does not show them, its scores and growth."""
    scores = scores if isinstance(scores, dict) else {}
    handle = snapshot.get("handle")
    if handle == snapshot.get("platform_id") and old.get("handle") and old["handle"] != handle:
        handle = old["handle"]  # a capture by account id does not hide the handle already known
    return {
        "platform": platform,
        "key": key,
        "handle": handle,
        "platform_id": snapshot.get("platform_id") or old.get("platform_id"),
        "url": snapshot.get("url") or old.get("url"),
        # a post or reel page may not show these (some post pages carry no follower count): such a
        # capture keeps the known ones
        "display_name": _known(snapshot, old, "display_name"),
        "avatar_url": _known(snapshot, old, "avatar_url"),
        "followers": _known(snapshot, old, "followers"),
        "verified": _known(snapshot, old, "verified"),
        # a capture without it (a platform may show it only in a panel the user opens) keeps the known one
        "country": snapshot.get("country") or old.get("country"),
        **score_fields(scores, brief_id),
        "growth_30d": growth_30d(points, snapshot),
        "captured": True,
        "captured_at": snapshot.get("captured_at"),
        "snapshots": len(points),
        "first_seen": old.get("first_seen") or now,
        "stored_at": now,
        "updated_at": now,
        "refresh": dict(old.get("refresh") or {}),
    }


def placeholder(platform: str, key: str, handle: str, url: str | None, now: str) -> dict:
    """The summary of a creator known but not captured yet (watchlisted by its profile URL)."""
    return {
        "platform": platform, "key": key, "handle": handle, "url": url, "display_name": None,
        "avatar_url": None, "followers": None, "verified": None, "tier": None,
        "engagement_rate": None, "fit": None, "authenticity": None, "brief_id": None,
        "growth_30d": None, "captured": False, "captured_at": None, "snapshots": 0,
        "first_seen": now, "updated_at": now, "refresh": {},
    }


REFRESH_LOG = 20  # the attempts a creator keeps in its refresh log, newest last


def refreshed(refresh: Mapping, status: str, reason: str | None, at: str, code: str | None = None) -> dict:
    """A creator's refresh record after an attempt: running, or its outcome (ok sets last_ok). Each
    outcome is also appended to `log` (the last REFRESH_LOG: {status, code, reason, at}), which the
    creator page tells in plain words (server/plain.py)."""
    out = dict(refresh)
    if status == "running":
        out.update(running=True, started_at=at)
    else:
        out.update(status=status, reason=reason, code=code, at=at, running=False)
        if status == "ok":
            out["last_ok"] = at
        entry = {"status": status, "code": code, "reason": reason, "at": at}
        out["log"] = (list(refresh.get("log") or []) + [entry])[-REFRESH_LOG:]
    return out


# -- the listing ----------------------------------------------------------------------------------

def _score_of(part: Any) -> float | None:
    return part.get("score") if isinstance(part, dict) else None


def ranked_part(c: Mapping) -> Any:
    """The score a creator is ranked by: fit when a brief gave one, else authenticity."""
    fit = c.get("fit")
    return fit if _score_of(fit) is not None else c.get("authenticity")


def confidence_of(c: Mapping) -> str | None:
    """The confidence of the score a creator is ranked by (None when that score is withheld)."""
    part = ranked_part(c)
    if _score_of(part) is None:
        return None
    conf = part.get("confidence")
    return conf if conf in CONFIDENCES else None


def tier_rank(tier: Any) -> int | None:
    """A tier's place by audience size (nano first); None for an unknown name."""
    name = tier.lower() if isinstance(tier, str) else None
    return TIER_NAMES.index(name) if name in TIER_NAMES else None


def refresh_state(c: Mapping) -> str:
    """A creator's refresh as the listing filters it: running now, else the last outcome, or never."""
    refresh = c.get("refresh") or {}
    if refresh.get("running"):
        return "running"
    return refresh.get("status") or "never"


def _confidence_rank(c: Mapping) -> int | None:
    conf = confidence_of(c)
    return None if conf is None else CONFIDENCES.index(conf)


# what each sort compares (None: no value, last in either order)
SORT_VALUES: Mapping[str, Callable[[Mapping], Any]] = MappingProxyType({
    "score": lambda c: _score_of(ranked_part(c)),  # fit when a brief gave one, else authenticity
    "fit": lambda c: _score_of(c.get("fit")),
    "authenticity": lambda c: _score_of(c.get("authenticity")),
    "confidence": _confidence_rank,
    "followers": lambda c: c.get("followers"),
    "tier": lambda c: tier_rank(c.get("tier")),
    "growth": lambda c: c.get("growth_30d"),
    "handle": lambda c: c.get("key"),
    "captured_at": lambda c: c.get("captured_at"),
})


def sort_value(c: Mapping, sort: str) -> Any:
    """What a creator is sorted by (None: it has no value, and goes last)."""
    return SORT_VALUES[sort](c)


def audience_languages(c: Mapping) -> list[str]:
    """The audience's main languages (codes) that scoring keeps in a summary's traits."""
    traits = c.get("traits")
    langs = traits.get("languages") if isinstance(traits, dict) else None
    return langs if isinstance(langs, list) else []


def _at_least(value: Any, floor: float) -> bool:
    return isinstance(value, (int, float)) and value >= floor


def _q_matches(needle: str) -> Callable[[Mapping], bool]:
    return lambda c: needle in (c.get("handle") or "").casefold() or needle in (c.get("display_name") or "").casefold()


def _min_confidence(floor: str) -> Callable[[Mapping], bool]:
    ranks = set(CONFIDENCES[CONFIDENCES.index(floor):])
    return lambda c: confidence_of(c) in ranks


def predicates(query: CreatorQuery, members: set[tuple[str, str]] | None = None,
               listed: set[tuple[str, str]] | None = None) -> list[Callable[[Mapping], bool]]:
    """The query's filters as tests of a summary, only those it sets (a listing runs them over
    every stored creator: 10,000 summaries are not asked fifteen questions each to pass none)."""
    tests: list[Callable[[Mapping], bool]] = []
    if query.platform:
        tests.append(lambda c, p=query.platform: c["platform"] == p)
    if members is not None:
        tests.append(lambda c: (c["platform"], c["key"]) in members)
    if query.in_watchlist is not None:
        inside, pool = query.in_watchlist, listed or set()
        tests.append(lambda c: ((c["platform"], c["key"]) in pool) == inside)
    if query.tier:
        tier = query.tier.lower()
        tests.append(lambda c: (c.get("tier") or "").lower() == tier)
    if query.country:
        country = query.country.upper()
        tests.append(lambda c: (c.get("country") or "").upper() == country)
    if query.language:
        lang = query.language.lower()
        tests.append(lambda c: lang in audience_languages(c))
    if query.min_fit is not None:
        tests.append(lambda c, f=query.min_fit: _at_least(_score_of(c.get("fit")), f))
    if query.min_authenticity is not None:
        tests.append(lambda c, f=query.min_authenticity: _at_least(_score_of(c.get("authenticity")), f))
    if query.min_confidence is not None:
        tests.append(_min_confidence(query.min_confidence))
    if query.min_growth is not None:
        tests.append(lambda c, f=query.min_growth: _at_least(c.get("growth_30d"), f))
    if query.max_growth is not None:
        tests.append(lambda c, f=query.max_growth: isinstance(c.get("growth_30d"), (int, float))
                     and c["growth_30d"] <= f)
    if query.captured_since:
        # ISO times in UTC compare as text; a date ("2025-03-01") is the start of that day
        tests.append(lambda c, since=query.captured_since: str(c.get("captured_at") or "") >= since)
    if query.refresh:
        tests.append(lambda c, state=query.refresh: refresh_state(c) == state)
    if query.q:
        tests.append(_q_matches(query.q.casefold()))
    return tests


def matches(c: Mapping, query: CreatorQuery, members: set[tuple[str, str]] | None = None,
            listed: set[tuple[str, str]] | None = None) -> bool:
    """Whether a summary passes the query's filters (`members`: the watchlist's, when it filters;
    `listed`: every watchlist's members, when `in_watchlist` filters)."""
    return all(test(c) for test in predicates(query, members, listed))


def order(summaries: Iterable[Mapping], sort: str, descending: bool) -> list[Mapping]:
    """Summaries in a listing's order: by the sort's value, equal values by key (then platform) in
    both orders, creators without a value last (by key). Each value is computed once, and one sort
    with C-level keys orders them: 10,000 creators in a few milliseconds."""
    value_of, text = SORT_VALUES[sort], sort in ("handle", "captured_at")
    negate = descending and not text  # numbers sort descending by their negation: one sort
    present: list[tuple[Any, str, str, Mapping]] = []
    missing: list[tuple[str, str, Mapping]] = []
    for c in summaries:
        value = value_of(c)
        if value is None:
            missing.append((c["key"], c["platform"], c))
        else:
            present.append((-value if negate else value, c["key"], c["platform"], c))
    if descending and text:
        present.sort(key=itemgetter(1, 2))
        present.sort(key=itemgetter(0), reverse=True)
    else:
        present.sort(key=itemgetter(0, 1, 2))
    missing.sort(key=itemgetter(0, 1))
    return [v[3] for v in present] + [v[2] for v in missing]


def select(summaries: Iterable[Mapping], query: CreatorQuery, members: set[tuple[str, str]] | None = None,
           listed: set[tuple[str, str]] | None = None, *, ordered: bool = False) -> CreatorPage:
    """The page of `summaries` that `query` asks for (copies: the caller's records stay its own).
    `ordered`: the summaries are already in the query's order (`order`), as an engine may keep
    them between writes; filtering keeps that order, and nothing is sorted again."""
    found = list(summaries)
    for test in predicates(query, members, listed):
        found = [c for c in found if test(c)]  # one pass per filter over what is left: no all() per creator
    if not ordered:
        found = order(found, query.sort, query.descending)
    total = len(found)
    end = total if query.limit is None else query.offset + query.limit
    return CreatorPage(items=[dict(c) for c in found[query.offset:end]], total=total,
                       next=end if end < total else None)


# -- references -----------------------------------------------------------------------------------

def references(watchlists: Iterable[Mapping], notes: Iterable[Mapping],
               aliases: Iterable[Mapping]) -> list[tuple[Any, Any, str]]:
    """(platform, key, what refers to it) of every creator that a watchlist member, a note or an
    alias ({platform, alias, key}) refers to: each must have its summary."""
    refs = [(m.get("platform"), m.get("key"), f"a member of watchlist {w.get('name')!r}")
            for w in watchlists for m in w.get("creators") or []]
    refs += [(n.get("platform"), n.get("key"), f"the creator of note {n.get('id')}") for n in notes]
    refs += [(a.get("platform"), a.get("key"), f"the creator alias {a.get('alias')!r} stands for") for a in aliases]
    return refs


# -- users (issue 16) ---------------------------------------------------------------------------------

_USER_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")


def check_user_name(name: Any) -> str:
    """A user name as given, checked: 1-64 letters, digits or `._-` (not dots only), not the reserved
    "owner"."""
    from server.store.base import OWNER

    if not isinstance(name, str) or not _USER_NAME.fullmatch(name) or not name.strip("."):
        # a name of dots only would be a path segment ("..") in /users/<name>/revoke
        raise StoreError("invalid_user_name",
                         f"{str(name)[:70]!r} is not a user name: use 1-64 letters, digits, '.', '_' or '-'.")
    if name.casefold() == OWNER:
        raise StoreError("invalid_user_name", f"{OWNER!r} is the store's own token's name; choose another.")
    return name


def token_digest(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8", "surrogatepass")).hexdigest()


def token_fields(token: str, revoked: bool | None = None) -> dict:
    """What a store keeps of a new token: its digest and a hint (never the token itself)."""
    out = {"token_sha256": token_digest(token), "token_hint": token[:4]}
    if revoked is False:
        out["revoked_at"] = None
    return out


def new_user(uid: str, name: str, admin: bool, token: str, now: str) -> dict:
    return {"id": uid, "name": name, "admin": bool(admin), "created_at": now, "revoked_at": None,
            **token_fields(token)}


def user_view(doc: Mapping) -> dict:
    """A stored user as answered: no digest."""
    return {k: doc.get(k) for k in ("id", "name", "admin", "created_at", "revoked_at", "token_hint")}


def user_of_token(docs: Iterable[Mapping], token: Any) -> dict | None:
    """The active user whose token is `token`, compared digest to digest in constant time."""
    if not isinstance(token, str) or not token:
        return None
    digest = token_digest(token)
    found = None
    for doc in docs:
        if hmac.compare_digest(str(doc.get("token_sha256") or ""), digest) and not doc.get("revoked_at"):
            found = doc
    return user_view(found) if found is not None else None
