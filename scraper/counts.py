"""parse_count and friends: "1.2M", "25 Mio.", "1,2 mil", "1.2万", "12 lakh" in every locale a user meets.

A count without a unit is an integer in every language: "1.000", "469.694" and "1,100" are
thousands (as in yt-dlp's `parse_count` table), so a German watch page's "469.694" likes read the
same whether or not the surface that shows them (a comment answer, a `/next` body) says its language.
With a unit the page's language (`lang`, e.g. "de", "pt-BR", "tr") decides what is ambiguous:
Turkish "B" is thousand (bin) but English "B" is billion; "1,234 Mio." is a decimal in German, and
"1,234K" a grouped thousand in English. A separator followed by one or two digits is a decimal
point in every language ("1,2 Mio.", "1.2M": nobody groups by one or two digits).

Linear time on any input (the parser feeds it page text): one bounded scan for the number, no
backtracking regex.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Languages that write the decimal separator as a comma (and group with "." or spaces).
COMMA_DECIMAL = {
    "de", "fr", "es", "pt", "it", "nl", "ru", "uk", "pl", "tr", "id", "vi", "cs", "sk", "sv", "da",
    "fi", "nb", "no", "nn", "ro", "hu", "el", "bg", "hr", "sr", "sl", "lt", "lv", "et", "ca", "gl",
    "eu", "az", "kk", "be", "ka", "mk", "sq", "bs", "is", "af", "uz", "ky", "mn", "fil", "ms",
}

# unit -> multiplier; language-specific overrides below. Longest units are tried first.
_UNITS: dict[str, int] = {
    # English and the Latin-script shorthands most platforms use in every locale
    "k": 10**3, "K": 10**3, "thousand": 10**3,
    # the Slavic "thousand thousand" (yt-dlp: parse_count('1.1kk') == 1100000)
    "kk": 10**6, "KK": 10**6, "кк": 10**6,
    "m": 10**6, "M": 10**6, "mn": 10**6, "Mn": 10**6, "million": 10**6, "millions": 10**6,
    "b": 10**9, "B": 10**9, "bn": 10**9, "billion": 10**9,
    # German
    "Tsd": 10**3, "Tsd.": 10**3, "Tausend": 10**3, "Mio": 10**6, "Mio.": 10**6, "Millionen": 10**6,
    "Million": 10**6, "Mrd": 10**9, "Mrd.": 10**9, "Milliarden": 10**9,
    # Spanish / Portuguese / Italian / French / Dutch / Polish / Czech
    "mil": 10**3, "mi": 10**6, "mill": 10**6, "mill.": 10**6, "bi": 10**9, "mln": 10**6, "Mln": 10**6,
    "mld": 10**9, "Mld": 10**9, "Md": 10**9, "Mds": 10**9, "tys": 10**3, "tys.": 10**3,
    "tis": 10**3, "tis.": 10**3, "mil.": 10**3, "millones": 10**6, "milhões": 10**6, "milhão": 10**6,
    "millón": 10**6, "milioni": 10**6, "milione": 10**6, "miljoen": 10**6, "mille": 10**3,
    # Russian / Ukrainian
    "тыс": 10**3, "тыс.": 10**3, "тис": 10**3, "тис.": 10**3, "млн": 10**6, "млн.": 10**6,
    "млрд": 10**9, "млрд.": 10**9, "К": 10**3, "М": 10**6,
    # Indonesian / Malay
    "rb": 10**3, "ribu": 10**3, "jt": 10**6, "juta": 10**6,
    # Vietnamese
    "N": 10**3, "nghìn": 10**3, "ngàn": 10**3, "Tr": 10**6, "tr": 10**6, "triệu": 10**6, "T": 10**9, "tỷ": 10**9,
    # Turkish
    "bin": 10**3, "Mr": 10**9, "milyon": 10**6, "milyar": 10**9,
    # South Asian
    "lakh": 10**5, "lakhs": 10**5, "Lakh": 10**5, "L": 10**5, "lac": 10**5, "crore": 10**7, "crores": 10**7,
    "Cr": 10**7, "cr": 10**7, "लाख": 10**5, "करोड़": 10**7, "हज़ार": 10**3, "हजार": 10**3,
    # CJK and Thai (no word boundary needed)
    "千": 10**3, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "천": 10**3, "만": 10**4, "억": 10**8,
    "พัน": 10**3, "หมื่น": 10**4, "แสน": 10**5, "ล้าน": 10**6,
    # Arabic
    "ألف": 10**3, "آلاف": 10**3, "مليون": 10**6, "مليار": 10**9,
}

# Where a language reads a unit differently from English.
_LANG_UNITS: dict[str, dict[str, int]] = {
    "tr": {"B": 10**3, "b": 10**3, "Mn": 10**6, "Mr": 10**9},
    "id": {"M": 10**9, "m": 10**9},          # Indonesian "M" = miliar
    "ms": {"J": 10**6, "B": 10**9},
    "vi": {"N": 10**3, "T": 10**9, "B": 10**9},
    "es": {"M": 10**6, "mil": 10**3},
    "pt": {"mil": 10**3, "mi": 10**6, "bi": 10**9},
    "fr": {"k": 10**3, "M": 10**6, "Md": 10**9, "G": 10**9},
    "it": {"Mln": 10**6, "Mld": 10**9},
}

_CJK_UNITS = {"千", "万", "萬", "亿", "億", "천", "만", "억", "พัน", "หมื่น", "แสน", "ล้าน"}
_UNIT_KEYS = sorted(set(_UNITS) | {u for d in _LANG_UNITS.values() for u in d}, key=len, reverse=True)
# Units by first character (longest first within each): a count text tries a handful of units, not all.
_UNITS_BY_FIRST: dict[str, list[str]] = {}
for _unit in _UNIT_KEYS:
    _UNITS_BY_FIRST.setdefault(_unit[0], []).append(_unit)

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_SPACES = "\u00a0\u202f\u2009\u2007 '’"
_NUMBER = re.compile(r"\d(?:[\d.,\u00a0\u202f\u2009\u2007 '’]*\d)?")
_MAX_NUMBER_CHARS = 40
_MAX_TEXT_CHARS = 1000
_NO_COUNT = re.compile(r"^\s*(no|none|keine|aucun|aucune|ningún|ninguna|nenhum|nessun)\b", re.I)


def _lang_base(lang: str | None) -> str:
    """"pt-BR" -> "pt"; "" when the language is unknown (English units, the decimal reading)."""
    if not lang:
        return ""
    return lang.replace("_", "-").split("-")[0].lower()


def _unit_after(text: str, pos: int, lang: str) -> tuple[int, str | None]:
    """Find a unit right after the number ending at `pos`; return (multiplier, unit)."""
    rest = text[pos:pos + 16].lstrip(" \u00a0\u202f\u2009")
    overrides = _LANG_UNITS.get(lang, {})
    for unit in _UNITS_BY_FIRST.get(rest[:1], ()):
        if not rest.startswith(unit):
            continue
        after = rest[len(unit):len(unit) + 1]
        if unit not in _CJK_UNITS and after and (after.isalpha()):
            continue  # "m" of "members", "B" of "Beiträge": a word, not a unit
        if unit in overrides:
            return overrides[unit], unit
        if unit in _UNITS:
            return _UNITS[unit], unit
    return 1, None


def _to_decimal(num: str, lang: str, has_unit: bool) -> Decimal | None:
    for ch in _SPACES:
        num = num.replace(ch, "")
    dots, commas = num.count("."), num.count(",")
    if dots and commas:
        dec = "." if num.rfind(".") > num.rfind(",") else ","
        grp = "," if dec == "." else "."
        if num.count(dec) > 1:
            return None
        num = num.replace(grp, "").replace(dec, ".")
    elif dots or commas:
        sep = "." if dots else ","
        count = dots or commas
        tail = num.rsplit(sep, 1)[1]
        if count > 1:
            # "1.234.567": grouping; check groups of three
            parts = num.split(sep)
            if any(len(p) != 3 for p in parts[1:]):
                return None
            num = num.replace(sep, "")
        elif len(tail) != 3:
            num = num.replace(sep, ".")  # "1,2 Mio.", "1.2M", "1,5": a decimal in every language
        elif not has_unit:
            num = num.replace(sep, "")  # "1.000", "469.694", "1,100 views": an integer in every language
        else:
            # "1,234 Mio." / "1,234K": the page's language decides; unknown, the decimal reading (yt-dlp's)
            comma_decimal = lang in COMMA_DECIMAL
            is_decimal = lang == "" or (sep == ",") == comma_decimal
            num = num.replace(sep, "." if is_decimal else "")
    try:
        return Decimal(num)
    except InvalidOperation:
        return None


def parse_count_ex(text: object, lang: str | None = None) -> tuple[int | None, bool]:
    """Parse a displayed count; return (value, approximate).

    `approximate` is True when the text was rounded ("5.03M", "1,2 mil"), False for an exact integer.
    Integers pass through. Text without a number gives (None, False); "No views" gives (0, False).
    """
    if text is None or isinstance(text, bool):
        return None, False
    if isinstance(text, int):
        return text, False
    if isinstance(text, float):
        return (int(text), False) if text == text and abs(text) != float("inf") else (None, False)
    if not isinstance(text, str):
        return None, False
    s = text[:_MAX_TEXT_CHARS].translate(_DIGITS)  # a count text is short; a 1 MB one is read by its start
    m = _NUMBER.search(s)
    if not m:
        if _NO_COUNT.match(s):
            return 0, False
        return None, False
    base = _lang_base(lang)
    num = m.group(0).rstrip(" '’.,")
    if len(num) > _MAX_NUMBER_CHARS:
        return None, False  # no count has 30 digits: a digit run of a broken page, not a number to multiply
    mult, unit = _unit_after(s, m.start() + len(num), base)
    if unit == "mil" and base in ("es",):
        # Spanish "mil M" (a thousand million) = billion
        rest = s[m.start() + len(num):].lstrip()[3:].lstrip()
        if rest.startswith("M") and not rest[1:2].isalpha():
            mult = 10**9
    value = _to_decimal(num, base, unit is not None)
    if value is None:
        return None, False
    exact = mult == 1 and value == value.to_integral_value()
    return int((value * mult).to_integral_value()), not exact


def parse_count(text: object, lang: str | None = None) -> int | None:
    """Parse a displayed count ("1.2M subscribers", "25 Mio. Abonnenten", "1.2万") to an int."""
    return parse_count_ex(text, lang)[0]


def int_or_none(value: object) -> int | None:
    """An exact integer from JSON (int or digit string), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
