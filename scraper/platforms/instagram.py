"""instagram: parse a captured page into a Snapshot (to be written)."""

from __future__ import annotations

from scraper.capture import Capture
from scraper.errors import NotACreatorPage
from scraper.models import Snapshot

NAME = "instagram"
URL_RE = r"https?://(?:www\.)?instagram\.com/"


def parse(capture: Capture) -> Snapshot:
    raise NotACreatorPage("the instagram parser is not written yet")
