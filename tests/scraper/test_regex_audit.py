"""Every module-level regex of scraper/ and server/ on adversarial text: linear time, no backtracking blow-up.

For each compiled pattern, strings of ~30,000 characters are built from the pattern's own literal
pieces (its tag names, words, quotes and brackets) repeated, alone and in pairs, plus runs of the
characters classes like `\\s*` and `[^>]*` eat. A linear pattern scans one in a few milliseconds; a
pattern that rescans from every start (`<svg\\b.*?</svg>` over `<svg` x N, `\\s*\\.?\\s*$` over spaces)
takes seconds. The limit (0.25 s of CPU for one search and one findall, the better of two runs) is
loose on purpose: a linear pattern needs milliseconds, the quadratic ones this found needed 2-50 s.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

import pytest

import scraper
import server

SIZE = 30_000
LIMIT_S = 0.25
FILLERS = [" ", "a", "1", '"', "'", "<", ">", ".", ",", ":", "-", "@", "#", "(", ")", "{", "[", "\n", "é", "万"]


def _patterns() -> list[tuple[str, re.Pattern]]:
    found: dict[str, re.Pattern] = {}
    for package in (scraper, server):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if isinstance(value, re.Pattern):
                    found.setdefault(f"{info.name}.{name}", value)
                elif isinstance(value, tuple):  # a table of (pattern, ...) rows
                    for i, row in enumerate(value):
                        first = row[0] if isinstance(row, tuple) and row else row
                        if isinstance(first, re.Pattern):
                            found.setdefault(f"{info.name}.{name}[{i}]", first)
    return sorted(found.items())


def _pieces(pattern: str) -> list[str]:
    """The literal runs of a pattern's source ("<svg", "created by", "Instagram"), unescaped."""
    out, cur, i = [], "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt.isalnum():  # \d \s \w \b: a class or an anchor ends the run
                if cur:
                    out.append(cur)
                cur = ""
            else:
                cur += nxt
            i += 2
            continue
        if ch in "()[]{}?*+|^$.":
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    if cur:
        out.append(cur)
    return [p for p in dict.fromkeys(out) if p.strip()][:12]


def _texts(pattern: re.Pattern) -> list[str]:
    pieces = _pieces(pattern.pattern)
    units = pieces + FILLERS
    texts = [u * (SIZE // len(u) + 1) for u in units]
    texts += [(a + b) * (SIZE // len(a + b) + 1) for a in pieces[:8] for b in pieces[:8] + [" ", '"', "a", "1", ">"]]
    for piece in pieces[:4]:
        # a piece, then a long run of what a greedy class eats, then something that fails the match
        texts += [piece + f * SIZE + end for f in (" ", "a", "1", ".", "<") for end in ("", "x", '"')]
    return [t[:SIZE + 200] for t in texts]


PATTERNS = _patterns()


def _cost(pattern: re.Pattern, text: str) -> float:
    started = time.thread_time()
    pattern.search(text)
    pattern.findall(text[:SIZE])
    return time.thread_time() - started


def test_patterns_are_found() -> None:
    names = {n for n, _ in PATTERNS}
    assert "scraper.platforms.instagram._GRID_LINK" in names and "server.scoring.content.JUNK_PATTERNS" in names
    assert len(PATTERNS) > 40


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_pattern_is_linear_on_adversarial_text(name: str, pattern: re.Pattern) -> None:
    for text in _texts(pattern):
        spent = _cost(pattern, text)
        if spent >= LIMIT_S:
            spent = min(spent, _cost(pattern, text))  # a neighbour's burst, or the pattern?
        assert spent < LIMIT_S, f"{name} ({pattern.pattern[:80]!r}) took {spent:.2f} s on {text[:40]!r}..."
