"""Scores and their reasons do not depend on the interpreter's hash seed: a marketer who scores the
same page twice (two server starts) must read the same words. Sets of strings iterate in a
seed-dependent order, so anything ranked from a set needs its own tie-break."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REALPAGES, ROOT, require_realpages

SCRIPT = r"""
import json, sys
from pathlib import Path
from scraper import parse
from scraper.errors import CaptureError
from server.scoring import score

briefs = [None, {"name": "tech", "keywords": ["technology", "gadgets", "science"]},
          {"name": "food", "keywords": ["cooking", "recipes", "fitness", "running"]}]
out = {}
for path in sorted(Path(sys.argv[1]).glob("*/*.capture.json")):
    try:
        snap = parse(json.loads(path.read_text(encoding="utf-8"))).to_dict()
    except CaptureError:
        continue
    out[path.name] = [score(snap, brief=b) for b in briefs]
print(json.dumps(out, sort_keys=True, default=str))
"""


def _scores(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(REALPAGES)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.realpages
def test_scores_of_real_pages_do_not_depend_on_the_hash_seed():
    require_realpages()
    first, second = _scores("1"), _scores("2")
    assert json.loads(first), "no real page was scored"
    if first != second:
        a, b = json.loads(first), json.loads(second)
        differ = sorted(k for k in a if a[k] != b.get(k))
        pytest.fail(f"scores differ between hash seeds on {differ[:5]}")
