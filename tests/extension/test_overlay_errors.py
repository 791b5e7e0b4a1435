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


CASES = [
    ({"state": "parse_error", "code": "restricted", "message": "This TikTok account is private (status 10222)."}, "tiktok",
     "This account is private: kolscope can only read public profiles."),
    ({"state": "parse_error", "code": "restricted", "message": "@a's posts are protected: only approved followers"}, "x",
     "This account is private: kolscope can only read public profiles."),
    ({"state": "parse_error", "code": "blocked", "message": "TikTok showed a captcha / verification page instead"}, "tiktok",
     "TikTok asked for a captcha; solve it on the page, then retry."),
    ({"state": "parse_error", "code": "blocked", "message": "TikTok refused to serve this account (status 10000): too many requests."},
     "tiktok", "TikTok is limiting requests (too many in a short time); try again later."),
    ({"state": "parse_error", "code": "unavailable", "message": "This TikTok account is unavailable (status 10221)."}, "tiktok",
     "TikTok says this account does not exist (any more): removed, banned or renamed."),
    ({"state": "parse_error", "code": "malformed", "message": "Expecting value: line 1 column 1"}, "instagram",
     "The Instagram page could not be read: it changed or loaded only in part. Reload it and retry."),
    ({"state": "error", "code": "disk_full", "message": "No space left on device for /data"}, "x",
     "The disk of the computer running kolscope is full: nothing was saved. Free some space, then retry."),
    ({"state": "error", "code": "store_corrupt", "message": "briefs.json: checksum mismatch"}, "x",
     "A kolscope data file is damaged: run `kolscope fsck --repair`, then retry."),
    ({"state": "error", "code": "internal", "message": "The server hit an unexpected error; it is in the server log."}, "x",
     "The kolscope backend hit an unexpected error (the details are in its log); retry, or restart it."),
    ({"state": "error", "code": "unavailable", "message": "Service Unavailable"}, "x",
     "The kolscope backend is not ready; retry in a moment."),
    ({"state": "error", "code": "http_502", "message": "The backend answered HTTP 502."}, "x",
     "The kolscope backend hit an unexpected error (the details are in its log); retry, or restart it."),
    # a code the overlay does not know: the backend's message (written for people) stays...
    ({"state": "error", "code": "forbidden_origin", "message": "The extension origin chrome-extension://a is not allowed."},
     "x", "The extension origin chrome-extension://a is not allowed."),
    # ...but never a stack or a platform's bare status
    ({"state": "error", "message": "TypeError: Cannot read properties of undefined (reading 'x')\n    at f (bg.js:1:2)"}, "x",
     "Something went wrong; retry, and if it keeps failing, look at the kolscope backend's log."),
    ({"state": "error", "code": "weird", "message": "status 10222"}, "tiktok",
     "Something went wrong; retry, and if it keeps failing, look at the kolscope backend's log."),
    ({"state": "error"}, None, "Something went wrong; retry, and if it keeps failing, look at the kolscope backend's log."),
]


def test_overlay_says_errors_in_words():
    got = plain_errors([(data, platform) for data, platform, _ in CASES])
    assert got == [words for _, _, words in CASES]


def test_overlay_and_dashboard_say_the_same_of_a_page_kolscope_cannot_read():
    same = sorted(set(CODES) - {"blocked", "malformed"})  # the overlay adds what to do on the page itself
    messages = {"restricted": "This TikTok account is private (status 10222)."}
    cases = [({"state": "parse_error", "code": code, "message": messages.get(code, "status 10222")}, "tiktok")
             for code in same]
    got = plain_errors(cases)
    assert got == [capture_words(code, messages.get(code, "status 10222"), "tiktok") for code in same]
    assert not [g for g in got if "10222" in g]
