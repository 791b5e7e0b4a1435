"""Dates as pages show them ("3 weeks ago", "vor 2 Tagen", "24 Aug 2019", "Streamed 2 hours ago") to ISO-8601.

Relative dates are resolved against the capture time, so a snapshot says when a post was published,
not how long before some unknown moment. Months count 30 days and years 365: the page itself rounds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
            "month": 30 * 86400, "year": 365 * 86400}

# unit words (prefixes) in the languages YouTube and TikTok render relative dates in
# (week before minute: Indonesian "minggu" is a week, not "min")
_UNIT_WORDS = [
    ("second", r"sec|seg|sek|сек|秒|초"),
    ("week", r"week|woche|semana|semaine|settiman|недел|週|周|주|tuần|minggu|hafta"),
    ("minute", r"min|мин|分|분"),
    ("hour", r"hour|hr|stunde|std|hora|heure|ora|uur|час|時間|小时|小時|시간|giờ|jam|saat"),
    ("day", r"day|tag|día|dia|jour|giorn|dag|дн|день|дня|日|天|일|ngày|hari|gün"),
    ("month", r"month|monat|mes|mois|mese|maand|месяц|месяцев|か月|ヶ月|个月|個月|개월|tháng|bulan|ay"),
    ("year", r"year|jahr|año|ano|an|anno|jaar|год|лет|年|년|năm|tahun|yıl"),
]
_RELATIVE = re.compile(
    r"(\d+)\s*(" + "|".join(f"(?P<{name}>{words})" for name, words in _UNIT_WORDS) + ")",
    re.IGNORECASE,
)
_ABSOLUTE_FORMATS = (
    "%d %b %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y", "%Y-%m-%d", "%a %b %d %H:%M:%S %z %Y",
)
_JUST_NOW = re.compile(r"just now|gerade eben|à l'instant|ahora mismo|agora mesmo|только что|刚刚|たった今", re.I)


def _parse_iso(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def to_iso(text: object, reference: str | None) -> str | None:
    """The ISO-8601 form of a displayed date, resolved against `reference` (the capture time).

    An ISO date passes through unchanged; text that names no date gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    if _parse_iso(text) is not None:
        return text
    ref = _parse_iso(reference) if isinstance(reference, str) else None
    m = _RELATIVE.search(text)
    if m and ref is not None:
        unit = next(name for name, _ in _UNIT_WORDS if m.group(name))
        when = ref - timedelta(seconds=int(m.group(1)) * _SECONDS[unit])
        return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if _JUST_NOW.search(text) and ref is not None:
        return ref.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    cleaned = re.sub(r"^(premiered|streamed live on|streamed on|published on|uploaded on|premiered on)\s+", "",
                     text, flags=re.I)
    for fmt in _ABSOLUTE_FORMATS:
        try:
            when = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        if when.tzinfo is None:
            return when.date().isoformat()
        return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return None
