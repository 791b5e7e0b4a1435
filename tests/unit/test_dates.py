"""Displayed dates to ISO-8601, relative ones resolved against the capture time."""

from __future__ import annotations

import pytest

from scraper.dates import to_iso

REF = "2026-01-26T18:00:00Z"


@pytest.mark.parametrize("text,expected", [
    ("10 days ago", "2026-01-16T18:00:00Z"),
    ("2 weeks ago", "2026-01-12T18:00:00Z"),
    ("1 month ago", "2025-12-27T18:00:00Z"),
    ("4 years ago (edited)", "2022-01-27T18:00:00Z"),
    ("Streamed 2 hours ago", "2026-01-26T16:00:00Z"),
    ("49 minutes ago", "2026-01-26T17:11:00Z"),
    ("vor 3 Tagen", "2026-01-23T18:00:00Z"),
    ("hace 2 semanas", "2026-01-12T18:00:00Z"),
    ("il y a 5 heures", "2026-01-26T13:00:00Z"),
    ("há 1 ano", "2025-01-26T18:00:00Z"),
    ("3 日前", "2026-01-23T18:00:00Z"),
    ("2주 전", "2026-01-12T18:00:00Z"),
    ("2 minggu yang lalu", "2026-01-12T18:00:00Z"),
    ("5 min ago", "2026-01-26T17:55:00Z"),
    ("24 Aug 2019", "2019-08-24"),
    ("Premiered Jan 5, 2024", "2024-01-05"),
    ("Wed Oct 10 20:19:24 +0000 2018", "2018-10-10T20:19:24Z"),
    ("2023-02-20T14:43:23Z", "2023-02-20T14:43:23Z"),
    ("2024-05-11", "2024-05-11"),
    ("sometime", None),
    ("", None),
    (None, None),
    (12, None),
])
def test_to_iso(text, expected):
    assert to_iso(text, REF) == expected


def test_relative_without_a_reference_is_unknown():
    assert to_iso("3 days ago", None) is None
