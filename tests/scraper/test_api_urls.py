"""Every page-API answer a parser reads is one its platform keeps.

A parser reads the API answers a page loaded (capture.responses); the fetcher keeps, and the
extension's observer records, only the answers whose URL its platform's `api_urls` match. A parser
that starts reading a new answer without a matching pattern works on a hand-made capture and reads
nothing in the field. So each parser runs over the real recordings with every response watched, and
each body it decodes on its way to a snapshot must have a URL its platform's `Platform.is_api_url`
accepts. A page the parser refuses (a search page, a login wall) is left out: what it decoded to find
that out (X looks for error codes in every GraphQL answer, whatever its operation) made no snapshot.

Watching the reads (rather than a list of URL fragments each parser declares) needs nothing from the
parsers and cannot drift from what their code does: whatever test a parser applies to a URL, a body
it decodes is a body it reads.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path

import pytest

import scraper
from scraper import registry
from scraper.capture import Capture, Response
from scraper.errors import CaptureError
from scraper.platform import Platform
from tests.conftest import FIXTURES, LISTPAGES, REALPAGES, require_realpages

OTHERPLATFORMS = REALPAGES.parent / "otherplatforms"


def _real_files() -> list[Path]:
    """The real recordings: profile pages, list pages, and the other platforms' pages a registered
    platform reads (a platform's recordings join here as soon as it is in the registry)."""
    files = sorted(REALPAGES.glob("*/*.capture.json")) + sorted(LISTPAGES.glob("*/*.capture.json"))
    for path in sorted(OTHERPLATFORMS.glob("*/*.capture.json")):
        if registry.platform_for(json.loads(path.read_text(encoding="utf-8")).get("url")) is not None:
            files.append(path)
    return files


def _case(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name[: -len('.capture.json')]}"


REAL = {_case(p): p for p in _real_files()}


def reads(capture: dict) -> tuple[Platform, list[str]]:
    """The capture's platform and the URLs of the responses its parser decoded to make a snapshot, in
    order ([] when the parser refuses the page)."""
    cap = Capture.load(capture)
    platform = registry.platform_for(cap.url)
    assert platform is not None, f"no platform answers to {cap.url}"
    seen: list[str] = []

    class Watched(Response):
        def json(self):
            seen.append(self.url)
            return super().json()

    cap.responses = [Watched(**{f.name: getattr(r, f.name) for f in fields(Response)}) for r in cap.responses]
    try:
        scraper.parse(cap)
    except CaptureError:
        return platform, []
    return platform, seen


def unkept_reads(capture: dict) -> list[str]:
    """What a test failure says: each response the parser read that its platform would not keep."""
    platform, seen = reads(capture)
    return [f"the {platform.name} parser reads {url[:200]} but no pattern in {platform.name}'s api_urls "
            f"(scraper/platforms/{platform.name}.py) matches it, so the fetcher drops it and the extension's "
            f"observer never records it" for url in dict.fromkeys(seen) if not platform.is_api_url(url)]


@pytest.mark.parametrize("case", sorted(REAL) or ["<realpages missing>"])
def test_every_response_a_parser_reads_in_a_real_recording_is_kept(case: str) -> None:
    require_realpages()
    assert unkept_reads(json.loads(REAL[case].read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.capture.json")))
def test_every_response_a_parser_reads_in_a_fixture_is_kept(name: str) -> None:
    # the fixtures carry the answers the real recordings lack (followers dialogs, comment lists)
    assert unkept_reads(json.loads((FIXTURES / name).read_text(encoding="utf-8"))) == []


def test_the_real_recordings_exercise_the_check() -> None:
    """The check above is only as good as the reads it sees: the parsers must read real answers of
    each platform whose recordings carry any (a parser that stopped reading them would pass it)."""
    require_realpages()
    read_by: dict[str, int] = {}
    carried: set[str] = set()
    for path in REAL.values():
        capture = json.loads(path.read_text(encoding="utf-8"))
        platform, seen = reads(capture)
        read_by[platform.name] = read_by.get(platform.name, 0) + len(seen)
        if any(platform.is_api_url(r["url"]) for r in capture.get("responses") or []):
            carried.add(platform.name)
    assert carried, "no real recording carries an API answer"
    assert {name for name in carried if not read_by.get(name)} == set()


def test_a_pattern_missing_from_api_urls_fails_naming_the_url(monkeypatch) -> None:
    require_realpages()
    x = registry.require("x")
    monkeypatch.setattr(registry, "PLATFORMS", tuple(replace(p, api_urls=()) if p is x else p
                                                     for p in registry.PLATFORMS))
    case = next(c for c in REAL if "/x/x_profile_" in c)
    problems = unkept_reads(json.loads(REAL[case].read_text(encoding="utf-8")))
    assert problems and all("/UserByScreenName?" in p or "/UserTweets?" in p for p in problems)
    assert "no pattern in x's api_urls (scraper/platforms/x.py) matches it" in problems[0]
