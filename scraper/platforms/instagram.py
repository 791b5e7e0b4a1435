"""Instagram: a profile page as the (logged-in) browser rendered it -> Snapshot.

Instagram embeds no JSON with the counts. The rendered `<header>` holds what the user saw, often
exact (`<span title="1,137,245">1.1M</span>`); the `og:description` / `description` meta text
("1M Followers, 15 Following, 7,883 Posts - ...") is rounded and can lag behind it. So: the header
first, the meta as fallback (approximate when rounded). Only the ~20 KB header goes through
BeautifulSoup (lxml); meta tags, the profile id and the post grid are read with targeted
str.find / regex, never a parse of the whole 1 MB DOM (see bench/).

Linear time on any page: tags are cut out with str.find (an unclosed `<svg`, `<meta` or `<img` ends
the scan instead of rescanning the rest of the page from every opener), and the regexes left match
at a found position with bounded repeats (bench/pathological.py holds the inputs that were slow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlparse

from bs4 import BeautifulSoup, Tag

from scraper import budget
from scraper.capture import Capture
from scraper.counts import int_or_none, parse_count_ex
from scraper.dates import epoch_iso, to_iso
from scraper.errors import Blocked, LoginWall, Malformed, NotACreatorPage, Restricted, Unavailable
from scraper.jsonpath import as_list, as_str, decode_at, first_key, json_at_key, traverse
from scraper.listing import Listing, ListedCreator
from scraper.platform import Platform, Wall
from scraper.models import Account, Comment, Post, Snapshot
from scraper.pagemeta import interaction_count, json_ld, ld_type, meta_tags, tags
from scraper.text import hashtags, looks_sponsored, mentions

NAME = "instagram"
URL_RE = r"https?://(?:(?:www|m)\.)?instagram\.com/"

# First path segments that are Instagram's own pages, never a handle.
_RESERVED = {
    "p", "reel", "reels", "tv", "explore", "accounts", "stories", "direct", "about", "legal",
    "developer", "developers", "web", "challenge", "emails", "session", "privacy", "terms", "api",
    "graphql", "oauth", "static", "directory", "locations", "topics", "ar", "qr", "your_activity",
    "nametag", "lite", "create", "invites", "press", "blog", "help", "business", "threads",
}
_URL_HANDLE = re.compile(r"^https?://(?:(?:www|m)\.)?instagram\.com/([A-Za-z0-9._]{1,30})/?(?:[?#/]|$)")
# A username as Instagram allows it: 1-30 of letters, digits, "_" and "." (ASCII only).
HANDLE_RE = re.compile(r"[A-Za-z0-9._]{1,30}")  # fullmatch
HANDLE_PATTERN = r"^[A-Za-z0-9._]{1,30}$"
HANDLE_RULE = "1-30 characters: A-Z a-z 0-9 _ . (not one of Instagram's own paths)"
_GRID_LINK = re.compile(r'href="/(?:([A-Za-z0-9._]{1,30})/)?(p|reel|tv)/([A-Za-z0-9_-]{5,40})/"')
_ALT = re.compile(r'\balt="([^"]*)"')
# Instagram's generated alt text: "Photo shared by NAME on May 11, 2024 tagging @jlo. ..."
_AUTO_ALT = re.compile(
    r"^(?:Photo|Video|Reel|Image)(?: shared)? by .+? on ((?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December) \d{1,2}, \d{4})"
)
_DIGITS = re.compile(r"\d+")
_ATTR_NOISE = re.compile(r' (?:class|style)="[^"]*"')
_SRC = re.compile(r'\bsrc="([^"]+)"')
# "Name (@handle) • Instagram photos and videos": anchored at an "(@" found with str.find
_HANDLE_PAREN = re.compile(r"\(@([A-Za-z0-9._]{1,30})\)")
# "... (@h) on Instagram: "bio"" / "auf Instagram: „bio“" / "sur Instagram : « bio »": the opening
# part, anchored at an "(@" and bounded; the bio is what follows, up to the closing quote at the end
_META_BIO_OPEN = re.compile(r'\(@[A-Za-z0-9._]{1,30}\)[^:"]{0,40}Instagram\s{0,3}:\s{0,3}["“„«]')

# The words of the meta counts, per language (the meta order is followers, following, posts).
_FOLLOWER_WORDS = ("follower", "seguidor", "abonné", "abonnent", "seguaci", "volger", "obserwuj",
                   "подписчик", "takipçi", "người theo dõi", "pengikut", "フォロワー", "粉丝", "팔로워")
_FOLLOWING_WORDS = ("following", "seguindo", "seguidos", "abonnements", "gefolgt", "profili seguiti",
                    "volgend", "obserwowani", "подписок", "takip", "đang theo dõi", "mengikuti", "フォロー中",
                    "关注", "팔로우")
_POST_WORDS = ("post", "publicac", "publicaç", "publication", "beitr", "пост", "publicaties", "gönderi",
               "bài viết", "postingan", "投稿", "帖子", "게시물")

_LOGIN_MARKERS = ('id="loginForm"', 'name="password"', "<title>Login • Instagram", "<title>Log in • Instagram")
_UNAVAILABLE_MARKERS = ("Sorry, this page isn't available", "Sorry, this page isn&#x27;t available",
                        "Sorry, this page isn&#039;t available", "<title>Page not found • Instagram",
                        "Page Not Found • Instagram")
_BLOCK_MARKERS = ("Please wait a few minutes before you try again", "Try Again Later",
                  "We restrict certain activity to protect our community")
_PRIVATE_MARKERS = ("This account is private", "This Account is Private")

MAX_POSTS = 30


def profile_url(handle: str) -> str:
    """The canonical profile URL of an Instagram handle (with or without '@')."""
    h = (handle or "").strip().lstrip("@")
    if not valid_handle(h):
        raise ValueError(f"not an Instagram handle: {handle!r}")
    return f"https://www.instagram.com/{h}/"


def valid_handle(handle: object) -> bool:
    """An Instagram username (without "@") as kolscope stores and fetches it (not one of
    Instagram's own paths such as /explore/)."""
    return (isinstance(handle, str) and HANDLE_RE.fullmatch(handle) is not None
            and handle.lower() not in _RESERVED)


def handle_from_url(url: str) -> str | None:
    """The handle of an Instagram profile URL (https://www.instagram.com/h/), else None."""
    if not isinstance(url, str):
        return None
    m = _URL_HANDLE.match(url)
    if not m or m.group(1).lower() in _RESERVED:
        return None
    return m.group(1)


def post_id_from_url(url: str) -> str | None:
    """The shortcode of a post or reel URL (/p/CODE/, /reel/CODE/, /h/p/CODE/), the id its posts carry."""
    if not isinstance(url, str) or not re.match(URL_RE, url):
        return None
    m = _POST_PATH.match(urlparse(url).path)
    return m.group(3) if m else None


def parse(capture: Capture) -> Snapshot:
    html = capture.html
    path = urlparse(capture.url).path
    if path.startswith(("/accounts/login", "/accounts/signup", "/accounts/emailsignup")):
        raise LoginWall("Instagram asks to log in before it shows this profile.")
    if path.startswith("/challenge"):
        raise Blocked("Instagram showed a security challenge instead of the profile.")
    url_handle = handle_from_url(capture.url)
    if url_handle is None or _POST_PATH.match(path):
        if _POST_PATH.match(path):
            return _parse_post_page(capture, path)
        raise NotACreatorPage("This Instagram page is not a profile.")

    head_end = html.find("</head>")
    meta = meta_tags(html, head_end + len("</head>") if head_end != -1 else 200_000)  # the whole head
    lang = capture.lang
    # Everything the browser rendered lives in <main>; a page without one is the server's bare HTML
    # (meta tags only). One scan for it spares three more over a megabyte of scripts.
    main = html.find("<main", max(head_end, 0))
    header = _Header.find(html, url_handle, lang, main) if main != -1 else None
    meta_counts = _meta_counts(meta.get("og:description") or meta.get("description"), lang)

    web_user = _web_profile_user(capture, url_handle)
    if header is None and not meta_counts:
        if web_user is not None:
            # the page's own profile answer (after an in-app navigation, before the header is drawn)
            return _from_web_profile(capture, web_user)
        _raise_for_page(html)

    og_title = _og_title(meta.get("og:title", ""))
    handle = url_handle
    if og_title and og_title[1].lower() == url_handle.lower():
        handle = og_title[1]  # the page's own spelling
    snap = Snapshot(platform=NAME, handle=handle, url=profile_url(handle))
    snap.platform_id = _profile_id(html)

    # counts: the header (what the user saw) first, the meta for what the header lacks
    for name in ("followers", "following", "posts"):
        got = header.counts.get(name) if header else None
        if got is None:
            got = meta_counts.get(name)
            if got is not None and header is not None:
                snap.warnings.append(f"{name} read from the page's meta description, not its header")
        if got is not None:
            snap.set_count(name, got[0], approx=got[1])

    snap.display_name = (header.name if header else None) or (og_title[0] or None if og_title else None)
    snap.bio = (header.bio if header else None) or _meta_bio(meta.get("description"))
    snap.avatar_url = (header.avatar if header else None) or meta.get("og:image") or None
    snap.verified = header.verified if header else None
    snap.links = header.links if header else []

    # The rendered notice sits right after the header; without one, anywhere in the body.
    body = html[header.end:header.end + 100_000] if header else html[main:] if main != -1 else ""
    if any(mk in body for mk in _PRIVATE_MARKERS):
        if snap.followers is None and snap.posts is None:
            raise Restricted("This Instagram account is private and the page shows none of its numbers.")
        snap.warnings.append("Private account: its posts are not visible.")
    if main != -1:
        budget.check("the post grid")
        snap.recent_posts = _grid(html, header.end if header else main, handle)
    if web_user is not None:
        _complete_from_web_profile(snap, web_user)
    snap.categories = _categories(capture, handle)
    snap.audience_sample, saw_following = _followers_sample(capture, snap.platform_id)
    if saw_following and not snap.audience_sample:
        snap.warnings.append("A following list shows whom the creator follows, not its audience: no audience sample.")
    return snap


def _profile_id(html: str) -> str | None:
    """The viewed profile's id: Instagram logs the page as `profilePage_<id>` (the viewer's id is elsewhere)."""
    for marker in ("profilePage_", '"profile_id":"'):
        i = html.find(marker)
        if i != -1:
            m = _DIGITS.match(html, i + len(marker))
            if m:
                return m.group(0)
    return None


# --- meta tags ----------------------------------------------------------------------------------


def _og_title(text: str) -> tuple[str, str] | None:
    """(display name, handle) of "Name (@handle) • Instagram photos and videos", or None."""
    i = text.find("(@")
    while i != -1:
        m = _HANDLE_PAREN.match(text, i)
        if m:
            return text[:i].strip(), m.group(1)
        i = text.find("(@", i + 2)
    return None


def _without(html: str, opener: str, closer: str) -> str:
    """`html` without its `<opener ...>...</closer>` elements (an unclosed one: cut to the end)."""
    parts = []
    pos = 0
    i = html.find(opener)
    while i != -1:
        after = html[i + len(opener):i + len(opener) + 1]
        if after.isalnum():
            i = html.find(opener, i + 1)
            continue
        parts.append(html[pos:i])
        j = html.find(closer, i)
        if j == -1:
            return "".join(parts)
        pos = j + len(closer)
        i = html.find(opener, pos)
    parts.append(html[pos:])
    return "".join(parts)


def _meta_counts(text: str | None, lang: str | None) -> dict[str, tuple[int, bool]]:
    """{"followers": (value, approximate), ...} from "1M Followers, 15 Following, 7,883 Posts - ..."."""
    if not text:
        return {}
    head = text.split(" - ", 1)[0]
    parts = [p.strip() for p in head.split(", ")]
    out: dict[str, tuple[int, bool]] = {}
    unnamed: list[tuple[int, bool]] = []
    for part in parts:
        value, approx = parse_count_ex(part, lang)
        if value is None:
            continue
        low = part.lower()
        # "following" before "follower": the English words share a prefix
        if any(w in low for w in _FOLLOWING_WORDS):
            out.setdefault("following", (value, approx))
        elif any(w in low for w in _FOLLOWER_WORDS):
            out.setdefault("followers", (value, approx))
        elif any(w in low for w in _POST_WORDS):
            out.setdefault("posts", (value, approx))
        else:
            unnamed.append((value, approx))
    if not out and len(unnamed) == 3:
        # a language the word lists miss: Instagram's meta order is followers, following, posts
        out = dict(zip(("followers", "following", "posts"), unnamed))
    return out


def _meta_bio(text: str | None) -> str | None:
    text = text or ""
    i = text.find("(@")
    while i != -1:
        m = _META_BIO_OPEN.match(text, i)
        if m:
            rest = text[m.end():].rstrip()
            if rest[-1:] in ('"', "”", "“", "»"):
                return rest[:-1].strip() or None
            return None
        i = text.find("(@", i + 2)
    return None


# --- the rendered header ------------------------------------------------------------------------


class _Header:
    """What the rendered profile header shows: counts, name, bio, links, avatar, badge."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang
        self.counts: dict[str, tuple[int, bool]] = {}
        self.name: str | None = None
        self.bio: str | None = None
        self.avatar: str | None = None
        self.verified: bool = False
        self.links: list[str] = []
        self.end = 0

    @classmethod
    def find(cls, html: str, handle: str, lang: str | None = None, start: int = 0) -> _Header | None:
        i = html.find("<header", start)
        while i != -1:
            j = html.find("</header>", i)
            if j == -1:
                return None
            region = html[i:j + 9]
            # The profile header links to the followers list or lists the counts; a post's header does not.
            if "/followers/" in region or "<ul" in region:
                header = cls(lang)
                header.end = j + 9
                # Only the counts, name and bio are read: drop the story highlights (role="menu"),
                # the icons and the class soup before the DOM parse (a 17 KB header becomes ~2 KB).
                menu = region.find('role="menu"')
                if menu != -1:
                    region = region[:menu] + ">"
                header.verified = 'aria-label="Verified"' in region
                # The avatar and the username row come before the counts: read the avatar with a
                # regex and hand BeautifulSoup only the counts, name and bio (~30 tags).
                ul = region.find("<ul")
                cut = region.rfind("<section", 0, ul) if ul != -1 else -1
                if cut > 0:
                    header.avatar = _avatar(region[:cut])
                    region = region[cut:]
                region = _ATTR_NOISE.sub("", _without(region, "<svg", "</svg>"))
                header._read(BeautifulSoup(region, "lxml"), handle)
                if header.counts:
                    return header
            i = html.find("<header", j)
        return None

    def _read(self, soup: BeautifulSoup, handle: str) -> None:
        ul = next((u for u in soup.find_all("ul") if len(u.find_all("li", recursive=False)) >= 2), None)
        if ul is None:
            return
        self._read_counts(ul)
        if self.avatar is None:
            img = soup.find("img", alt=re.compile(r"profile picture", re.IGNORECASE))
            if isinstance(img, Tag) and img.get("src"):
                self.avatar = str(img["src"])

        # name, category and bio sit after the counts: the next section, or the ul's own siblings
        section = ul.find_parent("section")
        area = section.find_next_sibling("section") if section is not None else None
        if area is None:
            area = ul.parent
        if not isinstance(area, Tag):
            return
        for br in area.find_all("br"):
            br.replace_with("\n")
        spans = [s for s in area.find_all("span", attrs={"dir": "auto"})
                 if s.find_parent("span", attrs={"dir": "auto"}) is None and s.find_parent("ul") is None]
        texts = [s.get_text().strip() for s in spans]
        texts = [t for t in texts if t]
        if texts:
            self.name = texts[0] if texts[0].lower() != handle.lower() else None
            rest = [t for t in texts[1:] if t != self.name]
            if rest:
                self.bio = max(rest, key=len)
        for a in area.find_all("a", href=True):
            link = _external(str(a["href"]))
            if link and link not in self.links:
                self.links.append(link)

    def _read_counts(self, ul: Tag) -> None:
        items = ul.find_all("li", recursive=False)
        for pos, li in enumerate(items):
            text = li.get_text(" ", strip=True)
            low = text.lower()
            hrefs = " ".join(str(a.get("href", "")) for a in li.find_all("a"))
            if "/followers" in hrefs:
                name = "followers"
            elif "/following" in hrefs or any(w in low for w in _FOLLOWING_WORDS):
                name = "following"
            elif any(w in low for w in _FOLLOWER_WORDS):
                name = "followers"
            elif any(w in low for w in _POST_WORDS):
                name = "posts"
            elif len(items) == 3:
                name = ("posts", "followers", "following")[pos]  # Instagram's header order
            else:
                continue
            titled = li.find(attrs={"title": re.compile(r"\d")})
            if titled is not None:
                # the exact number Instagram puts in the title of a rounded "1.1M"
                value, approx = parse_count_ex(str(titled["title"]), None)
                if value is not None:
                    self.counts[name] = (value, approx)
                    continue
            value, approx = parse_count_ex(text, self.lang)
            if value is not None:
                self.counts[name] = (value, approx)


def _external(href: str) -> str | None:
    """The target of a bio link: Instagram wraps them in l.instagram.com/?u=<target>."""
    href = unescape(href)
    if href.startswith(("https://l.instagram.com/", "http://l.instagram.com/")):
        target = parse_qs(urlparse(href).query).get("u")
        return target[0] if target else None
    if href.startswith(("http://", "https://")) and "instagram.com" not in urlparse(href).netloc:
        return href
    return None


# --- the post grid ------------------------------------------------------------------------------


def _grid(html: str, start: int, handle: str) -> list[Post]:
    posts: list[Post] = []
    seen: set[str] = set()
    end = html.find("</main>", start)  # the grid is inside <main>; the scripts after it are not
    for m in _GRID_LINK.finditer(html, start, end if end != -1 else len(html)):
        owner, kind, code = m.groups()
        if owner and owner.lower() != handle.lower():
            continue  # someone else's post (suggestions, tagged)
        if code in seen:
            continue
        seen.add(code)
        end = html.find("</a>", m.end(), m.end() + 4000)  # bounded: a page of unclosed anchors stays linear
        anchor = html[m.end(): end if end != -1 else m.end() + 4000]
        if 'aria-label="Pinned' in anchor:
            continue  # pinned posts are old favourites, not recent activity
        alt_m = _ALT.search(anchor)
        alt = unescape(alt_m.group(1)).strip() if alt_m else ""
        auto = _AUTO_ALT.match(alt)
        caption = None if auto or not alt else alt
        tags = hashtags(caption)
        posts.append(Post(
            id=code,
            url=f"https://www.instagram.com/{'reel' if kind == 'reel' else 'p'}/{code}/",
            title=caption,
            published_at=to_iso(auto.group(1), None) if auto else None,
            is_sponsored=looks_sponsored(caption, tags) if caption else None,
            hashtags=tags,
            # the generated alt names the tagged accounts ("tagging @jlo"), a caption its mentions
            mentions=mentions(alt),
        ))
        if len(posts) >= MAX_POSTS:
            break
    return posts


def _avatar(region: str) -> str | None:
    for tag in tags(region, "img"):
        alt = _ALT.search(tag)
        if alt and alt.group(1).lower().endswith("profile picture"):
            src = _SRC.search(tag)
            return unescape(src.group(1)) if src else None
    return None


# --- pages without a profile --------------------------------------------------------------------


def _raise_for_page(html: str) -> None:
    if any(m in html for m in _UNAVAILABLE_MARKERS):
        raise Unavailable("Instagram says this page isn't available: the account was removed, renamed or never existed.")
    _raise_for_wall(html, "this profile", "the page shows none of its numbers")
    if "</html>" not in html[-4000:]:
        raise Malformed("The Instagram page is truncated: it ends before the profile.")
    raise NotACreatorPage("This Instagram page shows no profile (no header and no profile description).")


# --- post and reel pages: the post's owner as the creator ------------------------------------------

_POST_PATH = re.compile(r"^/(?:([A-Za-z0-9._]{1,30})/)?(p|reel|reels|tv)/([A-Za-z0-9_-]{5,40})/?")
# "34K likes, 503 comments - thiago.nigro on September 16, 2025: ..." (the words follow the page's
# language; a dated colon is what a profile's "... - See Instagram photos and videos from" lacks)
# (every repeat bounded: anchored at the start, it costs a constant on any text)
_POST_META_OWNER = re.compile(r"^[^-]{0,80}-\s{1,3}([A-Za-z0-9._]{1,30})\s{1,3}[^\s:]{1,12}\s{1,3}[^:]{0,40}\d[^:]{0,20}:")
# the quoted caption at the end of a post's meta description (one quote pair: no backtracking between them)
# (`\s*(?:\.\s*)?$`, not `\s*\.?\s*$`: two adjacent `\s*` split a run of spaces every way, quadratic)
_META_CAPTION = re.compile(r':\s*["“„«]([^"”“»]*)["”“»]\s*(?:\.\s*)?$')
_WEB_INFO = "xdt_api__v1__media__shortcode__web_info"
_COMMENTS = "xdt_api__v1__media__media_id__comments__connection"
# Instagram's default avatar: the URL's ig_cache_key is base64("anonymous_profile_pic")
_ANON_PIC = "YW5vbnltb3VzX3Byb2ZpbGVfcGlj"


def _parse_post_page(capture: Capture, path: str) -> Snapshot:
    """A post or reel page (/p/CODE/, /reel/CODE/, /handle/p/CODE/): its owner is the creator, the post
    its recent post, the comments shown its comments and their authors an audience sample."""
    post_page = _PostPage.read(capture, path)
    kind, code, item, owner, meta, handle = (post_page.kind, post_page.code, post_page.item, post_page.owner,
                                             post_page.meta, post_page.handle)
    snap = Snapshot(platform=NAME, handle=handle, url=profile_url(handle))
    if owner:
        snap.platform_id = as_str(owner.get("pk")) or as_str(owner.get("id"))
        snap.display_name = as_str(owner.get("full_name"))
        snap.avatar_url = as_str(owner.get("profile_pic_url"))
        snap.verified = traverse(owner, "is_verified", expected_type=bool)
    else:
        og_title = _og_title(meta.get("og:title", ""))
        if og_title and og_title[1].lower() == handle.lower():
            snap.display_name = og_title[0] or None

    post = _post_of_item(item, kind, code) if isinstance(item, dict) else _post_from_meta(meta, kind, code, capture)
    if post is not None:
        snap.recent_posts.append(post)
    # inline comments belong to the inline post: when that is another post (a stale page), leave them out
    _add_post_comments(snap, capture, post.id if post else code, inline=post_page.inline)
    if not snap.recent_posts:
        snap.warnings.append("The post's data is not in the capture: only its owner was read.")
    return snap


@dataclass
class _PostPage:
    """What a post or reel page says about the post: its kind (p, reel, tv) and code, its media item,
    its owner (the item's user object, and the handle from any place the page states it) and meta tags."""

    kind: str
    code: str | None
    item: dict | None
    owner: dict | None
    meta: dict[str, str]
    handle: str
    inline: bool  # whether the page's inline comments belong to this post (not to a stale one)

    @classmethod
    def read(cls, capture: Capture, path: str) -> _PostPage:
        m = _POST_PATH.match(path)
        path_owner, kind, code = (m.group(1), m.group(2), m.group(3)) if m else (None, "p", None)
        html = capture.html
        item = _web_info_item(capture, code)
        owner = item.get("user") if isinstance(item, dict) and isinstance(item.get("user"), dict) else None
        if owner is None and isinstance(item, dict) and isinstance(item.get("owner"), dict):
            owner = item["owner"]
        meta = meta_tags(html)
        og_post = _POST_PATH.match(urlparse(meta.get("og:url", "")).path)
        if og_post and code and og_post.group(3) != code:
            meta = {}  # the meta tags of the post first loaded, before an in-app navigation to this one

        handle = as_str(owner.get("username")) if owner else None
        if handle is None:
            handle = _post_owner_from_page(meta, html, path_owner)
        if handle is None or not valid_handle(handle):
            _raise_for_page(html)
        return cls(kind, code, item, owner, meta, handle, inline=item is not None or _WEB_INFO not in html)


def _web_info_item(capture: Capture, code: str | None) -> dict | None:
    """The post's media item: inline in a data-sjs script, or in a GraphQL / media info answer."""
    candidates: list = []
    value = _sjs_value(capture.html, _WEB_INFO)
    if isinstance(value, dict):
        candidates.extend(as_list(value.get("items")))
    for body in capture.json_responses("/graphql", "/api/v1/media/"):
        found = first_key(body, _WEB_INFO, lambda v: isinstance(v, dict))
        candidates.extend(as_list(found.get("items")) if found else [])
        if isinstance(body, dict) and isinstance(body.get("items"), list):
            candidates.extend(body["items"])  # /api/v1/media/<id>/info/
    items = [c for c in candidates if isinstance(c, dict)]
    if code:
        same = [c for c in items if c.get("code") == code]
        return same[0] if same else None
    return items[0] if items else None


def _sjs_value(html: str, key: str) -> object:
    """The value of `"key":` inside the page's JSON scripts (Instagram's data-sjs Relay preloads)."""
    i = html.find(f'"{key}":')
    if i == -1:
        return None
    return json_at_key(html, key, i, None, expected_type=dict)


def _post_owner_from_page(meta: dict[str, str], html: str, path_owner: str | None) -> str | None:
    """The owner's handle from what any post page states: the URL, og:url, the meta description, JSON-LD."""
    if path_owner and path_owner.lower() not in _RESERVED:
        return path_owner
    og_url = meta.get("og:url", "")
    m = _POST_PATH.match(urlparse(og_url).path) if og_url else None
    if m and m.group(1) and m.group(1).lower() not in _RESERVED:
        return m.group(1)
    desc = meta.get("og:description") or meta.get("description") or ""
    m2 = _POST_META_OWNER.match(desc)
    if m2:
        return m2.group(1)
    for obj in json_ld(html):
        author = obj.get("author")
        author = author[0] if isinstance(author, list) and author else author
        if isinstance(author, dict):
            name = as_str(author.get("alternateName")) or as_str(author.get("identifier"))
            if name and valid_handle(name.lstrip("@")):
                return name.lstrip("@")
            url_handle = handle_from_url(as_str(author.get("url")) or "")
            if url_handle:
                return url_handle
    return None


def _post_url(kind: str, code: str) -> str:
    return f"https://www.instagram.com/{'reel' if kind in ('reel', 'reels') else 'p'}/{code}/"


def _post_of_item(item: dict, kind: str, code: str | None) -> Post | None:
    code = as_str(item.get("code")) or code
    if not code:
        return None
    caption = traverse(item, ("caption", "text", {str}))
    tags = hashtags(caption)
    sponsors = _sponsor_names(item)
    sponsored = item.get("is_paid_partnership") is True or bool(sponsors)
    product = item.get("product_type")
    return Post(
        id=code,
        url=_post_url("reel" if product == "clips" else kind, code),
        title=caption,
        published_at=epoch_iso(item.get("taken_at")),
        views=int_or_none(item.get("play_count")) or int_or_none(item.get("view_count")),
        likes=int_or_none(item.get("like_count")),
        comments=int_or_none(item.get("comment_count")),
        is_sponsored=sponsored or looks_sponsored(caption, tags),
        hashtags=tags,
        mentions=mentions(caption),
        sponsors=sponsors,
    )


def _sponsor_names(item: dict) -> list[str]:
    """The accounts Instagram names as a post's paid partners ("Paid partnership with X"): the
    `sponsor_tags` of the feed API ({sponsor: {username}}), in order, once each."""
    names: list[str] = []
    for tag in as_list(item.get("sponsor_tags")):
        name = traverse(tag, ("sponsor", "username"), expected_type=str) or traverse(tag, ("username",), expected_type=str)
        if name and name not in names:
            names.append(name)
    return names


def _post_from_meta(meta: dict[str, str], kind: str, code: str | None, capture: Capture) -> Post | None:
    """The post as its meta description states it: "34K likes, 503 comments - h on May 1, 2025: "caption""."""
    if not code:
        return None
    desc = meta.get("og:description") or meta.get("description") or ""
    head = desc.split(" - ", 1)[0]
    likes = comments = None
    for part in head.split(", "):
        value, _approx = parse_count_ex(part, capture.lang)
        low = part.lower()
        if value is None:
            continue
        if "comment" in low or "coment" in low or "kommentar" in low:
            comments = value
        elif "like" in low or "curtida" in low or "gefällt" in low or "me gusta" in low:
            likes = value
    for obj in json_ld(capture.html):
        if ld_type(obj, "SocialMediaPosting", "ImageObject", "VideoObject", "Article"):
            likes = likes if likes is not None else interaction_count(obj, "LikeAction")
            comments = comments if comments is not None else interaction_count(obj, "CommentAction")
    quote = _META_CAPTION.search(desc)
    caption = quote.group(1).strip() if quote else None
    tags = hashtags(caption)
    return Post(id=code, url=_post_url(kind, code), title=caption or None, likes=likes, comments=comments,
                is_sponsored=looks_sponsored(caption, tags) if caption else None, hashtags=tags,
                mentions=mentions(caption))


def _comment_nodes(capture: Capture, inline: bool = True) -> Iterator[dict]:
    """The post's comments in page order, once each: the inline first page (a data-sjs preload), then
    the GraphQL and /api/v1/media/<id>/comments/ answers the page loaded later."""
    nodes: list = []
    value = _sjs_value(capture.html, _COMMENTS) if inline else None
    if isinstance(value, dict):
        nodes.extend(traverse(e, "node") for e in as_list(value.get("edges")))
    for body in capture.json_responses("/graphql", "/api/v1/media/"):
        found = first_key(body, _COMMENTS, lambda v: isinstance(v, dict))
        if found:
            nodes.extend(traverse(e, "node") for e in as_list(found.get("edges")))
        if isinstance(body, dict) and isinstance(body.get("comments"), list):
            nodes.extend(body["comments"])  # /api/v1/media/<id>/comments/
    seen_comments: set[str] = set()
    for node in nodes:
        budget.check("the Instagram comments")
        if not isinstance(node, dict) or not isinstance(node.get("text"), str):
            continue
        cid = as_str(node.get("pk")) or as_str(node.get("id"))
        if cid and cid in seen_comments:
            continue
        if cid:
            seen_comments.add(cid)
        yield node


def _add_post_comments(snap: Snapshot, capture: Capture, post_id: str | None, inline: bool = True) -> None:
    seen_users: set[str] = {snap.handle.lower()}
    for node in _comment_nodes(capture, inline):
        user = traverse(node, "user", expected_type=dict, default={})
        author = as_str(user.get("username"))
        snap.comments.append(Comment(
            post_id=post_id,
            author=author,
            text=node["text"],
            likes=int_or_none(node.get("comment_like_count")),
            replies=int_or_none(node.get("child_comment_count")),
            is_creator=bool(author) and author.lower() == snap.handle.lower(),
            published_at=epoch_iso(node.get("created_at")),
        ))
        account = _ig_account(user)
        if account is not None and account.username.lower() not in seen_users:
            seen_users.add(account.username.lower())
            snap.audience_sample.append(account)


# --- audience: the followers dialog's answers, and accounts in general ----------------------------


def _ig_account(user: object) -> Account | None:
    """An Instagram user object (friendships API, GraphQL node, commenter) as an audience Account."""
    if not isinstance(user, dict):
        return None
    name = as_str(user.get("username"))
    if not name or not valid_handle(name):
        return None
    pic = as_str(user.get("profile_pic_url"))
    anonymous = user.get("has_anonymous_profile_picture")
    if not isinstance(anonymous, bool):
        anonymous = (_ANON_PIC in pic) if pic else None
    bio = user.get("biography")
    return Account(
        username=name,
        followers=traverse(user, "follower_count", ("edge_followed_by", "count"), expected_type=int),
        following=traverse(user, "following_count", ("edge_follow", "count"), expected_type=int),
        posts=traverse(user, "media_count", ("edge_owner_to_timeline_media", "count"), expected_type=int),
        has_profile_pic=None if anonymous is None else not anonymous,
        default_avatar=anonymous,
        is_private=traverse(user, "is_private", expected_type=bool),
        verified=traverse(user, "is_verified", expected_type=bool),
        bio_length=len(bio) if isinstance(bio, str) else None,
        display_name=as_str(user.get("full_name")),
    )


_FRIENDSHIPS = re.compile(r"/api/v1/friendships/(\d+)/(followers|following)/")


def _followers_sample(capture: Capture, profile_id: str | None) -> tuple[list[Account], bool]:
    """Accounts of the followers dialog (friendships API `users`, GraphQL `edge_followed_by`) of this
    profile, and whether a following list was seen (accounts the creator follows are not its audience)."""
    out: list[Account] = []
    seen: set[str] = set()
    followers, _ = _friendship_users(capture, profile_id, "followers")
    for u in followers:
        account = _ig_account(u)
        if account is not None and account.username.lower() not in seen:
            seen.add(account.username.lower())
            out.append(account)
    _, saw_following = _friendship_users(capture, profile_id, "following")
    return out, saw_following


def _friendship_users(capture: Capture, profile_id: str | None, which: str) -> tuple[list, bool]:
    """The user objects of this profile's `which` list ("followers" or "following": the friendships
    API's `users`, GraphQL `edge_followed_by` / `edge_follow`) in page order, and whether the capture
    holds such a list (a friendships answer, or GraphQL edges)."""
    out: list = []
    saw = False
    edge = "edge_followed_by" if which == "followers" else "edge_follow"
    for r in capture.responses:
        m = _FRIENDSHIPS.search(r.url)
        if m:
            if profile_id and m.group(1) != profile_id:
                continue  # another account's dialog, left over from a single-page navigation
            if m.group(2) != which:
                continue
            saw = True
            out.extend(as_list(traverse(r.json(), "users")))
        elif "graphql" in r.url:
            user = traverse(r.json(), ("data", "user"), expected_type=dict)
            if user is None:
                continue
            if profile_id and as_str(user.get("id")) not in (None, profile_id):
                continue
            edges = as_list(traverse(user, (edge, "edges")))
            saw = saw or bool(edges)
            out.extend(traverse(e, "node") for e in edges)
    return out, saw


# --- the platform's own category --------------------------------------------------------------------


def _categories(capture: Capture, handle: str) -> list[str]:
    """A business or creator account's category ("Digital creator", "Restaurant"): `category_name` and
    `business_category_name` of the profile's own user object (web_profile_info, or inline JSON)."""
    users: list[dict] = []
    for body in capture.json_responses("web_profile_info", "/graphql"):
        u = traverse(body, ("data", "user"), expected_type=dict)
        if u is not None:
            users.append(u)
    html = capture.html
    if '"category_name":"' in html or '"business_category_name":"' in html:
        tries = 120  # decode attempts in all: a page repeating the username cannot make this quadratic
        for m in _INLINE_USERNAME.finditer(html):
            if m.group(1).lower() != handle.lower():
                continue
            # the user object that holds this username: decode from the nearest opening braces back
            start = html.rfind('{"', max(0, m.start() - 6000), m.start())
            for _attempt in range(30):
                if start == -1 or tries <= 0:
                    break
                tries -= 1
                budget.check("the account's category")
                value = decode_at(html, start)
                if isinstance(value, dict) and value.get("username") == m.group(1):
                    users.append(value)
                    break
                start = html.rfind('{"', max(0, m.start() - 6000), start)
            if len(users) > 3 or tries <= 0:
                break
    out: list[str] = []
    for u in users:
        if (as_str(u.get("username")) or "").lower() != handle.lower():
            continue
        for key in ("category_name", "business_category_name", "category"):
            label = as_str(u.get(key))
            if label and label not in out and label.lower() not in ("none", "null"):
                out.append(label)
    return out


_INLINE_USERNAME = re.compile(r'"username":"([A-Za-z0-9._]{1,30})"')


# --- small helpers ------------------------------------------------------------------------------------


# --- the profile answer (web_profile_info): the page's own data when nothing is rendered ---------------
#
# `/api/v1/users/web_profile_info/?username=h` answers `{"data": {"user": {...}}}` with exact counts
# (`edge_followed_by.count`, `edge_follow.count`, `edge_owner_to_timeline_media.count`) and the latest
# posts (`edge_owner_to_timeline_media.edges[].node`), the GraphQL user shape instaloader reads.


def _web_profile_user(capture: Capture, handle: str) -> dict | None:
    for body in capture.json_responses("web_profile_info"):
        user = traverse(body, ("data", "user"), expected_type=dict)
        if user and (as_str(user.get("username")) or "").lower() == handle.lower():
            return user
    return None


def _from_web_profile(capture: Capture, user: dict) -> Snapshot:
    handle = as_str(user.get("username")) or ""
    snap = Snapshot(platform=NAME, handle=handle, url=profile_url(handle))
    snap.platform_id = as_str(user.get("id"))
    snap.display_name = as_str(user.get("full_name"))
    snap.bio = as_str(user.get("biography"))
    snap.avatar_url = as_str(user.get("profile_pic_url_hd")) or as_str(user.get("profile_pic_url"))
    snap.verified = traverse(user, "is_verified", expected_type=bool)
    for link in [user.get("external_url")] + [traverse(b, "url") for b in as_list(user.get("bio_links"))]:
        if as_str(link) and link not in snap.links:
            snap.links.append(link)
    _complete_from_web_profile(snap, user)
    if user.get("is_private") is True:
        if snap.followers is None and snap.posts is None:
            raise Restricted("This Instagram account is private and the page shows none of its numbers.")
        snap.warnings.append("Private account: its posts are not visible.")
    snap.categories = _categories(capture, handle)
    snap.audience_sample, _ = _followers_sample(capture, snap.platform_id)
    return snap


def _complete_from_web_profile(snap: Snapshot, user: dict) -> None:
    """Exact counts where the page showed none or only rounded ones, and posts where no grid was drawn."""
    for name, path in (("followers", ("edge_followed_by", "count")), ("following", ("edge_follow", "count")),
                       ("posts", ("edge_owner_to_timeline_media", "count"))):
        value = traverse(user, path, expected_type=int)
        if value is not None and (getattr(snap, name) is None or name in snap.approximate):
            snap.set_count(name, value)
    snap.platform_id = snap.platform_id or as_str(user.get("id"))
    if not snap.recent_posts:
        snap.recent_posts = _web_profile_posts(user)


def _web_profile_posts(user: dict) -> list[Post]:
    posts: list[Post] = []
    for edge in as_list(traverse(user, ("edge_owner_to_timeline_media", "edges"))):
        node = traverse(edge, "node", expected_type=dict)
        code = traverse(node, "shortcode", expected_type=str)
        if not node or not code or as_list(node.get("pinned_for_users")):
            continue  # pinned posts are old favourites, not recent activity
        caption = traverse(node, ("edge_media_to_caption", "edges", 0, "node", "text", {str}))
        tags = hashtags(caption)
        posts.append(Post(
            id=code,
            url=_post_url("reel" if node.get("product_type") == "clips" else "p", code),
            title=caption,
            published_at=epoch_iso(node.get("taken_at_timestamp")),
            views=int_or_none(node.get("video_view_count")),
            likes=traverse(node, ("edge_liked_by", "count"), ("edge_media_preview_like", "count"), expected_type=int),
            comments=traverse(node, ("edge_media_to_comment", "count", {int})),
            is_sponsored=node.get("is_paid_partnership") is True or looks_sponsored(caption, tags),
            hashtags=tags,
            mentions=mentions(caption),
        ))
        if len(posts) >= MAX_POSTS:
            break
    return posts


# --- list pages: a post's commenters, a profile's followers / following dialog ----------------------

# /NAME/followers/ and /NAME/following/: the dialog over a profile (its answers are the friendships API)
_LIST_PATH = re.compile(r"^/([A-Za-z0-9._]{1,30})/(followers|following)/?$")


def parse_list(capture: Capture) -> Listing | None:
    """The accounts a list page of Instagram shows, or None when the page is no list page: a post or
    reel page (its commenters, owner = the post's author, whose own replies count) or a profile's
    followers / following dialog (no public recording; read from the friendships API's `users`, the
    answer `_followers_sample` reads for a profile's audience)."""
    path = urlparse(capture.url).path
    if path.startswith(("/accounts/login", "/accounts/signup", "/accounts/emailsignup")):
        raise LoginWall("Instagram asks to log in before it shows this list.")
    if path.startswith("/challenge"):
        raise Blocked("Instagram showed a security challenge instead of the list.")
    if _POST_PATH.match(path):
        return _comments_listing(capture, path)
    m = _LIST_PATH.match(path)
    if m and valid_handle(m.group(1)):
        return _friendships_listing(capture, m.group(1), m.group(2))
    return None


def _listed(user: object) -> ListedCreator | None:
    account = _ig_account(user)
    if account is None:
        return None
    return ListedCreator.from_account(account, traverse(user, "pk", "id", "pk_id", expected_type=str))


def _comments_listing(capture: Capture, path: str) -> Listing:
    post_page = _PostPage.read(capture, path)
    listing = Listing(platform=NAME, kind="comments", owner=post_page.handle)
    for node in _comment_nodes(capture, post_page.inline):
        creator = _listed(node.get("user"))
        if creator is not None:
            listing.add(creator)
    if not listing.creators:
        listing.warnings.append("The capture holds none of the post's comments.")
    return listing


def _friendships_listing(capture: Capture, handle: str, kind: str) -> Listing:
    listing = Listing(platform=NAME, kind=kind, owner=handle)
    # the dialog names the profile by id only; the profile page's own id, when the capture has it
    users, saw = _friendship_users(capture, _profile_id(capture.html), kind)
    if not saw:
        _raise_for_wall(capture.html)
        raise Malformed(f"The Instagram {kind} dialog carries none of its list: the capture holds no "
                        "friendships answer.")
    for user in users:
        budget.check("the Instagram user list")
        creator = _listed(user)
        if creator is not None:
            listing.add(creator)
    if not listing.creators:
        listing.warnings.append(f"The {kind} list answered no accounts.")
    return listing


def _raise_for_wall(html: str, what: str = "this list", private: str = "its lists are not visible") -> None:
    """A block, a login wall or a private account instead of `what` (a profile or a list)."""
    if any(m in html for m in _BLOCK_MARKERS):
        raise Blocked("Instagram is rate-limiting this browser (\"please wait a few minutes\").")
    if any(m in html for m in _LOGIN_MARKERS):
        raise LoginWall(f"Instagram asks to log in before it shows {what}.")
    if any(m in html for m in _PRIVATE_MARKERS):
        raise Restricted(f"This Instagram account is private: {private}.")


PLATFORM = Platform(
    name=NAME,
    label="Instagram",
    hosts=("www.instagram.com",),
    aliases=("instagram.com", "m.instagram.com"),
    url_re=URL_RE,
    handle_pattern=HANDLE_PATTERN,
    handle_rule=HANDLE_RULE,
    api_urls=(
        r"/api/v1/users/web_profile_info/?(?:[?]|$)",
        r"/api/v1/feed/user/[^/?]+",
        r"/(?:api/)?graphql(?:/query)?/?(?:[?]|$)",
        # the followers dialog, a post's data and its comments (audience samples)
        r"/api/v1/friendships/\d+/(?:followers|following)/?(?:[?]|$)",
        r"/api/v1/media/\d+/(?:info|comments)/?(?:[?]|$)",
    ),
    rate_budget=(8, 60.0),
    walls=(Wall(r"^https?://(?:www\.)?instagram\.com/(?:accounts/login|challenge)", "login_wall",
                "Instagram redirected to its login page"),),
    engagement="instagram",
    parse=parse,
    profile_url=profile_url,
    valid_handle=valid_handle,
    handle_from_url=handle_from_url,
    post_id_from_url=post_id_from_url,
    parse_list=parse_list,
    # a profile's followers / following dialog and a post's comments (tag pages are not read yet)
    list_pages=(("followers", r"^/[A-Za-z0-9._]{1,30}/followers/?(?:[?#]|$)"),
                ("following", r"^/[A-Za-z0-9._]{1,30}/following/?(?:[?#]|$)"),
                ("comments", r"^/(?:[A-Za-z0-9._]{1,30}/)?(?:p|reel)/[A-Za-z0-9_-]+/?(?:[?#]|$)")),
    other_names=("ig",),
)
