"""Crontab lines for watchlist refreshes: read as crontab means them, and judged on real firing times.

APScheduler 3.x's `CronTrigger.from_crontab` parses the line, with two fixes for crontab meaning:
its day-of-week numbers start at Monday (0 = Monday, 7 is refused) where crontab's start at Sunday
(0 and 7 = Sunday), so that field is rewritten to day names first; and when both day-of-month and
day-of-week are restricted, crontab fires on either (`0 0 1 * 1`: the 1st and every Monday) where
APScheduler wants both, so that case is two triggers, either firing.

A line is refused when it never fires (`0 0 31 2 *`) or when two of its firing times within a year
lie closer than the minimum interval (`* * * * *`: every minute).
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from functools import lru_cache
from typing import Any

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: 0 (and 7) = Sunday
WINDOW = timedelta(days=366)


class CronError(ValueError):
    """A crontab line kolscope will not schedule; the message says why."""


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token in _DAY_NAMES:
        return _DAY_NAMES.index(token)
    if token.isascii() and token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    raise CronError(f"day of week {token!r} is not 0-7 or sun-sat")


def _weekdays(field: str) -> str:
    """crontab's day-of-week field as APScheduler day names ("1-5" -> "mon,tue,wed,thu,fri")."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) < 1:
                raise CronError(f"day-of-week step {step_text!r} is not a positive number")
            step = int(step_text)
        if span == "*":
            lo, hi = 0, 6
        elif "-" in span:
            lo, hi = (_day_number(t) for t in span.split("-", 1))
            if lo > hi:
                raise CronError(f"day-of-week range {span!r} runs backwards")
        else:
            lo = _day_number(span)
            hi = 7 if slash else lo  # crontab: "1/2" is "1-7/2"
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(days))


def _fields(line: str) -> tuple[str, str, str, str, str]:
    if not isinstance(line, str):
        raise CronError("a crontab line is text")
    fields = line.split()
    if len(fields) != 5:
        raise CronError(f"a crontab line has 5 fields (minute hour day month weekday), not {len(fields)}")
    minute, hour, day, month, weekday = fields
    return minute, hour, day, month, _weekdays(weekday)


def _triggers(line: str, timezone: Any, years: str | None = None) -> list[Any]:
    """One trigger per crontab reading of the line (two when day and weekday are both restricted:
    crontab fires when either matches). `years` bounds them (for searches that must end)."""
    from apscheduler.triggers.cron import CronTrigger

    minute, hour, day, month, days = _fields(line)
    weekday = line.split()[4]
    if day.startswith("*") or weekday.startswith("*"):
        lines = [(minute, hour, day, month, days)]
    else:
        lines = [(minute, hour, day, month, "*"), (minute, hour, "*", month, days)]
    try:
        if years is None:
            return [CronTrigger.from_crontab(" ".join(f), timezone=timezone) for f in lines]
        return [CronTrigger(year=years, minute=f[0], hour=f[1], day=f[2], month=f[3], day_of_week=f[4],
                            timezone=timezone) for f in lines]
    except ValueError as exc:
        raise CronError(str(exc)) from None


def _one(triggers: list[Any]) -> Any:
    from apscheduler.triggers.combining import OrTrigger

    return triggers[0] if len(triggers) == 1 else OrTrigger(triggers)


def crontab_trigger(line: str, timezone: Any = "UTC") -> Any:
    """The APScheduler trigger of a crontab line (minute hour day month weekday); CronError if the
    line is not one."""
    triggers = _triggers(line, timezone)
    if len(triggers) > 1:
        # a half that never fires ("31 2" with a weekday) would make each next-run search run to 9999
        now = datetime.now(UTC)
        bounded = _triggers(line, UTC, years=f"{now.year}-{now.year + 30}")
        alive = [t for t, b in zip(triggers, bounded) if b.get_next_fire_time(None, now) is not None]
        triggers = alive or triggers
    return _one(triggers)


def short_gap(line: str, start: datetime, floor: timedelta) -> tuple[datetime | None, timedelta | None]:
    """(the line's first firing time from `start`, a gap shorter than `floor` between two of its
    firings within the year after that, or None when there is none).

    The first firing is searched for over 30 years (a year-bounded twin of the trigger: APScheduler's
    own search for a date that never comes runs to year 9999). Every firing day of a crontab line
    fires at the same times of day (UTC), so the first firing day gives those times; the gap across
    midnight is at least a day minus their spread, and only when that can be short are the firing
    days of the year walked.
    """
    trigger = _one(_triggers(line, UTC, years=f"{start.year}-{start.year + 30}"))
    first = trigger.get_next_fire_time(None, start)
    if first is None:
        return None, None
    second = timedelta(seconds=1)
    midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
    times = [trigger.get_next_fire_time(None, midnight)]  # the whole first firing day
    day_end = midnight + timedelta(days=1) - second
    while True:
        nxt = trigger.get_next_fire_time(times[-1], times[-1] + second)
        if nxt is None or nxt > day_end:
            break
        if nxt - times[-1] < floor:
            return first, nxt - times[-1]
        times.append(nxt)
    spread = times[-1] - times[0]
    if timedelta(days=1) - spread >= floor:
        return first, None
    last_offset, last, end = times[-1] - midnight, times[-1], first + WINDOW
    while True:
        nxt = trigger.get_next_fire_time(last, last + second)
        if nxt is None or nxt > end:
            return first, None
        if nxt - last < floor:
            return first, nxt - last
        last = nxt.replace(hour=0, minute=0, second=0, microsecond=0) + last_offset


def check_crontab(line: str, min_interval: timedelta, now: datetime | None = None) -> Any:
    """The trigger of `line`, or CronError: not a crontab line, never fires, or fires more often
    than every `min_interval`."""
    trigger = crontab_trigger(line)
    first, gap = short_gap(line, now or datetime.now(UTC), min_interval)
    if first is None:
        raise CronError("it never fires (no such date: February 30th, April 31st, ...)")
    if gap is not None:
        raise CronError(f"it fires {_span(gap)} apart at times; refreshes must be at least "
                        f"{_span(min_interval)} apart")
    return trigger


@lru_cache(maxsize=256)
def stored_crontab_problem(line: str, min_minutes: int) -> str | None:
    """Why the scheduler must not use a stored line (saved before the API checked it), or None."""
    try:
        check_crontab(line, timedelta(minutes=min_minutes))
    except CronError as exc:
        return str(exc)
    return None


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if minutes >= 1:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{int(delta.total_seconds())} seconds"
