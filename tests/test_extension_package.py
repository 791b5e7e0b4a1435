"""`make extension` builds a store zip with a valid MV3 manifest at its root."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_make_extension_builds_a_store_zip(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    work = tmp_path / "tree"
    shutil.copytree(ROOT / "extension", work / "extension")
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    out = subprocess.run(["make", "-s", "extension"], cwd=work, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with zipfile.ZipFile(work / "dist" / "kolscope-extension.zip") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["manifest_version"] == 3
    assert manifest["background"]["service_worker"] in names
    for script in manifest["content_scripts"]:
        for js in script["js"]:
            assert js in names, js
    # minimal permissions: storage, and hosts limited to the four platforms and the local backend
    assert set(manifest.get("permissions", [])) <= {"storage"}
    for host in manifest["host_permissions"]:
        assert any(s in host for s in ("youtube.com", "tiktok.com", "instagram.com", "x.com", "twitter.com",
                                       "127.0.0.1", "localhost")), host
