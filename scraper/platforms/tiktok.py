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
from collections.abc import Iterable, Iterator
from html import unescape
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from scraper import budget
from scraper.capture import Capture
from scraper.counts import int_or_none, parse_count_ex
from scraper.errors import Blocked, LoginWall, Malformed, NotACreatorPage, Restricted, Unavailable
from scraper.dates import epoch_iso
from scraper.jsonpath import as_list, as_str, json_after, json_at_key, script_span, traverse
from scraper.listing import Listing, ListedCreator
from scraper.platform import Platform, Wall
from scraper.models import Account, Comment, Post, Snapshot
from scraper.pagemeta import interaction_count, json_ld, ld_type, meta_tags, tags
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


def post_id_from_url(url: str) -> str | None:
    """The video (or photo post) id of /@h/video/ID and /@h/photo/ID."""
    m = _URL_VIDEO.search(url) if isinstance(url, str) and re.match(URL_RE, url) else None
    return m.group(2) if m else None


def parse(capture: Capture) -> Snapshot:
    html = capture.html
    url_handle = handle_from_url(capture.url)
    m = _URL_VIDEO.search(capture.url)
    video_id = m.group(2) if m else None
    snap = _owner_snapshot(capture, url_handle, video_id)

    if not video_id:
        _add_items(snap, (it for b in capture.json_responses("item_list") for it in _items_of(b)))
        _add_grid(snap, capture)
    _add_comments(snap, capture)
    if not snap.comments and video_id:
        _dom_comments(snap, html, video_id)
    _add_audience(snap, capture)
    _add_categories(snap, None, [[p.category] for p in snap.recent_posts if p.category])
    return snap


def _owner_snapshot(capture: Capture, url_handle: str | None, video_id: str | None) -> Snapshot:
    """The creator whose page this is (a video page: its author, with the video as its post), from the
    embedded state, an api/user/detail answer or the rendered header; else the page's typed error."""
    html = capture.html
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
    if snap is None and not video_id:
        snap = _rendered_snapshot(capture, url_handle)
    if snap is None:
        _raise_for_page(capture, url_handle)
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
    _add_items(snap, as_list(info.get("itemList")))
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
    ids = [i for i in as_list(order) if isinstance(i, str)]
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
    snap.platform_id = as_str(user.get("id"))
    snap.display_name = as_str(user.get("nickname"))
    snap.bio = as_str(user.get("signature"))
    snap.avatar_url = traverse(user, "avatarLarger", "avatarMedium", "avatarThumb", expected_type=str)
    snap.verified = traverse(user, "verified", expected_type=bool)
    snap.country = as_str(user.get("region"))
    link = traverse(user, ("bioLink", "link", {str}))
    if link:
        snap.links.append(link)

    # statsV2 holds exact digit strings; `stats` is what older pages had (and, since 2025, rounded).
    used_v1 = False
    for name, keys in (("followers", ("followerCount",)), ("following", ("followingCount",)),
                       ("posts", ("videoCount",)), ("likes", ("heartCount", "heart"))):
        value = traverse(stats_v2, *keys, expected_type=int)
        if value is None:
            value = traverse(stats, *keys, expected_type=int)
            used_v1 = used_v1 or value is not None
        snap.set_count(name, value)
    if used_v1 and traverse(stats, "needFix"):
        snap.warnings.append("TikTok served only its display `stats` (no statsV2): counts may be rounded.")
    if user.get("privateAccount") is True:
        snap.warnings.append("Private account: its posts are not visible.")
    business = traverse(user, ("commerceUserInfo", "category"), "category", expected_type=str)
    if business:
        snap.categories.append(business)
    return snap


def _items_of(body: Any) -> list:
    return traverse(body, "itemList", "items", "aweme_list", expected_type=list, default=[])


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
    post_id = as_str(item.get("id"))
    if not post_id or not post_id.isdigit():
        return None
    author = item.get("author")
    author_handle = author if isinstance(author, str) else traverse(author, "uniqueId")
    if isinstance(author_handle, str) and author_handle.lower() != handle.lower():
        return None  # a repost or a recommendation, not the creator's own
    desc = as_str(item.get("desc"))

    def stat(key: str) -> int | None:  # statsV2 holds exact digit strings, `stats` older (or rounded) ones
        return traverse(item, ("statsV2", key), ("stats", key), expected_type=int)

    extras = [x for x in as_list(item.get("textExtra")) if isinstance(x, dict)]
    tags = _merge([x.get("hashtagName") for x in extras], hashtags(desc), lower=True)
    names = _merge([x.get("userUniqueId") for x in extras], mentions(desc))
    return Post(
        id=post_id,
        url=f"https://www.tiktok.com/@{handle}/video/{post_id}",
        title=desc,
        published_at=epoch_iso(item.get("createTime")),
        views=stat("playCount"),
        likes=stat("diggCount"),
        comments=stat("commentCount"),
        shares=stat("shareCount"),
        is_sponsored=_is_sponsored(item, extras, desc, tags),
        hashtags=tags,
        mentions=names,
        # the broadest of TikTok's labels ("Beauty & Style" of ["Outfit", "Beauty & Style"])
        category=(_labels(item) or [None])[-1],
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
    if any(isinstance(c, dict) and c.get("isCommerce") is True for c in as_list(item.get("challenges"))):
        return True
    return looks_sponsored(desc, tags)


def _api_comments(capture: Capture, post_ids: set[str]) -> Iterator[dict]:
    """The comments of the page's videos in the api/comment/list answers, in page order."""
    for body in capture.json_responses("/comment/list"):
        for c in as_list(traverse(body, "comments")):
            budget.check("the TikTok comments")
            if not isinstance(c, dict) or c.get("text") is None:
                continue
            post_id = as_str(c.get("aweme_id"))
            if post_ids and post_id and post_id not in post_ids:
                continue  # a comment of another video the page loaded
            yield c


def _add_comments(snap: Snapshot, capture: Capture) -> None:
    for c in _api_comments(capture, {p.id for p in snap.recent_posts}):
        author = traverse(c, ("user", "unique_id"), ("user", "uniqueId"), expected_type=str)
        post_id = as_str(c.get("aweme_id"))
        labels = [traverse(x, "text") for x in as_list(c.get("label_list")) if isinstance(x, dict)]
        is_creator = bool(author and author.lower() == snap.handle.lower()) or any(
            isinstance(t, str) and t.lower() == "creator" for t in labels)
        _commenter(snap, c.get("user"))
        snap.comments.append(Comment(
            post_id=post_id,
            author=author,
            text=as_str(c.get("text")) or "",
            likes=int_or_none(c.get("digg_count")),
            replies=int_or_none(c.get("reply_comment_total")),
            is_creator=is_creator,
            published_at=epoch_iso(c.get("create_time")),
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


def _merge(first: Iterable[Any], second: Iterable[str], *, lower: bool = False) -> list[str]:
    seen: dict[str, None] = {}
    for value in (*first, *second):
        if isinstance(value, str) and value.strip():
            v = value.strip().lstrip("#@")
            seen.setdefault(v.lower() if lower else v, None)
    return list(seen)


# --- what the page shows when its embedded data is missing: the rendered header and grid, meta -------
#
# A page saved from the browser, or the DOM the extension serialises after an in-app navigation (the
# embedded state is the first page's and is left out) before TikTok's item list arrives, still shows
# the header and the video grid. Their `data-e2e` attributes are TikTok's own test hooks, stable across
# the 2023 (h2 user-title) and 2024+ (h1) layouts; they are found with str.find, never a DOM parse.

_GRID_ITEM = 'data-e2e="user-post-item"'
_GRID_LINK = re.compile(rf"/@({_HANDLE_CHARS})/(?:video|photo)/(\d{{6,25}})")
_META_COUNT_WORDS = (
    ("followers", ("follower", "seguidor", "abonnent", "abonné", "người theo dõi", "pengikut", "フォロワー", "粉丝")),
    ("following", ("following", "seguindo", "siguiendo", "abonnements", "gefolgt", "đang follow", "フォロー中", "关注")),
    ("likes", ("like", "curtida", "me gusta", "j'aime", "mag ich", "thích", "suka", "いいね", "获赞")),
)
# (`\s{1,8}`, not `\s+`: from every space of a long run `\s+` rescanned the run, quadratic)
_TITLE_BYLINE = re.compile(r"\s{1,8}created by .{0,200}$", re.DOTALL)


def _e2e(html: str, name: str, start: int = 0, end: int | None = None) -> tuple[str | None, int]:
    """(text, position) of the first element with data-e2e="name": the text up to its first child tag."""
    stop = len(html) if end is None else end
    i = html.find(f'data-e2e="{name}"', start, stop)
    if i == -1:
        return None, -1
    j = html.find(">", i, stop)
    k = html.find("<", j + 1, stop) if j != -1 else -1
    if k == -1:
        return None, i
    text = " ".join(unescape(html[j + 1:k]).split())  # rendered text: HTML whitespace collapses
    return (text or None), i


def _rendered_snapshot(capture: Capture, url_handle: str | None) -> Snapshot | None:
    """The creator as the rendered profile header shows them, else as the meta tags and JSON-LD state."""
    html, lang = capture.html, capture.lang
    title, at = _e2e(html, "user-title")
    if title and url_handle and title.lstrip("@").lower() == url_handle.lower() and \
            html.find('data-e2e="followers-count"') != -1:
        snap = Snapshot(platform=NAME, handle=title.lstrip("@"))
        snap.url = profile_url(snap.handle) if valid_handle(snap.handle) else None
        close = html.find("</h", at)
        snap.verified = close != -1 and html.find("<svg", at, close) != -1  # the badge sits inside the title
        snap.display_name = _e2e(html, "user-subtitle")[0]
        snap.bio = _e2e(html, "user-bio")[0]
        for name, hook in (("followers", "followers-count"), ("following", "following-count"), ("likes", "likes-count")):
            value, approx = parse_count_ex(_e2e(html, hook)[0], lang)
            snap.set_count(name, value, approx)
        link_at = html.find('data-e2e="user-link"')
        if link_at != -1:
            href = re.search(r'href="([^"]{1,2000})"', html[max(0, link_at - 2500):link_at + 2500])
            target = parse_qs(urlparse(unescape(href.group(1))).query).get("target") if href else None
            if target:
                snap.links.append(target[0])
        snap.warnings.append("Read from the rendered page (no embedded data): counts are TikTok's rounded display.")
        return snap
    return _meta_snapshot(capture, url_handle)


def _meta_snapshot(capture: Capture, url_handle: str | None) -> Snapshot | None:
    """"Dylan Lemay (@dylanlemay) on TikTok | 587.5M Likes. 11.2M Followers. ..." and schema.org Person."""
    if not url_handle:
        return None
    meta = meta_tags(capture.html)
    desc = meta.get("og:description") or meta.get("description") or ""
    m = re.match(r"^(.{0,100}?)\s*\(@([\w.-]{1,40})\)", desc) or re.match(
        r"^(.{0,100}?)\s*\(@([\w.-]{1,40})\)", meta.get("og:title", ""))
    person = next((o for o in json_ld(capture.html) if ld_type(o, "Person")
                   and str(o.get("alternateName", "")).lstrip("@").lower() == url_handle.lower()), None)
    if (not m or m.group(2).lower() != url_handle.lower()) and person is None:
        return None
    snap = Snapshot(platform=NAME, handle=m.group(2) if m and m.group(2).lower() == url_handle.lower() else url_handle)
    snap.url = profile_url(snap.handle) if valid_handle(snap.handle) else None
    snap.display_name = (m.group(1).strip() or None) if m else as_str(person.get("name"))
    rest = desc.split(" | ", 1)[1] if " | " in desc else ""
    for part in re.split(r"\.\s+|\s*·\s*", rest)[:4]:
        low = part.lower()
        value, approx = parse_count_ex(part, capture.lang)
        if value is None:
            continue
        for name, words in _META_COUNT_WORDS:
            if getattr(snap, name) is None and any(w in low for w in words):
                snap.set_count(name, value, approx)
                break
    if person is not None and snap.followers is None:
        snap.set_count("followers", interaction_count(person, "FollowAction"))
    snap.avatar_url = meta.get("og:image") or None
    snap.warnings.append("Read from the page's meta description (no embedded data, no rendered header).")
    return snap


def _grid_posts(html: str, handle: str, lang: str | None) -> list[Post]:
    """The rendered video grid, in page order: id and link, the view count shown, the description."""
    posts: list[Post] = []
    seen: set[str] = set()
    i = html.find(_GRID_ITEM)
    while i != -1 and len(posts) < MAX_POSTS:
        nxt = html.find(_GRID_ITEM, i + len(_GRID_ITEM))
        # the item's description card follows the item itself, up to the next item
        region = html[i: nxt if nxt != -1 else i + 30_000][:30_000]
        i = nxt
        link = _GRID_LINK.search(region)
        if not link or link.group(2) in seen:
            continue
        if link.group(1).lower() != handle.lower():
            continue  # a repost or a recommendation
        if 'data-e2e="video-card-badge"' in region or ">Pinned<" in region:
            continue  # pinned posts are old favourites, not recent activity
        seen.add(link.group(2))
        views, _approx = parse_count_ex(_e2e(region, "video-views")[0], lang)
        desc = None
        t = re.search(r'<a title="([^"]{1,3000})"', region)
        title = t.group(1) if t else _img_alt(region)
        if title:
            desc = _TITLE_BYLINE.sub("", unescape(title)).strip() or None
        tags = hashtags(desc)
        posts.append(Post(
            id=link.group(2),
            url=f"https://www.tiktok.com/@{handle}/video/{link.group(2)}",
            title=desc,
            views=views,
            is_sponsored=looks_sponsored(desc, tags) if desc else None,
            hashtags=tags,
            mentions=mentions(desc),
        ))
    return posts


def _add_grid(snap: Snapshot, capture: Capture) -> None:
    if snap.recent_posts or _GRID_ITEM not in capture.html:
        return
    posts = _grid_posts(capture.html, snap.handle, capture.lang)
    if posts:
        snap.recent_posts.extend(posts)
        snap.warnings.append("Recent posts read from the rendered grid: views only, as TikTok rounds them.")


# --- audience: the follower list dialog, commenters --------------------------------------------------

# /api/user/list/?scene=67 is the followers list, scene=21 the following list (whom the creator
# follows: not its audience). Shape as public clients read it: {"userList": [{"user": {...},
# "stats": {...}, "statsV2": {...}}], "hasMore", "minCursor", "maxCursor", "total"}.
_FOLLOWER_SCENE = "67"
_FOLLOWING_SCENE = "21"


def _tiktok_account(user: Any, stats: Any = None, stats_v2: Any = None) -> Account | None:
    """A TikTok user (web camelCase, or the app-style snake_case of comment answers) as an Account."""
    if not isinstance(user, dict):
        return None
    name = traverse(user, "uniqueId", "unique_id", expected_type=str)
    if not name:
        return None
    v2 = stats_v2 if isinstance(stats_v2, dict) else {}
    v1 = stats if isinstance(stats, dict) else {}

    def count(*keys: str) -> int | None:
        for source in (v2, v1, user):
            value = traverse(source, *keys, expected_type=int)
            if value is not None:
                return value
        return None

    followers = count("followerCount", "follower_count")
    following = count("followingCount", "following_count")
    posts = count("videoCount", "aweme_count")
    if not v1 and not v2 and followers == following == posts == 0:
        # comment answers zero out the counts of the accounts they name: unknown, not zero
        followers = following = posts = None
    bio = traverse(user, "signature")
    verified = traverse(user, "verified", "is_verified")
    private = traverse(user, "privateAccount", "is_private")
    if not isinstance(verified, bool):
        vtype = int_or_none(user.get("verification_type"))
        verified = None if vtype is None else vtype > 0 or bool(as_str(user.get("custom_verify")))
    return Account(
        username=name,
        followers=followers,
        following=following,
        posts=posts,
        verified=verified if isinstance(verified, bool) else None,
        is_private=private if isinstance(private, bool) else None,
        bio_length=len(bio) if isinstance(bio, str) else None,
        display_name=as_str(user.get("nickname")),
        created_at=epoch_iso(traverse(user, "createTime", "create_time")),
    )


def _follower_sample(capture: Capture) -> tuple[list[Account], bool]:
    """The accounts of the followers lists the page loaded, and whether a following list was seen."""
    out: list[Account] = []
    seen: set[str] = set()
    saw_following = False
    for scene, entries in _user_lists(capture):
        if scene != _FOLLOWER_SCENE:
            saw_following = saw_following or scene == _FOLLOWING_SCENE
            continue
        for entry in entries:
            account = _tiktok_account(traverse(entry, "user"), traverse(entry, "stats"), traverse(entry, "statsV2"))
            if account is not None and account.username.lower() not in seen:
                seen.add(account.username.lower())
                out.append(account)
    return out, saw_following


def _user_lists(capture: Capture) -> Iterator[tuple[str, list]]:
    """(scene, userList entries) of each api/user/list answer the page loaded, in page order."""
    for r in capture.responses:
        if "/api/user/list" not in r.url:
            continue
        scene = (parse_qs(urlparse(r.url).query).get("scene") or [""])[0]
        yield scene, as_list(traverse(r.json(), "userList"))


def _add_audience(snap: Snapshot, capture: Capture) -> None:
    followers, saw_following = _follower_sample(capture)
    seen = {a.username.lower() for a in snap.audience_sample} | {snap.handle.lower()}
    for account in followers:
        if account.username.lower() not in seen:
            seen.add(account.username.lower())
            snap.audience_sample.append(account)
    if saw_following and not followers:
        snap.warnings.append("A following list shows whom the creator follows, not its audience: no audience sample.")


def _commenter(snap: Snapshot, user: Any) -> None:
    account = _tiktok_account(user)
    if account is None or account.username.lower() == snap.handle.lower():
        return
    if all(a.username.lower() != account.username.lower() for a in snap.audience_sample):
        snap.audience_sample.append(account)


# --- comments as the rendered panel shows them ------------------------------------------------------

_DOM_COMMENT = 'data-e2e="comment-username-1"'


def _img_alt(region: str) -> str | None:
    """The alt text of the first `<img alt="...">` in `region` (tags cut with str.find: linear)."""
    for tag in tags(region, "img"):
        m = _ALT.search(tag)
        if m:
            return m.group(1)
    return None


_ALT = re.compile(r'\balt="([^"]{1,3000})"')


def _strip_tags(html: str) -> str:
    """`html` with its tags replaced by spaces, with str.find (a regex `<[^>]{0,2000}>` rescanned up to
    2,000 characters from every `<`: 20 KB of `<` cost 40 million steps per comment)."""
    out = []
    pos = 0
    i = html.find("<")
    while i != -1:
        out.append(html[pos:i])
        j = html.find(">", i)
        if j == -1:
            return " ".join(out)  # an unclosed tag runs to the end, as a browser reads it
        out.append(" ")
        pos = j + 1
        i = html.find("<", pos)
    out.append(html[pos:])
    return "".join(out)


def _dom_comments(snap: Snapshot, html: str, post_id: str | None) -> None:
    """Top-level comments of the rendered panel: author (handle and name) and text. The DOM carries no
    ids or counts for commenters, so they join the audience sample with their name only."""
    for handle, name, text in _dom_entries(html, 200):
        snap.comments.append(Comment(post_id=post_id, author=handle, text=text or "",
                                     is_creator=handle.lower() == snap.handle.lower()))
        if handle.lower() != snap.handle.lower() and all(a.username.lower() != handle.lower()
                                                         for a in snap.audience_sample):
            snap.audience_sample.append(Account(username=handle, display_name=name))


def _dom_entries(html: str, limit: int) -> Iterator[tuple[str, str | None, str | None]]:
    """(handle, display name, text) of the rendered panel's top-level comments in page order, at most
    `limit` of them."""
    i = html.find(_DOM_COMMENT)
    found = 0
    while i != -1 and found < limit:
        budget.check("the TikTok comment panel")
        nxt = html.find(_DOM_COMMENT, i + len(_DOM_COMMENT))
        region = html[i: nxt if nxt != -1 else i + 20_000][:20_000]
        i = nxt
        who = re.search(rf'href="/@({_HANDLE_CHARS})"[^>]{{0,300}}>\s*(?:<p\b[^>]{{0,600}}>([^<]{{0,200}})</p>)?', region)
        if not who:
            continue
        handle, name = who.group(1), unescape(who.group(2) or "").strip() or None
        text = None
        t = region.find('data-e2e="comment-level-1"')
        if t != -1:
            start = region.find(">", t) + 1
            stop = region.find('data-e2e="comment-', start)
            div = region.find("<div", start)
            stop = min(x for x in (stop, div, len(region)) if x != -1)
            text = " ".join(unescape(_strip_tags(region[start:stop])).split()) or None
        found += 1
        yield handle, name, text


# --- the platform's own categories -------------------------------------------------------------------


def _labels(item: dict) -> list[str]:
    """TikTok's diversification labels of an item, most specific first ("Outfit", "Beauty & Style")."""
    out: list[str] = []
    for label in as_list(item.get("diversificationLabels")):
        if isinstance(label, str) and label.strip() and label.strip() not in out:
            out.append(label.strip())
    category = traverse(item, "categoryType", expected_type=str)
    if category and category not in out:
        out.append(category)
    return out


def _add_categories(snap: Snapshot, user_category: str | None, labels: list[list[str]]) -> None:
    """The creator's own (business) category first, then its posts' labels, most frequent first."""
    counts: dict[str, int] = {}
    for post_labels in labels:
        for label in post_labels:
            counts[label] = counts.get(label, 0) + 1
    ordered = sorted(counts, key=lambda k: -counts[k])
    for label in ([user_category] if user_category else []) + ordered:
        if label not in snap.categories:
            snap.categories.append(label)


# --- list pages: a video's commenters, tag and search results, follower lists ----------------------
#
# Recorded: a video page with its comment panel rendered (DOM only). No public recording exists of a
# tag page with items, a search page with results, the api/comment/list JSON or a followers list; those
# are read from the public shape of the web app's answers (as the creator-page parser already reads
# comment and user-list answers): api/challenge/item_list `itemList[].author` + `authorStats`,
# api/search/{general,user,item}/full `data[].item` / `user_list[].user_info` / `item_list[]`.

_TAG_PATH = re.compile(r"^/tag/([^/?#]{1,200})/?$")
_SEARCH_PATHS = ("/search", "/search/user", "/search/video", "/search/top")


def parse_list(capture: Capture) -> Listing | None:
    """The accounts a list page of TikTok shows, or None when the page is no list page: a video page
    (its commenters; owner = the video's author, whose own replies count), /tag/NAME, /search?q=, and a
    profile page with its followers or following dialog open (api/user/list answers)."""
    parsed = urlparse(capture.url)
    path = parsed.path
    if path.startswith("/login"):
        raise LoginWall("TikTok asks to log in before it shows this list.")
    tag = _TAG_PATH.match(path)
    if tag:
        return _results_listing(capture, "hashtag", unquote(tag.group(1)).lstrip("#") or None)
    if path.rstrip("/") in _SEARCH_PATHS:
        query = (parse_qs(parsed.query).get("q") or [""])[0].strip()
        return _results_listing(capture, "search", query or None)
    url_handle = handle_from_url(capture.url)
    if url_handle is None:
        return None
    video = _URL_VIDEO.search(capture.url)
    if video:
        return _comments_listing(capture, url_handle, video.group(2))
    if any("/api/user/list" in r.url for r in capture.responses):
        return _user_list_listing(capture, url_handle)
    return None


def _listed(user: Any, stats: Any = None, stats_v2: Any = None) -> ListedCreator | None:
    account = _tiktok_account(user, stats, stats_v2)
    if account is None:
        return None
    return ListedCreator.from_account(account, traverse(user, "id", "uid", expected_type=str))


def _add(listing: Listing, creator: ListedCreator | None) -> None:
    if creator is not None:
        listing.add(creator)


def _comments_listing(capture: Capture, url_handle: str, video_id: str) -> Listing:
    owner = _owner_snapshot(capture, url_handle, video_id)
    listing = Listing(platform=NAME, kind="comments", owner=owner.handle)
    answered = False
    for c in _api_comments(capture, {p.id for p in owner.recent_posts}):
        answered = True
        _add(listing, _listed(c.get("user")))
    if not answered:
        # the rendered panel: handle and name only (no ids, counts or badges in the DOM)
        for handle, name, _text in _dom_entries(capture.html, 200):
            _add(listing, ListedCreator.from_account(Account(username=handle, display_name=name)))
    if not listing.creators:
        listing.warnings.append("The capture holds none of the video's comments (the comment panel was closed).")
    return listing


def _results_listing(capture: Capture, kind: str, query: str | None) -> Listing:
    """Distinct authors of a tag page's or a search's results, in page order."""
    listing = Listing(platform=NAME, kind=kind, query=query)
    answers = 0
    for body in capture.json_responses("/api/challenge/item_list", "/api/search/"):
        answers += 1
        for user, stats, stats_v2 in _result_authors(body):
            budget.check("the TikTok results")
            _add(listing, _listed(user, stats, stats_v2))
    if not answers:
        if any(m in capture.html for m in _CAPTCHA_MARKERS):
            raise Blocked("TikTok showed a captcha / verification page instead of the results.")
        if any(m in capture.html for m in _LOGIN_MARKERS):
            raise LoginWall("TikTok asks to log in before it shows these results.")
    if not listing.creators:
        listing.warnings.append("The capture holds none of the page's results (only its header was rendered).")
    return listing


def _result_authors(body: Any) -> Iterator[tuple[Any, Any, Any]]:
    """(user, stats, statsV2) of each result of a tag or search answer: items' authors (web camelCase)
    and user results (app-style snake_case `user_info`)."""
    for item in _items_of(body) + traverse(body, "item_list", expected_type=list, default=[]):
        yield traverse(item, "author"), traverse(item, "authorStats"), traverse(item, "authorStatsV2")
    for user in traverse(body, "user_list", expected_type=list, default=[]):
        yield traverse(user, "user_info"), None, None
    for entry in traverse(body, "data", expected_type=list, default=[]):
        item = traverse(entry, "item", expected_type=dict)
        if item is not None:
            yield traverse(item, "author"), traverse(item, "authorStats"), traverse(item, "authorStatsV2")
        for user in traverse(entry, "user_list", expected_type=list, default=[]):
            yield traverse(user, "user_info"), None, None


def _user_list_listing(capture: Capture, url_handle: str) -> Listing | None:
    """A profile's followers (scene 67) or following (scene 21) dialog; None for another user list."""
    listing: Listing | None = None
    for scene, entries in _user_lists(capture):
        kind = {_FOLLOWER_SCENE: "followers", _FOLLOWING_SCENE: "following"}.get(scene)
        if kind is None or (listing is not None and listing.kind != kind):
            continue  # another list, or the other dialog opened after the first one
        listing = listing or Listing(platform=NAME, kind=kind, owner=url_handle)
        for entry in entries:
            budget.check("the TikTok user list")
            _add(listing, _listed(traverse(entry, "user"), traverse(entry, "stats"), traverse(entry, "statsV2")))
    return listing


PLATFORM = Platform(
    name=NAME,
    label="TikTok",
    hosts=("www.tiktok.com",),
    aliases=("tiktok.com", "m.tiktok.com"),
    url_re=URL_RE,
    handle_pattern=HANDLE_PATTERN,
    handle_rule=HANDLE_RULE,
    api_urls=(r"/api/(?:post/item_list|user/detail|item/detail|creator/item_list|repost/item_list|comment/list"
              r"|user/list|challenge/item_list|search/(?:general|user|item)/full)/?(?:[?]|$)",),
    rate_budget=(12, 60.0),
    walls=(Wall(r"^https?://(?:www\.)?tiktok\.com/login", "login_wall", "TikTok redirected to its login page"),),
    engagement="tiktok",
    parse=parse,
    profile_url=profile_url,
    valid_handle=valid_handle,
    handle_from_url=handle_from_url,
    post_id_from_url=post_id_from_url,
    parse_list=parse_list,
    # tag and search pages; a video's comments (a profile's follower dialog keeps the profile's URL)
    list_pages=(("hashtag", r"^/tag/[^/?#]+/?(?:[?#]|$)"),
                ("search", r"^/search(?:/(?:user|video|top))?/?\?(?:[^#]*&)?q="),
                ("comments", r"^/@[A-Za-z0-9_.]+/video/[0-9]+/?(?:[?#]|$)")),
)
