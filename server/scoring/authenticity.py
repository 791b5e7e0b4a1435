"""Authenticity: is the following real? Engagement against its band, views per follower, uniform
ratios, growth spikes, follow ratio, fake-looking audience, comment quality, ad load, paid pushes,
posting cadence and a steady niche."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import datetime
from itertools import pairwise

from server.scoring import accounts
from server.scoring.bands import band_for, platform_bands, profile_band, views_band
from scraper.times import parse_time
from server.scoring.common import combine, count, dicts, factor, human, ladder, median, num, pct, strs, text
from server.scoring.content import STOPWORDS, is_sponsored, junk_share, posts_of, sponsored_share, terms
from server.scoring.interaction import interaction_factor
from server.scoring.topics import lexicon

WEIGHTS = {
    "engagement": 3.0, "views_per_follower": 2.0, "uniformity": 1.5, "follow_ratio": 1.0, "growth": 2.0,
    "audience": 3.0, "interaction": 2.0, "ad_load": 1.0, "sponsored_push": 1.5, "content_quality": 1.0,
    "cadence": 1.0, "niche_steadiness": 1.0, "profile_likes_per_post": 1.5, "profile_likes_per_follower": 1.0,
}
# An overall authenticity score needs this many scored factors carrying this share of the weight:
# one or two ratios (a follow ratio, a growth line) are a hint, not a grade.
MIN_FACTORS = 3
MIN_WEIGHT_SHARE = 0.12
# A rounded count ("1.2M") feeds a ratio only while its rounding error stays under this share of it.
MAX_ROUNDING = 0.10


def rounding(snapshot: dict, name: str) -> float:
    """Relative rounding error of a count the page showed rounded ("3.27M": 0.15%, "1M": 50%); 0 if exact.

    The page's text is gone by now: the error is read from the trailing zeros of the value."""
    if name not in strs(snapshot.get("approximate")):
        return 0.0
    v = count(snapshot.get(name))
    if not v:
        return 0.0
    v = int(v)
    unit = 1
    while v % (unit * 10) == 0 and unit * 10 <= v:
        unit *= 10
    return (unit / 2) / v


def likes_of(post: dict) -> float | None:
    """A post's likes, or None when hidden: a negative count (the marker some pages give a hidden
    count), or a 0 shown beside comments or views (the placeholder a hidden count leaves)."""
    likes = count(post.get("likes"))
    if likes == 0 and ((count(post.get("comments")) or 0) > 0 or (count(post.get("views")) or 0) >= 100):
        return None
    return likes


def _hidden_likes(posts: list[dict]) -> int:
    return sum(1 for p in posts if p.get("likes") is not None and likes_of(p) is None)


def engagement_rate(snapshot: dict) -> tuple[float | None, dict]:
    """The platform's engagement rate as bands.json defines it (median over recent posts), and its details."""
    platform = text(snapshot.get("platform"))
    spec = platform_bands(platform)
    followers = count(snapshot.get("followers"))
    info = {"basis": spec["basis"] if spec else None, "posts_used": 0, "formula": spec["formula"] if spec else None}
    if spec is None:
        return None, info
    rates = []
    for p in posts_of(snapshot):
        likes = likes_of(p)
        if likes is None:
            continue
        eng = likes
        for name in spec["counts"][1:]:  # after "likes": the rest the platform's formula adds
            eng += count(p.get(name)) or 0
        if spec["basis"] == "views":
            views = count(p.get("views"))
            if views:
                rates.append(eng / views)
        elif followers:
            rates.append(eng / followers)
    info["posts_used"] = len(rates)
    hidden = _hidden_likes(posts_of(snapshot))
    if hidden:
        info["hidden_likes"] = hidden
    return median(rates), info


def _engagement(snapshot: dict, er: float | None, info: dict) -> dict:
    label, w = "Engagement rate vs its band", WEIGHTS["engagement"]
    platform = text(snapshot.get("platform"))
    followers = count(snapshot.get("followers"))
    band = band_for(platform, followers)
    value = {"rate": None if er is None else round(er, 5), **info, "band": band}
    if er is None or band is None:
        if followers is None:
            why = "the follower count is unknown"
        elif info.get("hidden_likes"):
            why = f"likes are hidden on {info['hidden_likes']} posts"
        else:
            why = "no post shows likes" + (" and views" if info.get("basis") == "views" else "")
        return factor("engagement", label, w, None, value, f"Withheld: {why}.")
    if info.get("basis") == "followers" and rounding(snapshot, "followers") > MAX_ROUNDING:
        return factor("engagement", label, w, None, value,
                      f"Withheld: the follower count is shown rounded ({human(followers)}), too coarse for a rate per follower.")
    low, tl, hi = band["low"], band["typical_low"], band["high"]
    where = f"{pct(er)} per {'view' if info['basis'] == 'views' else 'follower'} (typical for this size: {pct(tl)}-{pct(hi)})"
    if er < low:
        score, msg = 10 + 30 * er / low, "far below its band: many followers never react (inactive or bought)"
    elif er < tl:
        score, msg = 40 + 35 * (er - low) / (tl - low), "below its band: a less active audience than usual"
    elif er <= hi:
        score, msg = 100, "within its band"
    elif info["posts_used"] < 3:
        # one fan-favourite video is no proof of pods: too few posts to call a high rate suspicious
        score, msg = 80, "above its band, on too few posts to tell a loyal audience from bought likes"
    elif er <= 3 * hi:
        score, msg = 100 - 30 * (er - hi) / (2 * hi), "above its band: a very engaged audience (or a viral post)"
    else:
        score = max(10.0, 70 - 60 * (er - 3 * hi) / (3 * hi))
        msg = "implausibly far above its band: engagement pods or bought likes look like this"
    if info["posts_used"] < 3:
        msg += f" (from only {info['posts_used']} post{'s' if info['posts_used'] != 1 else ''})"
    return factor("engagement", label, w, score, value, f"{where}: {msg}.")


def _views_per_follower(snapshot: dict) -> dict:
    label, w = "Views per follower", WEIGHTS["views_per_follower"]
    spec = platform_bands(text(snapshot.get("platform")))
    if spec and spec["basis"] == "views":
        w += 1.0  # where engagement is per view, this is the only check that sees the follower count
    followers = count(snapshot.get("followers"))
    views = [v for v in (count(p.get("views")) for p in posts_of(snapshot)) if v is not None]
    band = views_band(text(snapshot.get("platform")))
    if not followers or not views or band is None:
        return factor("views_per_follower", label, w, None, None,
                      "Withheld: " + ("no post views in the capture." if followers else "the follower count is unknown."))
    if rounding(snapshot, "followers") > MAX_ROUNDING:
        return factor("views_per_follower", label, w, None, None,
                      f"Withheld: the follower count is shown rounded ({human(followers)}), too coarse for this ratio.")
    vpf = median(views) / followers
    value = {"views_per_follower": round(vpf, 4), "median_views": median(views), "posts": len(views)}
    lead = (f"Recent posts get a median {human(median(views))} views for {human(followers)} followers "
            f"(views equal to {_share(vpf)} of the followers)")
    if vpf < band["low"]:
        score, msg = 40 * vpf / band["low"], "far fewer than real followers would give: inactive or bought followers"
    elif vpf < band["typical_low"]:
        score = 40 + 45 * (vpf - band["low"]) / (band["typical_low"] - band["low"])
        msg = "fewer than usual for this platform"
    else:
        score, msg = 100, "in line with a real, watching audience"
    return factor("views_per_follower", label, w, score, value, f"{lead}: {msg}.")


def _share(x: float) -> str:
    """0.034 -> '3.4%', 2.5 -> '250%': ratios in the words a marketer reads."""
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def _cv(values: list[float]) -> float | None:
    """Coefficient of variation; None for fewer than 2 values or any infinite one (a count of 10**400
    over 3 followers is no ratio statistics can take)."""
    if len(values) < 2 or not all(math.isfinite(v) for v in values):
        return None
    mean = statistics.fmean(values)
    return statistics.pstdev(values) / mean if mean else None


def _uniformity(snapshot: dict) -> dict:
    label, w = "Natural variation between posts", WEIGHTS["uniformity"]
    posts = posts_of(snapshot)
    followers = count(snapshot.get("followers"))
    like_rates, comment_rates = [], []
    for p in posts:
        likes, views, comments = likes_of(p), count(p.get("views")), count(p.get("comments"))
        base = views or followers
        if likes is not None and base:
            like_rates.append(likes / base)
        if comments is not None and likes:
            comment_rates.append(comments / likes)
    if len(like_rates) < 5:
        return factor("uniformity", label, w, None, {"posts": len(like_rates)},
                      f"Withheld: needs likes on 5 posts, the capture has {len(like_rates)}.")
    cvs = [c for c in (_cv(like_rates), _cv(comment_rates) if len(comment_rates) >= 5 else None) if c is not None]
    cv = min(cvs) if cvs else None
    value = {"variation": None if cv is None else round(cv, 3), "posts": len(like_rates)}
    if cv is None:
        return factor("uniformity", label, w, None, value, "Withheld: no likes to compare.")
    # Real posts swing: a like or comment rate that varies by less than 8% from post to post is what
    # scripted likes and comment services produce; real feeds usually vary by 30% and more.
    score, msg = ladder(cv, [(0.08, 20, "almost identical on every post, as bought likes or comments look"),
                             (0.15, 60, "unusually similar from post to post")],
                        (100, "varies from post to post as real audiences do"), strict=True)
    return factor("uniformity", label, w, score, value,
                  f"Like and comment ratios vary by {cv:.0%} across {len(like_rates)} posts: {msg}.")


def _follow_ratio(snapshot: dict) -> dict:
    label, w = "Following vs followers", WEIGHTS["follow_ratio"]
    followers, following = count(snapshot.get("followers")), count(snapshot.get("following"))
    if not followers or following is None:
        return factor("follow_ratio", label, w, None, None, "Withheld: the page shows no following count.")
    if max(rounding(snapshot, "followers"), rounding(snapshot, "following")) > MAX_ROUNDING:
        return factor("follow_ratio", label, w, None, None,
                      "Withheld: the follower or following count is shown rounded, too coarse for this ratio.")
    ratio = following / followers
    value = {"ratio": round(ratio, 3), "following": following, "followers": followers}
    score, msg = ladder(ratio, [(0.5, 100, "a normal creator profile"),
                                (1, 70, "follows many accounts for a creator"),
                                (2, 45, "follows more accounts than follow back: follow-for-follow growth")],
                        (20, "follows far more accounts than follow back: mass-following to gain followers"))
    return factor("follow_ratio", label, w, score, value,
                  f"Follows {human(following)} accounts for {human(followers)} followers "
                  f"({_share(ratio)} as many as follow it): {msg}.")


def _growth(snapshot: dict, points: list[tuple[datetime, dict]], now: datetime) -> dict:
    label, w = "Follower growth over time", WEIGHTS["growth"]
    series = [(t, count(p.get("followers")), count(p.get("views")), _post_views(p)) for t, p in points]
    cur_t = parse_time(snapshot.get("captured_at")) or now
    series.append((cur_t, count(snapshot.get("followers")), count(snapshot.get("views")), _post_views(snapshot)))
    series = [s for s in series if s[1]]
    if len(series) < 3:
        return factor("growth", label, w, None, {"points": len(series)},
                      f"Withheld: needs follower counts from 3 different days (captures of one day count once), "
                      f"has {len(series)}.")
    coarse = max([rounding(snapshot, "followers")] + [rounding(p, "followers") for _, p in points])
    if coarse > 0.01:
        return factor("growth", label, w, None, {"points": len(series)},
                      "Withheld: the follower counts are shown rounded, too coarse to tell growth from rounding.")
    steps = []
    for a, b in pairwise(series):
        days = max((b[0] - a[0]).total_seconds() / 86400, 1 / 24)
        steps.append((a, b, days, (b[1] - a[1]) / a[1] / days))
    baseline = median(abs(s[3]) for s in steps) or 0.0
    spikes, explained, drops = [], 0, []
    for a, b, _days, rate in steps:
        gain = (b[1] - a[1]) / a[1]
        # a spike: a step growing 4x faster than this creator's usual pace, by at least 1% a day and 3% in all
        if rate > max(4 * baseline, 0.01) and gain > 0.03:
            views_gain = _ratio(a[2], b[2]) if a[2] and b[2] else _ratio(a[3], b[3])
            if views_gain is not None and views_gain - 1 >= gain / 2:
                explained += 1
            else:
                spikes.append({"from": a[0].date().isoformat(), "to": b[0].date().isoformat(),
                               "gain": round(gain, 4), "views_gain": None if views_gain is None else round(views_gain - 1, 4)})
        elif gain < -0.05:
            drops.append({"from": a[0].date().isoformat(), "to": b[0].date().isoformat(), "loss": round(-gain, 4)})
    value = {"points": len(series), "usual_daily_growth": round(baseline, 5), "spikes": spikes, "drops": drops,
             "spikes_explained_by_views": explained}
    if spikes:
        s = spikes[0]
        score = 25 if len(spikes) == 1 else 10
        msg = (f"followers jumped {s['gain']:.0%} between {s['from']} and {s['to']} without matching views "
               f"({'views +' + format(s['views_gain'], '.0%') if s['views_gain'] is not None else 'no view data'}): "
               "bought followers look like this")
        if len(spikes) > 1:
            msg += f"; {len(spikes)} such jumps"
    elif drops:
        score = 60
        msg = f"followers fell {drops[0]['loss']:.0%} between {drops[0]['from']} and {drops[0]['to']} (a platform purge of fake followers looks like this)"
    else:
        score = 100
        days = (series[-1][0] - series[0][0]).total_seconds() / 86400
        msg = (f"steady over {len(series)} captures across {days:.0f} days"
               + (f"; {explained} jump(s) matched by views (viral posts)" if explained else ""))
    return factor("growth", label, w, score, value, msg[0].upper() + msg[1:] + ".")


def _post_views(point: dict) -> float | None:
    views = [count(p.get("views")) for p in dicts(point.get("recent_posts"))]
    views = [v for v in views if v is not None]
    return sum(views) if views else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return b / a if a and b is not None else None


def _audience(snapshot: dict) -> dict:
    label, w = "Fake-looking accounts in the audience", WEIGHTS["audience"]
    sample = dicts(snapshot.get("audience_sample"))
    if len(sample) < 10:
        return factor("audience", label, w, None, {"sample": len(sample)},
                      f"Withheld: {len(sample)} audience accounts in the capture (needs 10; open the followers list).")
    platform = snapshot.get("platform") if isinstance(snapshot.get("platform"), str) else None
    checked = accounts.check_sample(sample, now=snapshot.get("captured_at"), platform=platform)["accounts"]
    kinds: dict[str, int] = {}
    for c in checked:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    fake = sum(1 for c in checked if c["is_fake"]) / len(checked)
    # SRF Data found ~30% fake followers on an average Swiss influencer: 10% and less is clean.
    score = 100 - max(0.0, fake - 0.10) * 170
    return factor("audience", label, w, score, {"sample": len(sample), "fake_share": round(fake, 3), "kinds": kinds},
                  f"{fake:.0%} of {len(sample)} sampled followers look fake (no posts, no picture, mass-following, "
                  f"numbered names){': a clean audience' if fake <= 0.1 else ''}.")


def _tells_paid(post: dict) -> bool:
    """A post that can show whether it is paid: the platform's flag, or a caption or tags to read.
    A bare thumbnail says nothing about ads and must not count as an unpaid post."""
    return isinstance(post.get("is_sponsored"), bool) or bool(text(post.get("title")).strip()) or bool(strs(post.get("hashtags")))


def _ad_load(posts: list[dict]) -> dict:
    label, w = "Ad load", WEIGHTS["ad_load"]
    share, n, total = sponsored_share([p for p in posts if _tells_paid(p)])
    if total < 3:
        return factor("ad_load", label, w, None, {"posts": total},
                      f"Withheld: {total} posts in the capture with a caption or a paid flag (needs 3).")
    score, msg = ladder(share, [(0.2, 100, "a normal share of paid posts"),
                                (0.4, 75, "a noticeable share of paid posts"),
                                (0.6, 45, "an ad-heavy feed: fans tune out")],
                        (20, "mostly ads: an ad-heavy feed loses credibility"))
    return factor("ad_load", label, w, score, {"sponsored": n, "posts": total, "share": round(share, 3)},
                  f"{n} of {total} recent posts are marked as paid (#ad, paid partnership...): {msg}.")


def _dated(posts: list[dict]) -> list[tuple[datetime, dict]]:
    out = [(parse_time(p.get("published_at")), p) for p in posts]
    return sorted(((t, p) for t, p in out if t is not None), key=lambda x: x[0])


def _sponsored_push(posts: list[dict]) -> dict:
    label, w = "Sudden paid push", WEIGHTS["sponsored_push"]
    dated = _dated([p for p in posts if _tells_paid(p)])
    if len(dated) < 8:
        return factor("sponsored_push", label, w, None, {"posts": len(dated)},
                      f"Withheld: needs 8 dated posts (with history), has {len(dated)}.")
    recent, earlier = dated[-5:], dated[:-5]
    r = sum(1 for _, p in recent if is_sponsored(p)) / len(recent)
    e = sum(1 for _, p in earlier if is_sponsored(p)) / len(earlier)
    value = {"recent_share": round(r, 3), "earlier_share": round(e, 3), "recent_posts": len(recent),
             "earlier_posts": len(earlier)}
    if r >= 0.4 and e <= 0.05:
        return factor("sponsored_push", label, w, 30, value,
                      f"{r:.0%} of the last {len(recent)} posts are paid after {len(earlier)} earlier posts with "
                      f"{'none' if e == 0 else format(e, '.0%')}: a sudden paid push costs a creator credibility.")
    if r >= e + 0.4:
        return factor("sponsored_push", label, w, 60, value,
                      f"Paid posts rose from {e:.0%} to {r:.0%} of recent posts.")
    return factor("sponsored_push", label, w, 100, value,
                  f"Paid posts steady ({e:.0%} earlier, {r:.0%} in the last {len(recent)}): no sudden push.")


def _content_quality(posts: list[dict]) -> dict:
    label, w = "Content quality", WEIGHTS["content_quality"]
    share, n = junk_share(posts)
    if n < 3:
        return factor("content_quality", label, w, None, {"posts": n}, f"Withheld: {n} captioned posts (needs 3).")
    score = 100 - 150 * share
    return factor("content_quality", label, w, score, {"junk_share": round(share, 3), "posts": n},
                  f"{share:.0%} of {n} posts are junk (hashtag-stuffed, giveaway or follow-for-follow bait, "
                  "repeated captions)" + (": clean." if share == 0 else "."))


def _every(days: float) -> str:
    if days < 1:
        return "more than once a day"
    if days < 1.5:
        return "about every day"
    return f"about every {days:.0f} days"


def _cadence(posts: list[dict], now: datetime) -> dict:
    label, w = "Posting cadence", WEIGHTS["cadence"]
    dated = _dated(posts)
    if len(dated) < 3:
        return factor("cadence", label, w, None, {"dated_posts": len(dated)},
                      f"Withheld: {len(dated)} dated posts (needs 3).")
    times = [t for t, _ in dated]
    gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(times)]
    span = (times[-1] - times[0]).total_seconds() / 86400
    since = max(0.0, (now - times[-1]).total_seconds() / 86400)
    # Dates read from "2 weeks ago" or a bare day are not precise: many posts share one timestamp, or
    # all share one time of day. Their gaps say nothing; their span over the posts' count still does.
    ties = sum(1 for g in gaps if g == 0)
    coarse = ties * 3 >= len(gaps) or len({(t.minute, t.second) for t in times}) == 1
    value = {"days_since_last_post": round(since, 1), "median_gap_days": None, "gap_variation": None,
             "dated_posts": len(dated), "dates": "approximate" if coarse else "exact"}
    if span <= 0:
        return factor("cadence", label, w, None, value,
                      f"Withheld: the {len(dated)} posts' dates are not distinct (dates such as '2 weeks ago' "
                      "collapse onto one day), so no posting interval can be told.")
    if coarse:
        typical, cv = span / (len(times) - 1), None
        over = f"over {span:.0f} days" if span >= 1.5 else "within a day or two"
        basis = f" (from approximate dates: {len(times)} posts {over})"
    else:
        typical, cv = median(gaps) or 0.0, _cv(gaps) if len(gaps) >= 2 else None
        basis = ""
    value["median_gap_days"] = round(typical, 2)
    value["gap_variation"] = None if cv is None else round(cv, 2)
    if since > 90:
        score, msg = 20, f"no post for {since:.0f} days: inactive"
    elif since > max(30, 3 * typical):
        score, msg = 55, f"no post for {since:.0f} days, longer than usual ({_every(typical)} before)"
    elif cv is not None and cv > 2:
        score, msg = 70, f"posts in bursts ({_every(typical)} on median, irregular)"
    else:
        last = "today" if since < 1 else f"{since:.0f} day{'s' if since >= 1.5 else ''} ago"
        score, msg = 100, f"posts steadily, {_every(typical)}{basis}; last post {last}"
    return factor("cadence", label, w, score, value, msg[0].upper() + msg[1:] + ".")


def _topic_counts(texts: list[str]) -> Counter[str]:
    """How many texts are about each top-level lexicon topic (science, gaming, food...)."""
    lex = lexicon()
    c: Counter[str] = Counter()
    for t in texts:
        c.update({lex.top(topic) for topic in lex.match_text(t)})
    return c


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(a[k] * b[k] for k in a)
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def _post_texts(posts: list[dict]) -> list[str]:
    return [text(p.get("title")) + " " + " ".join(strs(p.get("hashtags"))) for p in posts]


def _niche_steadiness(snapshot: dict, points: list[tuple[datetime, dict]], posts: list[dict]) -> dict:
    label, w = "Steady niche over time", WEIGHTS["niche_steadiness"]
    older_texts: list[str] = []
    newer_texts: list[str] = []
    span = ""
    if points and any(strs(p.get("terms")) for _, p in points):
        first = points[0][1]
        # stored terms of older points may include words now known as stop words
        older_texts = [t for t in strs(first.get("terms")) if t not in STOPWORDS]
        older_texts += [t for p in dicts(first.get("recent_posts")) for t in strs(p.get("hashtags"))]
        newer_texts = _post_texts(posts_of(snapshot))
        span = f"since {points[0][0].date().isoformat()}"
    else:
        dated = _dated(posts_of(snapshot))
        if len(dated) >= 6:
            half = len(dated) // 2
            older_texts = _post_texts([p for _, p in dated[:half]])
            newer_texts = _post_texts([p for _, p in dated[half:]])
            span = "between older and newer recent posts"
    older = {t for x in older_texts for t in terms(x)}
    newer = {t for x in newer_texts for t in terms(x)}
    if not older or not newer:
        return factor("niche_steadiness", label, w, None, None,
                      "Withheld: needs 6 dated posts with titles, or a history with topics.")
    # Topics first: thirty different titles about space, cells and the brain are one niche, though
    # they share few words. Shared content words only where too few posts can be placed by topic.
    was, now_ = _topic_counts(older_texts), _topic_counts(newer_texts)
    if sum(was.values()) >= 3 and sum(now_.values()) >= 3:
        sim = _cosine(was, now_)
        before, after = [t for t, _ in was.most_common(2)], [t for t, _ in now_.most_common(2)]
        value = {"basis": "topics", "similarity": round(sim, 3), "older_topics": before, "newer_topics": after}
        if sim >= 0.6:
            score, msg = 100, f"Same topics ({' and '.join(after)}) {span}."
        elif sim >= 0.35:
            score, msg = 70, f"Topics partly changed {span} ({' and '.join(before)}, now {' and '.join(after)})."
        else:
            score, msg = 45, (f"Topics changed {span}, from {' and '.join(before)} to {' and '.join(after)}: "
                              "a creator who switches niche brings a different audience.")
        return factor("niche_steadiness", label, w, score, value, msg)
    # Too few posts placed by topic: shared content words can still show a steady niche, but few
    # shared words between varied titles are no sign of a switch (every title is new), so no verdict.
    kept = older & newer
    overlap = len(kept) / min(len(older), len(newer))
    value = {"basis": "words", "overlap": round(overlap, 3), "kept_topics": sorted(kept)[:8]}
    if overlap >= 0.3:
        score = 100
    elif overlap >= 0.15:
        score = 85
    else:
        return factor("niche_steadiness", label, w, None, value,
                      f"Withheld: too few posts could be placed by topic, and titles {span} share few words "
                      f"({overlap:.0%}), which varied titles do anyway.")
    return factor("niche_steadiness", label, w, score, value,
                  f"Same topic words {span} ({overlap:.0%} in common: {', '.join(sorted(kept)[:4])}).")


def _profile_counts(snapshot: dict) -> tuple[dict | None, str | None]:
    """The profile's own totals a profile factor reads, or (None, why they cannot be used)."""
    spec = profile_band(text(snapshot.get("platform")))
    if spec is None:
        return None, "this platform's profile shows no total of likes received"
    total_raw, field = snapshot.get(spec["total"]), spec["total"]
    if num(total_raw) is not None and num(total_raw) < 0:
        return None, f"the profile's total {field} overflowed (a negative number on the page)"
    followers, total, posts = count(snapshot.get("followers")), count(total_raw), count(snapshot.get("posts"))
    if not followers or total is None or not posts:
        return None, f"the profile shows no followers, total {field} and post count together"
    worst = max(rounding(snapshot, k) for k in ("followers", field, "posts"))
    if worst > MAX_ROUNDING:
        return None, "the profile's counts are shown rounded, too coarse for this ratio"
    return {"spec": spec, "field": field, "followers": followers, "total": total, "posts": posts}, None


def _profile_per_post(snapshot: dict) -> dict:
    label, w = "Likes per video against followers (profile totals)", WEIGHTS["profile_likes_per_post"]
    c, why = _profile_counts(snapshot)
    if c is None:
        return factor("profile_likes_per_post", label, w, None, None, f"Withheld: {why}.")
    band = c["spec"]["per_post_per_follower"]
    per_post = c["total"] / c["posts"]
    ratio = per_post / c["followers"]
    value = {"per_post": round(per_post), "per_post_per_follower": round(ratio, 4), "posts": c["posts"], "band": band}
    lead = (f"{human(c['total'])} {c['field']} over {human(c['posts'])} videos: {human(per_post)} a video, "
            f"{_share(ratio)} of its {human(c['followers'])} followers")
    if ratio < band["low"]:
        score, msg = 15 + 25 * ratio / band["low"], "far fewer than real followers give: followers who never watch (inactive or bought)"
    elif ratio < band["typical_low"]:
        score = 40 + 45 * (ratio - band["low"]) / (band["typical_low"] - band["low"])
        msg = "fewer than usual for an audience this size"
    else:
        score, msg = 100, "in line with a real audience"
    return factor("profile_likes_per_post", label, w, score, value, f"{lead}: {msg}.")


def _profile_per_follower(snapshot: dict) -> dict:
    label, w = "Likes received per follower (profile totals)", WEIGHTS["profile_likes_per_follower"]
    c, why = _profile_counts(snapshot)
    if c is None:
        return factor("profile_likes_per_follower", label, w, None, None, f"Withheld: {why}.")
    band = c["spec"]["total_per_follower"]
    ratio = c["total"] / c["followers"]
    value = {"per_follower": round(ratio, 2), "band": band}
    lead = f"{human(c['total'])} {c['field']} received in all for {human(c['followers'])} followers ({ratio:.1f} each)"
    score, msg = ladder(ratio, [(band["low"], 20, "fewer than one each: followers who never liked anything"),
                                (band["typical_low"], 60, "few for a real audience")],
                        (100, "what a real, reacting audience leaves"), strict=True)
    return factor("profile_likes_per_follower", label, w, score, value, f"{lead}: {msg}.")


def _missing(factors: list[dict], total: float) -> str:
    scored = [f for f in factors if f["score"] is not None]
    share = sum(f["weight"] for f in scored) / total if total else 0.0
    names = ", ".join(f["label"].lower() for f in scored) or "nothing"
    return (f"Only {len(scored)} of the checks could be scored ({names}; {share:.0%} of the weight), "
            f"a grade needs {MIN_FACTORS} carrying {MIN_WEIGHT_SHARE:.0%}. Capture the creator's posts (with likes and "
            "views), open comments or the followers list, or capture again on another day.")


def authenticity(snapshot: dict, points: list[tuple[datetime, dict]], all_posts: list[dict], now: datetime,
                 er: float | None, er_info: dict) -> dict:
    """Authenticity from the capture and its history (one observation per day: see history.observations).
    Never reads a brief: the same capture scores the same whatever brief is active."""
    posts = posts_of(snapshot)
    # Inactivity is judged as of the capture: it shows nothing posted after it was taken (an old
    # capture scored today must not read as months of silence).
    captured = parse_time(snapshot.get("captured_at"))
    as_of = min(now, captured) if captured is not None else now
    factors = [
        _engagement(snapshot, er, er_info),
        _views_per_follower(snapshot),
        _uniformity(snapshot),
        _follow_ratio(snapshot),
        _growth(snapshot, points, now),
        _audience(snapshot),
        interaction_factor(snapshot, WEIGHTS["interaction"], points),
        _ad_load(posts),
        _sponsored_push(all_posts),
        _content_quality(posts),
        _cadence(all_posts, as_of),
        _niche_steadiness(snapshot, points, all_posts),
        _profile_per_post(snapshot),
        _profile_per_follower(snapshot),
    ]
    data_points = len(posts) + len(dicts(snapshot.get("comments"))) // 10 + len(points) + len(dicts(snapshot.get("audience_sample"))) // 10
    total = sum(f["weight"] for f in factors)
    scored = [f for f in factors if f["score"] is not None and f["weight"] > 0]
    if len(scored) < MIN_FACTORS or sum(f["weight"] for f in scored) < MIN_WEIGHT_SHARE * total:
        return {"score": None, "grade": None, "confidence": "low", "factors": factors,
                "reason": _missing(factors, total)}
    result = combine(factors, data_points=data_points, min_factors=MIN_FACTORS)
    if not posts and result["confidence"] != "low":
        result["confidence"] = "low"  # profile totals alone: a hint of authenticity, not a verdict
    if "followers" in strs(snapshot.get("approximate")) and result["confidence"] == "high":
        result["confidence"] = "medium"  # a rounded follower count blurs every per-follower ratio
    return result
