"""Run every benchmark module (bench/bench_*.py, each with a main()) and print their figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main() -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    only = sys.argv[1:]
    failed, missed = 0, []
    for name in names:
        if only and not any(o in name for o in only):
            continue
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        try:
            if importlib.import_module(f"bench.{name}").main() is False:
                missed.append(name)
        except Exception as exc:  # one broken benchmark should not hide the others' figures
            failed += 1
            print(f"!! {name} failed: {type(exc).__name__}: {exc}", flush=True)
        print(f"({name}: {time.perf_counter() - t0:.1f} s)", flush=True)
    if missed:
        print(f"\ntargets missed: {', '.join(missed)}", flush=True)
    return 1 if failed or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
