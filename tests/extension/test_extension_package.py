"""`make extension` builds a store zip with a valid MV3 manifest at its root, and the extension's
platform facts (content/platforms.js, the manifest's host lists) are the registry's."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from scraper import extension_facts
from scraper.registry import PLATFORMS

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
BACKEND_HOSTS = {"http://127.0.0.1/*", "http://localhost/*"}


def _manifest() -> dict:
    return json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))


def test_make_extension_builds_a_store_zip(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    work = tmp_path / "tree"
    shutil.copytree(EXTENSION, work / "extension")
    shutil.copy(ROOT / "Makefile", work / "Makefile")
    out = subprocess.run(["make", "-s", "extension"], cwd=work, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with zipfile.ZipFile(work / "dist" / "kolscope-extension.zip") as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["manifest_version"] == 3
    assert manifest["background"]["service_worker"] in names
    assert extension_facts.PLATFORMS_JS in names  # the service worker imports it
    for script in manifest["content_scripts"]:
        for js in script["js"]:
            assert js in names, js
    # minimal permissions: storage, and hosts limited to the platforms' own and the local backend
    assert set(manifest.get("permissions", [])) <= {"storage"}
    platform_hosts = {f"https://{host}/*" for p in PLATFORMS for host in p.hosts}
    assert set(manifest["host_permissions"]) == platform_hosts | BACKEND_HOSTS


def test_generated_files_are_up_to_date():
    stale = extension_facts.stale()
    assert not stale, (f"{', '.join(str(p.relative_to(ROOT)) for p in stale)} differ from the registry: "
                       f"run `{extension_facts.COMMAND}` and commit the result")


def test_every_platform_has_its_content_script():
    assert not extension_facts.missing_scripts(), "write extension/content/<name>.js for each platform"


def test_manifest_loads_the_facts_before_the_scripts_that_read_them():
    """The page-world observer reads platforms.js, so it comes first; each platform's tab gets the
    facts, the overlay, the core and then its own script, on exactly its hosts."""
    scripts = _manifest()["content_scripts"]
    observer, per_platform = scripts[0], scripts[1:]
    assert observer["world"] == "MAIN" and observer["run_at"] == "document_start"
    assert observer["js"] == ["content/platforms.js", "content/observer.js"]
    assert observer["matches"] == [f"https://{h}/*" for p in PLATFORMS for h in p.hosts]
    assert [s["js"] for s in per_platform] == [
        ["content/platforms.js", "content/overlay.js", "content/core.js", f"content/{p.name}.js"] for p in PLATFORMS]
    assert [s["matches"] for s in per_platform] == [[f"https://{h}/*" for h in p.hosts] for p in PLATFORMS]
    assert all("world" not in s for s in per_platform)  # the isolated world: chrome.runtime, no page access


def test_generator_rewrites_only_the_host_lists(tmp_path):
    """Everything else in the manifest (name, version, permissions, icons) is kept, in its order."""
    ext = tmp_path / "extension"
    (ext / "content").mkdir(parents=True)
    manifest = _manifest()
    manifest["version"] = "9.9.9"
    manifest["host_permissions"] = ["https://old.example/*"]
    manifest["content_scripts"] = []
    (ext / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert extension_facts.main(["--check", "--extension", str(ext)]) == 1
    assert extension_facts.main(["--extension", str(ext)]) == 0
    assert extension_facts.main(["--check", "--extension", str(ext)]) == 0
    written = json.loads((ext / "manifest.json").read_text(encoding="utf-8"))
    assert list(written) == list(manifest)
    assert written["version"] == "9.9.9"
    assert written["host_permissions"] == _manifest()["host_permissions"]
    assert written["content_scripts"] == _manifest()["content_scripts"]
    assert (ext / "content" / "platforms.js").read_text(encoding="utf-8") == extension_facts.platforms_js()


def test_platforms_js_holds_the_registry_facts():
    from tests.extension.test_observer_urls import generated_platforms

    assert generated_platforms() == [extension_facts.facts(p) for p in PLATFORMS]


def _platform_words() -> set[str]:
    """Names, labels and site names ('twitter' of twitter.com) long enough to grep for."""
    words = {w.lower() for p in PLATFORMS for w in (p.name, p.label)}
    words |= {host.split(".")[-2] for p in PLATFORMS for host in (*p.hosts, *p.aliases)}
    return {w for w in words if len(w) > 2}


def test_no_other_extension_file_names_a_platform():
    """Only a platform's own content script, the generated platforms.js and the manifest may."""
    own = {f"{p.name}.js" for p in PLATFORMS} | {"platforms.js"}
    files = [f for f in EXTENSION.rglob("*") if f.suffix in (".js", ".html", ".css")
             and not (f.parent.name == "content" and f.name in own)]
    assert len(files) >= 10, files  # background, core, observer, overlay, options and popup pages
    pattern = re.compile("|".join(sorted(_platform_words())), re.I)
    named = {str(f.relative_to(ROOT)): sorted({m.lower() for m in pattern.findall(f.read_text(encoding="utf-8"))})
             for f in files}
    assert {f: words for f, words in named.items() if words} == {}


def test_a_new_platform_is_a_regeneration_away():
    """A fifth platform (its facts in the registry) gets its manifest entry and its platforms.js entry."""
    fifth = dataclasses.replace(PLATFORMS[0], name="fifth", label="Fifth", hosts=("space.fifth.example",),
                                aliases=(), api_urls=(r"/x/space/acc/info(?:[?]|$)",))
    platforms = (*PLATFORMS, fifth)
    manifest = extension_facts.manifest(_manifest(), platforms)
    assert "https://space.fifth.example/*" in manifest["host_permissions"]
    assert "https://space.fifth.example/*" in manifest["content_scripts"][0]["matches"]
    assert manifest["content_scripts"][-1] == {
        "matches": ["https://space.fifth.example/*"], "run_at": "document_start",
        "js": ["content/platforms.js", "content/overlay.js", "content/core.js", "content/fifth.js"]}
    js = extension_facts.platforms_js(platforms)
    assert '"name": "fifth"' in js and '"label": "Fifth"' in js and r'"/x/space/acc/info(?:[?]|$)"' in js
