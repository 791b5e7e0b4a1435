"""The engagement-rate bands (bands.json): per platform and audience size, with source and formula.

A platform's tables sit under its `engagement` key (scraper/platform.py), so the table is data
beside the bands' sources, and the code here names no platform.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from scraper import registry

_PATH = Path(__file__).with_name("bands.json")


@lru_cache(maxsize=1)
def load_bands() -> dict[str, Any]:
    """The bands table; read once (a package data file, not user input), so `score` itself does no I/O."""
    return json.loads(_PATH.read_text(encoding="utf-8"))


def _key(platform: str | None) -> str:
    """The platform's entry in bands.json ("" for a platform kolscope does not know)."""
    known = registry.get(platform)
    return known.engagement if known is not None else ""


def platform_bands(platform: str | None) -> dict[str, Any] | None:
    """The platform's formula (`counts`, `basis`) and bands, or None for an unknown platform."""
    return load_bands()["platforms"].get(_key(platform))


def band_for(platform: str | None, followers: float | None) -> dict[str, Any] | None:
    """The band for this platform and audience size, or None when either is unknown."""
    table = platform_bands(platform)
    if table is None or followers is None:
        return None
    for band in table["bands"]:
        top = band["max_followers"]
        if followers >= band["min_followers"] and (top is None or followers < top):
            return band
    return None


def views_band(platform: str | None) -> dict[str, float] | None:
    return load_bands()["views_per_follower"].get(_key(platform))


def profile_band(platform: str | None) -> dict[str, Any] | None:
    """What the profile's own totals should be for a real audience, where the profile shows them."""
    return load_bands().get("profile", {}).get(_key(platform))


# Load at import: the first `score` call must not pay for the file read.
load_bands()
