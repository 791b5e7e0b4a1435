"""A country as a page shows it -> its ISO 3166-1 alpha-2 code.

Pages state a creator's country in different ways: as a code ("US"), as a name in the page's
language ("United States", "Vereinigte Staaten", "アメリカ合衆国") or as an English name whatever the
page's language. Briefs name countries by code. pycountry holds the ISO names and their
translations (its gettext catalogues); the aliases below add the short names people use that ISO
does not ("Russia", "Turkey", "UK").
"""

from __future__ import annotations

import functools
import gettext
import os
import re

# Short and common English names that pycountry's lookup does not know, lower-cased.
_ALIASES = {
    "russia": "RU", "turkey": "TR", "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "macedonia": "MK", "ivory coast": "CI",
    "brunei": "BN", "cape verde": "CV", "palestine": "PS", "vatican": "VA", "vatican city": "VA",
    "macau": "MO", "micronesia": "FM", "democratic republic of the congo": "CD", "dr congo": "CD",
    "drc": "CD", "congo-kinshasa": "CD", "congo-brazzaville": "CG", "swaziland": "SZ", "burma": "MM",
    "east timor": "TL", "holland": "NL", "uae": "AE", "kosovo": "XK", "falkland islands": "FK",
    "america": "US", "usa": "US", "south korea": "KR", "north korea": "KP", "taiwan": "TW",
    # Native short names where ISO's translation is the official one ("Российская Федерация").
    "россия": "RU", "türkiye": "TR", "việt nam": "VN", "한국": "KR", "中國": "CN",
}
_SPACES = re.compile(r"\s+")


def country_code(value: str | None, lang: str | None = None) -> str | None:
    """The ISO 3166-1 alpha-2 code of `value`: a code ("us", "USA"), an English name, or a name in
    the page's language `lang` ("de", "pt-BR"); None for anything that is not one country ("Europe",
    "Worldwide", an empty string). Names in other languages are tried last."""
    if not isinstance(value, str):
        return None
    name = _SPACES.sub(" ", value).strip().strip(".").strip()
    if not name or len(name) > 80:
        return None
    import pycountry

    plain = name.replace(".", "") if len(name) <= 6 else name  # "U.S.", "U.K."
    if plain.isascii() and plain.isalpha() and len(plain) in (2, 3):
        found = pycountry.countries.get(**{"alpha_2" if len(plain) == 2 else "alpha_3": plain.upper()})
        if found is not None:
            return found.alpha_2
        if plain.lower() in _ALIASES:
            return _ALIASES[plain.lower()]
        if len(plain) == 2:
            return None  # two letters that are no country code are not a name either
    key = name.casefold()
    if key.startswith("the "):
        key = key[4:]
    key = key.replace("st. ", "saint ")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        pass
    for language in _languages(lang):
        code = _localized(language).get(key)
        if code:
            return code
    for language in _all_languages():
        code = _localized(language).get(key)
        if code:
            return code
    return None


def _languages(lang: str | None) -> list[str]:
    """gettext catalogue names for a page language: "pt-BR" -> ["pt_BR", "pt"]."""
    if not lang:
        return []
    parts = lang.replace("-", "_").split("_")
    full = parts[0].lower() + ("_" + parts[1].upper() if len(parts) > 1 and parts[1] else "")
    return list(dict.fromkeys([full, parts[0].lower()]))


@functools.cache
def _all_languages() -> tuple[str, ...]:
    import pycountry

    try:
        return tuple(sorted(os.listdir(pycountry.LOCALES_DIR)))
    except OSError:
        return ()


@functools.cache
def _localized(language: str) -> dict[str, str]:
    """{casefolded country name in `language`: alpha-2} from pycountry's ISO 3166-1 catalogue."""
    import pycountry

    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            english = getattr(country, attr, None)
            if english:
                translated = catalogue.gettext(english)
                if translated != english:
                    names.setdefault(translated.casefold(), country.alpha_2)
    return names
