"""bilibili: parse a captured Bilibili space (profile) or video page from the API answers it loaded.

Bilibili serves an app shell; a space page (space.bilibili.com/<mid>) then asks api.bilibili.com for
the account (`x/space/acc/info`, signed as `x/space/wbi/acc/info` since 2023), its follower counts
(`x/relation/stat`), its totals (`x/space/navnum`, `x/space/upstat`, `x/web-interface/card`) and its
video list (`x/space/arc/search`, `x/space/wbi/arc/search`). A video page (www.bilibili.com/video/BV...)
carries the video and its uploader in `window.__INITIAL_STATE__` (`videoData`, `upData`) and in the
`x/web-interface/view` answer. Bilibili names people by a numeric id (the mid), not a handle: a
snapshot's `handle` is None and `platform_id` is the mid.

Every answer is `{"code": 0, "data": ...}` or an error code (shapes and codes as documented by
SocialSisterYi/bilibili-API-collect): -404 no such account, -412 / -352 / -799 / -509 refused (risk
control, rate limit), -101 not logged in, 22115 / 53013 hidden by the account's privacy settings.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scraper.capture import Capture
from scraper.counts import int_or_none
from scraper.dates import epoch_iso
from scraper.errors import Blocked, CaptureError, LoginWall, Malformed, NotACreatorPage, Restricted, Unavailable
from scraper.jsonpath import as_list, as_str, json_after, traverse
from scraper.models import Post, Snapshot
from scraper.platform import Platform, Wall
from scraper.text import hashtags, looks_sponsored, mentions

NAME = "bilibili"
URL_RE = r"https?://(?:(?:space|www|m)\.)?bilibili\.com(?:[/?#]|$)"

# A mid: a positive decimal account id, without leading zeros ("007" would be a second key for 7).
HANDLE_PATTERN = r"^[1-9][0-9]{0,18}$"
HANDLE_RULE = "1-19 digits, not starting with 0 (the mid in space.bilibili.com/<mid>)"
_MID_RE = re.compile(HANDLE_PATTERN)

_SPACE_PATH = re.compile(r"^/([0-9]{1,19})(?:/|$)")          # space.bilibili.com/<mid>[/video...]
_MOBILE_SPACE_PATH = re.compile(r"^/space/([0-9]{1,19})(?:/|$)")  # m.bilibili.com/space/<mid>
_VIDEO_PATH = re.compile(r"^/video/(BV[0-9A-Za-z]{10}|av[0-9]{1,19})(?:/|$)", re.IGNORECASE)

# The page API answers the parser reads, by the endpoint they come from.
_ENDPOINTS = {
    "info": re.compile(r"/x/space/(?:wbi/)?acc/info(?:[?]|$)"),
    "stat": re.compile(r"/x/relation/stat(?:[?]|$)"),
    "videos": re.compile(r"/x/space/(?:wbi/)?arc/search(?:[?]|$)"),
    "navnum": re.compile(r"/x/space/navnum(?:[?]|$)"),
    "upstat": re.compile(r"/x/space/upstat(?:[?]|$)"),
    "card": re.compile(r"/x/web-interface/card(?:[?]|$)"),
    "view": re.compile(r"/x/web-interface/(?:wbi/)?view(?:[?]|$)"),
}
# Which query parameter names the account an answer is about (relation/stat says vmid).
_MID_PARAMS = ("mid", "vmid")

# Error codes, most telling first: a missing account is an answer even when another call was refused.
_ERRORS: tuple[tuple[frozenset[int], type[CaptureError], str], ...] = (
    (frozenset({-404}), Unavailable, "This Bilibili account does not exist or was removed."),
    (frozenset({22115, 53013}), Restricted, "This Bilibili account hides this page (privacy settings)."),
    (frozenset({-101}), LoginWall, "Bilibili asks to log in before it shows this page."),
    (frozenset({-412, -352, -351, -403, -509, -799}), Blocked,
     "Bilibili refused the request (risk control or rate limit). Try again later."),
)
_BLOCKED_STATUSES = frozenset({412, 429})
# The name Bilibili shows for an account its owner deleted (the answers still say code 0).
_DELETED_NAME = "账号已注销"
MAX_POSTS = 60


def valid_handle(handle: object) -> bool:
    """A mid as kolscope stores and fetches it (Bilibili has no handles: the id is the identity)."""
    return isinstance(handle, str) and _MID_RE.fullmatch(handle) is not None


def profile_url(mid: str) -> str:
    """The space (profile) URL of a mid."""
    value = mid.strip() if isinstance(mid, str) else mid
    if not valid_handle(value):
        raise ValueError(f"not a Bilibili account id (mid): {str(mid)[:40]!r}")
    return f"https://space.bilibili.com/{value}"


def handle_from_url(url: str) -> str | None:
    """The mid a space URL names (space.bilibili.com/<mid>, m.bilibili.com/space/<mid>), or None."""
    if not isinstance(url, str) or not re.match(URL_RE, url):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path_re = _SPACE_PATH if host == "space.bilibili.com" else _MOBILE_SPACE_PATH if host == "m.bilibili.com" else None
    m = path_re.match(parts.path) if path_re else None
    return m.group(1) if m and valid_handle(m.group(1)) else None


def post_id_from_url(url: str) -> str | None:
    """The video id of www.bilibili.com/video/BV... (or av...), as its posts carry it."""
    if not isinstance(url, str) or not re.match(URL_RE, url):
        return None
    parts = urlsplit(url)
    m = _VIDEO_PATH.match(parts.path) if (parts.hostname or "").lower() in ("www.bilibili.com", "m.bilibili.com") else None
    if not m:
        return None
    vid = m.group(1)
    return "BV" + vid[2:] if vid[:2].lower() == "bv" else vid.lower()


def parse(capture: Capture) -> Snapshot:
    mid = handle_from_url(capture.url)
    page = _Answers(capture)
    if mid is not None:
        return _parse_space(capture, page, mid)
    parts = urlsplit(capture.url)
    if (parts.hostname or "").lower() in ("www.bilibili.com", "m.bilibili.com") and _VIDEO_PATH.match(parts.path):
        return _parse_video(capture, page)
    raise NotACreatorPage("This Bilibili page (home, search, a live room...) does not show one account.")


# --- the page's API answers ------------------------------------------------------------------------


class _Answers:
    """The capture's api.bilibili.com answers by endpoint: (asked mid or None, code, data, status)."""

    def __init__(self, capture: Capture):
        self.items: list[tuple[str, str | None, int | None, Any, int | None]] = []
        for r in capture.responses:
            endpoint = next((name for name, pattern in _ENDPOINTS.items() if pattern.search(r.url)), None)
            if endpoint is None:
                continue
            body = r.json()
            code = int_or_none(traverse(body, "code")) if isinstance(body, dict) else None
            data = traverse(body, "data") if code == 0 else None
            self.items.append((endpoint, _asked_mid(r.url), code, data, r.status))

    def data(self, endpoint: str, mid: str | None) -> Any:
        """The first successful answer's `data` from `endpoint` about `mid` (or about anyone when None)."""
        for name, asked, _code, data, _status in self.items:
            if name == endpoint and data is not None and (mid is None or asked in (None, mid)):
                return data
        return None

    def all(self, endpoint: str) -> list[Any]:
        """Every successful answer's `data` from `endpoint`, in page order."""
        return [data for name, _a, _c, data, _s in self.items if name == endpoint and data is not None]

    def failures(self, mid: str | None) -> list[str]:
        """The endpoints that answered about `mid` with an error: for a warning."""
        return sorted({name for name, asked, code, _d, _s in self.items
                       if code not in (0, None) and (mid is None or asked in (None, mid))})

    def raise_for_errors(self, what: str) -> None:
        """No answer carried the account: say why, from Bilibili's error codes and HTTP statuses."""
        codes = {code for _n, _a, code, _d, _s in self.items if code is not None}
        for known, error, message in _ERRORS:
            if codes & known:
                raise error(message)
        if any(status in _BLOCKED_STATUSES for _n, _a, _c, _d, status in self.items):
            raise Blocked("Bilibili refused the request (HTTP 412: risk control). Try again later.")
        raise Malformed(f"The Bilibili page carries no data about {what}: Bilibili's pages are an empty shell, "
                        "and the capture holds none of the answers (x/space/acc/info, x/relation/stat) it loads.")


def _asked_mid(url: str) -> str | None:
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    for name in _MID_PARAMS:
        value = (query.get(name) or [None])[0]
        if value:
            return value.strip()
    return None


def _initial_state(html: str) -> dict | None:
    """`window.__INITIAL_STATE__` (the server-rendered state of a video page), or None."""
    value, _end = json_after(html, "__INITIAL_STATE__")
    return value if isinstance(value, dict) else None


# --- a space page -------------------------------------------------------------------------------------


def _parse_space(capture: Capture, page: _Answers, mid: str) -> Snapshot:
    info = page.data("info", mid)
    stat = page.data("stat", mid)
    card_answer = page.data("card", mid)
    if not isinstance(info, dict) and not isinstance(stat, dict) and not isinstance(card_answer, dict):
        page.raise_for_errors(f"the account {mid}")
    snap = Snapshot(platform=NAME, handle=None, platform_id=mid, url=profile_url(mid))
    _fill_account(snap, info if isinstance(info, dict) else None)
    if isinstance(card_answer, dict):
        _fill_card(snap, card_answer)
    if isinstance(stat, dict):
        _set_exact(snap, "followers", stat.get("follower"))
        _set_exact(snap, "following", stat.get("following"))
    navnum = page.data("navnum", mid)
    if isinstance(navnum, dict):
        _set_exact(snap, "posts", navnum.get("video"))
    upstat = page.data("upstat", mid)
    if isinstance(upstat, dict):
        _set_exact(snap, "views", traverse(upstat, ("archive", "view")))
        _set_exact(snap, "likes", upstat.get("likes"))
    videos = page.data("videos", mid)
    if isinstance(videos, dict):
        if snap.posts is None:
            _set_exact(snap, "posts", traverse(videos, ("page", "count")))
        snap.recent_posts = _video_list(videos, mid)
    if snap.display_name == _DELETED_NAME:
        raise Unavailable("This Bilibili account was deleted by its owner (账号已注销).")
    failed = page.failures(mid)
    if failed:
        snap.warnings.append(f"Bilibili refused some of the page's answers ({', '.join(failed)}): their data is missing.")
    if videos is None:
        snap.warnings.append("The capture holds no video list (x/space/arc/search): no recent posts.")
    return snap


def _fill_account(snap: Snapshot, info: dict | None) -> None:
    """x/space/acc/info: name, sign (the bio), face (the avatar) and the official verification."""
    if info is None:
        return
    snap.display_name = as_str(info.get("name"))
    snap.bio = as_str(info.get("sign"))
    snap.avatar_url = as_str(info.get("face"))
    snap.verified = _verified(info.get("official"))
    if int_or_none(info.get("silence")) == 1:
        snap.warnings.append("Bilibili shows this account as banned (silence): it cannot post or comment.")


def _fill_card(snap: Snapshot, answer: dict) -> None:
    """x/web-interface/card: the account's card (fans, attention) plus its totals (videos, likes)."""
    card = traverse(answer, "card", expected_type=dict) or {}
    snap.display_name = snap.display_name or as_str(card.get("name"))
    snap.bio = snap.bio or as_str(card.get("sign"))
    snap.avatar_url = snap.avatar_url or as_str(card.get("face"))
    if snap.verified is None:
        snap.verified = _verified(card.get("Official") or card.get("official_verify"))
    _set_exact(snap, "followers", card.get("fans") if answer.get("follower") is None else answer.get("follower"))
    _set_exact(snap, "following", card.get("attention"))
    _set_exact(snap, "posts", answer.get("archive_count"))
    _set_exact(snap, "likes", answer.get("like_num"))


def _verified(official: Any) -> bool | None:
    """Bilibili's official verification: `type` -1 none, 0 a person, 1 an organisation; older answers
    carry only `role` (0 none, 1-2 and 7 people, 3-6 organisations)."""
    if not isinstance(official, dict):
        return None
    kind = int_or_none(official.get("type"))  # an int, -1 included
    if kind is not None:
        return kind >= 0
    role = int_or_none(official.get("role"))
    return None if role is None else role > 0


def _set_exact(snap: Snapshot, name: str, value: Any) -> None:
    """Bilibili's answers carry exact integers; a value that is none (or negative) is not shown."""
    count = int_or_none(value)
    if count is not None and count >= 0:
        snap.set_count(name, count)


def _video_list(videos: dict, mid: str) -> list[Post]:
    """x/space/arc/search: the newest videos (page order), with plays, comments, titles and dates.
    The list carries no likes: Bilibili shows those on each video's own page."""
    posts: list[Post] = []
    seen: set[str] = set()
    for item in as_list(traverse(videos, ("list", "vlist"))):
        if not isinstance(item, dict) or len(posts) >= MAX_POSTS:
            continue
        owner = as_str(item.get("mid"))
        if owner is not None and owner != mid:
            continue  # a joint video listed under a co-creator
        post = _post(item.get("bvid"), item.get("aid"), item.get("title"), item.get("description"),
                     item.get("created"), play=item.get("play"), comments=item.get("comment"))
        if post is not None and post.id not in seen:
            seen.add(post.id)
            posts.append(post)
    return posts


def _post(bvid: Any, aid: Any, title: Any, description: Any, created: Any, *, play: Any,
          comments: Any, likes: Any = None, shares: Any = None) -> Post | None:
    bv = as_str(bvid)
    vid = bv or (f"av{aid}" if int_or_none(aid) else None)
    if vid is None:
        return None
    title_text, desc = as_str(title), as_str(description)
    text = " ".join(t for t in (title_text, desc) if t) or None
    tags = hashtags(text)
    return Post(
        id=vid,
        url=f"https://www.bilibili.com/video/{vid}",
        title=title_text,
        published_at=epoch_iso(created),
        views=int_or_none(play),  # "--" where the uploader hides it: not shown
        likes=int_or_none(likes),
        comments=int_or_none(comments),
        shares=int_or_none(shares),
        is_sponsored=looks_sponsored(text, tags),
        hashtags=tags,
        mentions=mentions(text),
    )


# --- a video page: the video and its uploader ---------------------------------------------------------


def _parse_video(capture: Capture, page: _Answers) -> Snapshot:
    wanted = _VIDEO_PATH.match(urlsplit(capture.url).path).group(1).lower()
    state = _initial_state(capture.html) or {}
    if not _is_video(traverse(state, "videoData"), wanted):
        state = {}  # the state of the first video played, kept after an in-page navigation
    video = traverse(state, "videoData") or next(
        (v for v in page.all("view") if _is_video(v, wanted)), None)
    if not isinstance(video, dict):
        page.raise_for_errors("this video")
    owner = traverse(video, "owner", expected_type=dict) or {}
    mid = as_str(owner.get("mid"))
    if mid is None or not valid_handle(mid):
        raise NotACreatorPage("The capture does not say who uploaded this Bilibili video.")
    snap = Snapshot(platform=NAME, handle=None, platform_id=mid, url=profile_url(mid))
    snap.display_name = as_str(owner.get("name"))
    snap.avatar_url = as_str(owner.get("face"))
    up = traverse(state, "upData", expected_type=dict)
    if isinstance(up, dict) and as_str(up.get("mid")) == mid:
        snap.bio = as_str(up.get("sign"))
        snap.verified = _verified(up.get("Official") or up.get("official_verify"))
        _set_exact(snap, "followers", up.get("fans"))
        _set_exact(snap, "following", up.get("attention"))
        _set_exact(snap, "posts", up.get("archiveCount"))
    card_answer = page.data("card", mid)
    if isinstance(card_answer, dict):
        _fill_card(snap, card_answer)
    stat = page.data("stat", mid)
    if isinstance(stat, dict):
        _set_exact(snap, "followers", stat.get("follower"))
        _set_exact(snap, "following", stat.get("following"))
    counts = traverse(video, "stat", expected_type=dict) or {}
    post = _post(video.get("bvid"), video.get("aid"), video.get("title"), video.get("desc"), video.get("pubdate"),
                 play=counts.get("view"), comments=counts.get("reply"), likes=counts.get("like"),
                 shares=counts.get("share"))
    if post is not None:
        snap.recent_posts.append(post)
    return snap


def _is_video(video: Any, wanted: str) -> bool:
    """Is `video` (a videoData or view answer) the one the URL names (BV id, or av + aid)?"""
    if not isinstance(video, dict):
        return False
    bvid, aid = as_str(video.get("bvid")), as_str(video.get("aid"))
    return (bvid is not None and bvid.lower() == wanted) or (aid is not None and f"av{aid}" == wanted)


PLATFORM = Platform(
    name=NAME,
    label="Bilibili",
    hosts=("space.bilibili.com", "www.bilibili.com", "m.bilibili.com"),
    # each host serves its own pages (space. the profiles, www. the videos): none is folded onto another
    same_pages=False,
    url_re=URL_RE,
    handle_pattern=HANDLE_PATTERN,
    handle_rule=HANDLE_RULE,
    api_urls=(
        r"api\.bilibili\.com/x/space/(?:wbi/)?(?:acc/info|arc/search)(?:[?]|$)",
        r"api\.bilibili\.com/x/space/(?:navnum|upstat)(?:[?]|$)",
        r"api\.bilibili\.com/x/relation/stat(?:[?]|$)",
        r"api\.bilibili\.com/x/web-interface/(?:card|(?:wbi/)?view)(?:[?]|$)",
    ),
    # /x/space answers are rate-limited hard (about 150 in 5 minutes per client, then -799 / -352)
    rate_budget=(6, 60.0),
    walls=(
        Wall(r"^https?://passport\.bilibili\.com/(?:login|pc/passport/login|h5-app/passport/login)",
             "login_wall", "Bilibili redirected to its login page"),
    ),
    engagement="bilibili",
    parse=parse,
    profile_url=profile_url,
    valid_handle=valid_handle,
    handle_from_url=handle_from_url,
    post_id_from_url=post_id_from_url,
    key=str,  # a mid is digits: nothing to fold
    identity="id",
)
