"""`kolscope parse FILE [--url URL]`: 0 with the snapshot JSON, 3 with the error JSON, 2 when unreadable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scraper import parse
from scraper.capture import from_html
from server.cli import main
from tests.conftest import FIXTURES, ROOT, load_case, load_fixture, realpage_cases


def _run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["parse", *argv])
    except SystemExit as exc:  # argparse and the I/O errors exit this way
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_capture_prints_snapshot_and_exits_0(capsys: pytest.CaptureFixture) -> None:
    path = FIXTURES / "x_profile_new.capture.json"
    code, out, _err = _run(capsys, str(path))
    assert code == 0
    data = json.loads(out)
    assert data == json.loads(json.dumps(parse(load_fixture(path.name)).to_dict()))
    assert data["format"] == "kolscope.snapshot/1"
    assert (data["platform"], data["handle"], data["followers"]) == ("x", "bo_runs", 800)


@pytest.mark.parametrize("fixture, code_name", [
    ("x_suspended.capture.json", "unavailable"),
    ("x_protected.capture.json", "restricted"),
    ("x_loginwall.capture.json", "login_wall"),
])
def test_typed_error_prints_error_json_and_exits_3(capsys: pytest.CaptureFixture, fixture: str,
                                                   code_name: str) -> None:
    code, out, _err = _run(capsys, str(FIXTURES / fixture))
    assert code == 3
    error = json.loads(out)["error"]
    assert error["code"] == code_name and error["message"]


def test_unsupported_site_exits_3(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    capture = load_fixture("x_profile_new.capture.json")
    capture["url"] = "https://example.com/someone"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(capture), encoding="utf-8")
    code, out, _err = _run(capsys, str(path))
    assert code == 3 and json.loads(out)["error"]["code"] == "unsupported_platform"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"a string"', "{}"])
def test_not_a_capture_exits_3_with_malformed(capsys: pytest.CaptureFixture, tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, _err = _run(capsys, str(path))
    assert code == 3
    assert json.loads(out)["error"]["code"] == "malformed"


def test_missing_file_exits_2(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, out, err = _run(capsys, str(tmp_path / "nope.json"))
    assert code == 2 and out == ""
    assert "cannot read" in err and "nope.json" in err


def test_directory_exits_2(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, out, err = _run(capsys, str(tmp_path))
    assert code == 2 and out == "" and "cannot read" in err


def test_missing_html_file_with_url_exits_2(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, out, err = _run(capsys, str(tmp_path / "page.html"), "--url", "https://x.com/bo_runs")
    assert code == 2 and out == "" and "cannot read" in err


def test_raw_html_with_url_is_parsed_as_that_page(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    """X's HTML alone is a login-wall shell: the --url decides the platform, the HTML the answer."""
    html = load_fixture("x_loginwall.capture.json")["html"]
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    code, out, _err = _run(capsys, str(path), "--url", "https://x.com/AdaBakes")
    assert code == 3 and json.loads(out)["error"]["code"] == "login_wall"
    code, out, _err = _run(capsys, str(path), "--url", "https://example.org/AdaBakes")
    assert code == 3 and json.loads(out)["error"]["code"] == "unsupported_platform"


def _html_only_case() -> str | None:
    """A real page whose HTML alone carries its data (embedded JSON, no responses needed)."""
    for case in realpage_cases():
        capture, expected = load_case(case)
        if not capture.get("responses") and not expected["error"] and capture.get("html"):
            return case
    return None


def test_raw_real_html_with_url_gives_the_snapshot(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    case = _html_only_case() if realpage_cases() else None
    if case is None:
        pytest.skip("no real page whose HTML alone parses (../shared/realpages absent or none such)")
    capture, _expected = load_case(case)
    path = tmp_path / "page.html"
    path.write_text(capture["html"], encoding="utf-8")
    code, out, _err = _run(capsys, str(path), "--url", capture["url"])
    assert code == 0, out
    data = json.loads(out)
    want = parse(from_html(capture["html"], capture["url"])).to_dict()
    for key in ("platform", "handle", "platform_id", "followers", "following", "posts", "recent_posts"):
        assert data[key] == json.loads(json.dumps(want[key])), key
    assert data["source"] == "file"  # raw HTML is not an extension capture


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed `kolscope` entry point, as a user runs it (one subprocess: it is slow-ish)."""
    exe = Path(sys.executable).parent / "kolscope"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "server.cli"]
    done = subprocess.run([*cmd, "parse", str(FIXTURES / "x_tweetdetail.capture.json")], check=False,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["handle"] == "bo_runs" and [c["author"] for c in data["comments"]][:2] == ["@bo_runs", "@real_fan"]
