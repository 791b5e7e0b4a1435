"""Parse time of the TikTok and Instagram parsers over the real captures, beside their peers.

Per page, in the same run: kolscope's complete snapshot, a full BeautifulSoup(html, "html.parser")
parse of the same HTML, and (TikTok) yt-dlp's TikTokUserIE._get_universal_data, which only extracts
the raw embedded JSON. Targets (issue 2): median <= 10 ms; universal-data pages no slower than
yt-dlp (ratio <= 1.0); SIGI_STATE and Instagram pages >= 3x faster than the html.parser parse.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bs4 import BeautifulSoup

from scraper.capture import Capture
from scraper.platforms import instagram, tiktok

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = Path(os.environ.get("KOLSCOPE_REALPAGES", ROOT.parent / "shared" / "realpages"))
REPEAT = int(os.environ.get("KOLSCOPE_BENCH_REPEAT", "21"))
BS_REPEAT = max(3, REPEAT // 5)


def _times(fn: Callable[[], object], n: int) -> list[float]:
    fn()  # warm-up: imports, regex compilation
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def _yt_dlp_universal() -> Callable[[str], object] | None:
    try:
        from yt_dlp import YoutubeDL
        from yt_dlp.extractor.tiktok import TikTokUserIE
    except ImportError:
        return None
    ie = TikTokUserIE(YoutubeDL({"quiet": True, "no_warnings": True}))
    return lambda html: ie._get_universal_data(html, "bench")


def main() -> None:
    if not REALPAGES.is_dir():
        print(f"real pages not found at {REALPAGES}: nothing to measure (set KOLSCOPE_REALPAGES)")
        return
    ytdlp = _yt_dlp_universal()
    print(f"{'page':48s} {'layout':10s} {'kolscope':>9s} {'p95':>7s} {'html.parser':>12s} {'x faster':>9s}"
          f" {'yt-dlp':>8s} {'ratio':>6s}")
    per_platform: dict[str, list[float]] = {}
    for platform, module in (("tiktok", tiktok), ("instagram", instagram)):
        for path in sorted((REALPAGES / platform).glob("*.capture.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            html = data["html"]
            # a fresh Capture per run: Capture.load is part of what a caller pays
            ours = _times(lambda m=module, d=data: m.parse(Capture.load(d)), REPEAT)
            bs = _times(lambda h=html: BeautifulSoup(h, "html.parser"), BS_REPEAT)
            layout = ("sigi" if "SIGI_STATE" in html else "universal") if platform == "tiktok" else "rendered" \
                if "<header" in html else "meta-only"
            med, bs_med = statistics.median(ours), statistics.median(bs)
            peer = ratio = ""
            if platform == "tiktok" and ytdlp is not None:
                y = statistics.median(_times(lambda h=html: ytdlp(h), REPEAT))
                peer, ratio = f"{y:8.2f}", f"{med / y:6.2f}"
            per_platform.setdefault(platform, []).extend(ours)
            print(f"{path.name[:-len('.capture.json')][:48]:48s} {layout:10s} {med:9.2f} {_p95(ours):7.2f}"
                  f" {bs_med:12.1f} {bs_med / med:8.1f}x {peer:>8s} {ratio:>6s}")
    for platform, values in per_platform.items():
        print(f"{platform}: median {statistics.median(values):.2f} ms, p95 {_p95(values):.2f} ms over "
              f"{len(values)} runs (target: median <= 10 ms)")


if __name__ == "__main__":
    main()
