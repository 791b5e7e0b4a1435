"""Audience-account checker: does a follower or commenter account look fake? Transparent rules.

Each rule adds evidence (log-odds) with a threshold a person can check by looking at the profile;
the sum becomes `fake_probability` through the logistic function. The rules follow SRF Data's 2017
study of hand-labelled Instagram followers and HypeAuditor's audience types (real people,
influencers, mass followers, suspicious accounts); the thresholds are round numbers chosen from what
those accounts look like, not fitted to the labelled set.
"""

from __future__ import annotations

import math
import re
from typing import Any

from server.scoring.common import count, text

KINDS = ("real", "influencer", "mass_follower", "suspicious")
# HypeAuditor: a "mass follower" follows more than 1,500 accounts; an "influencer" has 5,000+ followers.
MASS_FOLLOWING = 1500
INFLUENCER_FOLLOWERS = 5000
BASE = -2.5
_DIGITS = re.compile(r"\d")


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def check(account: dict) -> dict:
    """{is_fake, fake_probability, kind, reasons} for one audience account (any field may be null)."""
    if not isinstance(account, dict):
        raise TypeError("an account must be a JSON object")
    username = text(account.get("username"))
    followers = count(account.get("followers"))
    following = count(account.get("following"))
    posts = count(account.get("posts"))
    pic = _flag(account.get("has_profile_pic"))
    verified = _flag(account.get("verified"))
    bio = count(account.get("bio_length"))
    digits = count(account.get("username_digits"))
    if digits is None and username:
        digits = len(_DIGITS.findall(username))

    score = BASE
    reasons: list[str] = []

    def add(points: float, reason: str) -> None:
        nonlocal score
        score += points
        reasons.append(reason)

    if verified:
        add(-5.0, "verified account")
    if posts is not None:
        if posts == 0:
            add(2.0, "has never posted")
        elif posts <= 3:
            add(1.0, f"only {int(posts)} posts")
        elif posts >= 30:
            add(-1.0, f"{int(posts)} posts: an active account")
    if pic is False:
        add(1.5, "no profile picture")
    if following is not None:
        if following > 3 * MASS_FOLLOWING:
            add(1.8, f"follows {int(following):,} accounts (mass-following)")
        elif following > MASS_FOLLOWING:
            add(1.0, f"follows {int(following):,} accounts (more than {MASS_FOLLOWING:,})")
    if followers is not None and following is not None:
        ratio = following / max(followers, 1)
        if ratio > 10:
            add(1.5, f"follows {ratio:.0f}x more accounts than follow it")
        elif ratio > 4:
            add(0.8, f"follows {ratio:.0f}x more accounts than follow it")
        elif followers >= 1000 and ratio < 1:
            add(-1.0, f"{int(followers):,} followers, more than it follows")
    if followers is not None and followers < 10:
        add(0.7, f"only {int(followers)} followers")
    if digits is not None and digits >= 3:
        add(1.2, f"{int(digits)} digits in the username (generated names look like this)")
    if bio is not None:
        if bio == 0:
            add(0.5, "empty bio")
        elif bio >= 20:
            add(-0.5, "has a bio")

    p = 1 / (1 + math.exp(-score))
    is_fake = p > 0.5
    if is_fake:
        kind = "suspicious"
    elif following is not None and following > MASS_FOLLOWING:
        kind = "mass_follower"
    elif followers is not None and followers >= INFLUENCER_FOLLOWERS:
        kind = "influencer"
    else:
        kind = "real"
    if not reasons:
        reasons.append("nothing unusual" if any(v is not None for v in (followers, following, posts, pic))
                       else "no profile data to judge")
    return {"is_fake": is_fake, "fake_probability": round(p, 3), "kind": kind, "reasons": reasons}
