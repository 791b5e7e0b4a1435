"""Parse time per platform over the real captures, side by side with a full html.parser DOM parse and
with yt-dlp's extraction of the same embedded data (the peer a user would reach for).

Run: `make bench` (all benchmarks) or `.venv/bin/python -m bench.bench_parse`.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import load_average, pct

REPEATS = 5  # timed runs per page and contender, after one warm-up run; the per-page figure is their median
TARGET_MEDIAN_MS = 10.0
TARGET_YTDLP_RATIO = 1.0
TARGET_DOM_SPEEDUP = 3.0


@dataclass
class Row:
    """One line of the table: a platform (or the TikTok SIGI_STATE pages on their own).

    Per page and contender two figures: wall time (time.perf_counter, the best of the runs: on a shared
    machine the least-disturbed run is closest to what the code costs) and CPU time of this process
    (time.process_time, median of the runs), which other processes on the machine barely move.
    """

    label: str
    pages: int = 0
    wall: dict[str, list[float]] = field(default_factory=lambda: {"parse": [], "soup": [], "ytdlp": []})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {"parse": [], "soup": [], "ytdlp": []})
    outcomes: dict[str, int] = field(default_factory=dict)


def _time(fn: Callable[[], Any], repeats: int = REPEATS) -> tuple[float, float]:
    """(best wall ms, median CPU ms) of fn() after a warm-up run; GC off while timing (as timeit does)."""
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        gc_was = gc.isenabled()
        gc.disable()
        try:
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            t1, c1 = time.perf_counter(), time.process_time()
        finally:
            if gc_was:
                gc.enable()
        walls.append((t1 - t0) * 1000)
        cpus.append((c1 - c0) * 1000)
    return min(walls), statistics.median(cpus)


def _ytdlp_extractors() -> tuple[Any, Any] | None:
    try:
        import yt_dlp
        from yt_dlp.extractor.tiktok import TikTokUserIE
        from yt_dlp.extractor.youtube import YoutubeTabIE
    except ImportError:
        return None
    ydl = yt_dlp.YoutubeDL({"quiet": True, "no_warnings": True})
    return YoutubeTabIE(ydl), TikTokUserIE(ydl)


def _ytdlp_call(platform: str, html: str, url: str, extractors: tuple[Any, Any] | None,
                responses: list | None = None) -> Callable[[], Any] | None:
    """yt-dlp's own extraction of the data embedded in this page, or None where it has no peer."""
    if extractors is None:
        return None
    youtube_ie, tiktok_ie = extractors
    item_id = url.rstrip("/").rsplit("/", 1)[-1] or "page"
    if platform == "youtube":
        # After a single-page navigation (the .spa captures) the page's ytInitialData is {} and the data
        # is the /browse or /next answer: yt-dlp gets that from the same API and decodes it with
        # _parse_json, so that decoding is its share of the same work.
        bodies = [r["body"] for r in responses or []
                  if isinstance(r, dict) and isinstance(r.get("body"), str)
                  and ("youtubei/v1/browse" in str(r.get("url")) or "youtubei/v1/next" in str(r.get("url")))]

        def youtube() -> Any:
            data = youtube_ie.extract_yt_initial_data(item_id, html, fatal=False)
            return data, [youtube_ie._parse_json(body, item_id, fatal=False) for body in bodies]

        return youtube
    if platform == "tiktok":
        # As TikTokUserIE/TikTokLiveIE do: __UNIVERSAL_DATA_FOR_REHYDRATION__ first, SIGI_STATE when the
        # universal data does not hold the user (or video) detail (2023 pages carry both scripts).
        def tiktok() -> Any:
            data = tiktok_ie._get_universal_data(html, item_id)
            if data.get("webapp.user-detail") or data.get("webapp.video-detail"):
                return data
            return tiktok_ie._get_sigi_state(html, item_id)

        return tiktok
    return None


def _is_sigi(html: str) -> bool:
    return 'id="SIGI_STATE"' in html or 'id="sigi-persisted-data"' in html


def measure() -> dict[str, Row] | None:
    from bs4 import BeautifulSoup

    from scraper import parse
    from scraper.errors import CaptureError
    from tests.conftest import REALPAGES, realpage_cases

    cases = realpage_cases()
    if not cases:
        print(f"bench_parse: skipped: no real captures at {REALPAGES} (set KOLSCOPE_REALPAGES)")
        return None
    extractors = _ytdlp_extractors()
    if extractors is None:
        print("bench_parse: yt-dlp is not installed (pip install -e '.[bench]'): its column stays empty")
    rows: dict[str, Row] = {}
    for n, case in enumerate(cases, 1):
        platform = case.split("/", 1)[0]
        capture = json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
        html = capture.get("html") or ""
        labels = [platform] + ([f"{platform} (SIGI_STATE)"] if platform == "tiktok" and _is_sigi(html) else [])

        def run_parse(capture: dict = capture) -> str:
            try:
                parse(capture)
            except CaptureError as exc:  # a typed answer is a result too (its time counts)
                return exc.code
            return "snapshot"

        outcome = run_parse()
        timed = {"parse": _time(run_parse), "soup": _time(lambda html=html: BeautifulSoup(html, "html.parser"), 3)}
        peer = _ytdlp_call(platform, html, capture.get("url") or "", extractors, capture.get("responses"))
        if peer is not None:
            timed["ytdlp"] = _time(peer)
        for label in labels:
            row = rows.setdefault(label, Row(label))
            row.pages += 1
            for name, (wall, cpu) in timed.items():
                row.wall[name].append(wall)
                row.cpu[name].append(cpu)
            row.outcomes[outcome] = row.outcomes.get(outcome, 0) + 1
        if sys.stderr.isatty():
            print(f"\r  {n}/{len(cases)} pages", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return rows


def _med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _targets(rows: dict[str, Row], kind: str) -> list[tuple[str, float, bool]]:
    """(target, measured, passed) for every target of issue 2, on `kind` ('wall' or 'cpu') figures."""
    out = []

    def fig(row: Row, name: str) -> float | None:
        return _med(getattr(row, kind)[name])

    for label, row in sorted(rows.items()):
        if "(" not in label:
            med = fig(row, "parse")
            out.append((f"{label}: median parse <= {TARGET_MEDIAN_MS:g} ms", med, med <= TARGET_MEDIAN_MS))
    for label in ("youtube", "tiktok"):
        row = rows.get(label)
        if row and row.wall["ytdlp"]:
            ratio = fig(row, "parse") / fig(row, "ytdlp")
            out.append((f"{label}: parse / yt-dlp extraction <= {TARGET_YTDLP_RATIO:g}", ratio,
                        ratio <= TARGET_YTDLP_RATIO))
    for label in ("instagram", "tiktok (SIGI_STATE)"):
        row = rows.get(label)
        if row:
            speedup = fig(row, "soup") / fig(row, "parse")
            out.append((f"{label}: >= {TARGET_DOM_SPEEDUP:g}x faster than html.parser", speedup,
                        speedup >= TARGET_DOM_SPEEDUP))
    return out


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def report(rows: dict[str, Row]) -> bool:
    """Print the tables; True when every target passes on wall-clock figures."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    table = Table(title=f"scraper.parse over the real captures, ms per page (wall: best of {REPEATS} runs; "
                        "CPU: median; after a warm-up run)")
    for col in ("platform", "pages", "parse median", "parse p95", "parse CPU median", "html.parser median",
                "vs html.parser", "yt-dlp median", "parse / yt-dlp", "outcomes"):
        table.add_column(col, justify="left" if col in ("platform", "outcomes") else "right")
    for label in sorted(rows, key=lambda k: (k.split(" ")[0], k)):
        row = rows[label]
        med, soup, ytdlp = _med(row.wall["parse"]), _med(row.wall["soup"]), _med(row.wall["ytdlp"])
        table.add_row(
            label, str(row.pages), _ms(med), _ms(pct(row.wall["parse"], 95)), _ms(_med(row.cpu["parse"])), _ms(soup),
            f"{soup / med:.1f}x faster", _ms(ytdlp), f"{med / ytdlp:.2f}" if ytdlp else "-",
            ", ".join(f"{k} {v}" for k, v in sorted(row.outcomes.items())),
        )
    console.print(table)

    wall_targets, cpu_targets = _targets(rows, "wall"), _targets(rows, "cpu")
    targets = Table(title="targets (issue 2): wall clock (time.perf_counter), and CPU time of this process")
    for col in ("target", "wall", "result", "CPU", "result (CPU)"):
        targets.add_column(col)

    def verdict(passed: bool) -> str:
        return "[green]PASS[/green]" if passed else "[red]FAIL[/red]"

    for (name, wall, wall_ok), (_n, cpu, cpu_ok) in zip(wall_targets, cpu_targets):
        targets.add_row(name, f"{wall:.2f}", verdict(wall_ok), f"{cpu:.2f}", verdict(cpu_ok))
    console.print(targets)
    load = load_average()
    if load is not None:
        console.print(f"load average {load:.1f} on {os.cpu_count()} cores"
                      + (" (a busy machine: wall figures include waiting for a core; CPU figures do not)"
                         if load > (os.cpu_count() or 1) else ""))
    return all(ok for _n, _v, ok in wall_targets)


def main() -> bool | None:
    rows = measure()
    return report(rows) if rows else None


if __name__ == "__main__":
    main()
