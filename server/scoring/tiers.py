"""Creator tiers by audience size (nano < 10k, micro, mid, macro, mega >= 1M), configurable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# (name, lower bound inclusive): the common industry split (Later x Fohr, HypeAuditor, Modash).
TIERS: tuple[tuple[str, int], ...] = (
    ("nano", 0),
    ("micro", 10_000),
    ("mid", 100_000),
    ("macro", 500_000),
    ("mega", 1_000_000),
)
TIER_NAMES: tuple[str, ...] = tuple(name for name, _ in TIERS)


def normalize_tiers(tiers: Mapping[str, int] | Sequence[tuple[str, int]] | None) -> tuple[tuple[str, int], ...]:
    """A tier table sorted by lower bound; `tiers` may be a {name: lower_bound} mapping or pairs."""
    if tiers is None:
        return TIERS
    pairs = list(tiers.items()) if isinstance(tiers, Mapping) else [tuple(p) for p in tiers]
    table = []
    for name, low in pairs:
        if not isinstance(name, str) or isinstance(low, bool) or not isinstance(low, (int, float)) or low < 0:
            raise ValueError(f"invalid tier {name!r}: {low!r} (a name and a non-negative lower bound)")
        table.append((name, int(low)))
    if not table:
        raise ValueError("a tier table needs at least one tier")
    table.sort(key=lambda p: p[1])
    return tuple(table)


def tier_for(followers: float | None, tiers: Mapping[str, int] | Sequence[tuple[str, int]] | None = None) -> str | None:
    """The tier name for an audience size, or None when the size is unknown."""
    if followers is None or isinstance(followers, bool) or not isinstance(followers, (int, float)) or followers < 0:
        return None
    table = normalize_tiers(tiers)
    name = table[0][0]
    for tier, low in table:
        if followers >= low:
            name = tier
    return name
