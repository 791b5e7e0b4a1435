"""x: parse a captured X (Twitter) page into a Snapshot from the GraphQL bodies the page loaded.

X serves an empty app shell; everything a person sees arrives as GraphQL responses
(UserByScreenName, UserTweets, Followers, TweetDetail) that the capture keeps in `responses`.
Two user schemas are handled: the one before X's 2025 change (`legacy.followers_count`,
`legacy.screen_name`, ...) and the one after it (`relationship_counts`, `core.screen_name`,
`avatar.image_url`, `verification.verified`, `tweet_counts`).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scraper import budget
from scraper import text as textutil
from scraper.capture import Capture
from scraper.counts import parse_count_ex
from scraper.dates import to_iso
from scraper.errors import (
    Blocked,
    CaptureError,
    LoginWall,
    Malformed,
    NotACreatorPage,
    Restricted,
    Unavailable,
)
from scraper.jsonpath import as_list, as_str, first_key, traverse
from scraper.listing import Listing, ListedCreator
from scraper.platform import Platform, Wall
from scraper.models import Account, Comment, Post, Snapshot

NAME = "x"
URL_RE = r"https?://(?:(?:www|mobile)\.)?(?:x|twitter)\.com/"

# A username as X allows it: 1-15 of letters, digits and "_" (ASCII only).
HANDLE_RE = re.compile(r"[A-Za-z0-9_]{1,15}")  # fullmatch
HANDLE_PATTERN = r"^[A-Za-z0-9_]{1,15}$"
HANDLE_RULE = "1-15 characters: A-Z a-z 0-9 _ (not one of X's own pages)"
# First path segments that are X's own pages, not accounts (x.com/home, x.com/explore, ...).
_RESERVED = frozenset({
    "home", "explore", "search", "notifications", "messages", "i", "settings", "compose", "login",
    "logout", "signup", "tos", "privacy", "about", "hashtag", "intent", "share", "account", "jobs",
    "communities", "lists", "bookmarks", "premium", "premium_sign_up", "verified-choose", "download",
    "who_to_follow", "flow", "oauth", "ads", "help", "rules", "en", "twitter", "topics", "spaces",
    "following", "followers", "directory", "places", "status", "statuses",
})
_STATUS_SEGMENTS = ("status", "statuses")
# Followers lists whose entries are the creator's audience (not /following: those are accounts the
# creator chose, which say nothing about who follows them).
_FOLLOWER_OPS = ("Followers", "BlueVerifiedFollowers", "FollowersYouKnow", "VerifiedFollowers")
_LOGIN_MARKERS = ("/i/flow/login", 'href="/login"', "Log in to X", "Sign in to X", "Log in to Twitter",
                  'data-testid="loginButton"', 'data-testid="login"')
_RATE_LIMIT_CODES = {88, 420, 429}
_AUTH_CODES = {32, 215, 239, 326, 353}


def profile_url(handle: str) -> str:
    """The canonical profile URL of `handle` (with or without '@')."""
    h = (handle or "").strip().lstrip("@") if isinstance(handle, str) else handle
    if not valid_handle(h):
        raise ValueError(f"not an X handle: {handle!r}")
    return f"https://x.com/{h}"


def _link(handle: str) -> str:
    # the parser's URL of the handle the page shows (ingest judges that handle, not the parser)
    return f"https://x.com/{handle}"


def valid_handle(handle: object) -> bool:
    """An X username (without "@") as kolscope stores and fetches it (not one of X's own pages
    such as /home)."""
    return (isinstance(handle, str) and HANDLE_RE.fullmatch(handle) is not None
            and handle.lower() not in _RESERVED)


def handle_from_url(url: str) -> str | None:
    """The account handle a page URL belongs to (x.com/NAME/...), or None for X's own pages."""
    if not isinstance(url, str) or not re.match(URL_RE, url):
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return None
    first = segments[0].lstrip("@")
    if not valid_handle(first):
        return None
    return first


def parse(capture: Capture) -> Snapshot:
    page = _Page(capture)
    kind, url_handle, status_id = _page_kind(capture.url)
    if kind == "other":
        raise NotACreatorPage("This X page (home, search, explore, settings...) does not show one account.")
    if not page.bodies:
        # a page saved from the browser: no answers, but what X rendered (a logged-out page still
        # shows the profile under its login prompts, so this comes before the login-wall check)
        snap = _rendered_page(capture, kind, url_handle, status_id)
        if snap is not None:
            return snap
    page.raise_for_errors()
    if kind == "tweet":
        return _parse_tweet_page(page, url_handle, status_id)
    if kind == "profile_by_id":
        url_handle = _handle_of_id(page, status_id)
        kind = "profile"
    return _parse_profile_page(page, url_handle, kind)


def _handle_of_id(page: _Page, user_id: str) -> str:
    """The handle of the account x.com/i/user/ID shows, from a user object with that rest_id."""
    for _variables, body in page.of("UserByRestId", "UserByScreenName", "UserResultByScreenName"):
        user = _unwrap_user(traverse(body, ("data", "user", "result"), ("data", "user_result", "result")))
        if user is not None and str(user.get("rest_id")) == user_id:
            name = _screen_name(user)
            if name:
                return name
    raise NotACreatorPage(f"The capture holds no data about the X account with id {user_id}.")


# --- the page and its responses -------------------------------------------------------------------


class _Page:
    """The capture's GraphQL bodies, grouped by operation name (the last segment of /graphql/HASH/Op)."""

    def __init__(self, capture: Capture):
        self.capture = capture
        self.bodies: list[tuple[str, dict, Any, int | None]] = []  # (op, variables, body, status)
        for r in capture.responses:
            op = _operation(r.url)
            if op is None:
                continue
            body = r.json()
            if body is None:
                continue
            self.bodies.append((op, _variables(r.url), body, r.status))

    def of(self, *ops: str) -> Iterator[tuple[dict, Any]]:
        for op, variables, body, _status in self.bodies:
            if op in ops:
                yield variables, body

    def has_data(self) -> bool:
        return any(isinstance(traverse(body, "data"), dict) and traverse(body, "data") for _o, _v, body, _s in self.bodies)

    def raise_for_errors(self) -> None:
        """Rate limits and auth failures are answers, but only when no body carries usable data."""
        if self.has_data():
            return
        for _op, _v, body, status in self.bodies:
            codes = set(traverse(body, ("errors", ..., "code", {int}), default=[]))
            messages = " ".join(traverse(body, ("errors", ..., "message", {str}), default=[]))
            if status == 429 or codes & _RATE_LIMIT_CODES or "rate limit" in messages.lower():
                raise Blocked("X refused the request: rate limit exceeded. Try again later.")
            if status in (401, 403) or codes & _AUTH_CODES:
                raise LoginWall("X asks to log in before it shows this page.")
        html = self.capture.html
        if any(m in html for m in _LOGIN_MARKERS) or "/i/flow/login" in self.capture.url:
            raise LoginWall("X shows a login wall instead of this page.")
        if not self.bodies:
            raise Malformed(
                "The X page carries no data: X's pages are an empty shell, and the capture holds none of "
                "the GraphQL responses (UserByScreenName, UserTweets, TweetDetail) the page loads."
            )


def _operation(url: str) -> str | None:
    path = urlsplit(url).path if isinstance(url, str) else ""
    if "/graphql/" not in path:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name or None


def _variables(url: str) -> dict:
    """The `variables` JSON of a GraphQL GET URL (userId, screen_name, focalTweetId), or {}."""
    try:
        raw = parse_qs(urlsplit(url).query).get("variables")
        value = json.loads(raw[0]) if raw else None
    except (ValueError, TypeError, RecursionError):  # "[[[[..." 4,000 deep fits in a URL
        return {}
    return value if isinstance(value, dict) else {}


def post_id_from_url(url: str) -> str | None:
    """The status id of /h/status/ID (and /i/status/ID, /i/web/status/ID)."""
    if not isinstance(url, str) or not re.match(URL_RE, url):
        return None
    kind, _handle, status_id = _page_kind(url)
    return status_id if kind == "tweet" else None


def _page_kind(url: str) -> tuple[str, str | None, str | None]:
    """('profile' | 'followers' | 'following' | 'tweet' | 'other', handle from URL, status id)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    # x.com/i/status/ID and x.com/i/web/status/ID name the tweet but not its author.
    for i, seg in enumerate(segments[:-1]):
        if seg in _STATUS_SEGMENTS and segments[i + 1].isdigit():
            handle = handle_from_url(url)
            return "tweet", handle, segments[i + 1]
    if len(segments) >= 3 and segments[0] == "i" and segments[1] == "user" and segments[2].isdigit():
        return "profile_by_id", None, segments[2]  # x.com/i/user/ID: the account by its numeric id
    handle = handle_from_url(url)
    if handle is None:
        return "other", None, None
    rest = segments[1] if len(segments) > 1 else ""
    if rest in ("followers", "verified_followers", "followers_you_follow"):
        return "followers", handle, None
    if rest == "following":
        return "following", handle, None
    return "profile", handle, None


# --- users -----------------------------------------------------------------------------------------


def _as_given(value: Any) -> str | None:
    """A string exactly as the page gives it: unlike traverse's `str` rule, nothing is stripped. For
    what a person chose or wrote: a handle ending in a newline is the store's to refuse, not ours to
    mend, and a bio's length (spaces included) is a scoring input."""
    return value if isinstance(value, str) and value else None


def _unwrap_user(result: Any) -> dict | None:
    """A `user_results.result` as a dict, or None for UserUnavailable and garbage."""
    if not isinstance(result, dict) or result.get("__typename") == "UserUnavailable":
        return None
    return result


def _screen_name(u: dict) -> str | None:
    return _as_given(traverse(u, ("core", "screen_name"), ("legacy", "screen_name")))


def _user_id(u: dict) -> str | None:
    return traverse(u, "rest_id", ("legacy", "id_str"), expected_type=str)


def _verified(u: dict) -> bool | None:
    flags = [traverse(u, "is_blue_verified"), traverse(u, ("verification", "verified")),
             traverse(u, ("legacy", "verified"))]
    vtype = traverse(u, ("verification", "verified_type"), ("legacy", "verified_type"))
    # The badge a visitor sees: blue (paid), gold (business) or grey (government) all show a check.
    if any(f is True for f in flags) or as_str(vtype):
        return True
    if any(f is False for f in flags):
        return False
    return None


def _bio(u: dict) -> str | None:
    return _as_given(traverse(u, ("profile_bio", "description"), ("legacy", "description")))


def _protected(u: dict) -> bool | None:
    return traverse(u, ("privacy", "protected"), ("legacy", "protected"), expected_type=bool)


def _avatar(u: dict) -> str | None:
    return traverse(u, ("avatar", "image_url"), ("legacy", "profile_image_url_https"), expected_type=str)


def _has_profile_pic(u: dict) -> bool | None:
    default = traverse(u, ("legacy", "default_profile_image", {bool}))
    if default is not None:
        return not default
    avatar = _avatar(u)
    if avatar is None:
        return None
    return "default_profile_images" not in avatar


def _counts(u: dict) -> tuple[int | None, int | None, int | None]:
    followers = traverse(u, ("relationship_counts", "followers"), ("legacy", "followers_count"), expected_type=int)
    following = traverse(u, ("relationship_counts", "following"), ("legacy", "friends_count"), expected_type=int)
    posts = traverse(u, ("tweet_counts", "tweets"), ("legacy", "statuses_count"), expected_type=int)
    return followers, following, posts


def _links(u: dict) -> list[str]:
    links: list[str] = []
    for path in (("legacy", "entities", "url", "urls"), ("profile_bio", "entities", "url", "urls"),
                 ("legacy", "entities", "description", "urls"),
                 ("profile_bio", "entities", "description", "urls")):
        for item in traverse(u, path, expected_type=list, default=[]):
            link = traverse(item, "expanded_url", "url", expected_type=str)
            if link and link not in links:
                links.append(link)
    return links


def _pinned_ids(u: dict) -> set[str]:
    ids = traverse(u, ("pinned_items", "tweet_ids_str"), ("legacy", "pinned_tweet_ids_str"), expected_type=list)
    return {i for i in ids or () if isinstance(i, str)}


def _account(u: dict) -> Account | None:
    name = _screen_name(u)
    if name is None:
        return None
    followers, following, posts = _counts(u)
    bio = _bio(u)
    has_pic = _has_profile_pic(u)
    return Account(
        username=name,
        followers=followers,
        following=following,
        posts=posts,
        has_profile_pic=has_pic,
        is_private=_protected(u),
        verified=_verified(u),
        bio_length=len(bio) if bio is not None else (0 if traverse(u, "profile_bio", expected_type=dict) or "legacy" in u else None),
        display_name=_as_given(traverse(u, ("core", "name"), ("legacy", "name"))),
        # "Mon Jan 10 02:06:34 +0000 2011": legacy.created_at up to 2025, core.created_at since
        created_at=to_iso(traverse(u, ("core", "created_at"), ("legacy", "created_at")), None),
        # X's egg / silhouette: `default_profile_image`, or (2026 schema) the default_profile_images URL
        default_avatar=None if has_pic is None else not has_pic,
    )


def _based_in(page: _Page, handle: str | None) -> str | None:
    """"Account based in" from X's "About this account" panel (AboutAccountQuery), which the page loads
    when the user opens it: a country name, turned into a code by scraper.parse."""
    for variables, body in page.of("AboutAccountQuery"):
        user = _unwrap_user(traverse(body, ("data", "user_result_by_screen_name", "result"),
                                     ("data", "user_result", "result"), ("data", "user", "result")))
        if user is None:
            continue
        named = _screen_name(user) or as_str(variables.get("screenName"))
        if handle and named and named.lower() != handle.lower():
            continue  # the panel of another account (a reply's author, a hover card)
        based = traverse(user, ("about_profile", "account_based_in"), expected_type=str)
        if based:
            return based
    return None


def _fill_profile(snap: Snapshot, u: dict) -> None:
    snap.handle = _screen_name(u) or snap.handle
    snap.url = _link(snap.handle)
    snap.platform_id = _user_id(u)
    snap.display_name = _as_given(traverse(u, ("core", "name"), ("legacy", "name")))
    snap.bio = _bio(u)
    snap.avatar_url = _avatar(u)
    snap.verified = _verified(u)
    snap.links = _links(u)
    followers, following, posts = _counts(u)
    # GraphQL counts are exact integers, never rounded display text.
    snap.set_count("followers", followers)
    snap.set_count("following", following)
    snap.set_count("posts", posts)


# --- timelines and tweets --------------------------------------------------------------------------


def _instructions(body: Any) -> list:
    value = first_key(traverse(body, "data"), "instructions", lambda v: isinstance(v, list))
    return value or []


def _timeline_items(body: Any) -> Iterator[tuple[str, str, dict, bool]]:
    """(entry id, instruction type, itemContent, first item of its module) in page order."""
    for ins in _instructions(body):
        if not isinstance(ins, dict):
            continue
        itype = ins.get("type") if isinstance(ins.get("type"), str) else ""
        entries = list(as_list(ins.get("entries")))
        if isinstance(ins.get("entry"), dict):
            entries.append(ins["entry"])
        if ins.get("moduleItems"):
            # TimelineAddToModule: more items of a module already on the page (a longer thread).
            entries.append({"entryId": ins.get("moduleEntryId"), "content": {"items": as_list(ins.get("moduleItems"))},
                            "continues_module": True})
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            entry_id = entry.get("entryId") if isinstance(entry.get("entryId"), str) else ""
            single = traverse(entry, ("content", "itemContent"), expected_type=dict)
            if single is not None:
                yield entry_id, itype, single, True
            continues = entry.get("continues_module") is True
            for n, item in enumerate(traverse(entry, ("content", "items"), expected_type=list, default=[])):
                ic = traverse(item, ("item", "itemContent"))
                if isinstance(ic, dict):
                    yield entry_id, itype, ic, n == 0 and not continues


def _tweet(item_content: dict) -> dict | None:
    """The tweet of a TimelineTweet item (unwrapping TweetWithVisibilityResults), or None."""
    r = traverse(item_content, ("tweet_results", "result"))
    if isinstance(r, dict) and r.get("__typename") == "TweetWithVisibilityResults":
        r = r.get("tweet")
    if not isinstance(r, dict) or r.get("__typename") in ("TweetTombstone", "TweetUnavailable"):
        return None
    if not isinstance(r.get("legacy"), dict) and traverse(r, ("rest_id", {str})) is None:
        return None
    return r


# TweetUnavailable reasons that mean "not for you" rather than "gone": an age gate or a protected author.
_RESTRICTED_REASONS = ("Protected", "NsfwLoggedOut", "NsfwViewerIsUnderage", "NsfwViewerHasNoStatedAge",
                       "NsfwViewerHasNoStatedAgeTweetDetail", "AgeVerificationRequired")
_RESTRICTED_TOMBSTONE = ("limits who can view", "protected", "age-restricted", "sensitive content")


def _missing_tweet_error(item_content: dict) -> CaptureError | None:
    """The typed answer for a focal tweet X replaced by a tombstone or an 'unavailable' result."""
    r = traverse(item_content, ("tweet_results", "result"))
    if not isinstance(r, dict) or r.get("__typename") not in ("TweetTombstone", "TweetUnavailable"):
        return None
    reason = r.get("reason") if isinstance(r.get("reason"), str) else ""
    text = traverse(r, ("tombstone", "text", "text"))
    text = text.lower() if isinstance(text, str) else ""
    if reason in _RESTRICTED_REASONS or any(m in text for m in _RESTRICTED_TOMBSTONE):
        return Restricted("This post is restricted: its author limits who can see it, or it is age-gated.")
    return Unavailable("This post is unavailable (deleted, or its account is suspended).")


def _tweet_id(t: dict) -> str | None:
    return traverse(t, "rest_id", ("legacy", "id_str"), expected_type=str)


def _author(t: dict) -> dict | None:
    return _unwrap_user(traverse(t, ("core", "user_results", "result")))


def _author_id(t: dict) -> str | None:
    a = _author(t)
    return (_user_id(a) if a else None) or traverse(t, ("legacy", "user_id_str", {str}))


def _is_retweet(t: dict) -> bool:
    if traverse(t, ("legacy", "retweeted_status_result")) is not None:
        return True
    full = traverse(t, ("legacy", "full_text"))
    return isinstance(full, str) and full.startswith("RT @")


def _tweet_text(t: dict) -> str | None:
    # Long posts keep their whole text in note_tweet; legacy.full_text is cut at 280 characters.
    raw = _as_given(traverse(t, ("note_tweet", "note_tweet_results", "result", "text"), ("legacy", "full_text")))
    return htmllib.unescape(raw) if raw else None


def _entity_names(t: dict, kind: str, key: str) -> list[str] | None:
    items = traverse(t, ("legacy", "entities", kind))
    if not isinstance(items, list):
        return None
    out: list[str] = []
    for item in items:
        name = traverse(item, key, expected_type=str)
        if name and name not in out:
            out.append(name)
    return out


def _post(t: dict, item_content: dict, author_handle: str | None) -> Post | None:
    tid = _tweet_id(t)
    if tid is None:
        return None
    lg = traverse(t, "legacy", expected_type=dict, default={})
    text = _tweet_text(t)
    tags = _entity_names(t, "hashtags", "text")
    tags = [x.lower() for x in tags] if tags else textutil.hashtags(text)
    mentioned = _entity_names(t, "user_mentions", "screen_name") or textutil.mentions(text)
    retweets, quotes = traverse(lg, ("retweet_count", {int})), traverse(lg, ("quote_count", {int}))
    shares = None if retweets is None and quotes is None else (retweets or 0) + (quotes or 0)
    # An X ad carries promotedMetadata; otherwise a disclosure in the text (#ad, "paid partnership").
    promoted = isinstance(item_content.get("promotedMetadata"), dict)
    return Post(
        id=tid,
        url=f"https://x.com/{author_handle or 'i'}/status/{tid}",
        title=text,
        published_at=to_iso(lg.get("created_at"), None),
        views=traverse(t, ("views", "count", {int})),
        likes=traverse(lg, ("favorite_count", {int})),
        comments=traverse(lg, ("reply_count", {int})),
        shares=shares,
        is_sponsored=promoted or textutil.looks_sponsored(text, tags),
        hashtags=tags,
        mentions=mentioned,
    )


# --- profile, followers and following pages --------------------------------------------------------


def _profile_user(page: _Page, handle: str) -> tuple[dict | None, bool]:
    """The creator's user object from UserByScreenName (matching the URL's handle), and whether a
    UserByScreenName response said the account does not exist or is suspended."""
    said_unavailable = False
    fallback = None
    for variables, body in page.of("UserByScreenName", "UserByRestId", "UserResultByScreenName"):
        asked = variables.get("screen_name")
        if isinstance(asked, str) and asked.lower() != handle.lower():
            continue  # a leftover from another profile the user visited before (single-page app)
        result = traverse(body, ("data", "user", "result"), ("data", "user_result", "result"))
        if isinstance(result, dict) and result.get("__typename") == "UserUnavailable":
            said_unavailable = True
            continue
        user = _unwrap_user(result)
        if user is None:
            # `data.user` empty or missing: X's answer for a handle that does not exist.
            if isinstance(traverse(body, "data"), dict) and not traverse(body, ("data", "user")):
                said_unavailable = True
            continue
        name = _screen_name(user)
        if name and name.lower() == handle.lower():
            return user, False
        fallback = fallback or user
    return fallback, said_unavailable


def _parse_profile_page(page: _Page, handle: str, kind: str) -> Snapshot:
    snap = Snapshot(platform=NAME, handle=handle, url=_link(handle))
    user, said_unavailable = _profile_user(page, handle)
    tweets = list(page.of("UserTweets", "UserTweetsAndReplies", "UserMedia", "UserHighlightsTweets"))
    if user is None:
        # Without UserByScreenName the creator's own tweets still carry the full user object.
        user = _author_from_timelines(tweets, handle)
    if user is None and said_unavailable:
        raise Unavailable(f"The X account @{handle} does not exist or is suspended.")
    if user is not None:
        _fill_profile(snap, user)
    snap.country = _based_in(page, snap.handle)
    creator_id = snap.platform_id
    pinned = _pinned_ids(user) if user else set()

    seen: set[str] = set()
    for variables, body in tweets:
        asked = variables.get("userId")
        if creator_id and isinstance(asked, str) and asked != creator_id:
            continue
        for _eid, itype, ic, _first in _timeline_items(body):
            if itype == "TimelinePinEntry":
                continue
            t = _tweet(ic)
            if t is None:
                continue
            tid = _tweet_id(t)
            if tid is None or tid in seen or tid in pinned or _is_retweet(t):
                continue
            if not _is_by(t, creator_id, snap.handle):
                continue  # who-to-follow, the tweet a reply answers, an injected ad: not the creator's own
            post = _post(t, ic, snap.handle)
            if post is not None:
                seen.add(tid)
                snap.recent_posts.append(post)

    if kind == "followers":
        for follower in _list_users(page, _FOLLOWER_OPS, creator_id):
            account = _account(follower)
            if account is not None:
                snap.audience_sample.append(account)
        if not snap.audience_sample:
            snap.warnings.append("The capture holds no Followers list response: no audience sample.")

    if user is None and not snap.recent_posts and not snap.audience_sample:
        if not page.bodies:
            raise Malformed("The X page carries none of the data X loads for a profile.")
        raise NotACreatorPage(f"The capture holds no data about @{handle}.")
    if (user is not None and _protected(user) and not _viewer_follows(user) and kind in ("profile", "followers")
            and not snap.recent_posts and not snap.audience_sample):
        # What a visitor sees: "These posts are protected"; no posts, no followers list.
        raise Restricted(f"@{snap.handle}'s posts are protected: only approved followers can see them.")
    if user is not None and not tweets and kind == "profile":
        snap.warnings.append("The capture holds no UserTweets response: no recent posts.")
    return snap


def _list_users(page: _Page, ops: tuple[str, ...], owner_id: str | None) -> Iterator[dict]:
    """The user objects of a followers / following list (TimelineUser entries) in page order, from
    the answers about `owner_id` (others are leftovers of a list opened before, single-page app)."""
    for variables, body in page.of(*ops):
        asked = variables.get("userId")
        if owner_id and isinstance(asked, str) and asked != owner_id:
            continue
        for _eid, _itype, ic, _first in _timeline_items(body):
            budget.check("the X user list")
            user = _unwrap_user(traverse(ic, ("user_results", "result")))
            if user is not None:
                yield user


def _viewer_follows(u: dict) -> bool:
    """Whether the capturing account follows this one (then a protected account's posts are visible)."""
    return traverse(u, ("relationship_perspectives", "following"), ("legacy", "following")) is True


def _author_from_timelines(tweet_bodies: list[tuple[dict, Any]], handle: str) -> dict | None:
    for _v, body in tweet_bodies:
        for _eid, _itype, ic, _first in _timeline_items(body):
            t = _tweet(ic)
            a = _author(t) if t else None
            name = _screen_name(a) if a else None
            if name and name.lower() == handle.lower():
                return a
    return None


def _is_by(t: dict, creator_id: str | None, handle: str) -> bool:
    if creator_id:
        return _author_id(t) == creator_id
    a = _author(t)
    name = _screen_name(a) if a else None
    return bool(name) and name.lower() == handle.lower()


# --- a tweet page: the focal tweet, its author and the replies -------------------------------------


def _thread(page: _Page, status_id: str | None) -> tuple[tuple[dict, dict], list[tuple[dict, dict]]]:
    """The focal tweet (tweet, itemContent) of a post page and its top-level replies in page order:
    the first tweet of each conversation thread below the focal one. Raises the typed error when the
    capture holds no focal tweet (a tombstone, an unavailable post, no TweetDetail)."""
    focal: tuple[dict, dict] | None = None
    replies: list[tuple[dict, dict]] = []
    missing: CaptureError | None = None
    for variables, body in page.of("TweetDetail", "TweetResultByRestId", "ConversationTimeline"):
        asked = variables.get("focalTweetId") or variables.get("tweetId")
        if isinstance(asked, str) and asked != status_id:
            continue
        direct = traverse(body, ("data", "tweetResult", "result"))
        if isinstance(direct, dict):
            t = _tweet({"tweet_results": {"result": direct}})
            if t is not None and _tweet_id(t) == status_id:
                focal = focal or (t, {})
            elif t is None:
                missing = missing or _missing_tweet_error({"tweet_results": {"result": direct}}) or Unavailable(
                    "This post is unavailable.")
        after_focal = False
        for entry_id, _itype, ic, first in _timeline_items(body):
            t = _tweet(ic)
            if t is None:
                if entry_id == f"tweet-{status_id}":
                    missing = missing or _missing_tweet_error(ic)
                continue
            if _tweet_id(t) == status_id:
                focal = focal or (t, ic)
                after_focal = True
                continue
            # Top-level replies: the first tweet of each conversation thread below the focal tweet.
            if after_focal and first and entry_id.startswith("conversationthread-"):
                replies.append((t, ic))
    if focal is None:
        if missing is not None:
            raise missing
        if not page.bodies:
            raise Malformed("The X page carries none of the data X loads for a post.")
        raise NotACreatorPage("The capture holds no TweetDetail data for this post.")
    return focal, replies


def _parse_tweet_page(page: _Page, url_handle: str | None, status_id: str | None) -> Snapshot:
    focal, replies = _thread(page, status_id)
    tweet, ic = focal
    author = _author(tweet)
    handle = (_screen_name(author) if author else None) or url_handle
    if handle is None:
        raise NotACreatorPage("The post's author is not in the capture.")
    snap = Snapshot(platform=NAME, handle=handle, url=_link(handle))
    if author is not None:
        _fill_profile(snap, author)
        snap.country = _based_in(page, snap.handle)
    post = _post(tweet, ic, snap.handle)
    if post is not None:
        snap.recent_posts.append(post)
    creator_id = snap.platform_id or _author_id(tweet)
    commenters: dict[str, Account] = {}
    for t, _ric in replies:
        a = _author(t)
        name = _screen_name(a) if a else None
        if a is not None and name and _author_id(t) != creator_id and name.lower() not in commenters:
            account = _account(a)
            if account is not None:
                commenters[name.lower()] = account
        lg = traverse(t, "legacy", expected_type=dict, default={})
        snap.comments.append(Comment(
            post_id=status_id,
            author=f"@{name}" if name else None,
            text=_tweet_text(t),
            likes=traverse(lg, ("favorite_count", {int})),
            replies=traverse(lg, ("reply_count", {int})),
            is_creator=bool(creator_id) and _author_id(t) == creator_id,
            published_at=to_iso(lg.get("created_at"), None),
        ))
    # Who replies is part of the audience: each reply carries its author's full user object.
    snap.audience_sample.extend(commenters.values())
    return snap


# --- a page saved from the browser: what X rendered, when the capture holds none of its answers ------
#
# X's `data-testid` hooks (its own test ids): `UserName` (name, @handle, the verified badge),
# `UserDescription`, the `/h/following` and `/h/verified_followers` links with their counts, and each
# `tweet` article (its `/h/status/ID` time link, `tweetText`, the `role="group"` aria-label
# "3 replies, 12 reposts, 120 likes, 9000 views"). Found with str.find and bounded regexes.

_STATUS_LINK = re.compile(r'href="/([A-Za-z0-9_]{1,15})/status/(\d{1,25})"')
# (`\s{1,3}`: after `[\d,.\s]{0,15}` an unbounded `\s+` splits a run of spaces 15 ways from every digit)
_METRIC = re.compile(r"([\d][\d,.\s]{0,15}[KkMm]?)\s{1,3}(repl|repost|retweet|quote|like|view|bookmark)", re.IGNORECASE)


def _plain(fragment: str) -> str:
    """The text of a markup fragment, tags cut with str.find (a `<[^>]{0,N}>` regex rescans up to N
    characters from every `<`: quadratic on a run of them)."""
    out, pos = [], 0
    i = fragment.find("<")
    while i != -1:
        out.append(fragment[pos:i])
        j = fragment.find(">", i)
        if j == -1:
            pos = len(fragment)  # an unclosed tag runs to the end, as a browser reads it
            break
        out.append(" ")
        pos = j + 1
        i = fragment.find("<", pos)
    out.append(fragment[pos:])
    return " ".join(htmllib.unescape("".join(out)).split())


def _testid(html: str, name: str, start: int = 0, end: int | None = None, span: int = 6000) -> str | None:
    """The markup of the first element with data-testid="name" (up to `span` characters of it)."""
    stop = len(html) if end is None else end
    i = html.find(f'data-testid="{name}"', start, stop)
    return html[i:min(i + span, stop)] if i != -1 else None


def _rendered_page(capture: Capture, kind: str, url_handle: str | None, status_id: str | None) -> Snapshot | None:
    html = capture.html
    if kind == "tweet":
        return _rendered_tweet_page(capture, url_handle, status_id)
    if kind not in ("profile", "followers", "following") or not url_handle:
        return None
    region = _testid(html, "UserName", span=4000)
    if region is None:
        return None
    text = _plain(region[region.find(">") + 1:])
    m = re.search(r"@([A-Za-z0-9_]{1,15})\b", text)
    if not m or m.group(1).lower() != url_handle.lower():
        return None  # another account's header (a stale page): not this one
    handle = m.group(1)
    snap = Snapshot(platform=NAME, handle=handle, url=profile_url(handle))
    snap.display_name = text[:m.start()].strip() or None
    snap.verified = 'data-testid="icon-verified"' in region or 'aria-label="Verified account"' in region
    bio = _testid(html, "UserDescription", span=4000)
    if bio is not None:
        close = bio.find("</div>")
        snap.bio = _plain(bio[bio.find(">") + 1: close if close != -1 else len(bio)]) or None
    low = html.lower()
    for name, paths in (("following", ("following",)), ("followers", ("verified_followers", "followers"))):
        for path in paths:
            # the first link to the list, up to its </a> (str.find: one pass, whatever the page repeats)
            i = low.find(f'href="/{handle.lower()}/{path}"')
            j = low.find("</a>", i, i + 1200) if i != -1 else -1
            k = html.find(">", i, j) if j != -1 else -1
            if k != -1:
                value, approx = parse_count_ex(_plain(html[k + 1:j]), capture.lang)
                snap.set_count(name, value, approx)
                break
    snap.recent_posts = [p for p, _author in _rendered_tweets(html, capture.lang) if _author.lower() == handle.lower()]
    snap.warnings.append("Read from the rendered page (the capture holds none of X's answers): counts as displayed.")
    return snap


def _rendered_tweets(html: str, lang: str | None) -> list[tuple[Post, str]]:
    """(post, author handle) of each rendered tweet article in page order; pinned and reposted ones out."""
    out: list[tuple[Post, str]] = []
    marker = 'data-testid="tweet"'
    i = html.find(marker)
    while i != -1 and len(out) < 40:
        nxt = html.find(marker, i + len(marker))
        region = html[i: nxt if nxt != -1 else i + 40_000][:40_000]
        i = nxt
        context = _testid(region, "socialContext", span=600)
        if context is not None and re.search(r"pinned|reposted|retweeted", _plain(context[context.find(">") + 1:]), re.I):
            continue  # an old favourite, or someone else's post shared
        link = _STATUS_LINK.search(region)
        if not link:
            continue
        author, tid = link.group(1), link.group(2)
        when = re.search(r'<time[^>]{0,200}\bdatetime="([^"]{1,40})"', region)
        text_region = _testid(region, "tweetText", span=8000)
        body = None
        if text_region is not None:
            close = text_region.find("</div>")
            body = _plain(text_region[text_region.find(">") + 1: close if close != -1 else len(text_region)]) or None
        metrics: dict[str, int] = {}
        group = re.search(r'role="group"[^>]{0,50}aria-label="([^"]{1,300})"|aria-label="([^"]{1,300})"[^>]{0,50}role="group"',
                          region)
        if group:
            for number, word in _METRIC.findall(group.group(1) or group.group(2)):
                value, _approx = parse_count_ex(number, lang)
                if value is not None:
                    metrics.setdefault(word.lower(), value)
        tags = textutil.hashtags(body)
        shares = None if "repost" not in metrics and "retweet" not in metrics and "quote" not in metrics else (
            metrics.get("repost", metrics.get("retweet", 0)) + metrics.get("quote", 0))
        out.append((Post(
            id=tid,
            url=f"https://x.com/{author}/status/{tid}",
            title=body,
            published_at=when.group(1) if when else None,
            views=metrics.get("view"),
            likes=metrics.get("like"),
            comments=metrics.get("repl"),
            shares=shares,
            is_sponsored=textutil.looks_sponsored(body, tags) or ">Ad<" in region,
            hashtags=tags,
            mentions=textutil.mentions(body),
        ), author))
    return out


def _rendered_tweet_page(capture: Capture, url_handle: str | None, status_id: str | None) -> Snapshot | None:
    tweets = _rendered_tweets(capture.html, capture.lang)
    focal = next(((p, a) for p, a in tweets if p.id == status_id), None)
    if focal is None:
        return None
    post, author = focal
    snap = Snapshot(platform=NAME, handle=author, url=profile_url(author))
    snap.recent_posts.append(post)
    after = False
    seen: set[str] = set()
    for reply, who in tweets:
        if reply.id == status_id:
            after = True
            continue
        if not after:
            continue  # the posts this one answers, above it
        snap.comments.append(Comment(post_id=status_id, author=f"@{who}", text=reply.title, likes=reply.likes,
                                     replies=reply.comments, is_creator=who.lower() == author.lower(),
                                     published_at=reply.published_at))
        if who.lower() != author.lower() and who.lower() not in seen:
            seen.add(who.lower())
            snap.audience_sample.append(Account(username=who))
    snap.warnings.append("Read from the rendered page (the capture holds none of X's answers).")
    return snap


# --- list pages: search results, followers / following lists and a post's replies -------------------
#
# Every entry carries its author's full user object, so a list reads each account with `_account`, the
# same reader as a followers list's audience sample, plus the account's id (`rest_id`) that de-duplicates.

_FOLLOWING_OPS = ("Following",)


def parse_list(capture: Capture) -> Listing | None:
    """The accounts a list page of X shows, or None when the page is no list page: /search?q=
    (SearchTimeline, or the 2023 REST adaptive.json), /hashtag/TAG, /NAME/followers (and
    verified_followers, followers_you_follow), /NAME/following, and a post's replies (/NAME/status/ID)."""
    segments = [s for s in urlsplit(capture.url).path.split("/") if s]
    if segments[:1] == ["search"]:
        query = parse_qs(urlsplit(capture.url).query).get("q", [""])[0].strip()
        return _search_listing(capture, "search", query or None)
    if len(segments) == 2 and segments[0] == "hashtag":
        return _search_listing(capture, "hashtag", segments[1].lstrip("#") or None)
    kind, url_handle, status_id = _page_kind(capture.url)
    if kind not in ("followers", "following", "tweet"):
        return None
    page = _Page(capture)
    page.raise_for_errors()
    if kind == "tweet":
        return _replies_listing(page, status_id)
    return _users_listing(page, kind, url_handle)


def _listed(u: dict) -> ListedCreator | None:
    account = _account(u)
    return ListedCreator.from_account(account, _user_id(u)) if account is not None else None


def _add(listing: Listing, u: dict | None) -> None:
    creator = _listed(u) if u is not None else None
    if creator is not None:
        listing.add(creator)


def _search_listing(capture: Capture, kind: str, query: str | None) -> Listing:
    """Distinct tweet authors in timeline order (20 tweets by 18 people: 18 creators)."""
    page = _Page(capture)
    listing = Listing(platform=NAME, kind=kind, query=query)
    graphql = rest = 0
    for _variables, body in page.of("SearchTimeline"):
        graphql += 1
        for _eid, _itype, ic, _first in _timeline_items(body):
            budget.check("the X search results")
            t = _tweet(ic)
            _add(listing, _author(t) if t is not None else None)
    for body in capture.json_responses("/search/adaptive.json"):
        rest += 1
        for user in _adaptive_authors(body):
            _add(listing, user)
    if not listing.creators and not rest:
        page.raise_for_errors()  # a login wall or a rate limit instead of the results
        if not graphql:
            raise Malformed("The X search page carries none of its results: the capture holds no SearchTimeline answer.")
    if not listing.creators:
        listing.warnings.append("The search answered no posts.")
    return listing


def _adaptive_authors(body: Any) -> Iterator[dict]:
    """Authors of the 2023 REST search (adaptive.json), in timeline order: entries name tweet ids, the
    tweets name user ids, `globalObjects` holds both. A v1.1 user is shaped as the GraphQL user the
    readers know (its fields under `legacy`, the blue check as `is_blue_verified`)."""
    tweets = traverse(body, ("globalObjects", "tweets"), expected_type=dict, default={})
    users = traverse(body, ("globalObjects", "users"), expected_type=dict, default={})
    for ins in traverse(body, ("timeline", "instructions"), expected_type=list, default=[]):
        for entry in traverse(ins, ("addEntries", "entries"), expected_type=list, default=[]):
            budget.check("the X search results")
            tid = traverse(entry, ("content", "item", "content", "tweet", "id", {str}))
            uid = traverse(tweets.get(tid) if tid else None, ("user_id_str", {str}))
            user = users.get(uid) if uid else None
            if not isinstance(user, dict):
                continue
            yield {"rest_id": traverse(user, ("id_str", {str})) or uid, "legacy": user,
                   "is_blue_verified": traverse(user, ("ext_is_blue_verified", {bool}))}


def _users_listing(page: _Page, kind: str, url_handle: str | None) -> Listing:
    """A followers or following list: the owner from UserByScreenName (else the URL), then the accounts."""
    owner, _said_unavailable = _profile_user(page, url_handle) if url_handle else (None, False)
    owner_id = _user_id(owner) if owner else None
    listing = Listing(platform=NAME, kind=kind, owner=(_screen_name(owner) if owner else None) or url_handle)
    ops = _FOLLOWER_OPS if kind == "followers" else _FOLLOWING_OPS
    answers = 0
    for _variables, _body in page.of(*ops):
        answers += 1
    if not answers:
        raise Malformed(f"The X {kind} page carries none of its list: the capture holds no {ops[0]} answer.")
    for user in _list_users(page, ops, owner_id):
        _add(listing, user)
    if not listing.creators:
        listing.warnings.append(f"The {kind} list answered no accounts.")
    return listing


def _replies_listing(page: _Page, status_id: str | None) -> Listing:
    """Who replied to a post, in page order: the author of each thread's first tweet. The post's own
    author counts when it replies (a thread continuation is an entry of the list like any other)."""
    (tweet, _ic), replies = _thread(page, status_id)
    author = _author(tweet)
    listing = Listing(platform=NAME, kind="comments", owner=_screen_name(author) if author else None)
    for t, _ric in replies:
        budget.check("the X replies")
        _add(listing, _author(t))
    if not listing.creators:
        listing.warnings.append("The capture holds no replies to this post.")
    return listing


PLATFORM = Platform(
    name=NAME,
    label="X",
    hosts=("x.com", "twitter.com"),
    aliases=("www.x.com", "mobile.x.com", "www.twitter.com", "mobile.twitter.com"),
    url_re=URL_RE,
    handle_pattern=HANDLE_PATTERN,
    handle_rule=HANDLE_RULE,
    # the web app's GraphQL operations (on x.com/i/api/ or, in older pages, api.x.com / api.twitter.com)
    # (and the list pages' SearchTimeline, or the 2023 REST search, adaptive.json)
    api_urls=(r"/graphql/[^/]+/(?:UserByScreenName|UserByRestId|UserResultByScreenName|UserTweets|UserTweetsAndReplies"
              r"|UserMedia|UserHighlightsTweets|Followers|Following|BlueVerifiedFollowers|FollowersYouKnow"
              r"|VerifiedFollowers|TweetDetail|TweetResultByRestId|ConversationTimeline|AboutAccountQuery"
              r"|SearchTimeline)(?:[?]|$)",
              r"/i/api/2/search/adaptive\.json(?:[?]|$)"),
    rate_budget=(12, 60.0),
    walls=(Wall(r"^https?://(?:www\.)?(?:x|twitter)\.com/(?:i/flow/login|login|account/access)", "login_wall",
                "X redirected to its login page"),),
    engagement="x",
    parse=parse,
    profile_url=profile_url,
    valid_handle=valid_handle,
    handle_from_url=handle_from_url,
    post_id_from_url=post_id_from_url,
    parse_list=parse_list,
    list_pages=(("search", r"^/search\?(?:[^#]*&)?q="),
                ("hashtag", r"^/hashtag/[^/?#]+"),
                ("followers", r"^/[A-Za-z0-9_]{1,15}/(?:followers|verified_followers|followers_you_follow)/?(?:[?#]|$)"),
                ("following", r"^/[A-Za-z0-9_]{1,15}/following/?(?:[?#]|$)"),
                ("comments", r"^/[A-Za-z0-9_]{1,15}/status/[0-9]+/?(?:[?#]|$)")),
    other_names=("twitter",),
)
