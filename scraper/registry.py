"""The explicit list of supported platforms, and the questions answered from their facts.

Adding a platform: a module in scraper/platforms/ ending with `PLATFORM = Platform(...)` (see
scraper/platform.py), listed here. Nothing else in the scraper, the server or the extension names a
platform: they read this registry (the extension through its generated content/platforms.js).
"""

from __future__ import annotations

import re
from typing import Any

from scraper.platform import Platform
from scraper.platforms import bilibili, instagram, tiktok, x, youtube

PLATFORMS: tuple[Platform, ...] = (youtube.PLATFORM, tiktok.PLATFORM, instagram.PLATFORM, x.PLATFORM,
                                   bilibili.PLATFORM)
BY_NAME: dict[str, Platform] = {p.name: p for p in PLATFORMS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def get(name: Any) -> Platform | None:
    """The platform called `name`, or None (also for a name that is not a string)."""
    return BY_NAME.get(name) if isinstance(name, str) else None


def require(name: Any) -> Platform:
    """The platform called `name`; ValueError for a platform kolscope does not support."""
    platform = get(name)
    if platform is None:
        raise ValueError(f"kolscope does not support the platform {str(name)[:40]!r}")
    return platform


def name_for(value: Any) -> str | None:
    """The platform a free-text name means: its name or one of its `other_names`, any case and
    spacing ("Twitter " -> "x"); None for a name no platform answers to."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    for platform in PLATFORMS:
        if wanted == platform.name or wanted in platform.other_names:
            return platform.name
    return None


def labels() -> str:
    """The supported platforms for a sentence: "YouTube, TikTok, Instagram and X"."""
    names = [p.label for p in PLATFORMS]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def profile_url(platform: str, handle: str) -> str:
    """The creator's profile URL; ValueError for an unsupported platform or an invalid handle."""
    return require(platform).profile_url(handle)


def valid_handle(platform: Any, handle: Any) -> bool:
    """Is `handle` one the platform's rule allows kolscope to store and fetch?"""
    p = get(platform)
    return bool(p is not None and p.valid_handle(handle))


def creator_key(platform: str, handle: str) -> str:
    """The identity a handle is stored under (its platform's key rule: case-folded on most)."""
    return require(platform).key(handle)


def platform_for(url: Any) -> Platform | None:
    """The platform whose URL pattern matches `url`, or None."""
    if not isinstance(url, str):
        return None
    for platform in PLATFORMS:
        if re.match(platform.url_re, url):
            return platform
    return None
