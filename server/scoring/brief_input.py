"""A brief as a marketer types it -> the Brief the scores use, with every mistake named in plain words.

The Brief model (brief.py) keeps the scoring's exact units: fractions (0.03), ISO codes ("DE", "de"),
tier names. People type "3%", "Germany", "Deutschland", "German", "10k". This module turns those
into the model's values (pure: no Flask, no I/O beyond pycountry's packaged catalogues), so the
dashboard's form and, later, the API can take the same inputs; and back into the words a form shows
when a brief is edited ("3%", "Germany").
"""

from __future__ import annotations

import functools
import gettext
import os
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from scraper import registry
from scraper.countries import country_code
from scraper.counts import parse_count
from server.scoring.brief import Brief
from server.scoring.tiers import TIERS

# The form's fields; CHOICE_FIELDS are ticked boxes (several values), TERM_FIELDS lists of words.
CHOICE_FIELDS = ("platforms", "tiers")
TERM_FIELDS = ("keywords", "blocked_terms", "competitors")
PERCENT_FIELDS = ("min_engagement_rate", "max_sponsored_ratio")
COUNT_FIELDS = ("followers_min", "followers_max")
_SPLIT = re.compile(r"[\n\r,;]+")
_NUMBER = re.compile(r"(\d+(?:[.,]\d+)?|[.,]\d+)\s*(%?)")  # fullmatch: "3", "3%", "3 %", "0.03", "2,5%"

LABELS = {
    "name": "Name", "keywords": "Keywords", "blocked_terms": "Blocked terms", "languages": "Languages",
    "countries": "Countries", "platforms": "Platforms", "tiers": "Tiers", "followers_min": "Followers at least",
    "followers_max": "Followers at most", "min_engagement_rate": "Engagement rate at least",
    "max_sponsored_ratio": "Paid posts at most", "competitors": "Competitors",
    "competitor_days": "Competitor promotions count for",
}


def split_list(text: Any) -> list[str]:
    """One item per line or comma-separated ("running, trail\\nmarathon"); blanks dropped."""
    if isinstance(text, (list, tuple)):
        return [s for item in text for s in split_list(item)]
    if not isinstance(text, str):
        return []
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def parse_percent(text: str) -> float:
    """"3%", "3 %", "2,5%" -> 0.03, 0.03, 0.025. A bare number of 1 or more is a percentage too ("3",
    "1"), a bare number below 1 is the fraction itself ("0.03" = 3%), as the API takes it. ValueError
    in words when it is no share between 0% and 100%."""
    m = _NUMBER.fullmatch(text.strip())
    if not m:
        raise ValueError(f"“{text.strip()}” is not a percentage: type it as 3% (or 0.03).")
    value = float(m.group(1).replace(",", "."))
    if m.group(2) or value >= 1:
        value /= 100
    if value > 1:
        raise ValueError("A percentage must be between 0% and 100%.")
    return round(value, 6)


def parse_followers(text: str) -> int:
    """"10k", "1.2M", "25 000" -> a number of followers; ValueError in words otherwise."""
    text = text.strip()
    count = None if text.startswith("-") else parse_count(text, "en")
    if count is None:
        raise ValueError(f"“{text}” is not a number of followers: type it as 10000, 10k or 1.2M.")
    return count


def _before_parens(name: str) -> str:
    """"Modern Greek (1453-)" -> "Modern Greek": ISO's qualifier is not part of the name people type."""
    return name.split("(", 1)[0].strip()


def _english_language_names() -> dict[str, str]:
    """{casefolded English name: ISO 639-1 code}, with "Modern Greek (1453-)" also as "greek"."""
    import pycountry  # on use, as scraper.countries: its databases load in ~60 ms

    names: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None)
        if not code:
            continue
        for attr in ("name", "common_name", "inverted_name"):
            value = getattr(lang, attr, None)
            if not value:
                continue
            for part in value.split(";"):
                plain = _before_parens(part).casefold()
                for variant in (part.strip().casefold(), plain, plain.removeprefix("modern ")):
                    names.setdefault(variant, code)
    return names


@functools.cache
def _language_names(locale: str) -> dict[str, str]:
    """{casefolded language name in `locale` ("" for English): ISO 639-1 code}, from pycountry's
    ISO 639-3 catalogue (read-only package data, read once per locale)."""
    if not locale:
        return _english_language_names()
    import pycountry  # on use, as above

    try:
        catalogue = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return {}
    names: dict[str, str] = {}
    english = _language_names("")  # its codes: the languages a brief can name (ISO 639-1)
    for lang in (pycountry.languages.get(alpha_2=code) for code in sorted(set(english.values()))):
        code = lang.alpha_2
        if lang.name != catalogue.gettext(lang.name):
            for part in catalogue.gettext(lang.name).split(";"):
                plain = _before_parens(part).casefold()
                names.setdefault(part.strip().casefold(), code)
                names.setdefault(plain, code)
    return names


def _locales() -> list[str]:
    import pycountry  # on use, as above

    try:
        return sorted(os.listdir(pycountry.LOCALES_DIR))
    except OSError:
        return []


def language_code(value: str, lang: str | None = None) -> str | None:
    """"German", "Deutsch", "allemand", "de", "deu" -> "de"; None when it names no language with a
    two-letter code. `lang`: the person's own language ("fr-CH"), whose names are tried first."""
    import pycountry  # on use, as above

    key = " ".join(value.split()).casefold()
    if not key:
        return None
    if key.isascii() and key.isalpha() and len(key) in (2, 3):
        found = pycountry.languages.get(**{"alpha_2" if len(key) == 2 else "alpha_3": key})
        if found is not None and getattr(found, "alpha_2", None):
            return found.alpha_2
    if key in _language_names(""):
        return _language_names("")[key]
    first = [lang.replace("-", "_").split("_")[0].lower()] if lang else []
    for locale in first + _locales():
        code = _language_names(locale).get(key)
        if code:
            return code
    return None


def parse_days(text: str) -> int:
    """"90", "90 days" -> 90; ValueError in words otherwise."""
    number = text.strip().removesuffix("days").removesuffix("day").strip()
    if not number.isdigit():
        raise ValueError(f"“{text.strip()}” is not a number of days: type it as 90.")
    return int(number)


def parse_brief_form(values: Mapping[str, Any], lang: str | None = None,
                     keep: Mapping[str, Any] | None = None) -> tuple[dict | None, dict[str, str]]:
    """(the brief, {}) or (None, {field: what is wrong, in words}) for a form's values: text fields
    as typed, `platforms` and `tiers` as lists of the ticked names. `lang` is the person's language
    (for country and language names); names in any language are understood anyway. `keep`: the
    brief being edited, whose fields this form does not show are kept as they are."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {"name": str(values.get("name") or "").strip()}
    if not data["name"]:
        errors["name"] = "Give the brief a name, such as “Running shoes launch”."
    for field in TERM_FIELDS:
        data[field] = split_list(values.get(field))
    for field, lookup, what, example in (
            ("countries", lambda v: country_code(v, lang), "country", "Germany, Deutschland or DE"),
            ("languages", lambda v: language_code(v, lang), "language", "German, Deutsch or de")):
        codes, unknown = [], []
        for item in split_list(values.get(field)):
            code = lookup(item)
            if code:
                codes.append(code)
            else:
                unknown.append(item)
        data[field] = list(dict.fromkeys(codes))
        if unknown:
            names = ", ".join(f"“{u}”" for u in unknown)
            errors[field] = f"Not a {what} kolscope knows: {names}. Type a name or code, such as {example}."
    for field, choices in (("platforms", registry.NAMES), ("tiers", tuple(t for t, _ in TIERS))):
        data[field] = [v.strip().lower() for v in split_list(values.get(field))]
        if not set(data[field]) <= set(choices):
            errors[field] = f"{LABELS[field]}: choose among {', '.join(choices)}."
    for field, parse in [(f, parse_followers) for f in COUNT_FIELDS] + [(f, parse_percent) for f in PERCENT_FIELDS]:
        text = str(values.get(field) or "").strip()
        if not text:
            continue
        try:
            data[field] = parse(text)
        except ValueError as exc:
            errors[field] = str(exc)
    days = str(values.get("competitor_days") or "").strip()
    if days:
        try:
            data["competitor_days"] = parse_days(days)
        except ValueError as exc:
            errors["competitor_days"] = str(exc)
    if errors:
        return None, errors
    data = {**{k: v for k, v in (keep or {}).items() if k not in LABELS},
            **{k: v for k, v in data.items() if k in LABELS}}
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        return None, _model_errors(exc)
    return brief.model_dump(mode="json"), {}


def _model_errors(exc: ValidationError) -> dict[str, str]:
    """The model's remaining complaints (lengths, unknown choices, min above max) in words per field."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        field = loc[0] if loc else ""
        if not loc:  # the model-level check: followers_min above followers_max
            out.setdefault("followers_max", "“Followers at most” must not be below “Followers at least”.")
            continue
        label = LABELS.get(field, field)
        kind = err.get("type", "")
        if field == "competitor_days":
            out.setdefault(field, f"{label}: between 1 and 3650 days.")
        elif kind in ("too_long", "string_too_long"):
            limit = (err.get("ctx") or {}).get("max_length")
            out.setdefault(field, f"{label}: at most {limit} {'characters' if field == 'name' else 'items'}.")
        else:
            message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
            out.setdefault(field, f"{label}: {message}")
    return out


# -- back to words, for a form that edits a brief and for the list of briefs -------------------------

def percent_text(value: float | None) -> str:
    """0.03 -> "3%", 0.025 -> "2.5%", None -> ""."""
    if value is None:
        return ""
    return f"{value * 100:.4f}".rstrip("0").rstrip(".") + "%"


def country_name(code: str) -> str:
    import pycountry  # on use, as above

    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        return code
    return getattr(found, "common_name", None) or found.name


def language_name(code: str) -> str:
    import pycountry  # on use, as above

    found = pycountry.languages.get(alpha_2=code)
    return _before_parens(found.name).removeprefix("Modern ") if found else code


def form_values(brief: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored brief as the form shows it: words a person can edit and send back unchanged."""
    brief = brief or {}
    counts = {f: (f"{brief[f]:,}" if isinstance(brief.get(f), int) else "") for f in COUNT_FIELDS}
    return {
        "name": brief.get("name", ""),
        "keywords": "\n".join(brief.get("keywords") or []),
        "blocked_terms": "\n".join(brief.get("blocked_terms") or []),
        "competitors": "\n".join(brief.get("competitors") or []),
        "competitor_days": str(brief["competitor_days"]) if isinstance(brief.get("competitor_days"), int) else "",
        "countries": ", ".join(country_name(c) for c in brief.get("countries") or []),
        "languages": ", ".join(language_name(c) for c in brief.get("languages") or []),
        "platforms": list(brief.get("platforms") or []),
        "tiers": list(brief.get("tiers") or []),
        **counts,
        **{f: percent_text(brief.get(f)) for f in PERCENT_FIELDS},
    }


def _short(n: int) -> str:
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return f"{n / size:g}{unit}"
    return str(n)


def tier_ranges() -> list[tuple[str, str]]:
    """[(tier, "10k–100k followers"), ...] from scoring's tier table, for the tiers' checkboxes."""
    out = []
    for i, (name, low) in enumerate(TIERS):
        high = TIERS[i + 1][1] if i + 1 < len(TIERS) else None
        if high is None:
            words = f"{_short(low)} followers or more"
        elif low == 0:
            words = f"under {_short(high)} followers"
        else:
            words = f"{_short(low)}–{_short(high)} followers"
        out.append((name, words))
    return out
