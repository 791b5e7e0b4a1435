"""Chart geometry for server-rendered SVG: a line chart and a bar chart, as plain numbers and strings.

Pure functions (no Flask, no clock): a series of (label, value) pairs in, the shapes' coordinates,
axis ticks and hover texts out; the `_chart.html` macros draw them as inline SVG. No script: the
dashboard's CSP allows none, and a report (a self-contained HTML file or a PDF) must draw the same
chart with no request. A point's hover text is an SVG <title>, which every browser shows without
script. The creator page and the reports use the same functions.

A label is a `datetime`/`date` (the line chart then places points by time, and its x ticks are
dates) or any string (evenly spaced). A value of None is a gap: no point or bar, but its slot stays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

Label = datetime | date | str
Fmt = Callable[[float], str]

# The plot area's margins inside the SVG: room for the y tick texts on the left and x ticks below.
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 10, 24


def compact(value: float, digits: int = 1) -> str:
    """1234567 -> "1.2M", 25300 -> "25.3K", 1500 -> "1,500", 0.5 -> "0.5": for axis ticks. Under
    10,000 the figure is written out (a "1K" tick beside "950" reads oddly)."""
    v = abs(value)
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e4, "K")):
        if v >= size:
            scale = size if unit != "K" else 1e3
            return f"{value / scale:.{digits}f}".rstrip("0").rstrip(".") + unit
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def full(value: float) -> str:
    """The exact figure for hover texts: 1234567 -> "1,234,567"."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def label_text(label: Label) -> str:
    if isinstance(label, datetime):
        return label.strftime("%Y-%m-%d")
    if isinstance(label, date):
        return label.isoformat()
    return str(label)


def nice_ticks(lo: float, hi: float, count: int = 4, integer: bool = False) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering lo..hi, about
    `count` intervals. Equal lo and hi get a step around them; `integer` keeps steps whole."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        if lo < 0 <= hi - pad:
            lo = 0.0  # a flat positive line: no negative tick under it
    raw = (hi - lo) / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in multiples if m * mag >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, round(step))
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = int(round((last - first) / step))
    return [round(first + i * step, 10) for i in range(n + 1)]


def _moment(label: Label) -> float | None:
    if isinstance(label, datetime):
        when = label if label.tzinfo else label.replace(tzinfo=UTC)
        return when.timestamp()
    if isinstance(label, date):
        return datetime(label.year, label.month, label.day, tzinfo=UTC).timestamp()
    return None


def _spread(n: int, k: int) -> list[int]:
    """k indexes out of range(n), evenly spread, always the first and last (n >= 1)."""
    if n <= k:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def _distinct(marks: list[dict]) -> list[dict]:
    """One tick per text: two posts (or captures) of one day would print their date twice."""
    out: list[dict] = []
    for m in marks:
        if out and out[-1]["text"] == m["text"]:
            if m is marks[-1]:
                out[-1] = m  # the last tick ends the axis: keep its place
            continue
        out.append(m)
    return out


def _apart(marks: list[dict], room: float = 70.0) -> list[dict]:
    """The ticks far enough apart for their texts not to overlap (a date is ~60 px wide), the first
    and the last always kept: points by time can crowd at one end."""
    if len(marks) <= 2:
        return marks
    kept = [marks[0]]
    for m in marks[1:-1]:
        if m["x"] - kept[-1]["x"] >= room and marks[-1]["x"] - m["x"] >= room:
            kept.append(m)
    return kept + [marks[-1]]


def _under(bar: dict, width: int, char: float = 6.5) -> dict:
    """A bar's x tick: centred under it, unless its text (about `char` px a character at 11 px)
    would run past the SVG's edge: then it starts at the bar's left or ends at its right."""
    centre, half = bar["x"] + bar["w"] / 2, len(bar["label"]) * char / 2
    if centre - half < 0:
        return {"x": bar["x"], "text": bar["label"], "anchor": "start"}
    if centre + half > width:
        return {"x": round(bar["x"] + bar["w"], 1), "text": bar["label"], "anchor": "end"}
    return {"x": round(centre, 1), "text": bar["label"], "anchor": "middle"}


def _frame(width: int, height: int) -> dict[str, float]:
    return {"left": LEFT, "top": TOP, "right": width - RIGHT, "bottom": height - BOTTOM}


def _y_axis(ticks: list[float], frame: dict, fmt: Fmt) -> tuple[Callable[[float], float], list[dict]]:
    lo, hi = ticks[0], ticks[-1]
    span = (hi - lo) or 1.0

    def y_of(v: float) -> float:
        return round(frame["bottom"] - (v - lo) / span * (frame["bottom"] - frame["top"]), 1)

    texts = [fmt(t) for t in ticks]
    if fmt is compact:
        # ticks close together in a large number ("1.23M", "1.24M") need more digits to differ
        for digits in (2, 3, 4):
            if len(set(texts)) == len(texts):
                break
            texts = [compact(t, digits) for t in ticks]
    return y_of, [{"y": y_of(t), "text": text} for t, text in zip(ticks, texts, strict=True)]


def line_chart(series: Sequence[tuple[Label, float | None]], *, width: int = 640, height: int = 180,
               fmt: Fmt = compact, hover: Fmt = full, x_ticks: int = 5, what: str = "") -> dict[str, Any] | None:
    """A line through the series' values, or None under two points with a value.

    Points with date labels sit by time (a month's gap is wider than a day's); string labels are
    evenly spaced. The y axis covers the values' range with round ticks (not from zero: a follower
    line that moves 2 % would be flat otherwise). `what` names the values in hover texts
    ("followers"). Answers {width, height, frame, points: [{x, y, label, value, title}], line (the
    polyline's points), y_ticks: [{y, text}], x_ticks: [{x, text, anchor}], min, max, first, last}."""
    known = [(label, v) for label, v in series if v is not None]
    if len(known) < 2:
        return None
    frame = _frame(width, height)
    moments = [_moment(label) for label, _ in known]
    timed = all(m is not None for m in moments)
    if timed:
        t0, t1 = moments[0], moments[-1]
        span = (t1 - t0) or 1.0
        xs = [frame["left"] + (m - t0) / span * (frame["right"] - frame["left"]) for m in moments]
    else:
        step = (frame["right"] - frame["left"]) / (len(known) - 1)
        xs = [frame["left"] + i * step for i in range(len(known))]
    values = [float(v) for _, v in known]
    ticks = nice_ticks(min(values), max(values))
    y_of, y_ticks = _y_axis(ticks, frame, fmt)
    suffix = f" {what}" if what else ""
    points = [{"x": round(x, 1), "y": y_of(v), "label": label_text(label), "value": v,
               "title": f"{label_text(label)}: {hover(v)}{suffix}"}
              for x, (label, v) in zip(xs, known, strict=True)]
    marks = []
    for i in _spread(len(points), x_ticks):
        anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
        marks.append({"x": points[i]["x"], "text": points[i]["label"], "anchor": anchor})
    marks = _distinct(marks)
    if timed:
        marks = _apart(marks)
    return {"width": width, "height": height, "frame": frame, "points": points,
            "line": " ".join(f"{p['x']},{p['y']}" for p in points), "y_ticks": y_ticks, "x_ticks": marks,
            "min": min(values), "max": max(values), "first": points[0]["label"], "last": points[-1]["label"]}


def sparkline(series: Sequence[tuple[Label, float | None]], *, width: int = 640, height: int = 140,
              pad: int = 6) -> dict[str, Any] | None:
    """A bare line (no axes, no ticks) through the series, for a card or a table cell: the polyline's
    points by time (or evenly) from the lowest value at the bottom to the highest at the top, `pad`
    px inside the box; None under two points with a value. Answers {width, height, points (the
    polyline's), min, max, first, last}."""
    known = [(label, float(v)) for label, v in series if v is not None]
    if len(known) < 2:
        return None
    moments = [_moment(label) for label, _ in known]
    if all(m is not None for m in moments):
        t0, span_t = moments[0], (moments[-1] - moments[0]) or 1.0
        fractions = [(m - t0) / span_t for m in moments]
    else:
        fractions = [i / (len(known) - 1) for i in range(len(known))]
    values = [v for _, v in known]
    lo, hi = min(values), max(values)
    span_v = (hi - lo) or 1.0
    coords = [f"{pad + f * (width - 2 * pad):.1f},{height - pad - (v - lo) / span_v * (height - 2 * pad):.1f}"
              for f, v in zip(fractions, values, strict=True)]
    as_given = [v for _, v in series if v is not None]  # the values as given (ints stay ints)
    return {"points": " ".join(coords), "width": width, "height": height, "min": min(as_given),
            "max": max(as_given), "first": label_text(known[0][0]), "last": label_text(known[-1][0])}


def bar_chart(series: Sequence[tuple[Label, float | None]], *, width: int = 640, height: int = 160,
              fmt: Fmt = compact, hover: Fmt = full, what: str = "", reference: float | None = None,
              reference_text: str = "", x_ticks: int = 7, integer: bool = False,
              marked: Sequence[bool] | None = None,
              details: Sequence[str | None] | None = None) -> dict[str, Any] | None:
    """A bar per item from zero up, or None when no item has a value.

    Bars keep their slot when their value is None (a post that hides its views), with a hover text
    saying so. `reference` draws a level line across (a median), labelled `reference_text`.
    `integer` keeps the y ticks whole (counts of posts); `marked` (one flag per item) sets bars apart
    (paid posts); `details` (one per item) end its hover text (a post's title). Answers {width, height, frame, bars: [{x, y, w, h, label, value, title, marked}],
    y_ticks, x_ticks: [{x, text, anchor}], reference: {y, text} | None}."""
    if not series or all(v is None for _, v in series):
        return None
    frame = _frame(width, height)
    values = [float(v) for _, v in series if v is not None]
    top = max(values + ([reference] if reference is not None else []))
    ticks = nice_ticks(0.0, top if top > 0 else 1.0, integer=integer)
    y_of, y_ticks = _y_axis(ticks, frame, fmt)
    slot = (frame["right"] - frame["left"]) / len(series)
    gap = min(4.0, slot * 0.2)
    suffix = f" {what}" if what else ""
    bars = []
    flags = list(marked) if marked is not None else [False] * len(series)
    extra = [f" · {d}" if d else "" for d in details] if details is not None else [""] * len(series)
    for i, (label, v) in enumerate(series):
        x = frame["left"] + i * slot + gap / 2
        text = label_text(label)
        if v is None:
            bars.append({"x": round(x, 1), "y": frame["bottom"], "w": round(slot - gap, 1), "h": 0.0,
                         "label": text, "value": None, "title": f"{text}: not shown{extra[i]}", "marked": flags[i]})
            continue
        y = y_of(float(v))
        bars.append({"x": round(x, 1), "y": y, "w": round(slot - gap, 1), "h": round(frame["bottom"] - y, 1),
                     "label": text, "value": v, "title": f"{text}: {hover(float(v))}{suffix}{extra[i]}", "marked": flags[i]})
    marks = _distinct([_under(bars[i], width) for i in _spread(len(bars), x_ticks)])
    ref = None
    if reference is not None:
        ref = {"y": y_of(float(reference)), "text": reference_text or fmt(float(reference))}
    return {"width": width, "height": height, "frame": frame, "bars": bars, "y_ticks": y_ticks,
            "x_ticks": marks, "reference": ref}
