"""Replay: platform URLs served from capture files, for offline demos, tests and benchmarks.

A test and demo double, not part of fetching: the Fetcher (`Fetcher(replay=...)`) routes a page's
navigation and API calls here instead of the network, so a replayed refresh goes through the same
routing, response listener and parsers as a live one. Captures are matched by normalised URL, and by
creator, so a profile URL finds that creator's `/videos` capture.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scraper.models import CAPTURE_FORMAT
from scraper.registry import PLATFORMS, platform_for


def _host_aliases() -> dict[str, str]:
    """Platforms serve the same page under several hosts (registry facts: a platform's aliases, and its
    other hosts where `same_pages` says they serve the same pages); replay matches them as one."""
    return {host: p.hosts[0] for p in PLATFORMS
            for host in (*(p.hosts[1:] if p.same_pages else ()), *p.aliases)}


HOST_ALIASES = _host_aliases()


def normalise_url(url: str) -> str:
    """One spelling per page: https, host aliases folded, no trailing slash, sorted query, no fragment."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = HOST_ALIASES.get(host, host)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"https://{host}{path}" + (f"?{query}" if query else "")


def _creator_key(url: str) -> tuple[str, str] | None:
    """(platform, handle) a URL names, through the parser's handle_from_url, when the platform has one."""
    module = platform_for(url)
    handle_from_url = getattr(module, "handle_from_url", None) if module else None
    if handle_from_url is None:
        return None
    try:
        handle = handle_from_url(url)
    except Exception:  # a URL the parser does not understand is simply not a creator URL here
        return None
    return (module.name, module.key(handle)) if isinstance(handle, str) and handle else None


@dataclass
class ReplayPage:
    """What replay answers for one page URL: the capture's HTML (or a scripted failure) and its API answers."""

    url: str
    html: str
    responses: list[dict] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0  # seconds before answering: a delay beyond the page timeout is a timeout
    captured_at: str | None = None


class ReplayError(Exception):
    """A replay directory that cannot be used (missing, or holding no capture)."""


class Replay:
    """Captures indexed by normalised URL (and by creator, so a profile URL finds a `/videos` capture)."""

    def __init__(self) -> None:
        self.pages: dict[str, ReplayPage] = {}
        self.by_creator: dict[tuple[str, str], ReplayPage] = {}
        self.responses: dict[str, dict] = {}
        self.skipped: list[tuple[str, str]] = []  # (file, why) for files that are not captures

    @classmethod
    def from_dir(cls, directory: str | os.PathLike) -> Replay:
        """Every `*.capture.json` (or `*.json` capture) under `directory`; raise ReplayError if none."""
        root = Path(directory)
        if not root.is_dir():
            raise ReplayError(f"replay directory {root} does not exist")
        replay = cls()
        files = sorted(root.rglob("*.json"))
        for path in files:
            if path.name.endswith(".expected.json"):
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                replay.skipped.append((str(path), f"unreadable: {exc}"))
                continue
            if not (isinstance(data, dict) and isinstance(data.get("url"), str)
                    and (data.get("format") in (None, CAPTURE_FORMAT))):
                replay.skipped.append((str(path), "not a kolscope.capture/1"))
                continue
            replay.add_capture(data)
        if not replay.pages:
            raise ReplayError(f"no capture files (*.capture.json) in {root}")
        return replay

    def add_capture(self, capture: dict, **kw: Any) -> ReplayPage:
        """Serve `capture` at its URL (or `url=...`); later captures of the same page win if newer."""
        responses = [r for r in capture.get("responses") or [] if isinstance(r, dict) and isinstance(r.get("url"), str)]
        return self.add_page(kw.pop("url", capture["url"]), capture.get("html") or "", responses=responses,
                             captured_at=capture.get("captured_at"), **kw)

    def add_page(self, url: str, html: str = "", *, responses: list[dict] | None = None, status: int = 200,
                 delay: float = 0.0, captured_at: str | None = None) -> ReplayPage:
        """Serve `html` at `url` with `status` after `delay` s (scripted 429s and timeouts for tests).

        No HTTP redirects: Chromium does not pass a fulfilled redirect's target back through the router.
        """
        page = ReplayPage(url=url, html=html, responses=list(responses or []), status=status, delay=delay,
                          captured_at=captured_at)
        key = normalise_url(url)
        old = self.pages.get(key)
        # Two captures of one page (e.g. 2024 and 2026): the newest is what a refresh would see today.
        if old is None or (old.captured_at or "") <= (captured_at or ""):
            self.pages[key] = page
        creator = _creator_key(url)
        if creator is not None:
            prev = self.by_creator.get(creator)
            if prev is None or _prefer(page, prev):
                self.by_creator[creator] = page
        for r in page.responses:
            self.responses.setdefault(normalise_url(r["url"]), r)
        return page

    def page_for(self, url: str) -> ReplayPage | None:
        page = self.pages.get(normalise_url(url))
        if page is None:
            creator = _creator_key(url)
            page = self.by_creator.get(creator) if creator else None
        return page

    def response_for(self, url: str, page: ReplayPage | None = None) -> dict | None:
        key = normalise_url(url)
        if page is not None:
            for r in page.responses:
                if normalise_url(r["url"]) == key:
                    return r
        return self.responses.get(key)

    def hosts(self) -> set[str]:
        """Every host replay answers for: those of its pages and API answers, with their aliases
        (the fetcher routes only these to Python; a page's request elsewhere fails in the browser)."""
        hosts: set[str] = set()
        for url in [p.url for p in self.pages.values()] + list(self.responses):
            host = (urlsplit(url).hostname or "").lower()
            if host:
                hosts.add(host)
                hosts.add(HOST_ALIASES.get(host, host))
        return hosts | {alias for alias, canon in HOST_ALIASES.items() if canon in hosts}

    def __len__(self) -> int:
        return len(self.pages)


def _prefer(new: ReplayPage, old: ReplayPage) -> bool:
    """For a creator with several captures: the newest, then the shortest URL (the profile itself)."""
    a, b = new.captured_at or "", old.captured_at or ""
    if a != b:
        return a > b
    return len(new.url) < len(old.url)
