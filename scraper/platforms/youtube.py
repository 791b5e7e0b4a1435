"""youtube: parse a captured page into a Snapshot (to be written)."""

from __future__ import annotations

from scraper.capture import Capture
from scraper.errors import NotACreatorPage
from scraper.models import Snapshot

NAME = "youtube"
URL_RE = r"https?://(?:(?:www|m|music)\.)?youtube\.com/"


def parse(capture: Capture) -> Snapshot:
    raise NotACreatorPage("the youtube parser is not written yet")
