"""scraper.countries.country_code: a country as pages show it -> ISO 3166-1 alpha-2."""

from __future__ import annotations

import pytest

from scraper import parse
from scraper.countries import country_code
from tests.conftest import load_fixture


@pytest.mark.parametrize(("value", "lang", "code"), [
    ("US", None, "US"),  # TikTok's region
    ("us", None, "US"),
    ("DEU", None, "DE"),  # alpha-3
    ("U.S.", None, "US"),
    ("United States", None, "US"),  # X's "account based in", YouTube's About panel in English
    ("united states of america", None, "US"),
    ("  United   Kingdom ", None, "GB"),
    ("the Netherlands", None, "NL"),
    ("St. Lucia", None, "LC"),
    ("Russia", None, "RU"),  # short names ISO does not list
    ("Turkey", None, "TR"),
    ("Türkiye", None, "TR"),
    ("UK", None, "GB"),
    ("South Korea", None, "KR"),
    ("Vereinigte Staaten", "de-DE", "US"),  # YouTube's About panel in the page's language
    ("Royaume-Uni", "fr", "GB"),
    ("Estados Unidos", "pt-BR", "US"),
    ("대한민국", "ko", "KR"),
    ("Deutschland", None, "DE"),  # a translation, page language unknown: every catalogue is tried
    ("アメリカ合衆国", None, "US"),
    ("Россия", "ru", "RU"),
])
def test_country_code(value: str, lang: str | None, code: str) -> None:
    assert country_code(value, lang) == code


@pytest.mark.parametrize("value", [None, "", "   ", "Europe", "Worldwide", "XX", "ZZZ", "Planet Earth", 42, "x" * 200])
def test_not_one_country(value) -> None:
    assert country_code(value) is None


def test_parse_turns_a_page_country_into_its_code() -> None:
    # TikTok states the account's region as a code: it stays that code.
    cap = load_fixture("tiktok_profile_sigi.capture.json")
    assert parse(cap).country == "US"
    # A page stating its country as a name in its language gets the code; a non-country, a warning.
    user_region = '"region": "US"'
    assert cap["html"].count(user_region) == 1
    cap["html"] = cap["html"].replace(user_region, '"region": "Vereinigte Staaten"')
    assert parse(cap).country == "US"
    cap["html"] = cap["html"].replace("Vereinigte Staaten", "Atlantis")
    snap = parse(cap)
    assert snap.country is None and any("Atlantis" in w for w in snap.warnings)
