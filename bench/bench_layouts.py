"""Pages the parsers read from what is rendered or from a post: audience samples over the real list pages
(../shared/listpages: followers lists and comment lists of X, Instagram and TikTok) and parse time of
those layouts (Instagram post pages, TikTok's rendered comment panel and grid, X replies).

Figures: accounts of each list found in page order (recall of the expected accounts, the creator's own
replies left out), agreement of their fields (verified, picture, counts, name) with the expected file,
and the median / p95 parse CPU time per layout. Run: `make bench` or `.venv/bin/python -m bench.bench_layouts`.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

from bench import load_line, pct

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = Path(os.environ.get("KOLSCOPE_REALPAGES", ROOT.parent / "shared" / "realpages"))
LISTPAGES = REALPAGES.parent / "listpages"
REPEATS = 5
TARGET_RECALL = 1.0  # every expected account of a followers or comments list, in page order
TARGET_FIELDS = 1.0  # every field the page carries, as the expected file says
TARGET_MEDIAN_MS = 20.0  # CPU; an Instagram post page is ~2 MB of HTML with its data in inline scripts
FIELDS = ("verified", "has_profile_pic", "following", "posts", "bio_length", "display_name")


def _cases() -> list[Path]:
    out = []
    for p in sorted(LISTPAGES.glob("*/*.expected.json")):
        if json.loads(p.read_text(encoding="utf-8")).get("kind") in ("followers", "comments"):
            out.append(p)
    return out


def _parse_ms(capture: dict) -> list[float]:
    """CPU ms of each timed parse (process time: on a shared machine other processes barely move it)."""
    from scraper import parse

    parse(capture)  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.process_time()
        parse(capture)
        times.append((time.process_time() - t0) * 1000)
    return times


def _rendered_tiktok() -> dict | None:
    """The real 2023 TikTok profile with its SIGI_STATE cut out: the rendered header and grid only."""
    path = REALPAGES / "tiktok" / "tt_profile_dylanlemay_2023-02_sigi.capture.json"
    if not path.is_file():
        return None
    capture = json.loads(path.read_text(encoding="utf-8"))
    html = capture["html"]
    i = html.find('id="SIGI_STATE"')
    start, end = html.rfind("<script", 0, i), html.find("</script>", i) + len("</script>")
    capture["html"] = html[:start] + html[end:]
    return capture


def main() -> bool | None:
    from scraper import parse

    cases = _cases()
    if not cases:
        print(f"bench_layouts: no list pages at {LISTPAGES} (beside the realpages folder): nothing to measure")
        return None
    print(load_line())
    print(f"{'case':66} {'accounts':>9} {'in order':>9} {'fields':>8} {'CPU median ms':>14} {'p95':>7}")
    found = expected_total = field_ok = field_total = 0
    medians: list[float] = []
    for path in cases:
        expected = json.loads(path.read_text(encoding="utf-8"))
        capture = json.loads(path.with_name(path.name.replace(".expected.", ".capture.")).read_text(encoding="utf-8"))
        snap = parse(capture)
        owner = (expected["owner"] or "").lower()
        want = [c for c in expected["creators"] if (c["handle"] or "").lower() != owner]
        got = snap.audience_sample[: len(want)]
        in_order = sum(1 for a, c in zip(got, want) if a.username == c["handle"])
        total = expected["creators_total"] - (len(expected["creators"]) - len(want))
        found += min(len(snap.audience_sample), total) if in_order == len(want) else in_order
        expected_total += total
        ok = checked = 0
        for account, c in zip(got, want):
            for name in FIELDS:
                if c.get(name) is not None:
                    checked += 1
                    ok += getattr(account, name) == c[name]
            if c.get("followers") is not None:
                checked += 1
                ok += account.followers == c["followers"]["value"]
        field_ok, field_total = field_ok + ok, field_total + checked
        times = _parse_ms(capture)
        medians.append(statistics.median(times))
        print(f"{path.parent.name + '/' + path.name[:-len('.expected.json')]:66} "
              f"{len(snap.audience_sample):>4}/{total:<4} {in_order:>4}/{len(want):<4} {f'{ok}/{checked}':>8} "
              f"{statistics.median(times):>14.1f} {pct(times, 95):>7.1f}")
    rendered = _rendered_tiktok()
    if rendered is not None:
        times = _parse_ms(rendered)
        medians.append(statistics.median(times))
        snap = parse(rendered)
        print(f"{'tiktok/dylanlemay, SIGI_STATE cut out (header + grid)':66} {'posts':>9} "
              f"{len(snap.recent_posts):>9} {'':>8} {statistics.median(times):>14.1f} {pct(times, 95):>7.1f}")
    recall = found / expected_total if expected_total else 1.0
    fields = field_ok / field_total if field_total else 1.0
    worst = max(medians)
    targets = [
        (f"audience accounts found (of {expected_total}) >= {TARGET_RECALL:.0%}", f"{recall:.1%}", recall >= TARGET_RECALL),
        (f"fields as expected (of {field_total}) >= {TARGET_FIELDS:.0%}", f"{fields:.1%}", fields >= TARGET_FIELDS),
        (f"slowest layout's median parse CPU <= {TARGET_MEDIAN_MS:g} ms", f"{worst:.1f} ms", worst <= TARGET_MEDIAN_MS),
    ]
    for label, value, passed in targets:
        print(f"  {'met   ' if passed else 'MISSED'} {label}: {value}")
    return all(passed for _, _, passed in targets)


if __name__ == "__main__":
    raise SystemExit(0 if main() is not False else 1)
