"""youtube: parse a captured channel or watch page (ytInitialData, or the /browse and /next JSON the page loaded),
and the list pages that name other creators: search results, hashtag pages and a channel's related channels."""

from __future__ import annotations

import re
import unicodedata
from itertools import islice
from collections.abc import Iterator
from typing import Any
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

from scraper import budget
from scraper.capture import Capture
from scraper.counts import int_or_none, parse_count_ex
from scraper.dates import looks_like_date
from scraper.errors import Blocked, LoginWall, Malformed, NotACreatorPage, Restricted, Unavailable
from scraper.jsonpath import as_list, as_str, find_key, first_key, json_after, traverse
from scraper.listing import Count, ListedCreator, Listing
from scraper.platform import Platform, Wall
from scraper.models import Comment, Post, Snapshot
from scraper.text import hashtags, looks_sponsored, mentions

NAME = "youtube"
# consent.youtube.com is listed so that a cookie-consent redirect reaches this parser and is reported
# as a login wall rather than as an unsupported site.
URL_RE = r"https?://(?:(?:(?:www|m|music|consent)\.)?youtube\.com/|youtu\.be/)"

BASE = "https://www.youtube.com"
MAX_POSTS = 60  # a channel grid shows 30 per page; continuations may add more, more is not needed

_CHANNEL_ID_RE = re.compile(r"UC[A-Za-z0-9_-]{22}")  # fullmatch
# A handle (support.google.com/youtube/answer/11585688): 3-30 characters, letters of any script
# (with their combining marks: Devanagari or Thai need them), the digits 0-9 only, and _ - . ·.
# Python's \w takes other scripts' digits (Arabic-Indic ١) and leaves out marks, hence the function.
HANDLE_MIN, HANDLE_MAX = 3, 30
# The same rule for an OpenAPI/JSON Schema `pattern` (Python's re has no \p{L}; close enough to
# generate and document; valid_handle is the rule).
HANDLE_PATTERN = r"^[\w.·-]{3,30}$"
HANDLE_RULE = "3-30 characters: letters of any script, digits 0-9, _ - . ·"
_HANDLE_PUNCT = frozenset("_-.·")
_VIDEO_ID_RE = re.compile(r"^[\w-]{11}$")
# Response URLs that can carry page data or continuations; others (log_event, player, ads) are never
# decoded, which keeps captures with many responses cheap.
_DATA_URLS = ("youtubei/v1/browse", "youtubei/v1/next", "pbj", "browse_ajax", "comment_service_ajax")
_PAGE_KEYS = ("contents", "header", "alerts", "metadata")
_ITEM_KEYS = frozenset({
    "videoRenderer", "gridVideoRenderer", "reelItemRenderer", "shortsLockupViewModel", "lockupViewModel",
    "backstagePostRenderer",
})
# Sub-trees of an item list that never hold items: not walking them keeps the walk cheap.
_SKIP_KEYS = frozenset({
    "thumbnail", "thumbnails", "menu", "trackingParams", "navigationEndpoint", "thumbnailOverlays",
    "continuationEndpoint", "loggingDirectives", "header",
})
_VERIFIED_STYLES = ("BADGE_STYLE_TYPE_VERIFIED", "BADGE_STYLE_TYPE_VERIFIED_ARTIST")
_SUBSCRIBER_WORDS = ("subscriber", "abonnent", "abonné", "suscriptor", "inscrito", "iscritt", "подпис",
                     "订阅", "訂閱", "登録者", "구독자", "abone", "subskryb", "sottoscritt")
_VIDEO_WORDS = ("video", "vídeo", "видео", "视频", "影片", "動画", "동영상", "wideo")


# ---------------------------------------------------------------------------------------------------
# URLs


def profile_url(handle_or_id: str) -> str:
    """The canonical profile URL to fetch for a handle ("@name" or "name") or a channel id ("UC...")."""
    if not isinstance(handle_or_id, str) or not handle_or_id.strip():
        raise ValueError("a YouTube handle or channel id is required")
    value = handle_or_id.strip()
    if value.startswith(("http://", "https://")):
        named = handle_from_url(value)
        if named is None:
            raise ValueError(f"not a YouTube channel URL: {value[:200]}")
        value = named
    value = value.lstrip("@")
    if _CHANNEL_ID_RE.fullmatch(value):
        return f"{BASE}/channel/{value}"
    if not valid_handle(value):
        raise ValueError(f"not a YouTube handle: {value[:100]!r}")
    return f"{BASE}/@{value}"


def _handle_char(ch: str) -> bool:
    return ch in _HANDLE_PUNCT or "0" <= ch <= "9" or unicodedata.category(ch)[0] in "LM"


def valid_handle(handle: object) -> bool:
    """A YouTube handle (without "@") or channel id (UC + 22) as kolscope stores and fetches it."""
    return (isinstance(handle, str) and HANDLE_MIN <= len(handle) <= HANDLE_MAX
            and all(_handle_char(ch) for ch in handle))


def handle_from_url(url: str) -> str | None:
    """The handle (without "@") or channel id a profile URL names; None for watch pages and others.

    Legacy /c/ and /user/ URLs name a custom URL, not a handle, so they give None as well.
    """
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "youtube.com" or host.endswith(".youtube.com")):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return None
    first = unquote(segments[0])
    if first.startswith("@") and len(first) > 1:
        return first[1:]
    if first == "channel" and len(segments) > 1 and _CHANNEL_ID_RE.fullmatch(segments[1]):
        return segments[1]
    return None


def _watch_id(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() == "youtu.be":
        vid = parts.path.strip("/").split("/")[0]
        return vid if _VIDEO_ID_RE.match(vid) else None
    if parts.path.startswith("/watch"):
        vid = (parse_qs(parts.query).get("v") or [""])[0]
        return vid if _VIDEO_ID_RE.match(vid) else None
    m = re.match(r"^/(?:shorts|live)/([\w-]{11})", parts.path)
    return m.group(1) if m else None


# ---------------------------------------------------------------------------------------------------
# Text helpers


def _text(obj: Any) -> str | None:
    """Text of a YouTube text object: {simpleText}, {runs: [{text}]}, {content} (view models) or a str."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, dict):
        return None
    simple = obj.get("simpleText")
    if isinstance(simple, str):
        return simple or None
    runs = obj.get("runs")
    if isinstance(runs, list):
        text = "".join(r["text"] for r in runs if isinstance(r, dict) and isinstance(r.get("text"), str))
        return text or None
    content = obj.get("content")
    if isinstance(content, str):
        return content or None
    return None


def _count(text: Any, lang: str | None) -> tuple[int | None, bool]:
    if isinstance(text, dict):
        text = _text(text)
    if text is None:
        return None, False
    return parse_count_ex(text, lang)


def _handle_of(value: Any) -> str | None:
    """A handle from "@name", "/@name" or "http://www.youtube.com/@name"; None for /c/, /user/, /channel/."""
    if not isinstance(value, str):
        return None
    value = value.strip().strip("\u200e\u2068\u2069")
    if value.startswith(("http://", "https://")):
        return handle_from_url(value) if "/@" in value else None
    value = value.lstrip("/")
    if value.startswith("@") and len(value) > 1:
        name = unquote(value[1:].split("/")[0].split("?")[0])
        return name or None
    return None


def _best_thumbnail(obj: Any) -> str | None:
    thumbs = traverse(obj, ("thumbnails",), ("sources",), ("image", "sources"), expected_type=list)
    if not thumbs:
        return None
    best = max((t for t in thumbs if isinstance(t, dict) and isinstance(t.get("url"), str)),
               key=lambda t: t.get("width") if isinstance(t.get("width"), int) else 0, default=None)
    if best is None:
        return None
    url = best["url"]
    return "https:" + url if url.startswith("//") else url


def _is_verified(badges: Any) -> bool:
    return any(traverse(b, ("metadataBadgeRenderer", "style")) in _VERIFIED_STYLES
               for b in badges if isinstance(b, dict)) if isinstance(badges, list) else False


def _redirect_target(url: Any) -> str | None:
    """The real link behind a youtube.com/redirect?q=... URL."""
    if not isinstance(url, str) or not url:
        return None
    if "/redirect?" in url:
        q = parse_qs(urlsplit(url).query).get("q")
        if q:
            return q[0]
    return url


# ---------------------------------------------------------------------------------------------------
# Finding the page's data


def _unwrap(value: Any) -> Any:
    """An old `pbj=1` body is a list (or dict) of parts; the page data is the part's `response`."""
    if isinstance(value, list):
        for part in value[:16]:  # a pbj body has a handful of parts; a huge list is no page
            if isinstance(part, dict) and isinstance(part.get("response"), dict):
                return part["response"]
        return None
    if isinstance(value, dict) and isinstance(value.get("response"), dict) and "responseContext" not in value:
        return value["response"]
    return value


def _initial_data(html: str) -> Any:
    for marker in ("var ytInitialData", 'window["ytInitialData"]', "ytInitialData"):
        value, _ = json_after(html, marker)
        if value is not None:
            return _unwrap(value)
    return None


def _is_page(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in _PAGE_KEYS)


def _is_watch(data: Any) -> bool:
    return traverse(data, ("contents", "twoColumnWatchNextResults")) is not None


def _data_responses(capture: Capture) -> list[tuple[str, dict]]:
    out = []
    for r in capture.responses:
        if r.status is not None and r.status >= 400:
            continue
        if not any(p in r.url for p in _DATA_URLS):
            continue
        value = _unwrap(r.json())
        if isinstance(value, dict) and value:
            out.append((r.url, value))
    return out


def _pick_page(initial: Any, responses: list[tuple[str, dict]], watch_id: str | None) -> dict | None:
    """The data of the page the URL shows: the newest page-sized response of the right kind wins over
    ytInitialData, which a single-page navigation leaves stale (or empty)."""
    pages = [d for _, d in responses if _is_page(d)]
    if _is_page(initial):
        pages.insert(0, initial)
    if not pages:
        return None
    if watch_id:
        same = [d for d in pages if traverse(d, ("currentVideoEndpoint", "watchEndpoint", "videoId")) == watch_id]
        kind = same or [d for d in pages if _is_watch(d)]
    else:
        kind = [d for d in pages if not _is_watch(d)]
    return (kind or pages)[-1]


def _page_lang(data: dict, capture: Capture) -> str | None:
    """YouTube's own hl for the JSON (it renders the count texts), else the page's <html lang>."""
    for service in as_list(traverse(data, ("responseContext", "serviceTrackingParams"))):
        for param in as_list(traverse(service, ("params",))):
            if isinstance(param, dict) and param.get("key") == "hl" and isinstance(param.get("value"), str):
                return param["value"]
    lang = capture.lang
    if lang:
        return lang
    i = capture.html.find('"HL":"')
    if i != -1:
        j = capture.html.find('"', i + 6)
        if 0 < j - (i + 6) < 12:
            return capture.html[i + 6:j]
    return None


def _no_data(capture: Capture) -> None:
    """Why there is no page data: a consent or login wall, a bot check, or a broken capture."""
    html = capture.html
    host = (urlsplit(capture.url).hostname or "").lower()
    if host.startswith("consent.") or "consent.youtube.com" in html[:200000]:
        raise LoginWall("YouTube showed its cookie-consent page instead of the channel; accept it and capture again.")
    if "confirm you’re not a bot" in html or "confirm you're not a bot" in html or "/sorry/index" in html \
            or "unusual traffic from your computer" in html:
        raise Blocked("YouTube asked to confirm this is not a bot; the page holds no channel data.")
    if "accounts.google.com/ServiceLogin" in capture.url or "ServiceLogin?" in html[:5000]:
        raise LoginWall("YouTube asks to sign in before it shows this page.")
    raise Malformed("The YouTube page holds no ytInitialData and no usable /browse or /next response "
                    "(truncated or not a YouTube page).")


# ---------------------------------------------------------------------------------------------------
# Entry point


def parse(capture: Capture) -> Snapshot:
    """Parse a captured YouTube channel page or watch page into a Snapshot."""
    watch_id = _watch_id(capture.url)
    responses = _data_responses(capture)
    initial = _initial_data(capture.html)  # the page's largest JSON: decoded once
    data = _pick_page(initial, responses, watch_id)
    if data is None:
        if watch_id:
            # a Shorts page: its ytInitialData is the Shorts overlay, not a page of contents
            snap = _from_player(capture, initial if isinstance(initial, dict) else None, watch_id, capture.lang)
            if snap is not None:
                return snap
            if _player_for(capture, watch_id) is not None:
                _watch_error(capture, {})
        _no_data(capture)
    budget.check("the page data")
    lang = _page_lang(data, capture)
    if _is_watch(data):
        try:
            snap = _parse_watch(capture, data, responses, lang, watch_id)
        except NotACreatorPage:
            # the /next data names no owner (a trimmed or partial answer): the player response may
            snap = _from_player(capture, data, watch_id, lang) if watch_id else None
            if snap is None:
                raise
            return snap
        _add_video_category(snap, capture, snap.recent_posts[0].id if snap.recent_posts else None)
        return snap
    if watch_id:
        # a Shorts page (its overlay is not a watch page's /next data), or a watch page without one
        snap = _from_player(capture, data, watch_id, lang)
        if snap is not None:
            return snap
        _watch_error(capture, data)
    return _parse_channel(capture, data, responses, lang)


def _snapshot(handle: str | None, channel_id: str | None) -> Snapshot:
    # handle stays None when the page names the channel only by /channel/UC... (no @handle shown)
    snap = Snapshot(platform=NAME, handle=handle, platform_id=channel_id)  # type: ignore[arg-type]
    snap.url = f"{BASE}/@{handle}" if handle else (f"{BASE}/channel/{channel_id}" if channel_id else None)
    return snap  # captured_at and source: scraper.parse fills them from the capture


def _raise_alerts(data: dict) -> None:
    for alert in as_list(data.get("alerts")):
        renderer = traverse(alert, ("alertRenderer",), ("alertWithButtonRenderer",), expected_type=dict)
        if renderer and renderer.get("type") == "ERROR":
            message = _text(renderer.get("text")) or "This YouTube channel does not exist or was removed."
            raise Unavailable(f"YouTube says: {message}")


# ---------------------------------------------------------------------------------------------------
# Channel pages


def _selected_tab(data: dict) -> Any:
    tabs = traverse(data, ("contents", "twoColumnBrowseResultsRenderer", "tabs"), expected_type=list) or []
    first = None
    for tab in tabs:
        renderer = traverse(tab, ("tabRenderer",), ("expandableTabRenderer",), expected_type=dict)
        if not renderer or "content" not in renderer:
            continue
        if renderer.get("selected"):
            return renderer["content"]
        first = first if first is not None else renderer["content"]
    if first is not None:
        return first
    return traverse(data, ("contents", "singleColumnBrowseResultsRenderer"), ("contents", "sectionListRenderer"))


def _parse_channel(capture: Capture, data: dict, responses: list[tuple[str, dict]], lang: str | None) -> Snapshot:
    _raise_alerts(data)
    tab = _selected_tab(data)
    gate = traverse(tab, ("sectionListRenderer", "contents", 0, "channelAgeGateRenderer"), ("channelAgeGateRenderer",))
    if gate is not None:
        title = _text(gate.get("channelTitle")) if isinstance(gate, dict) else None
        raise Restricted(f"The YouTube channel{' ' + repr(title) if title else ''} is age-restricted: "
                         "YouTube asks to sign in to confirm the viewer's age.")

    header = traverse(data, "header", expected_type=dict, default={})
    meta = traverse(data, ("metadata", "channelMetadataRenderer"), expected_type=dict) or {}
    info = _HeaderInfo()
    kind = None
    for kind in ("c4TabbedHeaderRenderer", "pageHeaderRenderer", "carouselHeaderRenderer",
                 "interactiveTabbedHeaderRenderer"):
        if isinstance(header.get(kind), dict):
            getattr(info, "read_" + kind)(header[kind], lang)
            break
    else:
        kind = None

    channel_id = info.channel_id or (meta.get("externalId") if isinstance(meta.get("externalId"), str) else None)
    if channel_id is None:
        canonical = traverse(data, ("microformat", "microformatDataRenderer", "urlCanonical"))
        channel_id = handle_from_url(canonical) if isinstance(canonical, str) and "/channel/" in canonical else None
    name = info.name or (meta.get("title") if isinstance(meta.get("title"), str) else None)
    if not channel_id and not name:
        raise NotACreatorPage("This YouTube page shows no channel (not a channel or video page).")

    handle = info.handle or _handle_of(meta.get("vanityChannelUrl"))
    if handle is None:
        for url in as_list(meta.get("ownerUrls")):
            handle = _handle_of(url)
            if handle:
                break

    own_only = kind in ("c4TabbedHeaderRenderer", "pageHeaderRenderer")
    posts = _channel_posts(tab, responses, channel_id, lang, own_only)
    # An auto-generated topic page (a game, a genre) has no subscriber count and only others' videos.
    if (kind == "interactiveTabbedHeaderRenderer" or info.auto_generated) and info.followers is None and not posts:
        raise NotACreatorPage(f"{name or 'This page'} is a topic page auto-generated by YouTube: "
                              "it shows other creators' videos, not a creator's channel.")

    snap = _snapshot(handle, channel_id)
    snap.display_name = name
    snap.bio = meta.get("description") if isinstance(meta.get("description"), str) else info.bio
    snap.bio = snap.bio or None
    snap.avatar_url = info.avatar or _best_thumbnail(meta.get("avatar"))
    snap.verified = info.verified
    snap.links = info.links
    snap.set_count("followers", info.followers, info.followers_approx)
    snap.set_count("posts", info.videos, info.videos_approx)
    snap.recent_posts = posts
    _read_about(snap, tab, responses, lang)
    return snap


class _HeaderInfo:
    """What a channel header says; one reader per header layout YouTube used from 2021 to 2026."""

    def __init__(self) -> None:
        self.channel_id: str | None = None
        self.name: str | None = None
        self.handle: str | None = None
        self.avatar: str | None = None
        self.bio: str | None = None
        self.verified: bool | None = None
        self.followers: int | None = None
        self.followers_approx = False
        self.videos: int | None = None
        self.videos_approx = False
        self.links: list[str] = []
        self.auto_generated = False

    def _followers(self, text: Any, lang: str | None) -> None:
        if self.followers is None:
            self.followers, self.followers_approx = _count(text, lang)

    def read_c4TabbedHeaderRenderer(self, h: dict, lang: str | None) -> None:
        self.channel_id = h.get("channelId") if isinstance(h.get("channelId"), str) else None
        self.name = _text(h.get("title"))
        self.handle = _handle_of(_text(h.get("channelHandleText"))) or _handle_of(
            traverse(h, ("navigationEndpoint", "browseEndpoint", "canonicalBaseUrl")))
        self.avatar = _best_thumbnail(h.get("avatar"))
        if self.name is not None:
            self.verified = _is_verified(h.get("badges"))
        self._followers(h.get("subscriberCountText"), lang)
        self.videos, self.videos_approx = _count(h.get("videosCountText"), lang)
        links = traverse(h, ("headerLinks", "channelHeaderLinksRenderer"), expected_type=dict)
        if links:
            for link in as_list(links.get("primaryLinks")) + as_list(links.get("secondaryLinks")):
                url = _redirect_target(traverse(link, ("navigationEndpoint", "urlEndpoint", "url")))
                if url and url not in self.links:
                    self.links.append(url)
        first = traverse(h, ("headerLinks", "channelHeaderLinksViewModel", "firstLink", "content"))
        if isinstance(first, str) and first:
            self.links.append(first if "://" in first else "https://" + first)

    def read_pageHeaderRenderer(self, h: dict, lang: str | None) -> None:
        vm = traverse(h, ("content", "pageHeaderViewModel"), expected_type=dict) or {}
        self.name = h.get("pageTitle") if isinstance(h.get("pageTitle"), str) else _text(
            traverse(vm, ("title", "dynamicTextViewModel", "text")))
        runs = traverse(vm, ("title", "dynamicTextViewModel", "text", "attachmentRuns"), expected_type=list) or []
        icons = traverse(runs, (..., "element", "type", "imageType", "image", "sources", ..., "clientResource",
                                "imageName")) or []
        self.verified = any(isinstance(i, str) and i.startswith(("CHECK_CIRCLE", "AUDIO_BADGE", "MUSIC"))
                            for i in icons)
        self.avatar = _best_thumbnail(traverse(vm, ("image", "decoratedAvatarViewModel", "avatar",
                                                    "avatarViewModel", "image")))
        self.bio = _text(traverse(vm, ("description", "descriptionPreviewViewModel", "description")))
        rows = traverse(vm, ("metadata", "contentMetadataViewModel", "metadataRows"), expected_type=list) or []
        counts: list[str] = []
        for row in rows:
            for part in traverse(row, ("metadataParts",), expected_type=list) or []:
                text = _text(traverse(part, ("text",)))
                if not text:
                    continue
                handle = _handle_of(text)
                if handle:
                    self.handle = self.handle or handle
                    continue
                low = text.lower()
                if any(w in low for w in _SUBSCRIBER_WORDS):
                    self._followers(text, lang)
                elif any(w in low for w in _VIDEO_WORDS):
                    if self.videos is None:
                        self.videos, self.videos_approx = _count(text, lang)
                elif parse_count_ex(text, lang)[0] is not None:
                    counts.append(text)
        # A language whose words are not listed above: the counts row is "subscribers • videos".
        if self.followers is None and counts:
            self._followers(counts.pop(0), lang)
        if self.videos is None and counts:
            self.videos, self.videos_approx = _count(counts.pop(0), lang)
        for link in traverse(vm, ("attribution", "attributionViewModel", "text", "commandRuns", ..., "onTap",
                                  "innertubeCommand", "urlEndpoint", "url")) or []:
            url = _redirect_target(link)
            if url and url not in self.links:
                self.links.append(url)

    def read_carouselHeaderRenderer(self, h: dict, lang: str | None) -> None:
        for item in traverse(h, ("contents",), expected_type=list) or []:
            details = traverse(item, ("topicChannelDetailsRenderer",), expected_type=dict)
            if not details:
                continue
            self.name = _text(details.get("title"))
            self.avatar = _best_thumbnail(details.get("avatar"))
            self.channel_id = traverse(details, ("subscribeButton", "subscribeButtonRenderer", "channelId"),
                                       ("navigationEndpoint", "browseEndpoint", "browseId"), expected_type=str)
            self.handle = _handle_of(traverse(details, ("navigationEndpoint", "browseEndpoint", "canonicalBaseUrl")))
            self._followers(traverse(details, ("subscribeButton", "subscribeButtonRenderer", "subscriberCountText"),
                                     ("subtitle",)), lang)

    def read_interactiveTabbedHeaderRenderer(self, h: dict, lang: str | None) -> None:
        self.name = _text(h.get("title"))
        self.bio = _text(h.get("description"))
        self.auto_generated = h.get("autoGenerated") is not None
        self.channel_id = first_key(h.get("buttons"), "channelId", lambda v: isinstance(v, str))
        for button in as_list(h.get("buttons")):
            self._followers(traverse(button, ("subscribeButtonRenderer", "subscriberCountText")), lang)


def _items(root: Any, limit: int) -> Iterator[tuple[str, dict]]:
    """(renderer name, renderer) of the first `limit` video/post items under `root`, in page order."""
    return islice(_walk_items(root, _ITEM_KEYS), limit)


def _byline_ids(item: dict) -> list[str] | None:
    """Channel ids the item names as its owner; None when the item names no owner (a channel's own grid)."""
    bylines = [item[k] for k in ("shortBylineText", "longBylineText", "ownerText") if k in item]
    if not bylines:
        return None
    ids = [bid for byline in bylines
           for bid in (traverse(byline, ("runs", ..., "navigationEndpoint", "browseEndpoint", "browseId")) or [])
           if isinstance(bid, str)]
    if ids:
        return ids
    # A collaboration names its channels only inside a dialog: every browseId in the byline.
    return [bid for byline in bylines for bid in find_key(byline, "browseId") if isinstance(bid, str)]


def _is_live(item: dict) -> bool:
    for overlay in as_list(item.get("thumbnailOverlays")):
        style = traverse(overlay, ("thumbnailOverlayTimeStatusRenderer", "style"))
        if style in ("LIVE", "UPCOMING"):
            return True
    for badge in as_list(item.get("badges")):
        if traverse(badge, ("metadataBadgeRenderer", "style")) == "BADGE_STYLE_TYPE_LIVE_NOW":
            return True
    return isinstance(item.get("upcomingEventData"), dict)


def _post_from_item(kind: str, item: dict, channel_id: str | None, lang: str | None,
                    own_only: bool) -> Post | None:
    if kind in ("videoRenderer", "gridVideoRenderer"):
        vid = item.get("videoId")
        if not isinstance(vid, str):
            return None
        owners = _byline_ids(item)
        if owners is not None and channel_id not in owners:
            return None  # another creator's video (a topic page, a featured channel's shelf)
        title = _text(item.get("title"))
        views = None
        if not _is_live(item):
            views = _count(item.get("viewCountText"), lang)[0]
            if views is None:
                views = _count(item.get("shortViewCountText"), lang)[0]
        snippet = _text(item.get("descriptionSnippet"))
        text = " ".join(t for t in (title, snippet) if t)
        post = _post(vid, f"{BASE}/watch?v={vid}", title, _text(item.get("publishedTimeText")), views, text)
        post.description = snippet or None
        return post
    if kind == "reelItemRenderer":
        vid = item.get("videoId")
        if not isinstance(vid, str) or not own_only:
            return None
        title = _text(item.get("headline"))
        return _post(vid, f"{BASE}/shorts/{vid}", title, None, _count(item.get("viewCountText"), lang)[0], title)
    if kind == "shortsLockupViewModel":
        # A shorts lockup names no owner: count it only on an owner-run channel's own tabs.
        if not own_only:
            return None
        vid = traverse(item, ("onTap", "innertubeCommand", "reelWatchEndpoint", "videoId"), expected_type=str)
        entity = item.get("entityId")
        if vid is None and isinstance(entity, str) and entity.startswith("shorts-shelf-item-"):
            vid = entity[len("shorts-shelf-item-"):]
        if not vid:
            return None
        title = _text(traverse(item, ("overlayMetadata", "primaryText")))
        views = _count(traverse(item, ("overlayMetadata", "secondaryText")), lang)[0]
        return _post(vid, f"{BASE}/shorts/{vid}", title, None, views, title)
    if kind == "lockupViewModel":
        if item.get("contentType") != "LOCKUP_CONTENT_TYPE_VIDEO" or not isinstance(item.get("contentId"), str):
            return None
        meta = traverse(item, ("metadata", "lockupMetadataViewModel"), expected_type=dict) or {}
        owners = [v for v in find_key(meta.get("metadata"), "browseId") if isinstance(v, str)]
        if owners and channel_id not in owners:
            return None
        title = _text(meta.get("title"))
        rows = traverse(meta, ("metadata", "contentMetadataViewModel", "metadataRows"), expected_type=list) or []
        parts = [_text(traverse(p, ("text",))) for p in as_list(traverse(rows, (-1, "metadataParts")))]
        parts = [p for p in parts if p]
        # Read each part for what it is, not by position: a stream's row can be just "Streamed 6 months
        # ago" (its "6" is no view count), a premiere's the date before the views.
        published = next((p for p in parts if looks_like_date(p)), None)
        views = next((v for v in (_count(p, lang)[0] for p in parts if p is not published) if v is not None), None)
        vid = item["contentId"]
        return _post(vid, f"{BASE}/watch?v={vid}", title, published, views, title)
    if kind == "backstagePostRenderer":
        pid = item.get("postId")
        if not isinstance(pid, str):
            return None
        author = traverse(item, ("authorEndpoint", "browseEndpoint", "browseId"))
        if author is not None and channel_id is not None and author != channel_id:
            return None
        text = _text(item.get("contentText"))
        post = _post(pid, f"{BASE}/post/{pid}", None, _text(item.get("publishedTimeText")), None, text)
        post.likes = _count(item.get("voteCount"), lang)[0]
        return post
    return None


def _post(pid: str, url: str, title: str | None, published: str | None, views: int | None,
          text: str | None) -> Post:
    tags = hashtags(text)
    # The grid shows no paid-promotion flag: a disclosure in the title marks it, its absence proves nothing.
    sponsored = True if looks_sponsored(text, tags) else None
    return Post(id=pid, url=url, title=title, published_at=published, views=views, is_sponsored=sponsored,
                hashtags=tags, mentions=mentions(text))


def _channel_posts(tab: Any, responses: list[tuple[str, dict]], channel_id: str | None, lang: str | None,
                   own_only: bool) -> list[Post]:
    posts: list[Post] = []
    seen: set[str] = set()
    roots: list[Any] = [tab]
    # Grid continuations the page loaded while scrolling (appendContinuationItemsAction) add more items.
    for url, body in responses:
        if "browse" in url and not _is_page(body):
            roots.append(traverse(body, ("onResponseReceivedActions",), ("onResponseReceivedEndpoints",)))
    for root in roots:
        for kind, item in _items(root, MAX_POSTS * 2):
            post = _post_from_item(kind, item, channel_id, lang, own_only)
            if post is not None and post.id not in seen:
                seen.add(post.id)
                posts.append(post)
                if len(posts) >= MAX_POSTS:
                    return posts
    return posts


def _read_about(snap: Snapshot, tab: Any, responses: list[tuple[str, dict]], lang: str | None) -> None:
    """Country, total views, links and joined date from the About panel, when the capture holds it."""
    about = traverse(tab, ("sectionListRenderer", "contents", 0, "itemSectionRenderer", "contents", 0,
                           "channelAboutFullMetadataRenderer"), expected_type=dict)
    if about is None:
        for url, body in responses:
            if "browse" in url and not _is_page(body):
                about = first_key(body, "aboutChannelViewModel", lambda v: isinstance(v, dict))
                if about is not None:
                    break
    if about is None:
        return
    country = _text(about.get("country"))
    snap.country = country or snap.country
    views, approx = _count(about.get("viewCountText"), lang)
    if views is not None:
        snap.set_count("views", views, approx)
    if snap.posts is None:
        videos, approx = _count(about.get("videoCountText"), lang)
        snap.set_count("posts", videos, approx)
    if snap.followers is None:
        followers, approx = _count(about.get("subscriberCountText"), lang)
        snap.set_count("followers", followers, approx)
    bio = _text(about.get("description"))
    snap.bio = snap.bio or bio or None
    for link in as_list(about.get("links")) or as_list(about.get("primaryLinks")):
        url = traverse(link, ("channelExternalLinkViewModel", "link", "content"))
        if isinstance(url, str) and url and "://" not in url:
            url = "https://" + url
        url = url or _redirect_target(traverse(link, ("navigationEndpoint", "urlEndpoint", "url")))
        if isinstance(url, str) and url not in snap.links:
            snap.links.append(url)


# ---------------------------------------------------------------------------------------------------
# Watch pages


def _player_span(html: str, vid: str) -> tuple[int, int] | None:
    """(start, end) of the `ytInitialPlayerResponse` script when it is this video's: after an in-app
    navigation the page still holds the first video's player response."""
    start = html.find("var ytInitialPlayerResponse")
    if start == -1:
        return None
    end = html.find("</script>", start)
    end = len(html) if end == -1 else end
    if not any(html.find(f'"videoId":{sep}"{vid}"', start, end) != -1 for sep in ("", " ")):
        return None
    return start, end


def _watch_error(capture: Capture, data: dict) -> None:
    """A watch URL whose data has no video: say why, from the alerts or the player's playability status."""
    _raise_alerts(data)
    player, _ = json_after(capture.html, "var ytInitialPlayerResponse")
    status = traverse(player, ("playabilityStatus", "status"))
    reason = _text(traverse(player, ("playabilityStatus", "reason"))) or ""
    if "bot" in reason.lower():
        raise Blocked(f"YouTube says: {reason}")
    if status == "LOGIN_REQUIRED" or status == "AGE_CHECK_REQUIRED" or "age" in reason.lower():
        raise Restricted(f"YouTube says: {reason or 'sign in to confirm your age'}")
    if status in ("ERROR", "UNPLAYABLE"):
        raise Unavailable(f"YouTube says: {reason or 'this video is unavailable'}")


def _parse_watch(capture: Capture, data: dict, responses: list[tuple[str, dict]], lang: str | None,
                 watch_id: str | None) -> Snapshot:
    _raise_alerts(data)
    blocks = traverse(data, ("contents", "twoColumnWatchNextResults", "results", "results", "contents"),
                      expected_type=list) or []
    primary = secondary = None
    for block in blocks:
        if isinstance(block, dict):
            primary = primary or traverse(block, ("videoPrimaryInfoRenderer",), expected_type=dict)
            secondary = secondary or traverse(block, ("videoSecondaryInfoRenderer",), expected_type=dict)
    owner = traverse(secondary, ("owner", "videoOwnerRenderer"), expected_type=dict)
    if owner is None:
        _watch_error(capture, data)
        raise NotACreatorPage("This YouTube watch page names no channel that owns the video.")

    endpoint = traverse(owner, ("navigationEndpoint", "browseEndpoint"),
                        ("title", "runs", 0, "navigationEndpoint", "browseEndpoint"), expected_type=dict) or {}
    channel_id = endpoint.get("browseId") if isinstance(endpoint.get("browseId"), str) else None
    handle = _handle_of(endpoint.get("canonicalBaseUrl"))
    snap = _snapshot(handle, channel_id)
    snap.display_name = _text(owner.get("title"))
    snap.avatar_url = _best_thumbnail(owner.get("thumbnail"))
    snap.verified = _is_verified(owner.get("badges"))
    followers, approx = _count(owner.get("subscriberCountText"), lang)
    snap.set_count("followers", followers, approx)

    vid = traverse(data, ("currentVideoEndpoint", "watchEndpoint", "videoId"), expected_type=str) or watch_id
    if vid:
        snap.recent_posts = [_watch_post(capture, data, primary, secondary, responses, vid, lang)]
        budget.check("the comments")
        snap.comments = _comments(responses + [("", data)], vid, lang)
    return snap


def _watch_post(capture: Capture, data: dict, primary: dict | None, secondary: dict | None,
                responses: list[tuple[str, dict]], vid: str, lang: str | None) -> Post:
    title = _text(traverse(primary, ("title",)))
    views = _count(traverse(primary, ("viewCount", "videoViewCountRenderer", "viewCount")), lang)[0]
    if views is None:
        views = _count(traverse(primary, ("viewCount", "videoViewCountRenderer", "shortViewCount")), lang)[0]
    description = _text(traverse(secondary, ("attributedDescription",), ("description",)))
    text = " ".join(t for t in (title, description) if t)
    tags = hashtags(text)
    for tag in hashtags(_text(traverse(primary, ("superTitleLink",)))):
        if tag not in tags:
            tags.append(tag)
    # The paid-promotion flag lives in this video's player response; without one in the capture,
    # only a disclosure in the text can say yes.
    player = _player_span(capture.html, vid)
    has_player = player is not None
    paid = has_player and capture.html.find('"paidContentOverlayRenderer"', *player) != -1
    sponsored = paid or looks_sponsored(text, tags)
    return Post(
        id=vid,
        url=f"{BASE}/watch?v={vid}",
        title=title,
        published_at=_text(traverse(primary, ("dateText",), ("relativeDateText",))),
        views=views,
        likes=_likes(primary, lang),
        comments=_comment_count(data, responses, lang),
        is_sponsored=True if sponsored else (False if has_player else None),
        hashtags=tags,
        mentions=mentions(description),
    )


def _likes(primary: dict | None, lang: str | None) -> int | None:
    actions = traverse(primary, ("videoActions", "menuRenderer", "topLevelButtons"), expected_type=list) or []
    for button in actions:
        vm = traverse(button, ("segmentedLikeDislikeButtonViewModel", "likeButtonViewModel", "likeButtonViewModel",
                               "toggleButtonViewModel", "toggleButtonViewModel", "defaultButtonViewModel",
                               "buttonViewModel"), expected_type=dict)
        if vm is not None:
            # the accessibility text has the exact number ("along with 469,694 other people"), the title "469k"
            for text in (vm.get("accessibilityText"), vm.get("title")):
                value = _count(text, lang)[0]
                if value is not None:
                    return value
            return None
        old = traverse(button, ("segmentedLikeDislikeButtonRenderer", "likeButton", "toggleButtonRenderer"),
                       ("toggleButtonRenderer",), expected_type=dict)
        if old is not None and traverse(old, ("defaultIcon", "iconType")) in ("LIKE", None):
            for path in (("defaultText", "accessibility", "accessibilityData", "label"), ("defaultText",)):
                value = _count(traverse(old, path), lang)[0]
                if value is not None:
                    return value
    return None


def _comment_count(data: dict, responses: list[tuple[str, dict]], lang: str | None) -> int | None:
    for _, body in reversed(responses):
        for endpoint in _continuation_items(body):
            count = traverse(endpoint, ("commentsHeaderRenderer", "countText"))
            if count is not None:
                value = _count(count, lang)[0]
                if value is not None:
                    return value
    for panel in traverse(data, ("engagementPanels",), expected_type=list) or []:
        section = traverse(panel, ("engagementPanelSectionListRenderer",), expected_type=dict) or {}
        if section.get("panelIdentifier") == "engagement-panel-comments-section" or \
                traverse(section, ("targetId",)) == "engagement-panel-comments-section":
            value = _count(traverse(section, ("header", "engagementPanelTitleHeaderRenderer", "contextualInfo")),
                           lang)[0]
            if value is not None:
                return value
    return None


def _continuation_items(body: Any) -> list[Any]:
    out: list[Any] = []
    for key in ("onResponseReceivedEndpoints", "onResponseReceivedActions"):
        for endpoint in traverse(body, (key,), expected_type=list) or []:
            items = traverse(endpoint, ("reloadContinuationItemsCommand", "continuationItems"),
                             ("appendContinuationItemsAction", "continuationItems"), expected_type=list)
            if items:
                out.extend(items)
    return out


def _comments(sources: list[tuple[str, dict]], vid: str, lang: str | None) -> list[Comment]:
    """Top-level comments in display order, old (commentRenderer) and new (commentEntityPayload) shapes."""
    comments: list[Comment] = []
    seen: set[str] = set()
    for _, body in sources:
        threads = [traverse(i, ("commentThreadRenderer",)) for i in _continuation_items(body)]
        threads = [t for t in threads if isinstance(t, dict)]
        if not threads:
            continue
        entities = {}
        for mutation in traverse(body, ("frameworkUpdates", "entityBatchUpdate", "mutations"),
                                 expected_type=list) or []:
            payload = traverse(mutation, ("payload", "commentEntityPayload"), expected_type=dict)
            if payload is not None and isinstance(payload.get("key"), str):
                entities[payload["key"]] = payload
        for thread in threads:
            old = traverse(thread, ("comment", "commentRenderer"), expected_type=dict)
            if old is not None:
                comment, cid = _old_comment(old, vid, lang)
            else:
                key = traverse(thread, ("commentViewModel", "commentViewModel", "commentKey"))
                payload = entities.get(key) if isinstance(key, str) else None
                if payload is None:
                    continue
                comment, cid = _entity_comment(payload, vid, lang)
            if cid and cid in seen:
                continue
            seen.add(cid or str(len(seen)))
            comments.append(comment)
    return comments


def _old_comment(c: dict, vid: str, lang: str | None) -> tuple[Comment, str | None]:
    likes = int_or_none(c.get("likeCount"))
    if likes is None:
        # YouTube leaves the vote count out when nobody liked the comment
        likes = _count(c.get("voteCount"), lang)[0] if "voteCount" in c else 0
    replies = int_or_none(c.get("replyCount"))
    return Comment(
        post_id=vid,
        author=_text(c.get("authorText")),
        text=_text(c.get("contentText")),
        likes=likes,
        replies=replies if replies is not None else 0,
        is_creator=bool(c.get("authorIsChannelOwner")),
        published_at=_text(c.get("publishedTimeText")),
    ), c.get("commentId") if isinstance(c.get("commentId"), str) else None


def _entity_comment(p: dict, vid: str, lang: str | None) -> tuple[Comment, str | None]:
    props = traverse(p, "properties", expected_type=dict, default={})
    author = traverse(p, "author", expected_type=dict, default={})
    toolbar = traverse(p, "toolbar", expected_type=dict, default={})
    likes = _count(toolbar.get("likeCountNotliked"), lang)[0]
    replies = _count(toolbar.get("replyCount"), lang)[0]
    return Comment(
        post_id=vid,
        author=author.get("displayName") if isinstance(author.get("displayName"), str) else None,
        text=_text(props.get("content")),
        likes=likes if likes is not None else (0 if toolbar.get("likeCountNotliked") == "" else None),
        replies=replies if replies is not None else (0 if toolbar else None),
        is_creator=bool(author.get("isCreator")),
        published_at=props.get("publishedTime") if isinstance(props.get("publishedTime"), str) else None,
    ), props.get("commentId") if isinstance(props.get("commentId"), str) else None


# ---------------------------------------------------------------------------------------------------
# The player response: the video's category, and the creator of a Shorts page (or of a watch page whose
# /next data names no owner). `ytInitialPlayerResponse` on a full load; `/youtubei/v1/player` (and a
# Shorts `reel_item_watch` answer, which embeds one) after an in-app navigation.

_PLAYABLE = (None, "OK", "LIVE_STREAM_OFFLINE")


def _player_for(capture: Capture, vid: str) -> dict | None:
    """This video's player response (never a stale one of the video first loaded)."""
    span = _player_span(capture.html, vid)
    if span is not None:
        value, _ = json_after(capture.html[span[0]:span[1]], "var ytInitialPlayerResponse")
        if isinstance(value, dict) and traverse(value, ("videoDetails", "videoId")) == vid:
            return value
    for r in reversed(capture.responses):
        if "/youtubei/v1/player" not in r.url and "/youtubei/v1/reel/" not in r.url:
            continue
        body = r.json()
        for candidate in (body, traverse(body, "playerResponse")):
            if isinstance(candidate, dict) and traverse(candidate, ("videoDetails", "videoId")) == vid:
                return candidate
    return None


def _microformat(player: dict | None) -> dict:
    return traverse(player, ("microformat", "playerMicroformatRenderer"), expected_type=dict) or {}


def _video_category(player: dict | None) -> str | None:
    """YouTube's own category of the video ("Education", "Gaming", "Howto & Style")."""
    category = _microformat(player).get("category")
    return category.strip() or None if isinstance(category, str) else None


def _add_video_category(snap: Snapshot, capture: Capture, vid: str | None) -> None:
    if not vid or not snap.recent_posts:
        return
    category = _video_category(_player_for(capture, vid)) or _video_microdata(capture.html, vid).get("genre")
    if category:
        snap.recent_posts[0].category = category
        if category not in snap.categories:
            snap.categories.append(category)


def _reel_header(data: Any, capture: Capture, vid: str) -> dict:
    """The Shorts overlay (channel, likes) of this video: in ytInitialData or a reel_item_watch answer."""
    sources = [data] if isinstance(data, dict) else []
    for r in reversed(capture.responses):
        if "/youtubei/v1/reel/" in r.url and isinstance(r.json(), dict):
            sources.append(r.json())
    for source in sources:
        overlay = first_key(source, "reelPlayerOverlayRenderer", lambda v: isinstance(v, dict))
        # the overlay of this video (reelWatchEndpoint.videoId), not one left from the first Short
        if overlay and first_key(source, "videoId", lambda v: v == vid):
            return overlay
    return {}


def _from_player(capture: Capture, data: Any, vid: str, lang: str | None) -> Snapshot | None:
    """A Shorts page, or a video page without /next data: the creator and the video from the player
    response (videoDetails, microformat) and the Shorts overlay; None when the page has neither."""
    player = _player_for(capture, vid)
    details = traverse(player, "videoDetails", expected_type=dict) or {}
    if traverse(player, ("playabilityStatus", "status")) not in _PLAYABLE:
        return None  # age gate, removed, bot check: _watch_error says which
    micro = _microformat(player)
    if not micro:
        # no player response: the page's schema.org microdata says the same in other words
        md = _video_microdata(capture.html, vid)
        micro = {"externalChannelId": md.get("channelId"), "ownerProfileUrl": md.get("author_url"),
                 "ownerChannelName": md.get("author_name"), "category": md.get("genre"),
                 "publishDate": md.get("datePublished"), "viewCount": md.get("interactionCount"),
                 "title": md.get("name")}
    overlay = _reel_header(data, capture, vid)
    header = traverse(overlay, ("reelPlayerHeaderSupportedRenderers", "reelPlayerHeaderRenderer"),
                      expected_type=dict) or {}
    endpoint = traverse(header, ("channelNavigationEndpoint", "browseEndpoint"),
                        ("channelTitleText", "runs", 0, "navigationEndpoint", "browseEndpoint"), expected_type=dict) or {}
    bar = first_key(overlay, "reelChannelBarViewModel", lambda v: isinstance(v, dict)) or {}
    bar_endpoint = first_key(bar, "browseEndpoint", lambda v: isinstance(v, dict)) or {}
    channel_id = next((c for c in (endpoint.get("browseId"), bar_endpoint.get("browseId"), details.get("channelId"),
                                   micro.get("externalChannelId")) if isinstance(c, str) and _CHANNEL_ID_RE.match(c)), None)
    handle = (_handle_of(endpoint.get("canonicalBaseUrl")) or _handle_of(bar_endpoint.get("canonicalBaseUrl"))
              or _handle_of(_text(bar.get("channelName"))) or _handle_of(micro.get("ownerProfileUrl")))
    if channel_id is None and handle is None:
        return None
    snap = _snapshot(handle, channel_id)
    snap.display_name = (_text(header.get("channelTitleText")) or as_str(details.get("author"))
                         or as_str(micro.get("ownerChannelName")))
    if snap.display_name and snap.display_name.startswith("@") and handle:
        snap.display_name = as_str(details.get("author")) or None  # the bar shows the handle, not a name
    snap.avatar_url = _best_thumbnail(header.get("channelThumbnail"))

    title = as_str(details.get("title")) or _text(header.get("reelTitleText")) or _text(micro.get("title"))
    description = as_str(details.get("shortDescription"))
    text = " ".join(t for t in (title, description) if t)
    tags = hashtags(text)
    likes = traverse(overlay, ("likeButton", "likeButtonRenderer", "likeCount", {int}))
    if likes is None:
        likes = _count(traverse(overlay, ("likeButton", "likeButtonRenderer", "likeCountText")), lang)[0]
    shorts = "/shorts/" in capture.url or bool(overlay)
    paid = isinstance(traverse(player, ("paidContentOverlay",)), dict)
    post = Post(
        id=vid,
        url=f"{BASE}/shorts/{vid}" if shorts else f"{BASE}/watch?v={vid}",
        title=title,
        published_at=as_str(micro.get("publishDate")) or as_str(micro.get("uploadDate")),
        views=int_or_none(details.get("viewCount")) if details.get("viewCount") is not None else int_or_none(micro.get("viewCount")),
        likes=likes,
        is_sponsored=True if paid or looks_sponsored(text, tags) else (False if player else None),
        hashtags=tags,
        mentions=mentions(description),
        category=_video_category(player) or as_str(micro.get("category")),
    )
    snap.recent_posts = [post]
    if post.category:
        snap.categories.append(post.category)
    snap.comments = _comments(_data_responses(capture) + ([("", data)] if isinstance(data, dict) else []), vid, lang)
    if not overlay:
        snap.warnings.append("Read from the video's player data: the page's channel header and counts were not in the capture.")
    return snap


# The schema.org microdata YouTube's server puts in a watch page for search engines
# (`itemtype="http://schema.org/VideoObject"`: videoId, channelId, genre, interactionCount,
# datePublished, and the author's url and name): the fallback when no JSON describes the video.
_ITEMPROP = re.compile(r'<(?:meta|link)\s+itemprop="(\w{1,40})"\s+(?:content|href)="([^"]{0,5000})"')


def _video_microdata(html: str, vid: str) -> dict[str, str]:
    start = html.find('itemtype="http://schema.org/VideoObject"')
    if start == -1:
        start = html.find('itemtype="https://schema.org/VideoObject"')
    if start == -1:
        return {}
    end = min(len(html), start + 30_000)
    author = html.find('itemprop="author"', start, end)
    author_end = html.find("</span>", author, end) if author != -1 else -1
    out: dict[str, str] = {}
    for m in _ITEMPROP.finditer(html, start, end):
        prop = m.group(1)
        if author != -1 and author < m.start() < author_end:
            prop = f"author_{prop}"  # the channel's url and name, inside the author's Person
        out.setdefault(prop, unescape(m.group(2)))
    return out if out.get("videoId") == vid else {}


# ---------------------------------------------------------------------------------------------------
# List pages: search results, hashtag pages, a channel's related channels (kolscope.listing/1)

_SEARCH_URL = "youtubei/v1/search"
# Search result items that are creators or name one; shelves ("Channels new to you", "Popular in ...",
# Shorts) sit beside them in the same section and are not results, so only these direct items count.
_RESULT_KEYS = ("channelRenderer", "videoRenderer")
# A hashtag page's grid: the videos whose uploaders it lists (its shape has no public recording).
_TAG_ITEM_KEYS = frozenset({"videoRenderer", "gridVideoRenderer", "lockupViewModel"})
_CHANNEL_ITEM_KEYS = frozenset({"gridChannelRenderer", "channelRenderer"})
_GRID_CHANNEL = frozenset({"gridChannelRenderer"})
_TOPIC_HEADERS = ("interactiveTabbedHeaderRenderer", "carouselHeaderRenderer")


def parse_list(capture: Capture) -> Listing | None:
    """A search, hashtag or related-channels page as a Listing; None for any other YouTube page.

    A channel page is a list page only where its selected tab shows other channels (the Channels
    tab, or a Home tab with a Featured Channels shelf): the same page is also its owner's creator
    page, which `parse` keeps answering.
    """
    try:
        parts = urlsplit(capture.url)
    except ValueError:
        return None
    if (parts.hostname or "").lower().startswith("consent."):
        _no_data(capture)  # the cookie-consent page YouTube showed instead: a login wall
    path = parts.path.rstrip("/")
    if path == "/results":
        query = (parse_qs(parts.query).get("search_query") or [""])[0].strip()
        return _search_listing(capture, query or None)
    if path.startswith("/hashtag/"):
        tag = unquote(path[len("/hashtag/"):].split("/")[0]).lstrip("#").strip()
        return _hashtag_listing(capture, tag) if tag else None
    if _watch_id(capture.url) or not _is_channel_path(path):
        return None
    return _related_listing(capture, channels_tab=path.endswith("/channels"))


def _is_channel_path(path: str) -> bool:
    first = path.lstrip("/").split("/")[0]
    return first.startswith("@") or first in ("channel", "c", "user")


def _list_data(capture: Capture, marker: str | None = None, key: str | None = None) -> tuple[dict, list[dict]]:
    """The page's data and the continuation answers that follow it; a wall or a broken capture
    raises its typed error. The newest page-sized answer wins over a stale ytInitialData, the
    newest whose `contents` hold `key` first (a search's answer, not the channel visited before).
    `marker`: the URL of answers read besides the /browse and /next ones."""
    responses = _data_responses(capture)
    if marker:
        for r in capture.responses:
            if marker in r.url and (r.status is None or r.status < 400):
                body = r.json()
                if isinstance(body, dict) and body:
                    responses.append((r.url, body))
    initial = _initial_data(capture.html)
    pages = [d for d in [initial, *(body for _, body in responses)] if _is_page(d)]
    wanted = [d for d in pages if key and isinstance(d.get("contents"), dict) and key in d["contents"]]
    data = wanted[-1] if wanted else _pick_page(initial, responses, None)
    if data is None:
        _no_data(capture)
    _raise_alerts(data)
    later = [body for _, body in responses if body is not data and not _is_page(body)]
    return data, later


def _search_listing(capture: Capture, query: str | None) -> Listing:
    data, later = _list_data(capture, _SEARCH_URL, "twoColumnSearchResultsRenderer")
    lang = _page_lang(data, capture)
    listing = Listing(platform=NAME, kind="search", query=query)
    sections = traverse(data, ("contents", "twoColumnSearchResultsRenderer", "primaryContents",
                               "sectionListRenderer", "contents"), expected_type=list)
    if sections is None and traverse(data, ("contents", "twoColumnSearchResultsRenderer")) is None:
        raise Malformed("The YouTube search page holds no search results (truncated, or not a search page).")
    sections = list(sections or [])
    for body in later:  # results the page loaded while scrolling, after the first ones
        for command in traverse(body, ("onResponseReceivedCommands",), expected_type=list) or []:
            sections.extend(traverse(command, ("appendContinuationItemsAction", "continuationItems"),
                                     expected_type=list) or [])
    for section in sections:
        for item in traverse(section, ("itemSectionRenderer", "contents"), expected_type=list) or []:
            budget.check("the search results")
            for key in _RESULT_KEYS:
                renderer = traverse(item, (key,), expected_type=dict)
                if renderer is not None:
                    creator = _channel_card(renderer, lang) if key == "channelRenderer" else _uploader(renderer)
                    if creator is not None:
                        listing.add(creator)
    if not listing.creators:
        listing.warnings.append("YouTube showed no channels or videos for this search.")
    return listing


def _related_listing(capture: Capture, channels_tab: bool) -> Listing | None:
    data, _ = _list_data(capture)
    header = traverse(data, "header", expected_type=dict, default={})
    if any(k in header for k in _TOPIC_HEADERS):
        return None  # a page YouTube generated for a topic (a game, a genre): no one's related channels
    lang = _page_lang(data, capture)
    # The Channels tab lists them as grid (or, in some layouts, search-style) cards; on the other tabs
    # only the Featured Channels shelf's grid cards are related channels (a channelRenderer there is
    # something else, such as the topic a video belongs to).
    keys = _CHANNEL_ITEM_KEYS if channels_tab else _GRID_CHANNEL
    found = [r for _, r in _walk_items(_selected_tab(data), keys)]
    if not found and not channels_tab:
        return None  # a channel page without other channels: a creator page only
    meta = traverse(data, ("metadata", "channelMetadataRenderer"), expected_type=dict) or {}
    owner = (_handle_of(meta.get("vanityChannelUrl"))
             or _handle_of(traverse(data, ("header", "c4TabbedHeaderRenderer", "navigationEndpoint",
                                           "browseEndpoint", "canonicalBaseUrl")))
             or handle_from_url(capture.url) or traverse(meta, ("externalId", {str})))
    listing = Listing(platform=NAME, kind="related", owner=owner)
    for renderer in found:
        budget.check("the related channels")
        creator = _channel_card(renderer, lang)
        if creator is not None:
            listing.add(creator)
    if not listing.creators:
        listing.warnings.append("This channel's Channels tab lists no other channels.")
    return listing


def _hashtag_listing(capture: Capture, tag: str) -> Listing:
    """No public recording of a /hashtag/ page exists. Shape from yt-dlp's YoutubeTabIE, which reads
    /hashtag/<tag> as a tab page: the selected tab's grid of videos (videoRenderer, gridVideoRenderer,
    or the video lockupViewModel of the recorded 2026 channel pages), each naming its uploader."""
    data, _ = _list_data(capture)
    listing = Listing(platform=NAME, kind="hashtag", query=tag)
    for key, item in _walk_items(_selected_tab(data) or data.get("contents"), _TAG_ITEM_KEYS):
        budget.check("the hashtag grid")
        creator = _lockup_uploader(item) if key == "lockupViewModel" else _uploader(item)
        if creator is not None:
            listing.add(creator)
    if not listing.creators:
        listing.warnings.append("The hashtag page shows no videos (none yet, or the grid was not loaded).")
    return listing


def _walk_items(root: Any, keys: frozenset[str]) -> Iterator[tuple[str, dict]]:
    """(key, renderer) of every `keys` renderer under `root` in page order, not looking inside them."""
    stack: list[Any] = [root]
    steps = 0
    while stack:
        steps += 1
        if not steps & 0xFFF:
            budget.check("the list items")
        cur = stack.pop()
        if isinstance(cur, dict):
            children: list[Any] = []
            for key, value in cur.items():
                if key in keys and isinstance(value, dict):
                    children.append((key, value))
                elif key not in _SKIP_KEYS and isinstance(value, (dict, list)):
                    children.append(value)
            stack.extend(reversed(children))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))
        elif isinstance(cur, tuple):
            yield cur


def _channel_card(r: dict, lang: str | None) -> ListedCreator | None:
    """A channelRenderer (search) or gridChannelRenderer (related channels).

    The count texts moved in late 2023: before, `subscriberCountText` was "14.1K subscribers" and
    `videoCountText` "349 videos"; after, `subscriberCountText` is the "@handle" and `videoCountText`
    the subscribers (a topic channel, without a handle, shows "182 videos" there). Each text is read
    for what it says, by position only in a language whose words are not known.
    """
    endpoint = traverse(r, ("navigationEndpoint", "browseEndpoint"), expected_type=dict) or {}
    channel_id = traverse(r, ("channelId", {str}), expected_type=str) or traverse(endpoint, ("browseId", {str}))
    handle = _handle_of(endpoint.get("canonicalBaseUrl"))
    followers = posts = None
    for field in ("subscriberCountText", "videoCountText"):
        text = _text(r.get(field))
        if not text:
            continue
        if _handle_of(text):
            handle = handle or _handle_of(text)
            continue
        value, approx = _count(text, lang)
        if value is None:
            continue
        low = text.lower()
        subscribers = any(w in low for w in _SUBSCRIBER_WORDS)
        videos = not subscribers and any(w in low for w in _VIDEO_WORDS)
        if not (subscribers or videos):  # an unknown language: the layout says which is which
            subscribers = field == "subscriberCountText" or _handle_of(_text(r.get("subscriberCountText")))
        if subscribers and followers is None:
            followers = Count(value, approx)
        elif not subscribers and posts is None:
            posts = value
    if channel_id is None and handle is None:
        return None
    return ListedCreator(handle=handle, platform_id=channel_id, display_name=_text(r.get("title")),
                         followers=followers, verified=_is_verified(r.get("ownerBadges")), posts=posts)


def _uploader(video: dict) -> ListedCreator | None:
    """The channel that uploaded a videoRenderer/gridVideoRenderer: video cards show no counts."""
    for key in ("ownerText", "longBylineText", "shortBylineText"):
        run = traverse(video, (key, "runs", 0), expected_type=dict)
        endpoint = traverse(run, ("navigationEndpoint", "browseEndpoint"), expected_type=dict)
        if endpoint is None:
            continue
        channel_id = traverse(endpoint, ("browseId", {str}))
        handle = _handle_of(endpoint.get("canonicalBaseUrl"))
        if channel_id is None and handle is None:
            continue
        return ListedCreator(handle=handle, platform_id=channel_id, display_name=as_str(run.get("text")),
                             verified=_is_verified(video.get("ownerBadges")))
    return None


def _lockup_uploader(item: dict) -> ListedCreator | None:
    """The channel a video lockupViewModel names in its metadata rows (a link to a UC... browse id)."""
    if item.get("contentType") not in (None, "LOCKUP_CONTENT_TYPE_VIDEO"):
        return None
    rows = traverse(item, ("metadata", "lockupMetadataViewModel", "metadata", "contentMetadataViewModel",
                           "metadataRows"), expected_type=list) or []
    for row in rows:
        for part in traverse(row, ("metadataParts",), expected_type=list) or []:
            text = traverse(part, ("text",), expected_type=dict) or {}
            endpoint = traverse(text, ("commandRuns", 0, "onTap", "innertubeCommand", "browseEndpoint"),
                                expected_type=dict) or {}
            channel_id = traverse(endpoint, ("browseId", {str}))
            if channel_id is None or not _CHANNEL_ID_RE.fullmatch(channel_id):
                continue
            icons = traverse(text, ("attachmentRuns", ..., "element", "type", "imageType", "image", "sources", ...,
                                    "clientResource", "imageName")) or []
            return ListedCreator(handle=_handle_of(endpoint.get("canonicalBaseUrl")), platform_id=channel_id,
                                 display_name=as_str(text.get("content")),
                                 verified=any(isinstance(i, str) and i.startswith(("CHECK_CIRCLE", "AUDIO_BADGE"))
                                              for i in icons))
    return None


def creator_key(handle: str) -> str:
    """Handles match case-insensitively; channel ids (UC...) are case-sensitive."""
    return handle if _CHANNEL_ID_RE.fullmatch(handle) else handle.lower()


PLATFORM = Platform(
    name=NAME,
    label="YouTube",
    hosts=("www.youtube.com", "m.youtube.com"),
    aliases=("youtube.com",),
    url_re=URL_RE,
    handle_pattern=HANDLE_PATTERN,
    handle_rule=HANDLE_RULE,
    # player and reel answers: a Short's channel and a video's category after an in-app navigation;
    # search answers: the results of a search typed in the page (a list page, see parse_list)
    api_urls=(r"/youtubei/v1/(?:browse|next|player|search|reel/reel_item_watch)(?:[/?]|$)",),
    rate_budget=(30, 60.0),
    walls=(
        Wall(r"^https?://(?:www\.)?google\.[a-z.]+/sorry/", "blocked",
             "YouTube answered with Google's 'unusual traffic' captcha"),
        Wall(r"^https?://consent\.(?:youtube|google)\.com/", "login_wall", "YouTube redirected to its consent page"),
    ),
    engagement="youtube",
    parse=parse,
    parse_list=parse_list,
    # searches, hashtag pages and a channel's Channels tab (a Home tab's Featured Channels shelf is
    # read only when the page is no creator page: the URL cannot tell it)
    list_pages=(("search", r"^/results\?(?:[^#]*&)?search_query="),
                ("hashtag", r"^/hashtag/[^/?#]+"),
                ("related", r"^/(?:@[^/?#]+|channel/UC[A-Za-z0-9_-]+|c/[^/?#]+|user/[^/?#]+)/channels/?(?:[?#]|$)")),
    profile_url=profile_url,
    valid_handle=valid_handle,
    handle_from_url=handle_from_url,
    post_id_from_url=_watch_id,
    key=creator_key,
    other_names=("yt",),
)
