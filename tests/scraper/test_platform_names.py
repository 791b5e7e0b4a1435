"""Platforms are named in one place: their parser modules (read through scraper.registry) and the data
files beside the scores. Adding one must not mean hunting for its name in the rest of the code."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import pytest

from scraper import registry
from server.scoring import accounts
from server.scoring.bands import load_bands, platform_bands, profile_band, views_band
from tests.conftest import ROOT

# Where platforms are named on purpose: their own modules, the registry, and data (the scores' bands,
# the fair prices' CPM bands).
OWN = re.compile(r"^scraper/platforms/|^scraper/registry\.py$|^server/(scoring|campaigns)/[a-z_]+\.json$")
# Files other parts of issue 12 still clear of platform names; remove one once it is clean. A file
# not listed here that names a platform fails the test.
PENDING: set[str] = set()  # files still to clean (none left)


def _platform_words() -> re.Pattern:
    """Every name, label and other name of a registered platform, as a word; the short ones ("x",
    "yt", "ig") are ordinary words and letters in code and are left out."""
    words = {w.lower() for p in registry.PLATFORMS for w in (p.name, p.label, *p.other_names) if len(w) >= 3}
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, words))) + r")\b", re.IGNORECASE)


def test_no_product_code_outside_the_platform_modules_names_a_platform() -> None:
    files = subprocess.run(["git", "ls-files", "server", "scraper"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    assert "scraper/registry.py" in files
    words = _platform_words()
    found = {}
    for name in files:
        if OWN.search(name) or name in PENDING:
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        hits = sorted({m.group(0) for m in words.finditer(text)})
        if hits:
            found[name] = hits
    assert found == {}, "name platforms through scraper.registry (or in their own module's PLATFORM)"


def test_other_names_of_a_platform_are_read_as_it() -> None:
    assert registry.name_for(" Twitter ") == "x" and registry.name_for("IG") == "instagram"
    assert registry.name_for("yt") == "youtube" and registry.name_for("tiktok") == "tiktok"
    assert registry.name_for("myspace") is None and registry.name_for(None) is None
    other = {n for p in registry.PLATFORMS for n in p.other_names}
    assert not other & set(registry.NAMES), "an other name must not be another platform's name"


def test_the_account_checker_reads_other_names_from_the_registry(monkeypatch) -> None:
    assert accounts.platform_of("twitter") == "x" and accounts.platform_of("Instagram") == "instagram"
    assert accounts.platform_of("myspace") == "other" and accounts.platform_of(None) == "other"
    # a platform's other names live in its PLATFORM block: changing them there changes the answer
    monkeypatch.setattr(registry, "PLATFORMS", tuple(
        replace(p, other_names=(*p.other_names, "birdsite")) if p.name == "x" else p for p in registry.PLATFORMS))
    assert accounts.platform_of("birdsite") == "x"


@pytest.mark.parametrize("platform", registry.PLATFORMS, ids=lambda p: p.name)
def test_each_platform_has_its_engagement_formula_in_bands_json(platform) -> None:
    spec = load_bands()["platforms"][platform.engagement]
    assert platform_bands(platform.name) is spec
    # likes first: a post whose likes are hidden is left out before the rest are added
    assert spec["counts"][0] == "likes" and set(spec["counts"]) <= {"likes", "comments", "shares"}
    assert len(set(spec["counts"])) == len(spec["counts"])
    assert views_band(platform.name) == load_bands()["views_per_follower"].get(platform.engagement)


def test_bands_of_an_unknown_platform_are_none() -> None:
    assert platform_bands("myspace") is None and views_band("about") is None and profile_band(None) is None
