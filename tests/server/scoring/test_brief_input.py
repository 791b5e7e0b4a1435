"""What a marketer types -> the brief's units (server/scoring/brief_input.py), and back to words."""

from __future__ import annotations

import pytest

from server.scoring import brief_input
from server.scoring.brief import Brief
from server.scoring.brief_input import (
    form_values,
    language_code,
    parse_brief_form,
    parse_followers,
    parse_percent,
    split_list,
    tier_ranges,
)
from server.scoring.tiers import TIERS


@pytest.mark.parametrize(("typed", "fraction"), [
    ("3%", 0.03), ("3 %", 0.03), ("0.03", 0.03), ("3", 0.03), ("1", 0.01), ("2,5%", 0.025), ("0.5%", 0.005),
    ("100%", 1.0), ("0", 0.0), (" 12.5 % ", 0.125),
])
def test_percentages(typed, fraction):
    assert parse_percent(typed) == pytest.approx(fraction)


@pytest.mark.parametrize(("typed", "words"), [
    ("abc", "is not a percentage"), ("3%%", "is not a percentage"), ("-3%", "is not a percentage"),
    ("101", "between 0% and 100%"), ("250%", "between 0% and 100%"),
])
def test_bad_percentages_say_why(typed, words):
    with pytest.raises(ValueError, match=words):
        parse_percent(typed)


@pytest.mark.parametrize(("typed", "count"), [("10k", 10_000), ("1.2M", 1_200_000), ("25 000", 25_000), ("5000", 5000)])
def test_followers(typed, count):
    assert parse_followers(typed) == count


@pytest.mark.parametrize("typed", ["many", "-5", ""])
def test_bad_followers_say_why(typed):
    with pytest.raises(ValueError, match="is not a number of followers"):
        parse_followers(typed)


@pytest.mark.parametrize(("typed", "code"), [
    ("German", "de"), ("Deutsch", "de"), ("allemand", "de"), ("de", "de"), ("DE", "de"), ("deu", "de"),
    ("Greek", "el"), ("Chinese", "zh"), ("中文", "zh"), ("español", "es"), ("Portuguese", "pt"),
    ("Klingon", None), ("xx", None), ("", None),
])
def test_languages_by_name_or_code(typed, code):
    assert language_code(typed, "fr") == code


def test_lists_one_per_line_or_comma_separated():
    assert split_list("running, trail\n\nmarathon;  yoga ") == ["running", "trail", "marathon", "yoga"]
    assert split_list(["a, b", "c"]) == ["a", "b", "c"]


def test_a_form_becomes_a_valid_brief():
    brief, errors = parse_brief_form({
        "name": " Launch ", "countries": "Germany, Deutschland, DE, Allemagne, United Kingdom", "languages": "Deutsch, en",
        "tiers": ["Micro"], "platforms": ["tiktok"], "min_engagement_rate": "3%", "followers_max": "1M"}, "de-DE")
    assert errors == {}
    assert brief["countries"] == ["DE", "GB"] and brief["languages"] == ["de", "en"] and brief["tiers"] == ["micro"]
    assert brief["min_engagement_rate"] == 0.03 and brief["followers_max"] == 1_000_000
    assert Brief.model_validate(brief).name == "Launch"


def test_every_bad_field_is_named_at_once():
    brief, errors = parse_brief_form({"name": "", "countries": "Europe, Atlantis", "languages": "Elvish",
                                      "tiers": ["giga"], "platforms": ["myspace"], "min_engagement_rate": "lots",
                                      "followers_min": "x"})
    assert brief is None
    assert set(errors) == {"name", "countries", "languages", "tiers", "platforms", "min_engagement_rate", "followers_min"}
    assert "“Europe”, “Atlantis”" in errors["countries"] and "Germany, Deutschland or DE" in errors["countries"]
    assert "nano, micro, mid, macro, mega" in errors["tiers"]


def test_model_rules_come_back_in_words():
    _, errors = parse_brief_form({"name": "x", "followers_min": "100k", "followers_max": "10k"})
    assert errors == {"followers_max": "“Followers at most” must not be below “Followers at least”."}
    _, errors = parse_brief_form({"name": "n" * 201})
    assert errors == {"name": "Name: at most 200 characters."}


def test_form_values_round_trip():
    brief, _ = parse_brief_form({"name": "R", "countries": "DE, US", "languages": "el, de", "keywords": "a, b",
                                 "min_engagement_rate": "2.5%", "max_sponsored_ratio": "0.3", "followers_min": "10k",
                                 "tiers": ["mid"]})
    shown = form_values(brief)
    assert shown["min_engagement_rate"] == "2.5%" and shown["max_sponsored_ratio"] == "30%"
    assert shown["countries"] == "Germany, United States" and shown["languages"] == "Greek, German"
    again, errors = parse_brief_form(shown)
    assert errors == {} and again == brief


def test_tier_ranges_follow_scorings_table():
    ranges = dict(tier_ranges())
    assert list(ranges) == [name for name, _ in TIERS]
    assert ranges["nano"] == "under 10k followers" and ranges["micro"] == "10k–100k followers"
    assert ranges["mega"] == "1M followers or more"


def test_competitors_and_the_fields_a_form_does_not_show_are_kept(monkeypatch):
    brief, errors = parse_brief_form({"name": "R", "competitors": "Salomon, Hoka", "competitor_days": "30 days"})
    assert errors == {} and brief["competitors"] == ["Salomon", "Hoka"] and brief["competitor_days"] == 30
    assert form_values(brief)["competitors"] == "Salomon\nHoka" and form_values(brief)["competitor_days"] == "30"
    _, errors = parse_brief_form({"name": "R", "competitor_days": "soon"})
    assert errors == {"competitor_days": "“soon” is not a number of days: type it as 90."}
    _, errors = parse_brief_form({"name": "R", "competitor_days": "0"})
    assert errors == {"competitor_days": "Competitor promotions count for: between 1 and 3650 days."}
    # a field of the Brief that the form does not show (as competitors were before the form had
    # them) survives an edit of the brief
    monkeypatch.setattr(brief_input, "LABELS", {k: v for k, v in brief_input.LABELS.items() if k != "competitors"})
    kept, errors = parse_brief_form({"name": "R2"}, keep=brief)
    assert errors == {} and kept["name"] == "R2" and kept["competitors"] == ["Salomon", "Hoka"]
    assert parse_brief_form({"name": "R2"})[0]["competitors"] == []
