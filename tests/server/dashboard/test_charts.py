"""The chart geometry (server/dashboard/charts.py): where points, bars and ticks land, and the hover
texts, checked by hand-computed numbers; and that the SVG macros draw them as text, not markup."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask, render_template_string

from server.dashboard.charts import LEFT, TOP, bar_chart, compact, line_chart, nice_ticks, sparkline

# width 256, height 134: the plot spans x 56..244 (188 px) and y 10..110 (100 px)
W, H = 256, 134


def day(d: int, month: int = 1) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


def test_line_chart_places_points_by_time_and_value():
    assert line_chart([(day(1), 5)]) is None  # one point is no line
    assert line_chart([(day(1), 5), (day(2), None)]) is None
    chart = line_chart([(day(1), 100), (day(11), 300), (day(21), None), (day(31), 200)],
                       width=W, height=H, what="followers")
    assert chart["frame"] == {"left": LEFT, "top": TOP, "right": 244, "bottom": 110}
    xs = [p["x"] for p in chart["points"]]
    ys = [p["y"] for p in chart["points"]]
    assert xs == [56.0, 118.7, 244.0]  # by time: 10 of 30 days is a third of the 188 px
    assert ys == [110.0, 10.0, 60.0]  # the lowest tick at the bottom, the highest at the top
    assert chart["line"] == "56.0,110.0 118.7,10.0 244.0,60.0"
    assert [t["text"] for t in chart["y_ticks"]] == ["100", "150", "200", "250", "300"]
    assert [t["y"] for t in chart["y_ticks"]] == [110.0, 85.0, 60.0, 35.0, 10.0]
    assert (chart["min"], chart["max"], chart["first"], chart["last"]) == (100, 300, "2026-01-01", "2026-01-31")
    assert chart["points"][1]["title"] == "2026-01-11: 300 followers"
    # the dates on the x axis: first and last anchored inside the plot
    assert [(t["text"], t["anchor"]) for t in chart["x_ticks"]][0] == ("2026-01-01", "start")
    assert [(t["text"], t["anchor"]) for t in chart["x_ticks"]][-1] == ("2026-01-31", "end")


def test_line_chart_x_ticks_keep_the_ends_and_never_overlap():
    # nine captures on consecutive days, then one a year later: the early dates crowd at the left
    series = [(day(d), 1000 + d) for d in range(1, 10)] + [(datetime(2027, 1, 1, tzinfo=UTC), 2000)]
    chart = line_chart(series, width=640, height=180, x_ticks=5)
    marks = chart["x_ticks"]
    assert marks[0]["text"] == "2026-01-01" and marks[-1]["text"] == "2027-01-01"
    assert all(b["x"] - a["x"] >= 70 for a, b in zip(marks, marks[1:], strict=False))
    # evenly spaced string labels, five ticks out of ten
    even = line_chart([(f"p{i}", i) for i in range(10)], width=W, height=H, x_ticks=5)
    assert [p["x"] for p in even["points"]][:3] == [56.0, 76.9, 97.8]
    assert [t["text"] for t in even["x_ticks"]] == ["p0", "p2", "p4", "p7", "p9"]


def test_line_chart_with_dates_and_a_flat_line():
    chart = line_chart([(date(2026, 3, 1), 50), (date(2026, 3, 2), 50)], width=W, height=H)
    assert chart["first"] == "2026-03-01"
    ticks = [float(t["text"]) for t in chart["y_ticks"]]
    assert ticks[0] < 50 < ticks[-1]  # a flat line sits inside the axis, not on its edge
    assert chart["points"][0]["y"] == chart["points"][1]["y"]


def test_bar_chart_from_zero_with_gaps_marks_and_a_reference():
    assert bar_chart([]) is None
    assert bar_chart([("a", None)]) is None
    chart = bar_chart([("a", 100), ("b", None), ("c", 50), ("d", 200)], width=W, height=H, what="views",
                      reference=75, reference_text="median 75", marked=[False, False, True, False],
                      details=["first post", None, "paid one", None])
    bars = chart["bars"]
    # four slots of 47 px with a 4 px gap: bars 43 px wide from x 58, 105, 152, 199
    assert [b["x"] for b in bars] == [58.0, 105.0, 152.0, 199.0] and {b["w"] for b in bars} == {43.0}
    # ticks 0..200 by 50: 200 reaches the top (y 10), 100 half way
    assert [t["text"] for t in chart["y_ticks"]] == ["0", "50", "100", "150", "200"]
    assert [(b["y"], b["h"]) for b in bars] == [(60.0, 50.0), (110, 0.0), (85.0, 25.0), (10.0, 100.0)]
    assert bars[1]["value"] is None and bars[1]["title"] == "b: not shown"
    assert bars[0]["title"] == "a: 100 views · first post"
    assert [b["marked"] for b in bars] == [False, False, True, False]
    assert chart["reference"] == {"y": 72.5, "text": "median 75"}


def test_bar_chart_integer_ticks_for_counts():
    chart = bar_chart([("Mon", 1), ("Tue", 3), ("Wed", 0)], integer=True)
    assert [t["text"] for t in chart["y_ticks"]] == ["0", "1", "2", "3"]


@pytest.mark.parametrize(("lo", "hi", "want"), [
    (800, 950, [800, 850, 900, 950]),
    (0, 1, [0, 0.25, 0.5, 0.75, 1]),
    (1_234_000, 1_240_000, [1_234_000, 1_236_000, 1_238_000, 1_240_000]),
    (0, 13_500_000, [0, 5_000_000, 10_000_000, 15_000_000]),
])
def test_nice_ticks(lo, hi, want):
    assert nice_ticks(lo, hi) == want


def test_compact_numbers():
    assert [compact(v) for v in (800, 1000, 9_500, 25_300, 1_234_567, 2e9, 0.5)] == [
        "800", "1,000", "9,500", "25.3K", "1.2M", "2B", "0.5"]
    assert compact(1_234_567, 3) == "1.235M"


def test_close_ticks_of_a_large_number_get_the_digits_to_differ():
    chart = line_chart([(day(1), 1_234_000), (day(2), 1_240_000)])
    assert [t["text"] for t in chart["y_ticks"]] == ["1.234M", "1.236M", "1.238M", "1.24M"]


def test_macros_draw_titles_as_text():
    """A hover text holds a post's title (data): the macro escapes it."""
    app = Flask(__name__, template_folder=str(__import__("server").__path__[0] + "/templates"))
    chart = bar_chart([("2026-01-01", 10), ("2026-01-02", None)], details=["<script>x()</script>", None])
    line = line_chart([(day(1), 1), (day(2), 2)])
    with app.app_context():
        html = render_template_string('{% from "_chart.html" import bar_chart, line_chart %}'
                                      '{{ bar_chart(c, "views") }}{{ line_chart(l, "followers") }}', c=chart, l=line)
    assert "<script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert html.count("<svg") == 2 and html.count("<title>") == 4 and "<polyline" in html
    assert 'class="bar unknown"' in html  # the hidden count keeps its slot


def test_bar_ticks_stay_inside_the_svg():
    chart = bar_chart([(f"2026-01-{d:02d}", d) for d in range(1, 31)], width=640, x_ticks=7)
    marks = chart["x_ticks"]
    last = chart["bars"][-1]
    # a date is ~65 px wide: centred under the last 19 px bar it would pass the right edge (640)
    assert marks[-1] == {"x": round(last["x"] + last["w"], 1), "text": "2026-01-30", "anchor": "end"}
    assert marks[0]["anchor"] == "middle" and marks[0]["x"] == round(chart["bars"][0]["x"] + chart["bars"][0]["w"] / 2, 1)
    short = bar_chart([("Mon", 1), ("Sun", 2)], width=320)
    assert [m["anchor"] for m in short["x_ticks"]] == ["middle", "middle"]


def test_a_date_is_ticked_once():
    # seven posts, three of them on one day: the ticks would say 2026-01-03 three times
    days = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-03", "2026-01-03", "2026-01-05", "2026-01-05"]
    chart = bar_chart([(d, 1) for d in days], x_ticks=7)
    assert [t["text"] for t in chart["x_ticks"]] == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05"]
    last = chart["bars"][-1]
    assert chart["x_ticks"][-1]["x"] >= last["x"]  # the last date under the last bar, not its twin
    line = line_chart([(day(1), 1), (datetime(2026, 1, 1, 12, tzinfo=UTC), 2), (day(3), 3)], x_ticks=5)
    assert [t["text"] for t in line["x_ticks"]] == ["2026-01-01", "2026-01-03"]


def test_sparkline_is_a_bare_line_by_time():
    assert sparkline([(day(1), 5), (day(2), None)]) is None
    line = sparkline([(day(1), 100), (day(11), 300), (day(31), 200)], width=96, height=56)
    # 6 px inside the box: 10 of 30 days is a third of the 84 px
    assert line["points"] == "6.0,50.0 34.0,6.0 90.0,28.0"
    assert (line["min"], line["max"], line["first"], line["last"]) == (100, 300, "2026-01-01", "2026-01-31")
    even = sparkline([("a", 1), ("b", 1)], width=20, height=20)
    assert even["points"] == "6.0,14.0 14.0,14.0"  # a flat line sits at the bottom
