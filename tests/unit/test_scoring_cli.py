"""`kolscope score` and `kolscope audit-accounts` end to end (argparse and exit codes included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import main
from tests.conftest import FIXTURES, cases_or_placeholder, load_case
from tests.unit.scoring_builders import NOW, creator, history_series


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, data) -> str:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(p)


def test_score_snapshot_with_brief_and_history(tmp_path: Path, capsys) -> None:
    snap = write(tmp_path, "snap.json", creator())
    brief = write(tmp_path, "brief.json", {"name": "Run", "keywords": ["trail running"], "languages": ["en"]})
    hist = write(tmp_path, "h.jsonl", "\n".join(json.dumps(h) for h in history_series(creator())) + "\n")
    code, out, _ = run(["score", snap, "--brief", brief, "--history", hist, "--now", NOW.isoformat()], capsys)
    assert code == 0
    r = json.loads(out)
    assert r["fit"]["score"] > 70 and r["authenticity"]["confidence"] == "high"
    growth = next(f for f in r["authenticity"]["factors"] if f["key"] == "growth")
    assert growth["score"] == 100


@pytest.mark.parametrize("bad", ["{not json", "[1, 2]", '{"hello": 1}'])
def test_score_invalid_file_exits_2(tmp_path: Path, capsys, bad: str) -> None:
    code, out, err = run(["score", write(tmp_path, "x.json", bad)], capsys)
    assert code == 2 and out == "" and err.startswith("kolscope:")


def test_score_missing_file_bad_brief_bad_now(tmp_path: Path, capsys) -> None:
    snap = write(tmp_path, "snap.json", creator())
    assert run(["score", str(tmp_path / "nope.json")], capsys)[0] == 2
    code, _, err = run(["score", snap, "--brief", write(tmp_path, "b.json", {"name": "b", "languages": ["english"]})], capsys)
    assert code == 2 and "languages" in err
    code, _, err = run(["score", snap, "--now", "yesterday"], capsys)
    assert code == 2 and "--now" in err
    code, _, err = run(["score", snap, "--history", write(tmp_path, "h.jsonl", '{"a": 1}\nnope\n')], capsys)
    assert code == 2 and "line 2" in err


def test_score_capture_that_fails_to_parse_exits_3(tmp_path: Path, capsys) -> None:
    capture = {"format": "kolscope.capture/1", "url": "https://example.com/someone", "html": "<html></html>",
               "responses": []}
    code, out, _ = run(["score", write(tmp_path, "c.json", capture)], capsys)
    assert code == 3 and json.loads(out)["error"]["code"] == "unsupported_platform"


@pytest.mark.realpages
@pytest.mark.parametrize("case", [c for c in cases_or_placeholder("x") if "TwitterDev" in c] or ["<realpages missing>"])
def test_score_real_capture(tmp_path: Path, capsys, case: str) -> None:
    capture, _ = load_case(case)
    code, out, _ = run(["score", write(tmp_path, "c.json", capture), "--now", "2023-05-01T00:00:00Z"], capsys)
    assert code == 0 and json.loads(out)["tier"] == "macro"


def test_audit_accounts_one_result_per_line_in_order(tmp_path: Path, capsys) -> None:
    lines = [
        json.dumps({"username": "user84729163", "followers": 2, "following": 4800, "posts": 0}),
        "{broken",
        json.dumps([1, 2]),
        "",
        json.dumps({"username": "anna.runs", "followers": 420, "following": 380, "posts": 120,
                    "has_profile_pic": True}),
    ]
    code, out, err = run(["audit-accounts", write(tmp_path, "a.jsonl", "\n".join(lines) + "\n\n")], capsys)
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 5
    assert results[0]["is_fake"] is True and results[4]["is_fake"] is False
    assert [("error" in r) for r in results] == [False, True, True, True, False]
    assert results[1]["error"]["code"] == "invalid_account" and "line 2" in results[1]["error"]["message"]
    assert "2 accounts checked, 1 look fake" in err


def test_audit_accounts_missing_file(tmp_path: Path, capsys) -> None:
    code, out, err = run(["audit-accounts", str(tmp_path / "none.jsonl")], capsys)
    assert code == 2 and out == "" and "cannot read" in err


def _parse_then_score(tmp_path: Path, capsys, capture_path: Path) -> None:
    """`kolscope parse FILE` then `kolscope score` of what it printed: every snapshot parse prints scores."""
    code, out, _ = run(["parse", str(capture_path)], capsys)
    if code != 0:
        assert json.loads(out)["error"]["code"]  # a page that is no creator page: a typed answer
        return
    snapshot = json.loads(out)
    code, out, err = run(["score", write(tmp_path, "snap.json", snapshot)], capsys)
    assert code == 0, err
    # a tier for every snapshot that states its audience size (an Instagram post page shows none)
    assert json.loads(out)["tier"] or snapshot["followers"] is None


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_or_placeholder())
def test_every_real_page_parse_output_is_scored(tmp_path: Path, capsys, case: str) -> None:
    load_case(case)  # skips (or fails under KOLSCOPE_REQUIRE_REALPAGES) when the pages are absent
    from tests.conftest import REALPAGES

    _parse_then_score(tmp_path, capsys, REALPAGES / f"{case}.capture.json")


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.capture.json")))
def test_every_fixture_parse_output_is_scored(tmp_path: Path, capsys, name: str) -> None:
    _parse_then_score(tmp_path, capsys, FIXTURES / name)


def test_channel_known_only_by_id_is_scored(tmp_path: Path, capsys) -> None:
    code, out, _ = run(["parse", str(FIXTURES / "youtube_channel_c4.spa.capture.json")], capsys)
    snapshot = json.loads(out)
    assert code == 0 and snapshot["handle"] is None and snapshot["platform_id"] == "UCabcdefghijklmnopqrstuv"
    code, out, err = run(["score", write(tmp_path, "snap.json", snapshot), "--now", "2026-02-01T00:00:00Z"], capsys)
    assert code == 0, err
    assert "tier" in json.loads(out)
