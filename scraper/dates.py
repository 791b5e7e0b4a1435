"""Dates as pages show them ("3 weeks ago", "vor 2 Tagen", "24 Aug 2019", "Streamed 2 hours ago") to ISO-8601.

Relative dates are resolved against the capture time, so a snapshot says when a post was published,
not how long before some unknown moment. Months count 30 days and years 365: the page itself rounds.
A grid shows many posts with the same rounded label ("2 months ago" six times): `spread_iso` keeps
their page order as distinct times inside that label's span instead of stacking them on one instant.

Linear time on any text: a date is read from its first 200 characters with str scans and one
`\\d+` search (no backtracking pattern), so a megabyte of digits or letters in a published-time
field costs a scan, not a hang.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from scraper.times import iso, parse_time

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_SECONDS = {"second": 1, "minute": _MINUTE, "hour": _HOUR, "day": _DAY, "week": 7 * _DAY,
            "month": 30 * _DAY, "year": 365 * _DAY}

# Unit words (prefixes, lower case) in the languages the platforms render relative dates in.
_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "second": ("sec", "seg", "sek", "сек", "秒", "초", "giây", "detik", "saniye", "second"),
    "minute": ("min", "мин", "分", "분", "phút", "menit", "dakika", "minute"),
    "hour": ("hour", "hr", "stunde", "std", "hora", "heure", "ora", "ore", "uur", "час", "時間", "小时", "小時",
             "시간", "giờ", "jam", "saat", "godzin"),
    "day": ("day", "tag", "día", "dia", "jour", "giorn", "dag", "дн", "день", "дня", "日", "天", "일",
            "ngày", "hari", "gün", "dni", "dzień"),
    "week": ("week", "woche", "semana", "semaine", "settiman", "недел", "週", "周", "주", "tuần", "minggu",
             "hafta", "tydz", "tygodn"),
    "month": ("month", "monat", "mes", "mois", "mese", "maand", "месяц", "месяцев", "か月", "ヶ月", "个月",
              "個月", "개월", "tháng", "bulan", "ay", "miesi"),
    "year": ("year", "yr", "jahr", "año", "ano", "an", "anno", "anni", "jaar", "год", "лет", "年", "년", "năm",
             "tahun", "yıl", "rok", "lat"),
}
# The short forms post grids print: "3d", "5h", "2w", "1y", "12m" (minutes), "1mo".
_COMPACT = {"s": "second", "m": "minute", "min": "minute", "h": "hour", "d": "day", "w": "week",
            "mo": "month", "y": "year"}
# Longest first, so "minggu" (Indonesian week) wins over "min" and "month" over "mo".
_PREFIXES = sorted(((w, unit) for unit, words in _UNIT_WORDS.items() for w in words), key=lambda p: -len(p[0]))
# by first character, longest first within each: a digit run tries a handful of words, not all 120
_PREFIXES_BY_FIRST: dict[str, list[tuple[str, str]]] = {}
for _word, _unit in _PREFIXES:
    _PREFIXES_BY_FIRST.setdefault(_word[0], []).append((_word, _unit))
# "a day ago", "an hour ago", "vor einem Tag", "il y a un jour", "hace una semana": the number one as a word.
_ONE_WORDS = ("a", "an", "one", "ein", "eine", "einem", "einer", "un", "une", "una", "uno", "um", "uma", "bir")
_YESTERDAY = ("yesterday", "gestern", "hier", "ayer", "ontem", "ieri", "gisteren", "вчера", "昨天", "昨日", "어제",
              "hôm qua", "kemarin", "dün", "wczoraj")
_JUST_NOW = ("just now", "gerade eben", "à l'instant", "ahora mismo", "agora mesmo", "только что", "刚刚",
             "たった今", "now", "today", "heute", "aujourd'hui", "hoy", "hoje", "oggi", "vandaag", "сегодня",
             "今天", "今日", "오늘", "hôm nay", "hari ini", "bugün", "dzisiaj")
_PREFIX_WORDS = ("premiered on ", "streamed live on ", "streamed on ", "published on ", "uploaded on ",
                 "premiered ", "streamed live ", "streamed ", "published ", "uploaded ", "updated ")
_ABSOLUTE_FORMATS = (
    "%d %b %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%Y-%m-%d", "%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M",
    "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%b %d %Y",
)
# A date without its year ("Nov 5", "1-23"): this year's, or last year's when that is ahead.
_YEARLESS_FORMATS = ("%b %d", "%d %b", "%B %d", "%d %B", "%m-%d")
_DIGITS = re.compile(r"\d+")
_MAX_CHARS = 200


def _unit_at(low: str, pos: int, compact: bool = True) -> str | None:
    """The unit whose word starts at `pos` of `low` (spaces skipped), or None."""
    start = pos
    while pos < len(low) and low[pos] in " \u00a0\u202f\t":
        pos += 1
    rest = low[pos:pos + 12]
    for word, unit in _PREFIXES_BY_FIRST.get(rest[:1], ()):
        if rest.startswith(word):
            after = rest[len(word):]
            if len(word) <= 2 and word.isascii() and after[:1].isalpha() and \
                    not (after[:1] == "s" and not after[1:2].isalpha()):
                continue  # "an" of "another", "ay" of "ayer": a word, not a unit ("ans", "hrs" are)
            return unit
    if compact and pos == start:
        # the short forms only right after the number ("3d", "5h"), never as a word of their own
        for word in ("mo", "min", "s", "m", "h", "d", "w", "y"):
            if rest.startswith(word) and not rest[len(word):len(word) + 1].isalpha():
                return _COMPACT[word]
    return None


def relative_seconds(text: object, *, compact: bool = True) -> tuple[int, int] | None:
    """How long ago a relative date says, and the span of its unit: (seconds, unit seconds), or None.

    "3 weeks ago" -> (1814400, 604800); "yesterday" -> (86400, 86400); "just now" -> (0, 60).
    `compact=False` leaves out "3d" / "12m" (for pages that never print them, where "13m views" is a count).
    """
    if not isinstance(text, str):
        return None
    low = text.strip()[:_MAX_CHARS].lower()
    if not low:
        return None
    for m in _DIGITS.finditer(low):
        if len(m.group(0)) > 6 or (m.start() > 0 and low[m.start() - 1] in ":-/.,"):
            continue  # an id, or part of a time, a date or a decimal ("20:19", "2019-08", "1.5")
        unit = _unit_at(low, m.end(), compact)
        if unit is not None:
            return int(m.group(0)) * _SECONDS[unit], _SECONDS[unit]
    # "a day ago", "vor einem Tag", "il y a un mois", "an hour ago": the number one as a word
    words = low.split()
    for i, word in enumerate(words[:-1]):
        if word in _ONE_WORDS:
            unit = _unit_at(words[i + 1], 0, compact=False)
            if unit is not None:
                return _SECONDS[unit], _SECONDS[unit]
    if any(low.startswith(w) or f" {w}" in low for w in _YESTERDAY):
        return _DAY, _DAY
    if any(low.startswith(w) for w in _JUST_NOW):
        return 0, _MINUTE
    return None


def looks_like_date(text: object) -> bool:
    """True when `text` names a date ("3 weeks ago", "Streamed 2 days ago", "Jan 5, 2024"), not a count."""
    if not isinstance(text, str) or not text.strip():
        return False
    text = text.strip()[:_MAX_CHARS]
    return relative_seconds(text, compact=False) is not None or _absolute(text, None) is not None \
        or parse_time(text) is not None


def to_iso(text: object, reference: str | None) -> str | None:
    """The ISO-8601 form of a displayed date, resolved against `reference` (the capture time).

    An ISO date passes through unchanged; text that names no date gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()[:_MAX_CHARS]
    if parse_time(text) is not None:
        return text
    ref = parse_time(reference) if isinstance(reference, str) else None
    # relative first: most grid dates are, and a failed strptime per format cost half a channel page's parse
    # (no absolute form has a number followed by a unit word)
    ago = relative_seconds(text)
    if ago is not None:
        return iso(ref - timedelta(seconds=ago[0])) if ref is not None else None
    return _absolute(text, ref)


def _absolute(text: str, ref: datetime | None) -> str | None:
    cleaned = text
    low = text.lower()
    for prefix in _PREFIX_WORDS:
        if low.startswith(prefix):
            cleaned = text[len(prefix):].strip()
            break
    # a failed strptime is slow (~30 µs): with a time in the text, the formats with one go first
    timed = ":" in cleaned
    for fmt in sorted(_ABSOLUTE_FORMATS, key=lambda f: ("%H" in f) != timed):
        try:
            when = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        if when.tzinfo is None:
            return when.date().isoformat() if "%H" not in fmt else iso(when.replace(tzinfo=UTC))
        return iso(when.astimezone(UTC))
    if ref is None:
        return None
    for fmt in _YEARLESS_FORMATS:
        try:
            # strptime needs the year to accept 29 February: parse with the reference year given
            when = datetime.strptime(f"{ref.year} {cleaned}", f"%Y {fmt}")
        except ValueError:
            continue
        if when.date() > ref.date():
            try:
                when = when.replace(year=ref.year - 1)
            except ValueError:
                continue
        return when.date().isoformat()
    return None


def spread_iso(texts: list[object], reference: str | None) -> list[str | None]:
    """`to_iso` of each text of a newest-first list, where a run of the same rounded relative label
    ("2 months ago" six times) gets distinct times inside that label's span, in page order.

    Relative labels are floored ("2 months ago" is 2 to 3 months): the k posts of a run of one label sit at
    label + i/k of a unit, so the order survives and the gaps stay what the page allows (about a
    unit / k) instead of zero ("posts every 0.0 days"). A single label keeps its own time.
    """
    out: list[str | None] = [to_iso(t, reference) for t in texts]
    ref = parse_time(reference) if isinstance(reference, str) else None
    if ref is None:
        return out
    i = 0
    while i < len(texts):
        text = texts[i]
        ago = relative_seconds(text) if isinstance(text, str) and parse_time(text.strip()) is None else None
        j = i + 1
        while j < len(texts) and ago is not None and texts[j] == text:
            j += 1
        if ago is not None and j - i > 1 and out[i] is not None:
            seconds, span = ago
            run = j - i
            for k in range(run):
                out[i + k] = iso(ref - timedelta(seconds=seconds + span * k / run))
        i = j
    return out


def epoch_iso(ts: object) -> str | None:
    """ISO-8601 UTC from epoch seconds (an int or a digit string, as page JSON carries post times);
    None for a missing, zero, negative or out-of-range value."""
    from scraper.counts import int_or_none

    seconds = int_or_none(ts)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return None
