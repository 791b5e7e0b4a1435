"""Audience-account checker: does a follower or commenter account look fake? Per platform, with reasons.

A small logistic model over signals a person can check on the profile (posts, picture, following and
followers, bio, verified badge, name patterns, posts per day of account age) plus one sample-level
signal: many accounts of a sample created within a week of each other, long before they were seen
(the batch signature of bought followers). Each platform has its own lines (what "active" or
"mass-following" means there, and which signals it carries); the evidence weights are fitted on
public labelled data by bench/train_accounts.py and live, with those lines, in accounts_model.json.
Every signal that moves an account's score is returned as a reason in words. Pure: no I/O besides
reading the model file once, no clock reads (pass `now`).
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from scraper import registry
from scraper.times import parse_time
from server.scoring.common import count, text

KINDS = ("real", "influencer", "mass_follower", "suspicious")
# HypeAuditor: a "mass follower" follows more than 1,500 accounts (the platform's own line where the
# model file sets one); an "influencer" has 5,000+ followers.
MASS_FOLLOWING = 1500
INFLUENCER_FOLLOWERS = 5000
MODEL_PATH = Path(__file__).with_name("accounts_model.json")
FEATURES = ("verified", "no_posts", "few_posts", "active", "no_picture", "mass_following", "follow_ratio",
            "popular", "few_followers", "digits", "lookalike", "empty_bio", "bio", "fast_posting",
            "new_account", "batch")
# A signal whose evidence moves the log-odds by less than this is not worth a reason line.
REASON_MIN = 0.15
# Signals worth a line even without weight: they explain why other signals were not counted.
CONTEXT = {"new_account"}
_DIGITS = re.compile(r"\d")
# Letters that look alike in a username: cloned or bought identities copy a real name with swaps
# ("choijesslca" for Jessica, "krlstenmitchel1" for Kristen Mitchell).
_FOLD = str.maketrans({"i": "l", "1": "l", "|": "l", "0": "o", "5": "s", "3": "e"})
_WORD = re.compile(r"[a-z]{4,}")


@functools.cache
def load_model(path: str | None = None) -> dict:
    """The fitted model (weights, intercept, platform lines); cached, read-only."""
    with open(path or MODEL_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def platform_of(value: Any, model: dict | None = None) -> str:
    """A platform name the model knows (another name of a platform, as its `other_names` in the
    registry, is read as that platform); unknown or missing -> "other"."""
    model = model or load_model()
    name = text(value).strip().lower()
    name = registry.name_for(name) or name
    return name if name in model["platforms"] else "other"


def to_datetime(value: Any) -> datetime | None:
    """ISO 8601, or the ctime-like form with a zone that account data sets carry ("Thu Apr 17
    09:16:09 +0000 2014"); None when unreadable."""
    dt = parse_time(value)
    if dt is None and isinstance(value, str) and value.strip():
        try:
            dt = parsedate_to_datetime(_ctime_to_rfc2822(value.strip()))
        except (TypeError, ValueError, IndexError):
            return None
    return dt


def _ctime_to_rfc2822(s: str) -> str:
    # "Thu Apr 17 09:16:09 +0000 2014" -> "Thu, 17 Apr 2014 09:16:09 +0000"
    p = s.split()
    if len(p) != 6:
        raise ValueError(s)
    return f"{p[0]}, {p[2]} {p[1]} {p[5]} {p[3]} {p[4]}"


def _count(value: Any) -> float | None:
    """A count, capped far above any real one so that ratios of absurd inputs stay finite floats."""
    v = count(value)
    return None if v is None else float(min(v, 1e12))


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _lookalike(username: str, display_name: str) -> str | None:
    """The name word the username copies with look-alike letters swapped, or None."""
    user = username.lower()
    folded_user = user.translate(_FOLD)
    for word in _WORD.findall(display_name.lower()):
        if word in user:
            return None  # the plain name is in the username: an ordinary handle
    for word in _WORD.findall(display_name.lower()):
        if word.translate(_FOLD) in folded_user:
            return word
    return None


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a share k/n (95% by default); (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def signals(account: dict, *, platform: str, now: datetime | None = None, batch: tuple[int, int] | None = None,
            model: dict | None = None) -> list[tuple[str, float, str]]:
    """The model's inputs for one account: (feature, value, reason), only the signals present.

    `batch` is (accounts of the sample created within a week of this one, dated accounts in the
    sample), as check_sample computes it; a missing field gives no signal (not evidence either way).
    """
    model = model or load_model()
    lines = model["platforms"].get(platform) or model["platforms"]["other"]
    username = text(account.get("username"))
    display_name = text(account.get("display_name"))
    followers = _count(account.get("followers"))
    following = _count(account.get("following"))
    posts = _count(account.get("posts"))
    pic = _flag(account.get("has_profile_pic"))
    default_avatar = _flag(account.get("default_avatar"))
    verified = _flag(account.get("verified"))
    bio = _count(account.get("bio_length"))
    digits = _count(account.get("username_digits"))
    if digits is None and username:
        digits = len(_DIGITS.findall(username))
    created = to_datetime(account.get("created_at"))
    age_days = (now - created).total_seconds() / 86400 if created and now and now >= created else None

    # An account created days before it was seen has had no time to post, pick a picture or gain
    # followers: those signals say nothing about it (new sign-ups following a big account look so).
    new = age_days is not None and age_days < model["new_account_days"]
    out: list[tuple[str, float, str]] = []
    if new:
        out.append(("new_account", 1.0, f"created {int(age_days)} days before it was seen: too new to judge by "
                                        "its posts, picture, bio or followers (mass-following still counts)"))
    if verified:
        out.append(("verified", 1.0, "verified account"))
    if posts is not None and lines.get("posts_signal"):
        n = int(posts)
        if n == 0 and not new:
            out.append(("no_posts", 1.0, "has never posted"))
        elif 1 <= n <= 3 and not new:
            out.append(("few_posts", 1.0, f"only {n} posts"))
        elif lines.get("active_posts") and n >= lines["active_posts"]:
            out.append(("active", 1.0, f"{n:,} posts: an active account (on {platform}: {lines['active_posts']}+)"))
    if (pic is False or default_avatar is True) and not new:
        out.append(("no_picture", 1.0, "the default avatar, no profile picture" if default_avatar else
                    "no profile picture"))
    mass = lines.get("mass_following")
    if following is not None and mass and following > mass:
        out.append(("mass_following", 1.0, f"follows {int(following):,} accounts (mass-following on "
                                           f"{platform}: more than {mass:,})"))
    if followers is not None and following is not None:
        ratio = (following + 1) / (followers + 1)
        value = min(max(math.log10(ratio), 0.0), 2.5)
        # A new sign-up follows the suggested accounts at once; followers come later.
        if value > 0 and not new:
            out.append(("follow_ratio", value, f"follows {ratio:.0f}x more accounts than follow it" if ratio >= 2
                        else f"follows {ratio:.1f}x more accounts than follow it"))
        if followers >= 1000 and following < followers:
            out.append(("popular", 1.0, f"{int(followers):,} followers, more than it follows"))
    if followers is not None and followers < 10 and not new:
        out.append(("few_followers", 1.0, f"only {int(followers)} followers"))
    if digits is not None and digits >= 3:
        out.append(("digits", 1.0, f"{int(digits)} digits in the username (generated names look like this)"))
    if username and display_name:
        word = _lookalike(username, display_name)
        if word:
            out.append(("lookalike", 1.0, f"the username {username!r} spells the name {word!r} with look-alike "
                                          "characters (l for i, 0 for o): a copied identity"))
    if bio is not None:
        if bio == 0 and not new:
            out.append(("empty_bio", 1.0, "empty bio"))
        elif bio >= 20:
            out.append(("bio", 1.0, "has a bio"))
    if age_days is not None:
        fast = lines.get("fast_posts_per_day")
        if posts is not None and fast and age_days >= 1 and posts / age_days >= fast:
            out.append(("fast_posting", 1.0, f"{posts / age_days:.0f} posts a day since it was created "
                                             f"(more than {fast} a day: automated)"))
    rule = model["batch"]
    if batch and age_days is not None and age_days >= rule["min_age_days"]:
        same, dated = batch
        if dated >= rule["min_dated"] and same >= max(rule["min_accounts"], rule["min_share"] * dated):
            out.append(("batch", 1.0, f"created within a week of {same - 1} other sampled accounts "
                                      f"({same} of {dated} with a creation date, around {created:%b %Y}): "
                                      "the batch signature of bought followers"))
    return out


def check(account: dict, *, now: Any = None, batch: tuple[int, int] | None = None, model: dict | None = None) -> dict:
    """{is_fake, fake_probability, kind, platform, reasons} for one audience account (any field may be null).

    The platform comes from the account's own `platform` field ("other" when missing); `now` (or the
    account's `observed_at`) dates the account's age; `batch` comes from check_sample.
    """
    if not isinstance(account, dict):
        raise TypeError("an account must be a JSON object")
    model = model or load_model()
    platform = platform_of(account.get("platform"), model)
    when = to_datetime(now) if now is not None else to_datetime(account.get("observed_at"))
    found = signals(account, platform=platform, now=when, batch=batch, model=model)
    fitted = model["models"][model["platforms"][platform]["model"]]
    weights = fitted["weights"]
    score = fitted["intercept"]
    scored: list[tuple[float, str]] = []
    for name, value, reason in found:
        evidence = weights.get(name, 0.0) * value
        score += evidence
        if abs(evidence) >= REASON_MIN or name in CONTEXT:
            scored.append((evidence, reason))
    p = 1 / (1 + math.exp(-score))
    is_fake = p >= model["threshold"]
    followers = count(account.get("followers"))
    following = count(account.get("following"))
    if is_fake:
        kind = "suspicious"
    elif following is not None and following > (model["platforms"][platform].get("mass_following") or MASS_FOLLOWING):
        kind = "mass_follower"
    elif followers is not None and followers >= INFLUENCER_FOLLOWERS:
        kind = "influencer"
    else:
        kind = "real"
    # The strongest evidence first; the sign in words so a reader sees which way each one pushed.
    scored.sort(key=lambda x: -abs(x[0]))
    reasons = [f"{reason} ({'+' if ev > 0 else '-'}{abs(ev):.1f})" if abs(ev) >= REASON_MIN else reason
               for ev, reason in scored]
    if not reasons:
        known = any(account.get(k) is not None for k in ("followers", "following", "posts", "has_profile_pic"))
        reasons.append("nothing unusual" if known else "no profile data to judge")
    return {"username": account.get("username") if isinstance(account.get("username"), str) else None,
            "platform": platform, "is_fake": is_fake, "fake_probability": round(p, 3), "kind": kind,
            "reasons": reasons}


def batches(accounts: Iterable[dict], window_days: float = 7.0) -> list[tuple[int, int] | None]:
    """Per account: (sample accounts created within `window_days` of it, dated accounts), or None undated."""
    created = [to_datetime(a.get("created_at")) if isinstance(a, dict) else None for a in accounts]
    dated = sorted(c.timestamp() for c in created if c is not None)
    span = window_days * 86400
    out: list[tuple[int, int] | None] = []
    for c in created:
        if c is None:
            out.append(None)
            continue
        t = c.timestamp()
        out.append((bisect.bisect_right(dated, t + span) - bisect.bisect_left(dated, t - span), len(dated)))
    return out


def check_sample(accounts: list[dict], *, now: Any = None, platform: str | None = None,
                 model: dict | None = None) -> dict:
    """Check every account of one sample (a followers list, the commenters of a post) together.

    Returns {"accounts": [check() per account, in order], "checked", "fakes", "fake_share",
    "interval": [lo, hi] (Wilson 95%), "summary"}. `platform` fills accounts that carry none.
    """
    model = model or load_model()
    rows = [dict(a, platform=a.get("platform") or platform) if platform else a for a in accounts]
    window = model["batch"]["window_days"]
    results = [check(a, now=now, batch=b, model=model) for a, b in zip(rows, batches(rows, window), strict=True)]
    n = len(results)
    fakes = sum(1 for r in results if r["is_fake"])
    lo, hi = wilson(fakes, n)
    share = fakes / n if n else None
    summary = (f"{share:.0%} ({lo * 100:.0f}-{hi:.0%}) of {n} sampled accounts look fake" if n
               else "no accounts to check")
    return {"accounts": results, "checked": n, "fakes": fakes,
            "fake_share": round(share, 4) if share is not None else None,
            "interval": [round(lo, 4), round(hi, 4)], "summary": summary}
