"""scraper.parse never returns a snapshot that names no creator, whatever a platform parser returns."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import scraper
from scraper.errors import NotACreatorPage
from scraper import registry
from scraper.models import Snapshot

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "x_profile_new.capture.json"


def _with_parser_result(monkeypatch: pytest.MonkeyPatch, handle: object, platform_id: object) -> Snapshot:
    def parse(cap):
        return Snapshot(platform="x", handle=handle, platform_id=platform_id)

    platforms = tuple(replace(p, parse=parse) if p.name == "x" else p for p in registry.PLATFORMS)
    monkeypatch.setattr(registry, "PLATFORMS", platforms)
    return scraper.parse(json.loads(FIXTURE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("handle, platform_id", [(None, None), ("", None), ("  ", ""), (12, None), (None, 5)])
def test_a_snapshot_without_identity_is_not_a_creator_page(monkeypatch, handle, platform_id) -> None:
    with pytest.raises(NotACreatorPage) as info:
        _with_parser_result(monkeypatch, handle, platform_id)
    assert info.value.code == "not_a_creator_page"
    assert "names no creator" in info.value.message


def test_a_platform_id_alone_identifies_the_creator(monkeypatch) -> None:
    snap = _with_parser_result(monkeypatch, None, "UCabc")
    assert snap.handle is None and snap.platform_id == "UCabc"


def test_an_odd_platform_id_beside_a_handle_is_dropped(monkeypatch) -> None:
    snap = _with_parser_result(monkeypatch, "someone", 12)
    assert snap.handle == "someone" and snap.platform_id is None
