"""`kolscope score` and `kolscope audit-accounts` end to end (argparse and exit codes included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.cli import main
from tests.conftest import FIXTURES, cases_or_placeholder, load_case
from tests.server.scoring.scoring_builders import NOW, creator, history_series


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
    path = write(tmp_path, "a.jsonl", "\n".join(lines) + "\n\n")
    code, out, err = run(["audit-accounts", path, "--json"], capsys)
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 5
    assert results[0]["is_fake"] is True and results[4]["is_fake"] is False
    assert results[0]["username"] == "user84729163" and results[4]["reasons"]
    assert [("error" in r) for r in results] == [False, True, True, True, False]
    assert results[1]["error"]["code"] == "invalid_account" and "line 2" in results[1]["error"]["message"]
    assert "2 accounts checked, 1 look fake: 50% (9-91%) of 2 sampled accounts look fake" in err

    # The default output is for people: each username with its verdict and reasons, then the share.
    code, out, err = run(["audit-accounts", path], capsys)
    text = out.splitlines()
    assert code == 0 and err == ""
    assert text[0].startswith("user84729163") and " FAKE " in text[0] and "has never posted" in text[0]
    assert text[1].startswith("line 2: invalid_account: line 2 is not valid JSON")
    assert text[4].startswith("anna.runs") and " real " in text[4]
    assert text[-1] == "50% (9-91%) of 2 sampled accounts look fake (95% Wilson interval); 3 lines with errors"


def test_audit_accounts_platform_and_now(tmp_path: Path, capsys) -> None:
    # A bought X account: 1,556 tweets clear it on Instagram's rules ("an active account"), not on X's.
    line = {"username": "aaron__turbo", "followers": 46, "following": 1770, "posts": 1469, "has_profile_pic": True,
            "verified": False, "bio_length": 28, "created_at": "Tue Apr 15 01:17:29 +0000 2014"}
    path = write(tmp_path, "a.jsonl", json.dumps(line) + "\n" + json.dumps(dict(line, platform="instagram")) + "\n")
    code, out, _ = run(["audit-accounts", path, "--platform", "x", "--json", "--now", "2018-01-24T12:00:00Z"], capsys)
    x, ig = (json.loads(r) for r in out.splitlines())
    assert code == 0 and x["platform"] == "x" and ig["platform"] == "instagram"
    assert not any("active account" in r for r in x["reasons"])
    assert any("active account" in r for r in ig["reasons"])
    code, out, err = run(["audit-accounts", path, "--platform", "myspace"], capsys)
    assert code == 2 and out == "" and "--platform 'myspace' is not one of" in err
    code, out, err = run(["audit-accounts", path, "--now", "yesterday"], capsys)
    assert code == 2 and "not an ISO-8601 time" in err


def test_audit_accounts_into_a_reader_that_stops_early(tmp_path: Path) -> None:
    """`kolscope audit-accounts big.jsonl | head -1`: no traceback when the pipe closes."""
    import os
    import subprocess
    import sys

    line = json.dumps({"username": "anna.runs", "followers": 420, "following": 380, "posts": 120})
    path = write(tmp_path, "big.jsonl", "\n".join([line] * 20000) + "\n")
    root = Path(__file__).resolve().parents[3]
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "audit-accounts", path], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and first.startswith(b"anna.runs")
    assert "Traceback" not in err and "BrokenPipe" not in err


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
