"""What the request hardening costs: the JSON depth check beside decoding, and checking a crontab line.

Targets: the depth walk adds at most 10% to orjson's decode of a real capture (their response bodies
are strings, so it walks little); a capture whose bodies are decoded objects is measured too, without
a target (the walk visits every container: it costs about a third of the decode); a crontab line is
judged (parse, first firing, shortest gap over a year) in at most 100 ms CPU at the median.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import datetime, timedelta, UTC
from pathlib import Path

import orjson

from bench import load_line, pct
from scraper.jsonpath import json_depth_over
from server.cron import CronError, check_crontab

ROOT = Path(__file__).resolve().parents[1]
LINES = ("0 6 * * *", "0 * * * *", "0 0 * * 7", "0 6 * * 1-5", "0 0 1 * 1", "30 23 * * *", "0 0,23 * * *",
         "* * * * *", "0 0 31 2 *", "0,30 0 29 2 *")


def _captures() -> list[Path]:
    root = Path(os.environ.get("KOLSCOPE_REALPAGES") or ROOT.parent / "shared" / "realpages")
    return sorted(root.rglob("*.capture.json"), key=lambda p: p.stat().st_size)[-5:] if root.is_dir() else []


def _synthetic() -> bytes:
    """A capture whose 200 responses carry decoded objects (~2,000 containers each), not strings."""
    node = {"a": [{"b": i, "c": [1, 2, {"d": "x"}]} for i in range(500)]}
    return orjson.dumps({"url": "https://x.com/a", "html": "", "responses": [
        {"url": f"https://x.com/i/api/{i}", "body": node} for i in range(200)]})


def _ms(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.thread_time()
        fn()
        out.append((time.thread_time() - t) * 1000)
    return out


def main() -> bool:
    print(load_line())
    met = True
    captures = _captures()
    if not captures:
        print("real captures not found (../shared/realpages or $KOLSCOPE_REALPAGES): only the synthetic one")
    blobs = [(p.name, p.read_bytes(), True) for p in captures] + [("synthetic: 200 object bodies", _synthetic(), False)]
    for name, data, targeted in blobs:
        value = orjson.loads(data)
        decode = statistics.median(_ms(lambda data=data: orjson.loads(data), 5))
        walk = statistics.median(_ms(lambda value=value: json_depth_over(value, 100), 5))
        share = walk / decode * 100 if decode else 0.0
        verdict = "no target"
        if targeted:
            met = met and share <= 10
            verdict = "target <= 10%: " + ("ok" if share <= 10 else "OVER TARGET")
        print(f"depth check, {name} ({len(data) / 1e6:.1f} MB): {walk:.2f} ms CPU beside a {decode:.2f} ms "
              f"decode ({share:.1f}%; {verdict})")
    now = datetime(2026, 11, 30, tzinfo=UTC)
    for line in LINES:
        def judge(line=line):
            try:
                check_crontab(line, timedelta(hours=1), now)
            except CronError:
                pass
        times = _ms(judge, 7)
        med, p95 = statistics.median(times), pct(times, 95)
        ok = med <= 100
        met = met and ok
        print(f"crontab {line!r}: median {med:.1f} ms, p95 {p95:.1f} ms CPU "
              f"(target <= 100 ms median: {'ok' if ok else 'OVER TARGET'})")
    return met


if __name__ == "__main__":
    main()
