"""The benchmarks' shared figures: one percentile for every module, and a missed target fails the run."""

from __future__ import annotations

import sys
import types

import pytest

import bench
from bench import pct
from bench.__main__ import main


def test_nearest_rank_percentile() -> None:
    values = list(range(1, 21))  # 1..20
    assert pct(values, 50) == 10 and pct(values, 95) == 19 and pct(values, 100) == 20
    assert pct([7.0], 95) == 7.0 and pct([3, 1, 2], 1) == 1  # an observed value, never interpolated
    with pytest.raises(ValueError):
        pct([], 50)


def test_a_missed_target_fails_the_run(monkeypatch, capsys) -> None:
    for name, result in (("bench_zz_met", True), ("bench_zz_missed", False), ("bench_zz_none", None)):
        module = types.ModuleType(f"bench.{name}")
        module.main = lambda result=result: result
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr("pkgutil.iter_modules", lambda path: [types.SimpleNamespace(name=n) for n in
                                                               ("bench_zz_met", "bench_zz_missed", "bench_zz_none")])
    monkeypatch.setattr(sys, "argv", ["bench"])
    assert main() == 1
    assert "targets missed: bench_zz_missed" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["bench", "zz_met", "zz_none"])
    assert main() == 0
    assert bench.load_line().startswith("load average")
