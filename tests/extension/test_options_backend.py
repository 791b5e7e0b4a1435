"""The extension's backend setting (issue 16): loopback http stays the default and is in the manifest;
an https team server is accepted and its host permission asked for at run time (declared optional,
never granted at install); plain http to another host is refused (the token would travel in clear).
The options page's rule (`backendOrigin`) and the worker's (`normalizeBackendUrl`) agree, run by node."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
OPTIONS_JS = (EXTENSION / "options" / "options.js").read_text(encoding="utf-8")
BACKGROUND_JS = (EXTENSION / "background.js").read_text(encoding="utf-8")

CASES = {
    # typed value: (accepted origin or None, needs a run-time permission)
    "http://127.0.0.1:8765": ("http://127.0.0.1:8765", False),
    "http://localhost:9000/some/path": ("http://localhost:9000", False),
    "  http://127.0.0.1:8765/  ": ("http://127.0.0.1:8765", False),
    "https://kolscope.example.com": ("https://kolscope.example.com", True),
    "https://kolscope.example.com:8443/dashboard?x=1": ("https://kolscope.example.com:8443", True),
    "https://127.0.0.1:9443": ("https://127.0.0.1:9443", True),  # not in the manifest's http entries
    "http://kolscope.example.com": (None, None),
    "http://192.168.1.20:8765": (None, None),
    "https://ana:secret@kolscope.example.com": (None, None),
    "ftp://kolscope.example.com": (None, None),
    "javascript:alert(1)": (None, None),
    "not a url": (None, None),
}


def _function(source: str, name: str) -> str:
    """The source of a top-level `function name(...) {...}` (up to the closing brace at column 0)."""
    match = re.search(rf"^function {name}\(.*?^\}}$", source, re.S | re.M)
    assert match, f"{name} not found"
    return match.group(0)


def _node(script: str) -> object:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (tests/e2e drives the options page in Chromium)")
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_the_manifest_asks_for_team_servers_only_at_run_time():
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["optional_host_permissions"] == ["https://*/*"]
    assert "https://*/*" not in manifest["host_permissions"]
    assert {"http://127.0.0.1/*", "http://localhost/*"} <= set(manifest["host_permissions"])
    assert set(manifest.get("permissions", [])) <= {"storage"}


def test_options_and_worker_accept_the_same_backends():
    constants = re.search(r"^const DEFAULT_URL = .*$", OPTIONS_JS, re.M).group(0)
    loopback = re.search(r"^const LOOPBACK_HOSTS = .*$", OPTIONS_JS, re.M).group(0)
    script = "\n".join([
        constants, loopback, _function(OPTIONS_JS, "backendOrigin"), _function(BACKGROUND_JS, "normalizeBackendUrl"),
        f"const cases = {json.dumps(list(CASES))};",
        "process.stdout.write(JSON.stringify(cases.map((c) => [backendOrigin(c), normalizeBackendUrl(c)])));",
    ])
    results = _node(script)
    for typed, (option, worker) in zip(CASES, results, strict=True):
        origin, needs_permission = CASES[typed]
        if origin is None:
            assert "error" in option and "origin" not in option, (typed, option)
            assert worker is None, (typed, worker)
        else:
            assert option == {"origin": origin, "loopback": not needs_permission}, (typed, option)
            assert worker == origin, (typed, worker)
    plain = dict(zip(CASES, results, strict=True))["http://kolscope.example.com"][0]["error"]
    assert "in clear" in plain and "https://kolscope.example.com" in plain


def test_the_permission_is_asked_while_the_click_still_counts():
    """Chrome shows its permission prompt only during the user's gesture: in `save` (the Save and Test
    buttons' handler) the request must be the first thing awaited, and it must name that origin."""
    save = _function(OPTIONS_JS.replace("async function save", "function save"), "save")
    first_await = re.search(r"await ([\w.]+)", save).group(1)
    assert first_await == "askForOrigin", first_await
    ask = _function(OPTIONS_JS, "askForOrigin")
    assert "chrome.permissions.request({ origins: [`${origin}/*`] })" in ask
    # check() saves first, so its own click is the gesture too
    check = _function(OPTIONS_JS.replace("async function check", "function check"), "check")
    assert re.search(r"await ([\w.]+)", check).group(1) == "save"
