"""The overlay's error words (extension/content/overlay.js plainError), run in Node as the content
script defines them: the backend's codes become sentences, never "status 10222" or a stack, and the
capture codes read as the dashboard's (server/plain.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scraper.errors import CODES
from server.plain import capture_words

EXTENSION = Path(__file__).resolve().parents[2] / "extension"

NODE_HARNESS = r"""
const fs = require("fs"), vm = require("vm");
const [ext, casesJson] = process.argv.slice(1);
const ctx = { console };
ctx.globalThis = ctx;
vm.createContext(ctx);
for (const file of ["content/platforms.js", "content/overlay.js"]) {
  vm.runInContext(fs.readFileSync(`${ext}/${file}`, "utf8"), ctx, { filename: file });
}
const out = JSON.parse(casesJson).map(([data, platform]) => ctx.kolscope.plainError(data, platform));
console.log(JSON.stringify(out));
"""


def plain_errors(cases: list[tuple[dict, str | None]]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the e2e tests run the overlay in Chromium")
    out = subprocess.run([node, "-e", NODE_HARNESS, str(EXTENSION), json.dumps(cases)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


SOMETHING = "Something went wrong; retry, and if it keeps failing, look at the kolscope backend's log."
# (state, code, message, platform, the overlay's words); None: not in the backend's answer
CASES = [
    ("parse_error", "restricted", "This TikTok account is private (status 10222).", "tiktok",
     "This account is private: kolscope can only read public profiles."),
    ("parse_error", "restricted", "@a's posts are protected: only approved followers", "x",
     "This account is private: kolscope can only read public profiles."),
    ("parse_error", "blocked", "TikTok showed a captcha / verification page instead", "tiktok",
     "TikTok asked for a captcha; solve it on the page, then retry."),
    ("parse_error", "blocked", "TikTok refused to serve this account (status 10000): too many requests.", "tiktok",
     "TikTok is limiting requests (too many in a short time); try again later."),
    ("parse_error", "unavailable", "This TikTok account is unavailable (status 10221).", "tiktok",
     "TikTok says this account does not exist (any more): removed, banned or renamed."),
    ("parse_error", "malformed", "Expecting value: line 1 column 1", "instagram",
     "The Instagram page could not be read: it changed or loaded only in part. Reload it and retry."),
    ("error", "disk_full", "No space left on device for /data", "x",
     "The disk of the computer running kolscope is full: nothing was saved. Free some space, then retry."),
    ("error", "store_corrupt", "briefs.json: checksum mismatch", "x",
     "A kolscope data file is damaged: run `kolscope fsck --repair`, then retry."),
    ("error", "internal", "The server hit an unexpected error; it is in the server log.", "x",
     "The kolscope backend hit an unexpected error (the details are in its log); retry, or restart it."),
    ("error", "unavailable", "Service Unavailable", "x",
     "The kolscope backend is not ready; retry in a moment."),
    ("error", "http_502", "The backend answered HTTP 502.", "x",
     "The kolscope backend hit an unexpected error (the details are in its log); retry, or restart it."),
    # a code the overlay does not know: the backend's message (written for people) stays...
    ("error", "forbidden_origin", "The extension origin chrome-extension://a is not allowed.", "x",
     "The extension origin chrome-extension://a is not allowed."),
    # ...but never a stack or a platform's bare status
    ("error", None, "TypeError: Cannot read properties of undefined (reading 'x')\n    at f (bg.js:1:2)", "x", SOMETHING),
    ("error", "weird", "status 10222", "tiktok", SOMETHING),
    ("error", None, None, None, SOMETHING),
]
# the codes of a page kolscope cannot read, said as the dashboard says them (server/plain.py); the
# overlay adds what to do on the page itself for the others
SAME_AS_DASHBOARD = sorted(set(CODES) - {"blocked", "malformed"})
SAME_MESSAGES = {"restricted": "This TikTok account is private (status 10222)."}


def _answer(state: str, code: str | None, message: str | None) -> dict:
    """What the backend answered (the overlay's `data`), with only the fields it had."""
    return {"state": state} | ({"code": code} if code else {}) | ({"message": message} if message else {})


def _same_case(code: str) -> tuple[dict, str]:
    return _answer("parse_error", code, SAME_MESSAGES.get(code, "status 10222")), "tiktok"


@pytest.fixture(scope="module")
def overlay_says() -> dict[str, str]:
    """The overlay's words for every case of this file, from one Node run: keyed by the case's JSON."""
    cases = [(_answer(state, code, message), platform) for state, code, message, platform, _ in CASES]
    cases += [_same_case(code) for code in SAME_AS_DASHBOARD]
    return dict(zip([json.dumps(c) for c in cases], plain_errors(cases), strict=True))


@pytest.mark.parametrize(("state", "code", "message", "platform", "words"), CASES)
def test_overlay_says_errors_in_words(overlay_says, state, code, message, platform, words):
    assert overlay_says[json.dumps((_answer(state, code, message), platform))] == words


@pytest.mark.parametrize("code", SAME_AS_DASHBOARD)
def test_overlay_and_dashboard_say_the_same_of_a_page_kolscope_cannot_read(overlay_says, code):
    data, platform = _same_case(code)
    said = overlay_says[json.dumps((data, platform))]
    assert said == capture_words(code, data["message"], platform)
    assert "10222" not in said
