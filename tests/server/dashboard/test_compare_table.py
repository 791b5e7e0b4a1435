"""The comparison table as a pure function: rows aligned by factor, "—" for what a creator lacks, the
best cell per row marked in the row's direction; and the `c=platform/handle` values it is built from."""

from __future__ import annotations

import pytest

from scraper import registry

from server.api.shortlist import MAX_COMPARE, ShortlistError, parse_refs, sheet_time
from server.dashboard.compare import MISSING, comparison_table, mark_best


def factor(key: str, score: float | None, weight: float = 1.0, label: str | None = None) -> dict:
    return {"key": key, "label": label or key.capitalize(), "score": score, "weight": weight, "value": None,
            "reason": f"{key} reason"}


def facts(handle: str, **over) -> dict:
    """creator_facts' shape, with the figures of one made-up creator."""
    out = {"platform": "x", "handle": handle, "key": handle, "display_name": handle.title(), "url": None,
           "followers": 1000, "tier": "nano", "country": "DE", "engagement_rate_percent": 2.0, "median_views": 500,
           "growth_30d_percent": 1.0, "paid_share_percent": 10.0, "paid_posts": 1, "posts_seen": 10,
           "paid_brands": [], "languages": [("de", 80), ("en", 20)],
           "fit": {"score": 70, "grade": "B", "confidence": "high", "reason": None, "factors": []},
           "authenticity": {"score": 80, "grade": "A", "confidence": "medium", "reason": None, "factors": []},
           "summary": {}, "brief_id": None, "captured": True, "captured_at": "2026-03-01T10:15:30Z",
           "stale": False, "refresh_status": None, "history": []}
    out.update(over)
    return out


def row(table: dict, key: str) -> dict:
    return next(r for r in table["rows"] if r["key"] == key)


def test_best_is_marked_in_each_rows_direction():
    table = comparison_table([facts("a", followers=900, paid_share_percent=40.0),
                              facts("b", followers=5000, paid_share_percent=5.0),
                              facts("c", followers=1200, paid_share_percent=None)])
    followers = row(table, "followers")
    assert followers["better"] == "higher" and followers["hint"] == "higher is better"
    assert [c["best"] for c in followers["cells"]] == [False, True, False]
    assert [c["text"] for c in followers["cells"]] == ["900", "5,000", "1,200"]
    paid = row(table, "paid_share")
    assert paid["better"] == "lower" and paid["hint"] == "lower is better"
    assert [c["best"] for c in paid["cells"]] == [False, True, False]
    assert paid["cells"][2]["text"] == MISSING
    # no direction: tier, languages, country are never "best"
    for key in ("tier", "languages", "country"):
        assert row(table, key)["better"] is None and not any(c["best"] for c in row(table, key)["cells"])
    assert row(table, "languages")["cells"][0]["text"] == "de 80%, en 20%"


def test_factors_are_aligned_by_factor_and_missing_ones_say_so():
    a = facts("a", fit=dict(facts("a")["fit"], factors=[factor("niche", 90), factor("language", 40)]))
    b = facts("b", fit=dict(facts("b")["fit"], factors=[factor("language", 100), factor("country", None)]))
    table = comparison_table([a, b])
    niche, language, country = row(table, "fit.niche"), row(table, "fit.language"), row(table, "fit.country")
    assert [c["text"] for c in niche["cells"]] == ["90", MISSING]
    assert [c["text"] for c in language["cells"]] == ["40", "100"]
    assert [c["best"] for c in language["cells"]] == [False, True]
    assert [c["text"] for c in country["cells"]] == [MISSING, "no score"]
    assert country["cells"][1]["detail"] == "country reason"
    keys = [r["key"] for r in table["rows"]]
    # the fit factors follow the fit row, in the order the scorer gave them
    assert keys.index("fit") < keys.index("fit.niche") < keys.index("fit.language") < keys.index("fit.country")


def test_a_factor_the_brief_does_not_ask_about_is_left_out():
    a = facts("a", fit=dict(facts("a")["fit"], factors=[factor("size", None, weight=0.0), factor("niche", 50)]))
    b = facts("b", fit=dict(facts("b")["fit"], factors=[factor("size", None, weight=0.0), factor("niche", 60)]))
    keys = [r["key"] for r in comparison_table([a, b])["rows"]]
    assert "fit.size" not in keys and "fit.niche" in keys


def test_withheld_scores_say_no_grade_and_are_never_best():
    table = comparison_table([facts("a", authenticity={"score": None, "grade": None, "confidence": None,
                                                          "reason": "Only 2 posts.", "factors": []}),
                              facts("b")])
    cells = row(table, "authenticity")["cells"]
    assert cells[0]["text"] == "No grade" and cells[0]["detail"] == "Only 2 posts." and not cells[0]["best"]
    assert not cells[1]["best"]  # only one known value: nothing to be best against
    assert row(table, "fit")["cells"][0]["text"] == "70 B" and row(table, "fit")["cells"][0]["detail"] == "high confidence"


def test_last_captured_is_a_spreadsheet_time_and_newest_is_best():
    table = comparison_table([facts("a", captured_at="2026-03-01T10:15:30Z"),
                              facts("b", captured_at="2026-03-02T08:00:00+02:00", stale=True)])
    cells = row(table, "captured_at")["cells"]
    assert [c["text"] for c in cells] == ["2026-03-01 10:15", "2026-03-02 06:00"]
    assert [c["best"] for c in cells] == [False, True] and "may be old" in cells[1]["detail"]


def test_brief_row_names_each_creators_brief():
    briefs = {"br_1": {"id": "br_1", "name": "Trail shoes", "brief": {}}}
    table = comparison_table([facts("a", brief_id="br_1"), facts("b")], briefs)
    assert [c["text"] for c in row(table, "brief")["cells"]] == ["Trail shoes", "no brief"]
    assert "brief" not in [r["key"] for r in comparison_table([facts("a"), facts("b")])["rows"]]


@pytest.mark.parametrize("values, better, marked", [
    ([1, 2, 3], "higher", [False, False, True]),
    ([1, 2, 3], "lower", [True, False, False]),
    ([3, None, 3, 1], "higher", [True, False, True, False]),  # ties are all best
    ([2, 2], "higher", [False, False]),                        # all equal: nothing stands out
    ([None, 5], "higher", [False, False]),                     # one known value
    ([1, 9], None, [False, False]),                            # no direction
])
def test_mark_best(values, better, marked):
    assert mark_best(values, better) == marked


def test_parse_refs_reads_platform_slash_handle_once_each():
    assert parse_refs(["x/bo_runs", " YouTube/@mkbhd ", "x/BO_RUNS"]) == [("x", "bo_runs"), ("youtube", "mkbhd")]
    assert parse_refs(["twitter/bo_runs", "x/eve"]) == [("x", "bo_runs"), ("x", "eve")]  # other names of a platform


@pytest.mark.parametrize("values, words", [
    ([], "this link names none"),
    (["x/bo_runs"], "this link names only one"),
    (["x/bo_runs", "x/bo_runs"], "this link names only one"),
    ([f"x/user{i}" for i in range(MAX_COMPARE + 1)], f"this link names {MAX_COMPARE + 1}"),
])
def test_parse_refs_says_how_many_to_pick(values, words):
    with pytest.raises(ShortlistError) as err:
        parse_refs(values)
    assert err.value.status == 400 and err.value.message.startswith("Pick 2 to 4 creators to compare")
    assert words in err.value.message and "c" in err.value.fields


def test_parse_refs_names_every_bad_value():
    with pytest.raises(ShortlistError) as err:
        parse_refs(["x/bo_runs", "bo_runs", "myspace/tom", "x/not a handle!", "x/"])
    fields = err.value.fields
    assert set(fields) == {"c[1]", "c[2]", "c[3]", "c[4]"}
    assert "write platform/handle, the platform one of " + ", ".join(registry.NAMES) in fields["c[1]"]
    assert "does not know the platform 'myspace'" in fields["c[2]"]
    assert "is not a valid X handle" in fields["c[3]"]
    assert "write platform/handle" in fields["c[4]"]


def test_sheet_time():
    assert sheet_time("2026-01-02T03:04:59.999Z") == "2026-01-02 03:04"
    assert sheet_time("2026-01-02T03:04:00-05:00") == "2026-01-02 08:04"
    assert sheet_time(None) is None and sheet_time("yesterday") is None
