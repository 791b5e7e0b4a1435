"""The labelled audience accounts the account checker is fitted and measured on, read from ../shared.

Three sets, each a list of samples (accounts seen together, as a followers list is):
- `srf-instagram`: SRF Data's 975 hand-labelled Instagram followers (2017, CC BY-SA 4.0), both classes.
- `x-bought`: 519 bought X followers (2018, MIT), all fake; display name and default avatar are read
  from the published CSV (the jsonl lacks them).
- `x-real`: every X user object in the real captured pages (shared/realpages/x, shared/listpages/x:
  followers, following, replies, search results), labelled real *by provenance*: accounts seen
  following, replying to or followed by the X developer accounts, or found in searches, not checked
  by hand. Some may be spam; the set also leans to notable accounts (many verified). It exists so
  that X precision is measured, not assumed.
Nothing here is copied into the repository; a missing folder gives empty sets.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALPAGES = Path(os.environ.get("KOLSCOPE_REALPAGES", ROOT.parent / "shared" / "realpages"))
SHARED = REALPAGES.parent
DATASETS = SHARED / "datasets"
SRF = DATASETS / "srf-instagram-followers" / "accounts.jsonl"
X_BOUGHT = DATASETS / "x-bought-followers-2018" / "accounts.jsonl"
X_BOUGHT_CSV = DATASETS / "x-bought-followers-2018" / "fake_accounts.csv"
# The bought accounts were saved on the day of the upstream commit (its newest status is from that
# morning): their age is measured at that moment, not today.
X_BOUGHT_SEEN = "2018-01-24T12:00:00Z"


@dataclass
class Sample:
    """Accounts seen together (one list on one page, or one published set), with their labels."""

    dataset: str
    platform: str
    now: str | None
    accounts: list[dict] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def srf_instagram() -> list[Sample]:
    if not SRF.is_file():
        return []
    rows = _jsonl(SRF)
    return [Sample("srf-instagram", "instagram", None, [{k: v for k, v in r.items() if k != "is_fake"} for r in rows],
                   [bool(r["is_fake"]) for r in rows])]


def x_bought() -> list[Sample]:
    if not X_BOUGHT.is_file():
        return []
    rows = _jsonl(X_BOUGHT)
    extra: dict[str, dict] = {}
    if X_BOUGHT_CSV.is_file():
        with X_BOUGHT_CSV.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                extra[r["screen_name"]] = {"display_name": r.get("name") or None,
                                           "default_avatar": r.get("default_profile_image") == "True"}
    accounts = [dict({k: v for k, v in r.items() if k != "is_fake"}, **extra.get(r["username"], {})) for r in rows]
    return [Sample("x-bought", "x", X_BOUGHT_SEEN, accounts, [bool(r["is_fake"]) for r in rows])]


def _x_users(body: object):
    """Every X user object (GraphQL `User` or a v1.1 user) in a decoded API response."""
    stack = [body]
    while stack:
        o = stack.pop()
        if isinstance(o, dict):
            legacy = o.get("legacy")
            if o.get("__typename") == "User" or (isinstance(legacy, dict) and "followers_count" in legacy):
                yield o
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)


def x_real() -> list[Sample]:
    """One sample per captured X page; an account seen on several pages counts once (its first page)."""
    from scraper.jsonpath import traverse
    from scraper.platforms import x

    seen: set[str] = set()
    samples = []
    paths = sorted((REALPAGES / "x").glob("*.capture.json")) + sorted((SHARED / "listpages" / "x").glob("*.capture.json"))
    for path in paths:
        capture = json.loads(path.read_text(encoding="utf-8"))
        sample = Sample("x-real", "x", capture.get("captured_at"))
        for response in capture.get("responses") or []:
            try:
                body = json.loads(response.get("body") or "")
            except ValueError:
                continue
            for user in _x_users(body):
                account = x._account(user)
                if account is None or account.username.lower() in seen:
                    continue
                seen.add(account.username.lower())
                row = asdict(account)
                row["platform"] = "x"
                row["created_at"] = row.get("created_at") or traverse(user, ("core", "created_at"), ("legacy", "created_at"))
                row["display_name"] = row.get("display_name") or traverse(user, ("core", "name"), ("legacy", "name"))
                if row.get("default_avatar") is None and row.get("has_profile_pic") is not None:
                    row["default_avatar"] = not row["has_profile_pic"]
                sample.accounts.append(row)
                sample.labels.append(False)
        if sample.accounts:
            samples.append(sample)
    return samples


def load_all() -> dict[str, list[Sample]]:
    """{"srf-instagram": [...], "x-bought": [...], "x-real": [...]}; empty lists for missing sets."""
    return {"srf-instagram": srf_instagram(), "x-bought": x_bought(), "x-real": x_real()}
