"""`kolscope migrate --from DATA_DIR --to postgresql://...`: copy a data directory's store (TinyDB)
into a PostgreSQL database with nothing lost, then check it (issue 16).

What is copied, ids preserved: creators (summary, latest snapshot with scores, brief id and refresh
task ids, every history point, refresh status and log), aliases (renamed accounts), watchlists (members
with who added them and when, interval and cron), briefs, the active brief, the extension id and the
owner token, notes (authors, editors), users (token digests: no token is ever read or printed),
campaigns (partners, deliverables, orders) and candidates.

Re-runnable: every write is an upsert by id, and a creator already identical is not rewritten, so a
second run changes nothing and duplicates nothing. Then every record is compared between both stores
(`check`), and the command exits 0 when they are identical, 1 listing the differences, 2 when the
source or the target cannot be used (one line on stderr). The source is opened as a server would: it
takes the data directory's lock, so a server running on it is a clear error, not a copy of a store
that changes underneath.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from server.store import POSTGRES_SCHEMES, StoreError, TinyDBStore, open_store

EXIT_OK, EXIT_DIFFERENT, EXIT_UNUSABLE = 0, 1, 2
MAX_LISTED = 50  # differences printed; the rest are counted


def _meta(source: TinyDBStore, table: str) -> list[dict]:
    """A table of the source's meta.json that the repository interface answers only in part (every
    alias, every note at once, users with their token digests): read as stored, not changed."""
    return [dict(d) for d in source.meta.table(table).all()]


def _member(m: dict) -> dict:
    return {"platform": m["platform"], "key": m["key"], "added_by": m.get("added_by"), "added_at": m.get("added_at")}


def _watchlist(doc: dict) -> dict:
    """A watchlist as compared: members with their authorship (None where an older store has none)."""
    return dict(doc, creators=[_member(m) for m in doc.get("creators") or []])


def _user(doc: dict) -> dict:
    keys = ("id", "name", "admin", "created_at", "revoked_at", "token_sha256", "token_hint")
    return {k: doc.get(k) for k in keys}


def _note(doc: dict) -> dict:
    keys = ("id", "platform", "key", "text", "author", "created_at", "updated_at", "updated_by")
    return {k: doc.get(k) for k in keys}


def _campaign_records(store: Any, cid: str) -> tuple[dict, list[dict], list[dict], list[dict]]:
    return store.get_campaign(cid), store.list_partners(cid), store.list_deliverables(cid), store.list_orders(cid)


def _candidates(store: Any) -> list[dict]:
    return store.list_candidates(limit=None).items


def copy(source: TinyDBStore, target: Any, say: Callable[[str], None] = lambda s: None) -> dict[str, int]:
    """Copy every record of `source` into `target` (upserts by id); answers what was copied, by kind."""
    counts = dict.fromkeys(("creators", "points", "aliases", "watchlists", "briefs", "notes", "users",
                            "campaigns", "candidates"), 0)
    summaries = source.list_creators()
    for n, summary in enumerate(summaries, 1):
        record = source.creator_record(summary["platform"], summary["key"])
        target.import_creator_record(record["summary"], record["latest"], record["history"])
        counts["creators"] += 1
        counts["points"] += len(record["history"])
        if n % 1000 == 0:
            say(f"kolscope: {n:,} of {len(summaries):,} creators copied")
    for alias in _meta(source, "aliases"):
        target.import_alias(alias["platform"], alias["alias"], alias["key"])
        counts["aliases"] += 1
    for doc in source.list_watchlists():
        target.import_watchlist(doc)
        counts["watchlists"] += 1
    for doc in source.list_briefs():
        target.import_brief(doc)
        counts["briefs"] += 1
    for doc in _meta(source, "notes"):
        target.import_note(_note(doc))
        counts["notes"] += 1
    for doc in _meta(source, "users"):
        target.import_user(_user(doc))
        counts["users"] += 1
    token_file = source.dir / "token"  # source.token() would make one: only an existing token is copied
    token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else None
    target.import_settings(active_brief=source.active_brief_id(), extension_id=source.extension_id(), token=token)
    for campaign in source.list_campaigns():
        target.import_campaign(*_campaign_records(source, campaign["id"]))
        counts["campaigns"] += 1
    candidates = _candidates(source)
    if candidates:
        target.import_candidates(candidates)
    counts["candidates"] = len(candidates)
    return counts


def check(source: TinyDBStore, target: Any) -> list[str]:
    """Every difference between the two stores, in words ([] when they hold the same records)."""
    diffs: list[str] = []

    def same(what: str, a: Any, b: Any) -> None:
        if a != b:
            diffs.append(what)

    theirs = {(s["platform"], s["key"]) for s in target.list_creators()}
    ours = set()
    for summary in source.list_creators():
        ident = (summary["platform"], summary["key"])
        ours.add(ident)
        a = source.creator_record(*ident)
        b = target.creator_record(*ident) if ident in theirs else None
        if b is None:
            diffs.append(f"creator {ident[0]}/{ident[1]}: missing in the target")
            continue
        for part in ("summary", "latest", "history"):
            same(f"creator {ident[0]}/{ident[1]}: its {part} differs", a[part], b[part])
    diffs += [f"creator {p}/{k}: in the target only" for p, k in sorted(theirs - ours)]
    same("aliases differ", sorted((a["platform"], a["alias"], a["key"]) for a in _meta(source, "aliases")),
         sorted((a["platform"], a["alias"], a["key"]) for a in target.export_aliases()))
    same("watchlists differ", [_watchlist(w) for w in source.list_watchlists()],
         [_watchlist(w) for w in target.list_watchlists()])
    same("briefs differ", source.list_briefs(), target.list_briefs())
    same("the active brief differs", source.active_brief_id(), target.active_brief_id())
    same("the extension id differs", source.extension_id(), target.extension_id())
    token_file = source.dir / "token"
    if token_file.exists():
        same("the owner token differs", token_file.read_text(encoding="utf-8").strip(), target.token())
    same("notes differ", sorted((_note(n) for n in _meta(source, "notes")), key=lambda n: n["id"]),
         sorted((_note(n) for n in target.export_notes()), key=lambda n: n["id"]))
    same("users differ", sorted((_user(u) for u in _meta(source, "users")), key=lambda u: u["id"]),
         sorted((_user(u) for u in target.export_users()), key=lambda u: u["id"]))
    diffs += _check_campaigns(source, target)
    if hasattr(target, "list_candidates"):
        key = lambda c: c["id"]  # noqa: E731 -- the one sort key of both lists
        same("candidates differ", sorted(_candidates(source), key=key), sorted(_candidates(target), key=key))
    elif _candidates(source):
        diffs.append("candidates: the target cannot hold them (no discovery tables in this build)")
    return diffs


def _check_campaigns(source: TinyDBStore, target: Any) -> list[str]:
    """The differences of campaigns: each one's document, partners, deliverables, orders and totals."""
    a_ids = [c["id"] for c in source.list_campaigns()]
    if not hasattr(target, "list_campaigns"):
        return ["campaigns: the target cannot hold them (no campaign tables in this build)"] if a_ids else []
    diffs = []
    b_ids = {c["id"] for c in target.list_campaigns()}
    for cid in a_ids:
        if cid not in b_ids:
            diffs.append(f"campaign {cid}: missing in the target")
            continue
        for name, a, b in zip(("document", "partners", "deliverables", "orders"), _campaign_records(source, cid),
                              _campaign_records(target, cid), strict=True):
            if a != b:
                diffs.append(f"campaign {cid}: its {name} differ")
        if source.order_totals(cid) != target.order_totals(cid):
            diffs.append(f"campaign {cid}: its order totals differ")
    return diffs + [f"campaign {cid}: in the target only" for cid in sorted(b_ids - set(a_ids))]


def _summary_line(counts: dict[str, int]) -> str:
    return ("copied " + ", ".join(f"{n:,} {kind}" for kind, n in counts.items()))


def _unusable(message: str) -> int:
    sys.stderr.write(f"kolscope: {message}\n")
    return EXIT_UNUSABLE


def cmd_migrate(args: argparse.Namespace) -> int:
    source_dir, url = Path(args.source), str(args.target)
    if urlsplit(url).scheme.lower() not in POSTGRES_SCHEMES:
        return _unusable(f"--to must be a postgresql:// database URL, not {url.split(':', 1)[0]!r}.")
    if not (source_dir / "meta.json").is_file():
        return _unusable(f"{source_dir} holds no kolscope store (no meta.json): give the data directory "
                         "a server used (--data).")
    try:
        source = TinyDBStore(source_dir)
    except StoreError as exc:
        return _unusable(exc.message)
    try:
        try:
            target = open_store({"DATABASE": url})
        except StoreError as exc:
            return _unusable(exc.message)
        with target:
            missing = [m for m in ("import_campaign", "import_candidates") if not hasattr(target, m)]
            if missing and (source.list_campaigns() or _candidates(source)):
                return _unusable(f"this kolscope's PostgreSQL store cannot copy campaigns and candidates yet "
                                 f"(no {' or '.join(missing)}), and this store has some: nothing was copied.")
            try:
                counts = copy(source, target, say=lambda line: print(line, flush=True))
                diffs = check(source, target)
            except StoreError as exc:
                return _unusable(exc.message)
    finally:
        source.close()
    if not diffs:
        print(f"{_summary_line(counts)}; checked: identical")
        return EXIT_OK
    print(f"{_summary_line(counts)}; checked: {len(diffs):,} difference(s):")
    for line in diffs[:MAX_LISTED]:
        print(f"  {line}")
    if len(diffs) > MAX_LISTED:
        print(f"  ... and {len(diffs) - MAX_LISTED:,} more")
    return EXIT_DIFFERENT
