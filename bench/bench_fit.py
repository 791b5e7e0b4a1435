"""Fit by topic over the real pages: for briefs written in general words (science, gaming, food,
music, news, technology, sport, beauty), how well the fit score separates the creators labelled
on-topic from the off-topic ones (tests/fixtures/fit_topic_labels.json, labelled by looking at the
pages). Prints per brief the AUC (chance that an on-topic creator outscores an off-topic one; ties
count half), the lowest on-topic and highest off-topic score, and the semantic model's load time.
Target: AUC >= 0.9 for every brief with on-topic creators."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bench import load_line

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "fixtures" / "fit_topic_labels.json"
TARGET_AUC = 0.9


def realpages() -> Path:
    return Path(os.environ.get("KOLSCOPE_REALPAGES") or ROOT.parent / "shared" / "realpages")


def auc(on: list[float], off: list[float]) -> float | None:
    """Mann-Whitney AUC: P(on > off) + P(on == off) / 2; None without both kinds."""
    if not on or not off:
        return None
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in on for b in off)
    return wins / (len(on) * len(off))


def evaluate(pages: Path | None = None) -> dict[str, dict]:
    """{brief: {auc, on: {case: score}, off: {case: score}, confidence: {case: level}}} over the real pages."""
    from scraper import parse
    from server.scoring import score

    pages = pages or realpages()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    snaps: dict[str, dict] = {}
    out: dict[str, dict] = {}
    for name, spec in labels["briefs"].items():
        brief = {"name": name, "keywords": spec["keywords"]}
        result: dict = {"on": {}, "off": {}, "confidence": {}, "reasons": {}}
        for side in ("on", "off"):
            for case in spec[side]:
                if case not in snaps:
                    capture = json.loads((pages / f"{case}.capture.json").read_text(encoding="utf-8"))
                    snaps[case] = parse(capture).to_dict()
                snap = snaps[case]
                r = score(snap, brief=brief, now=snap.get("captured_at") or "2026-01-01T00:00:00Z")
                result[side][case] = r["fit"]["score"]
                result["confidence"][case] = r["fit"]["confidence"]
                result["reasons"][case] = next(f["reason"] for f in r["fit"]["factors"] if f["key"] == "niche")
        result["auc"] = auc(list(result["on"].values()), list(result["off"].values()))
        out[name] = result
    return out


def main() -> bool | None:
    pages = realpages()
    if not pages.is_dir():
        print(f"skipped: no real pages at {pages}")
        return None
    print(load_line())
    from server.scoring import topics

    t0 = time.perf_counter()
    topics.warm()
    print(f"semantic model + topic prototypes load (once per process): {(time.perf_counter() - t0) * 1000:.0f} ms"
          + ("" if topics.model() is not None else " (model unavailable: lexicon and literal words only)"))
    results = evaluate(pages)
    met = True
    for name, r in results.items():
        on, off = list(r["on"].values()), list(r["off"].values())
        if r["auc"] is None:
            print(f"{name:11} no on-topic creator among the real pages; off-topic scores: max {max(off)}, "
                  f"median {sorted(off)[len(off) // 2]} over {len(off)}")
            continue
        met = met and r["auc"] >= TARGET_AUC
        print(f"{name:11} AUC {r['auc']:.2f}  on-topic {len(on)}: min {min(on)}, median {sorted(on)[len(on) // 2]}  "
              f"off-topic {len(off)}: max {max(off)}, median {sorted(off)[len(off) // 2]}  "
              f"separation (min on - max off) {min(on) - max(off):+d}")
    high_wrong = [(n, c) for n, r in results.items() for c, s in r["off"].items() if s >= 65]
    print(f"off-topic creators graded B or better: {len(high_wrong)}" + (f" {high_wrong}" if high_wrong else ""))
    print(f"target AUC >= {TARGET_AUC} for every brief with on-topic creators: {'ok' if met else 'MISSED'}")
    return met


if __name__ == "__main__":
    main()
