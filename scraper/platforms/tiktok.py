"""TikTok: profile and video pages -> Snapshot, from the JSON the page itself embeds.

Two layouts exist: `SIGI_STATE` (up to 2023: UserModule / ItemModule / ItemList) and
`__UNIVERSAL_DATA_FOR_REHYDRATION__` (`webapp.user-detail`, `webapp.video-detail`). Item lists and
comments the page fetched later (api/post/item_list, api/comment/list) arrive in capture.responses.
Both blobs are found with str.find, and only the members the snapshot needs are decoded (raw_decode
at the member's key): the DOM is never parsed, and the translations, A/B config and video URLs that
make up most of a blob are never decoded (see bench/bench_tiktok_instagram.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from scraper.capture import Capture
from scraper.counts import int_or_none
from scraper.errors import Blocked, LoginWall, Malformed, NotACreatorPage, Restricted, Unavailable
from scraper.jsonpath import json_after, json_at_key, script_span, traverse
from scraper.models import Comment, Post, Snapshot
from scraper.text import hashtags, looks_sponsored, mentions

NAME = "tiktok"
URL_RE = r"https?://(?:(?:www|m)\.)?tiktok\.com/"

_HANDLE_CHARS = r"[\w.-]+"
_URL_HANDLE = re.compile(rf"^https?://(?:(?:www|m)\.)?tiktok\.com/@({_HANDLE_CHARS})", re.IGNORECASE)
_URL_VIDEO = re.compile(rf"/@({_HANDLE_CHARS})/(?:video|photo)/(\d+)", re.IGNORECASE)
# A username as TikTok allows it: 2-24 of letters, digits, "_" and "." (ASCII only); the URL
# patterns above are looser on purpose (they find a handle, valid_handle judges it).
HANDLE_RE = re.compile(r"[A-Za-z0-9_.]{2,24}")  # fullmatch
HANDLE_PATTERN = r"^[A-Za-z0-9_.]{2,24}$"
HANDLE_RULE = "2-24 characters: A-Z a-z 0-9 _ ."

# TikTok's web statusCode values (the same ones yt-dlp's extractor branches on).
_PRIVATE_CODES = {10216, 10222}           # private post / private account
_BLOCKED_CODES = {10101, 10102}           # "too many requests" style throttling seen on the web app

# Only consulted when the page carries no creator data: ordinary pages mention "captcha" in their JS.
_CAPTCHA_MARKERS = (
    'id="captcha_container"', "captcha-verify-container", "tiktok-verify-page", "secsdk-captcha-",
    "verify-bar-close", "<title>Security Check", "captcha_verify_",
)
_LOGIN_MARKERS = ("<title>Log in | TikTok", "<title>Log in to TikTok", 'data-e2e="login-modal"')

# The newest grid posts a snapshot keeps: the sample engagement and posting rhythm are scored on.
# A SIGI item is ~16 KB of JSON (video and subtitle URLs); decoding all 30 of a grid page would
# double the parse for posts no score reads.
MAX_POSTS = 12

# Item flags that mark a post as paid or branded (`isAd` is TikTok's own ad label).
_SPONSOR_FLAGS = ("isAd", "isPaidPartnership", "paidPartnership", "isBrandedContent", "brandedContent")


def profile_url(handle: str) -> str:
    """The canonical profile URL of a TikTok handle (with or without '@')."""
    h = (handle or "").strip().lstrip("@")
    if not valid_handle(h):
        raise ValueError(f"not a TikTok handle: {handle!r}")
    return f"https://www.tiktok.com/@{h}"


def valid_handle(handle: object) -> bool:
    """A TikTok username (without "@") as kolscope stores and fetches it."""
    return isinstance(handle, str) and HANDLE_RE.fullmatch(handle) is not None


def handle_from_url(url: str) -> str | None:
    """The handle in a TikTok profile or video URL (https://www.tiktok.com/@h[/video/id]), else None."""
    if not isinstance(url, str):
        return None
    m = _URL_HANDLE.match(url)
    return m.group(1) if m else None


def parse(capture: Capture) -> Snapshot:
    html = capture.html
    url_handle = handle_from_url(capture.url)
    m = _URL_VIDEO.search(capture.url)
    video_id = m.group(2) if m else None

    universal = _universal_scopes(html)
    sigi = _Sigi.find(html) if not _has_creator_scope(universal) else None

    snap: Snapshot | None = None
    if "webapp.video-detail" in universal:
        snap = _from_video_detail(universal["webapp.video-detail"], video_id)
    elif "webapp.user-detail" in universal:
        snap = _from_user_detail(universal["webapp.user-detail"], url_handle)
    elif sigi:
        snap = _from_sigi(sigi, url_handle, video_id)

    if snap is None:
        # after a single-page navigation the creator may arrive only as an api/user/detail response
        for body in capture.json_responses("/api/user/detail"):
            info = traverse(body, "userInfo", expected_type=dict)
            if info and traverse(info, ("user", "uniqueId")):
                snap = _snapshot_from_user(info.get("user"), info.get("statsV2"), info.get("stats"))
                break
    if snap is None:
        _raise_for_page(capture, url_handle)

    if not video_id:
        _add_items(snap, (it for b in capture.json_responses("item_list") for it in _items_of(b)))
    _add_comments(snap, capture)
    return snap


# --- the embedded state -------------------------------------------------------------------------


def _universal_scopes(html: str) -> dict:
    """The creator scopes of `__UNIVERSAL_DATA_FOR_REHYDRATION__`.

    The blob is ~300 KB, mostly translations and A/B config; the creator lives in a ~3 KB member.
    Decoding just that member is what keeps a parse under yt-dlp's full decode of the blob.
    """
    span = script_span(html, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    if span is None:
        return {}
    start, end = span
    scopes = {}
    for key in ("webapp.video-detail", "webapp.user-detail"):
        value = json_at_key(html, key, start, end, expected_type=dict)
        if value is not None:
            scopes[key] = value
    return scopes


def _has_creator_scope(universal: dict) -> bool:
    return "webapp.user-detail" in universal or "webapp.video-detail" in universal


_SIGI_TAIL = {"UserModule", "UserPage"}


class _Sigi:
    """SIGI_STATE, decoded one member at a time.

    ItemModule is ~95% of the blob (each item carries ~13 KB of video/subtitle URLs); decoding only
    the items the snapshot keeps is what holds a SIGI page under 10 ms.
    """

    def __init__(self, text: str, start: int, end: int, whole: dict | None = None):
        self.text, self.start, self.end, self.whole = text, start, end, whole
        self._module = -2
        self._cursor = 0

    @classmethod
    def find(cls, html: str) -> _Sigi | None:
        span = script_span(html, "SIGI_STATE") or script_span(html, "sigi-persisted-data")
        if span is not None:
            return cls(html, *span)
        if "window['SIGI_STATE']" in html:
            state, end = json_after(html, "window['SIGI_STATE']")
            if isinstance(state, dict):
                return cls(html, 0, end, whole=state)
        return None

    def get(self, key: str) -> Any:
        if self.whole is not None:
            return self.whole.get(key)
        if key in _SIGI_TAIL:
            # these follow the 500 KB ItemModule: look from the end rather than scan through it
            i = self.text.rfind(f'"{key}":', self.start, self.end)
            value = json_at_key(self.text, key, i, self.end, expected_type=dict) if i != -1 else None
            if value is not None:
                return value
        return json_at_key(self.text, key, self.start, self.end, expected_type=dict)

    def item(self, item_id: str) -> Any:
        """One ItemModule entry by id, decoded alone."""
        if self.whole is not None:
            return traverse(self.whole, ("ItemModule", item_id))
        if self._module == -2:
            self._module = self.text.find('"ItemModule":', self.start, self.end)
            self._cursor = self._module
        if self._module == -1:
            return None
        # Grid order is ItemModule's document order: search on from the previous item first.
        marker = f'"{item_id}":'
        i = self.text.find(marker, self._cursor, self.end)
        if i == -1:
            i = self.text.find(marker, self._module, self.end)
        if i == -1:
            return None
        self._cursor = i + len(marker)
        return json_at_key(self.text, item_id, i, self.end, expected_type=dict)


def _status_error(status: Any, what: str) -> None:
    """Raise the typed error for a non-zero TikTok statusCode."""
    code = int_or_none(status)
    if not code:
        return
    if code in _PRIVATE_CODES:
        raise Restricted(f"This TikTok {what} is private (status {code}).")
    if code in _BLOCKED_CODES:
        raise Blocked(f"TikTok refused to serve this {what} (status {code}): too many requests.")
    raise Unavailable(f"This TikTok {what} is unavailable: removed, banned or never existed (status {code}).")


def _from_user_detail(detail: Any, url_handle: str | None) -> Snapshot:
    if not isinstance(detail, dict):
        raise Malformed("TikTok's user detail is not an object.")
    info = traverse(detail, "userInfo", expected_type=dict) or {}
    user = traverse(info, "user", expected_type=dict)
    if not user or not user.get("uniqueId"):
        # No user at all: the status code says why (10202 not found, 10221 banned, 10222 private).
        _status_error(detail.get("statusCode"), "account")
        raise Unavailable("TikTok returned no account for this page (removed, banned or never existed).")
    snap = _snapshot_from_user(user, info.get("statsV2"), info.get("stats"))
    if user.get("privateAccount") is True and snap.followers is None and snap.posts is None:
        raise Restricted("This TikTok account is private and the page shows none of its numbers.")
    _add_items(snap, _list(info.get("itemList")))
    return snap


def _from_video_detail(detail: Any, video_id: str | None) -> Snapshot:
    if not isinstance(detail, dict):
        raise Malformed("TikTok's video detail is not an object.")
    item = traverse(detail, ("itemInfo", "itemStruct"), expected_type=dict)
    author = traverse(item, "author", expected_type=dict)
    if not item or not author or not author.get("uniqueId"):
        _status_error(detail.get("statusCode"), "video")
        raise Unavailable("TikTok returned no video for this page (removed, private or never existed).")
    snap = _snapshot_from_user(author, item.get("authorStatsV2"), item.get("authorStats"))
    post = _post(item, snap.handle)
    if post is not None:
        snap.recent_posts.append(post)
    return snap


def _from_sigi(state: _Sigi, url_handle: str | None, video_id: str | None) -> Snapshot:
    user_module = state.get("UserModule")
    users = traverse(user_module, "users", expected_type=dict) or {}
    stats = traverse(user_module, "stats", expected_type=dict) or {}

    item = state.item(video_id) if video_id else None
    handle = None
    if isinstance(item, dict):
        handle = item.get("author") if isinstance(item.get("author"), str) else traverse(item, ("author", "uniqueId"))
    handle = handle or _match_key(users, url_handle) or traverse(state.get("UserPage"), "uniqueId")
    if not handle and len(users) == 1:
        handle = next(iter(users))
    user = users.get(handle) if isinstance(handle, str) else None
    if not isinstance(user, dict) or not user.get("uniqueId"):
        _status_error(traverse(state.get("UserPage"), "statusCode"), "account")
        if video_id:
            _status_error(traverse(state.get("VideoPage"), "statusCode"), "video")
        raise Unavailable("TikTok's page state holds no account for this page.")
    user_stats = stats.get(handle) if isinstance(stats.get(handle), dict) else None
    if user_stats is None and isinstance(item, dict):
        user_stats = item.get("authorStats")
    snap = _snapshot_from_user(user, None, user_stats)
    if user.get("privateAccount") is True and snap.followers is None and snap.posts is None:
        raise Restricted("This TikTok account is private and the page shows none of its numbers.")

    if isinstance(item, dict):
        post = _post(item, snap.handle)
        if post is not None:
            snap.recent_posts.append(post)
        return snap
    # The grid order lives in ItemList; without it, ItemModule's own (document) order.
    item_list = state.get("ItemList")
    order = traverse(item_list, ("user-post", "list"), ("user-post", "browserList"))
    ids = [i for i in _list(order) if isinstance(i, str)]
    if ids:
        _add_items(snap, (state.item(i) for i in ids))
    else:
        module = state.get("ItemModule")
        _add_items(snap, list(module.values())[:MAX_POSTS] if isinstance(module, dict) else [])
    return snap


def _match_key(users: dict, handle: str | None) -> str | None:
    if not handle:
        return None
    if handle in users:
        return handle
    low = handle.lower()
    return next((k for k in users if isinstance(k, str) and k.lower() == low), None)


# --- building the snapshot ----------------------------------------------------------------------


def _snapshot_from_user(user: Any, stats_v2: Any, stats: Any) -> Snapshot:
    if not isinstance(user, dict) or not isinstance(user.get("uniqueId"), str):
        raise Malformed("TikTok's account data has no handle.")
    handle = user["uniqueId"]
    snap = Snapshot(platform=NAME, handle=handle, url=profile_url(handle) if valid_handle(handle) else None)
    snap.platform_id = _str(user.get("id"))
    snap.display_name = _str(user.get("nickname"))
    snap.bio = _str(user.get("signature"))
    snap.avatar_url = _str(traverse(user, "avatarLarger", "avatarMedium", "avatarThumb"))
    verified = user.get("verified")
    snap.verified = verified if isinstance(verified, bool) else None
    snap.country = _str(user.get("region"))
    link = _str(traverse(user, ("bioLink", "link")))
    if link:
        snap.links.append(link)

    # statsV2 holds exact digit strings; `stats` is what older pages had (and, since 2025, rounded).
    v2 = stats_v2 if isinstance(stats_v2, dict) else {}
    v1 = stats if isinstance(stats, dict) else {}
    used_v1 = False
    for name, keys in (("followers", ("followerCount",)), ("following", ("followingCount",)),
                       ("posts", ("videoCount",)), ("likes", ("heartCount", "heart"))):
        value = next((int_or_none(v2.get(k)) for k in keys if int_or_none(v2.get(k)) is not None), None)
        if value is None:
            value = next((int_or_none(v1.get(k)) for k in keys if int_or_none(v1.get(k)) is not None), None)
            used_v1 = used_v1 or value is not None
        snap.set_count(name, value)
    if used_v1 and v1.get("needFix"):
        snap.warnings.append("TikTok served only its display `stats` (no statsV2): counts may be rounded.")
    if user.get("privateAccount") is True:
        snap.warnings.append("Private account: its posts are not visible.")
    return snap


def _items_of(body: Any) -> list:
    return _list(traverse(body, "itemList", "items", "aweme_list"))


def _add_items(snap: Snapshot, items: Iterable[Any]) -> None:
    seen = {p.id for p in snap.recent_posts}
    for item in items:
        if len(snap.recent_posts) >= MAX_POSTS:
            break
        if not isinstance(item, dict) or item.get("isPinnedItem") is True:
            continue  # pinned posts are old favourites, not recent activity
        post = _post(item, snap.handle)
        if post is None or post.id in seen:
            continue
        seen.add(post.id)
        snap.recent_posts.append(post)


def _post(item: dict, handle: str) -> Post | None:
    post_id = _str(item.get("id"))
    if not post_id or not post_id.isdigit():
        return None
    author = item.get("author")
    author_handle = author if isinstance(author, str) else traverse(author, "uniqueId")
    if isinstance(author_handle, str) and author_handle.lower() != handle.lower():
        return None  # a repost or a recommendation, not the creator's own
    desc = _str(item.get("desc"))
    v2 = item.get("statsV2") if isinstance(item.get("statsV2"), dict) else {}
    v1 = item.get("stats") if isinstance(item.get("stats"), dict) else {}

    def stat(key: str) -> int | None:
        value = int_or_none(v2.get(key))
        return value if value is not None else int_or_none(v1.get(key))

    extras = [x for x in _list(item.get("textExtra")) if isinstance(x, dict)]
    tags = _merge([x.get("hashtagName") for x in extras], hashtags(desc), lower=True)
    names = _merge([x.get("userUniqueId") for x in extras], mentions(desc))
    return Post(
        id=post_id,
        url=f"https://www.tiktok.com/@{handle}/video/{post_id}",
        title=desc,
        published_at=_iso(item.get("createTime")),
        views=stat("playCount"),
        likes=stat("diggCount"),
        comments=stat("commentCount"),
        shares=stat("shareCount"),
        is_sponsored=_is_sponsored(item, extras, desc, tags),
        hashtags=tags,
        mentions=names,
    )


def _is_sponsored(item: dict, extras: list[dict], desc: str | None, tags: list[str]) -> bool:
    if any(item.get(flag) is True for flag in _SPONSOR_FLAGS):
        return True
    # brandOrganicType / commercial content type > 0: the creator switched on the content disclosure
    for key in ("brandOrganicType", "commercialContentType"):
        if (int_or_none(item.get(key)) or 0) > 0:
            return True
    if any(x.get("isCommerce") is True for x in extras):
        return True  # a brand's paid hashtag challenge
    if any(isinstance(c, dict) and c.get("isCommerce") is True for c in _list(item.get("challenges"))):
        return True
    return looks_sponsored(desc, tags)


def _add_comments(snap: Snapshot, capture: Capture) -> None:
    post_ids = {p.id for p in snap.recent_posts}
    for body in capture.json_responses("/comment/list"):
        for c in _list(traverse(body, "comments")):
            if not isinstance(c, dict) or c.get("text") is None:
                continue
            author = _str(traverse(c, ("user", "unique_id"), ("user", "uniqueId")))
            post_id = _str(c.get("aweme_id"))
            if post_ids and post_id and post_id not in post_ids:
                continue  # a comment of another video the page loaded
            labels = [traverse(x, "text") for x in _list(c.get("label_list")) if isinstance(x, dict)]
            is_creator = bool(author and author.lower() == snap.handle.lower()) or any(
                isinstance(t, str) and t.lower() == "creator" for t in labels)
            snap.comments.append(Comment(
                post_id=post_id,
                author=author,
                text=_str(c.get("text")) or "",
                likes=int_or_none(c.get("digg_count")),
                replies=int_or_none(c.get("reply_comment_total")),
                is_creator=is_creator,
                published_at=_iso(c.get("create_time")),
            ))


# --- pages without creator data -----------------------------------------------------------------


def _raise_for_page(capture: Capture, url_handle: str | None) -> None:
    html = capture.html
    if any(m in html for m in _CAPTCHA_MARKERS) or "/captcha" in capture.url:
        raise Blocked("TikTok showed a captcha / verification page instead of the creator.")
    path = re.sub(r"^https?://[^/]+", "", capture.url)
    if path.startswith("/login") or any(m in html for m in _LOGIN_MARKERS):
        raise LoginWall("TikTok asks to log in before it shows this page.")
    if not url_handle:
        raise NotACreatorPage("This TikTok page is not a creator's profile or video.")
    if "__UNIVERSAL_DATA_FOR_REHYDRATION__" in html or "SIGI_STATE" in html:
        raise Malformed("The TikTok page's embedded data could not be read (truncated or altered).")
    if "</html>" not in html[-4000:]:
        raise Malformed("The TikTok page is truncated: it ends before its embedded data.")
    raise NotACreatorPage("This TikTok page carries no creator data.")


# --- small helpers ------------------------------------------------------------------------------


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _iso(ts: Any) -> str | None:
    """ISO-8601 UTC from a TikTok createTime (seconds, as int or digit string)."""
    seconds = int_or_none(ts)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None


def _merge(first: Iterable[Any], second: Iterable[str], *, lower: bool = False) -> list[str]:
    seen: dict[str, None] = {}
    for value in (*first, *second):
        if isinstance(value, str) and value.strip():
            v = value.strip().lstrip("#@")
            seen.setdefault(v.lower() if lower else v, None)
    return list(seen)
