"""What kolscope knows about one platform, in one place: the `Platform` each parser module declares.

A platform module in scraper/platforms/ ends with `PLATFORM = Platform(...)`: its name, label and
other names, the hosts its pages live on, the URL patterns of its pages and of the page API answers
its parser reads, its handle rule and key rule, its rate budget, the URLs it sends a blocked client
to, and the engagement formula (its entry in server/scoring/bands.json). The registry lists the
modules; every other part of kolscope (fetcher, politeness, store, API, OpenAPI document, scoring,
the extension's generated `content/platforms.js`) reads these facts from the registry instead of
naming platforms itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scraper.listing import KINDS as LIST_KINDS


@dataclass(frozen=True)
class Wall:
    """A URL a platform redirects a client it will not serve to (matched with re.search on the
    final URL after redirects). `code` is `login_wall` or `blocked`; `reason` is read by a person."""

    pattern: str
    code: str
    reason: str


@dataclass(frozen=True)
class Platform:
    name: str                       # the key used by the store, the API and the extension (lower case)
    label: str                      # as people write it, for sentences shown to a person
    hosts: tuple[str, ...]          # hosts the extension reads pages on; hosts[0] is the canonical one
    url_re: str                     # re.match on any URL of the platform's pages
    handle_pattern: str             # a stored handle (JSON Schema / JavaScript / Python syntax)
    handle_rule: str                # the handle rule in words, for error messages
    api_urls: tuple[str, ...]       # re.search patterns of the page API answers the parser reads
    rate_budget: tuple[int, float]  # at most (requests, per seconds) from scheduled refreshes
    engagement: str                 # the platform's entry in server/scoring/bands.json
    parse: Callable[[Any], Any]     # Capture -> Snapshot (raises scraper.errors.CaptureError)
    profile_url: Callable[[str], str]            # handle (or id) -> canonical profile URL; ValueError
    valid_handle: Callable[[object], bool]       # is this a handle kolscope stores and fetches?
    handle_from_url: Callable[[str], str | None]  # the handle (or id) a profile URL names
    aliases: tuple[str, ...] = ()   # more hosts serving the same pages (folded onto hosts[0])
    walls: tuple[Wall, ...] = ()    # login-wall, consent and captcha URLs (a refresh then backs off)
    # The creator's identity key from a handle: case-folded unless the platform says otherwise
    # (where ids are case-sensitive). Platforms without handles key by their numeric id.
    key: Callable[[str], str] = field(default=str.lower)
    identity: str = "handle"        # "handle" (a name the creator picks) or "id" (a numeric account id)
    # Capture -> scraper.listing.Listing for the platform's list pages (search, tags, followers,
    # comments...), None for any other page; None here when kolscope reads no list page of it yet.
    parse_list: Callable[[Any], Any] | None = None
    # Do all hosts serve the same pages (one site under two names)? Then a replayed or refreshed URL
    # on hosts[1:] is folded onto hosts[0]. False where each host has pages of its own (profiles on
    # one host, videos on another); `aliases` are folded either way.
    same_pages: bool = True
    # Other names data sets and people use for the platform (a former name, an abbreviation): read
    # where a platform arrives as free text, e.g. the `platform` column of an accounts file.
    other_names: tuple[str, ...] = ()
    # The id of the post a URL of one of its posts names (a video, Short, reel, tweet...), as the
    # parser writes it in `recent_posts[].id`, or None for any other URL: a campaign's deliverables
    # are posts marked by URL and found again in the snapshots by this id.
    post_id_from_url: Callable[[str], str | None] = field(default=lambda url: None)
    # Which of the platform's pages are list pages, as (kind, pattern) pairs: `kind` one of
    # scraper.listing.KINDS, `pattern` re.search on the URL's path and query ("/results?search_query=tea"),
    # anchored with ^ and written in the syntax Python and JavaScript share, since the extension runs the
    # same patterns (content/platforms.js `listPages`) to know a page to capture as a list. A page may be
    # a list page and a creator page at once (a post and its comments): `parse` still answers for it.
    list_pages: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,19}", self.name):
            raise ValueError(f"a platform name is lower-case letters and digits: {self.name!r}")
        if not self.hosts:
            raise ValueError(f"{self.name}: a platform has at least one host")
        if any(not re.fullmatch(r"[a-z][a-z0-9]{0,19}", n) for n in self.other_names):
            raise ValueError(f"{self.name}: other names are lower-case letters and digits: {self.other_names!r}")
        if self.identity not in ("handle", "id"):
            raise ValueError(f"{self.name}: identity is 'handle' or 'id', not {self.identity!r}")
        for pattern in (self.url_re, self.handle_pattern, *self.api_urls, *(w.pattern for w in self.walls)):
            re.compile(pattern)  # a typo in a platform's facts fails at import, not on a user's page
        for kind, pattern in self.list_pages:
            if kind not in LIST_KINDS or not pattern.startswith("^"):
                raise ValueError(f"{self.name}: a list page is (a kind of {LIST_KINDS}, a pattern anchored "
                                 f"with ^), not {(kind, pattern)!r}")
            re.compile(pattern)

    def owns_host(self, host: str) -> bool:
        host = host.lower()
        return host in self.hosts or host in self.aliases

    def list_kind(self, url: str) -> str | None:
        """The kind of list page `url` is (its first matching `list_pages` entry), None for no list page."""
        parts = urlsplit(url)
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        return next((kind for kind, pattern in self.list_pages if re.search(pattern, where)), None)

    def is_api_url(self, url: str) -> bool:
        """Is `url` one of the page's API answers this platform's parser reads?"""
        return any(re.search(p, url) for p in self.api_urls)
