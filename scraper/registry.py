"""The explicit list of supported platforms, and which one a URL belongs to."""

from __future__ import annotations

import re
from types import ModuleType

from scraper.platforms import instagram, tiktok, x, youtube

# Adding a platform: a module in scraper/platforms with URL_RE, NAME and parse(capture), listed here.
PLATFORMS: tuple[ModuleType, ...] = (youtube, tiktok, instagram, x)
BY_NAME: dict[str, ModuleType] = {m.NAME: m for m in PLATFORMS}


def profile_url(platform: str, handle: str) -> str:
    """The creator's profile URL (every platform module has `profile_url`); ValueError for a platform
    kolscope does not support."""
    module = BY_NAME.get(platform)
    if module is None:
        raise ValueError(f"kolscope does not support the platform {platform!r}")
    return module.profile_url(handle)


def platform_for(url: str) -> ModuleType | None:
    """The platform module whose URL pattern matches `url`, or None."""
    if not isinstance(url, str):
        return None
    for module in PLATFORMS:
        if re.match(module.URL_RE, url):
            return module
    return None
