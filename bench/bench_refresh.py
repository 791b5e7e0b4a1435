"""Refresh throughput: a watchlist of 200 creators served by replay, pooled fetcher vs a browser per page.

Both sides run the same refresh code (fetch with Playwright, parse, score, durable store write) in the
same run; the only difference is one browser with a pool of contexts against launching a browser for
every page. The pages are the real captures of ../shared/realpages (profiles and channels of all four
platforms), each served under 200 distinct creator handles (the handle rewritten throughout the
capture, so every page parses as its own creator); without them, synthetic X pages stand in.
Peak memory is the sum over the browser's processes, sampled from /proc: RSS, and PSS (which splits
shared pages between processes, so it does not count Chromium's shared code once per process).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import load_line

CREATORS = 200
NAIVE_SAMPLE = 16  # the naive loop costs ~1-2 s a page: a sample of the same list gives its rate
POOL_SIZE = 4
TARGET = 4.0

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = Path(os.environ.get("KOLSCOPE_REALPAGES", ROOT.parent / "shared" / "realpages"))


def _base_captures() -> list[tuple[str, str, dict, str | None]]:
    """(platform, handle, capture, account id) of every real profile/channel page that names its creator."""
    from scraper import parse

    out = []
    if not REALPAGES.is_dir():
        return out
    for path in sorted(REALPAGES.glob("*/*.capture.json")):
        if not any(k in path.name for k in ("_profile_", "_channel_")):
            continue
        expected = json.loads(path.with_name(path.name.replace(".capture.json", ".expected.json")).read_text())
        if expected.get("error") or not expected.get("handle"):
            continue
        cap = json.loads(path.read_text(encoding="utf-8"))
        try:
            snap = parse(cap)
        except Exception:  # a page the current parsers cannot read is simply not part of the mix
            continue
        if snap.handle != expected["handle"]:
            continue
        out.append((expected["platform"], expected["handle"], cap, snap.platform_id))
    return out


def _rewrite(capture: dict, old: str, new: str, old_id: str | None = None) -> dict:
    """The same page for another account: every occurrence of the handle replaced (URL, HTML, API
    bodies), and of the account id when given (the store keeps one creator per account id)."""
    text = json.dumps(capture).replace(old, new)
    if old_id and len(old_id) >= 6:
        digest = hashlib.sha256(new.encode()).hexdigest()
        if old_id.isdigit():
            new_id = str(int(digest, 16))[-len(old_id):].rjust(len(old_id), "1")
        else:  # a YouTube channel id: "UC" and 22 more characters
            new_id = (old_id[:2] + digest)[:len(old_id)]
        text = text.replace(old_id, new_id)
    return json.loads(text)


def build_watchlist(n: int = CREATORS):
    """(replay, creators): n creators, each with its own page, cycling through the real captures."""
    from scraper import parse
    from scraper.replay import Replay
    from scraper.registry import profile_url

    replay = Replay()
    creators: list[dict] = []
    bases = _base_captures()
    source = "real pages" if bases else "synthetic X pages (no ../shared/realpages)"
    i = 0
    while len(creators) < n:
        if bases:
            platform, handle, cap, pid = bases[i % len(bases)]
            new = f"{handle.replace('.', '')[:8]}_{len(creators):03d}"
            page = _rewrite(cap, handle, new, pid)
        else:
            from tests.scraper.synthetic import x_capture

            platform, new = "x", f"bench_{len(creators):03d}"
            page = x_capture(new, 1000 + len(creators))
        i += 1
        try:
            if parse(page).handle != new:
                continue
        except Exception:
            continue
        replay.add_capture(page)
        if replay.page_for(profile_url(platform, new)) is None:
            continue
        creators.append({"platform": platform, "handle": new})
    return replay, creators, source


# -- memory of the browser processes --------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        kids: list[int] = []
        for t in tasks:
            try:
                kids += [int(c) for c in (t / "children").read_text().split()]
            except OSError:
                pass
        return kids
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in _children(p):
            out.append(c)
            todo.append(c)
    return out


def _mem_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class BrowserMemory:
    """Samples the summed RSS/PSS of this process's Chromium descendants; keeps the peaks."""

    def __init__(self, every: float = 0.1):
        self.every = every
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            rss = pss = procs = 0
            for pid in _descendants(me):
                try:
                    comm = Path(f"/proc/{pid}/comm").read_text().strip()
                except OSError:
                    continue
                if "chrom" not in comm:  # the browser's processes, not Playwright's node driver
                    continue
                r, p = _mem_kb(pid)
                rss, pss, procs = rss + r, pss + p, procs + 1
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, procs)
            self._stop.wait(self.every)

    def __enter__(self) -> BrowserMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- the runs ---------------------------------------------------------------------------------------------


def pooled(replay, creators, data_dir: Path):
    from server.refresh import refresh_creators
    from server.store import Store

    with Store(data_dir) as store, BrowserMemory() as mem:
        t0 = time.perf_counter()
        run = refresh_creators(store, creators, replay=replay, fetcher_options={"pool_size": POOL_SIZE,
                                                                               "timeout": 30.0})
        seconds = time.perf_counter() - t0
    return run, seconds, mem


def naive(replay, creators, data_dir: Path):
    """A browser launched (and closed) for every page: the loop a first script would write."""
    from server.refresh import refresh_creators
    from server.store import Store

    outcomes = []
    with Store(data_dir) as store, BrowserMemory() as mem:
        t0 = time.perf_counter()
        for c in creators:
            run = refresh_creators(store, [c], replay=replay, fetcher_options={"pool_size": 1, "timeout": 30.0})
            outcomes += run.creators
        seconds = time.perf_counter() - t0
    return outcomes, seconds, mem


def main() -> bool | None:
    if not os.path.exists("/usr/bin/chromium") and not os.environ.get("KOLSCOPE_CHROMIUM"):
        print("skipped: no Chromium at /usr/bin/chromium")
        return
    t0 = time.perf_counter()
    replay, creators, source = build_watchlist(CREATORS)
    mix: dict[str, int] = {}
    for c in creators:
        mix[c["platform"]] = mix.get(c["platform"], 0) + 1
    print(f"watchlist: {len(creators)} creators from {source} "
          f"({', '.join(f'{k} {v}' for k, v in sorted(mix.items()))}); built in {time.perf_counter() - t0:.1f} s")
    # Every Nth creator, so the naive sample has the same platform mix as the whole list.
    step = max(1, len(creators) // NAIVE_SAMPLE)
    sample = creators[::step][:NAIVE_SAMPLE]
    half = len(sample) // 2
    with tempfile.TemporaryDirectory(prefix="kolscope-bench-refresh-") as tmp:
        # Half the naive sample before the pooled run and half after: on a shared machine the load
        # drifts during a run, and this keeps the drift from favouring either side.
        before, before_s, before_mem = naive(replay, sample[:half], Path(tmp) / "naive1")
        run, pooled_s, pooled_mem = pooled(replay, creators, Path(tmp) / "pooled")
        after, after_s, after_mem = naive(replay, sample[half:], Path(tmp) / "naive2")
    outcomes, naive_s = before + after, before_s + after_s
    naive_mem = before_mem if before_mem.peak_pss >= after_mem.peak_pss else after_mem
    pooled_rate = len(creators) / pooled_s
    naive_rate = len(sample) / naive_s
    ok_pooled = run.counts().get("ok", 0)
    ok_naive = sum(1 for o in outcomes if o.status == "ok")
    ratio = pooled_rate / naive_rate
    print(f"pooled  (1 browser, {POOL_SIZE} contexts): {len(creators)} pages in {pooled_s:.1f} s = "
          f"{pooled_rate:.2f} pages/s; ok {ok_pooled}/{len(creators)}; "
          f"peak browser memory RSS {pooled_mem.peak_rss / 1024:.0f} MB, PSS {pooled_mem.peak_pss / 1024:.0f} MB "
          f"({pooled_mem.peak_procs} processes)")
    print(f"naive   (browser per page):       {len(sample)} pages in {naive_s:.1f} s = "
          f"{naive_rate:.2f} pages/s; ok {ok_naive}/{len(sample)}; "
          f"peak browser memory RSS {naive_mem.peak_rss / 1024:.0f} MB, PSS {naive_mem.peak_pss / 1024:.0f} MB "
          f"({naive_mem.peak_procs} processes)")
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"speed-up: {ratio:.1f}x ({verdict} the >= {TARGET:g}x target); both sides fetch, parse, score and "
          f"store each page; {load_line()}")
    failed = [c for c in run.creators if c.status != "ok"][:5]
    for c in failed:
        print(f"  not ok: {c.platform}/{c.handle}: {c.status} {c.code}: {c.reason}")
    return ratio >= TARGET


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
