"""`kolscope fsck`: check every file of a data directory (format markers, identities, checksums, and
the references between meta.json, the index shards, the creator files and the campaign files), and with `--repair`
restore a damaged or missing file from its last good copy (`<file>.bak`, kept by every write)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

from server.store import records
from server.store.base import StoreCorrupt, StoreError
from server.store.records import PLATFORMS
from server.store.tinydb import (
    FILE_MODE, FORMAT_VERSION, backup_path, creator_file, holds_store, is_envelope, lock_dir, read_file,
    shard_no, shards_on_disk, tidy, write_bytes,
)
from server.store.tinydb_campaigns import campaign_files, orders_files
from server.store.tinydb_discovery import DISCOVERY_FILE, DISCOVERY_HEADER

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


@dataclass
class Problem:
    path: Path
    problem: str
    expect: dict | None = None  # the identity a good copy of the file must have (None: no file to restore)

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class Report:
    problems: list[Problem]
    notes: list[str]
    files: int = 0  # store files read and checked


def _read(path: Path, expect: dict, report: Report, missing: str | None = None) -> Any:
    """The data of a store file, or None with the problem recorded (`missing`: the problem when the
    file does not exist; None: a missing file is no problem)."""
    try:
        _, data = read_file(path, expect)
    except FileNotFoundError:
        if missing:
            report.problems.append(Problem(path, missing, expect))
        return None
    except StoreCorrupt as exc:
        report.problems.append(Problem(path, exc.problem, expect))
        return None
    except OSError as exc:
        report.problems.append(Problem(path, f"cannot be read: {exc.strerror or exc}"))
        return None
    report.files += 1
    return data


def _table(data: Any, name: str) -> list[dict]:
    table = data.get(name) if isinstance(data, dict) else None
    return [d for d in table.values() if isinstance(d, dict)] if isinstance(table, dict) else []


def check(data_dir: Path) -> Report:
    """Check a data directory (the caller holds its lock). Reads every file in full."""
    report = Report([], [])
    meta_path = data_dir / "meta.json"
    if not meta_path.exists():
        if holds_store(data_dir):
            report.problems.append(Problem(meta_path, "is missing, but the directory holds a store", {"kind": "meta"}))
        else:
            report.notes.append(f"{data_dir} holds no store yet (no meta.json)")
            return report
    raw = b""
    with contextlib.suppress(OSError):
        raw = meta_path.read_bytes()
    if raw.strip() and not is_envelope(raw):
        with contextlib.suppress(ValueError, AttributeError, KeyError, TypeError):
            if json.loads(raw)["_meta"]["1"]["format_version"] < FORMAT_VERSION:
                report.notes.append(f"{data_dir} is a format 1 store: it has no checksums to check; the next "
                                    "start of kolscope migrates it to format 2")
                return report
    meta = _read(meta_path, {"kind": "meta"}, report) if meta_path.exists() else None
    listed = set()
    if meta is not None:
        version = next(iter(_table(meta, "_meta")), {}).get("format_version")
        if version != FORMAT_VERSION:
            report.problems.append(Problem(meta_path, f"has format version {version!r}, not {FORMAT_VERSION}"))
        listed = {n for d in _table(meta, "_meta") for n in d.get("shards") or [] if isinstance(n, int)}

    index: dict[tuple[str, str], dict] = {}
    folder = data_dir / "index"
    lost_shards = set()
    for n in sorted(listed | shards_on_disk(data_dir)):
        path = folder / f"{n:02x}.json"
        shard = _read(path, {"kind": "index", "shard": n}, report, "is missing (meta.json lists it)")
        if shard is None:
            lost_shards.add(n)
        for doc in _table(shard, "_default"):
            index[(doc.get("platform"), doc.get("key"))] = doc

    creators = data_dir / "creators"
    good: set[tuple[str, str]] = set()
    bad: set[Path] = set()
    for platform in PLATFORMS:
        for path in sorted((creators / platform).glob("*/*.json")):
            before = len(report.problems)
            try:
                head = read_file(path, {"kind": "creator", "platform": platform})[0]
                report.files += 1
            except (StoreCorrupt, OSError) as exc:
                report.problems.append(Problem(path, getattr(exc, "problem", None) or str(exc)))
                bad.add(path)
                continue
            key = head.get("key")
            if f"{path.parent.name}/{path.name}" != creator_file(platform, key):
                report.problems.append(Problem(path, f"holds {platform}/{key}, whose file has another name"))
            if len(report.problems) == before:
                good.add((platform, key))
        for path in sorted((creators / platform).glob("*.json")):
            report.problems.append(Problem(path, "is a format 1 file in a format 2 store"))

    for (platform, key), s in sorted(index.items(), key=str):
        if platform not in PLATFORMS or not isinstance(key, str):
            report.problems.append(Problem(folder, f"lists an invalid creator {platform}/{key}"))
            continue
        path = creators / platform / creator_file(platform, key)
        if records.has_data(s) and (platform, key) not in good:
            expect = {"kind": "creator", "platform": platform, "key": key}
            if path in bad:
                for p in report.problems:  # now known whose file it is: its backup can be checked
                    if p.path == path:
                        p.expect = expect
            else:
                report.problems.append(Problem(path, f"is missing (the index lists {platform}/{key} with "
                                                     f"{s.get('snapshots')} snapshot(s))", expect))
    for platform, key in sorted(good - set(index)):
        report.notes.append(f"{creators / platform / creator_file(platform, key)}: {platform}/{key} is not in the "
                            "index (a first capture interrupted before its index write); kept, its next capture "
                            "lists it")

    if meta is not None:
        refs = records.references(_table(meta, "watchlists"), _table(meta, "notes"), _table(meta, "aliases"))
        for platform, key, what in refs:
            if (platform, key) in index or not isinstance(key, str):
                continue
            n = shard_no(platform, key)
            if n not in lost_shards:  # a lost shard is reported already
                report.problems.append(Problem(folder / f"{n:02x}.json", f"has lost {platform}/{key}, {what}"))

    _check_campaigns(data_dir, index, lost_shards, report)
    # discovery's candidates (server/store/tinydb_discovery.py): absent until the first candidate
    _read(data_dir / DISCOVERY_FILE, DISCOVERY_HEADER, report)

    for folder_path in [data_dir, data_dir / "index", data_dir / "campaigns", *sorted(creators.glob("*/*"))]:
        if not folder_path.is_dir():
            continue
        for p in folder_path.iterdir():
            if p.is_file() and not p.is_symlink() and (p.stat().st_mode & 0o777) != FILE_MODE:
                report.notes.append(f"{p}: mode {p.stat().st_mode & 0o777:o}, not {FILE_MODE:o} (fixed at the next "
                                    "start or by --repair)")
    return report


def _check_campaigns(data_dir: Path, index: dict, lost_shards: set[int], report: Report) -> None:
    """Campaign files and their orders files (server/store/tinydb_campaigns.py): each checked; a
    campaign that counts orders has its orders file; its partners are creators of the index; an
    orders file without its campaign (a deletion interrupted) is noted."""
    campaigns = set()
    for cid, path in campaign_files(data_dir):
        campaigns.add(cid)
        data = _read(path, {"kind": "campaign", "campaign": cid}, report)
        if data is None:
            continue
        doc = next(iter(_table(data, "campaign")), {})
        count = doc.get("orders") or 0
        orders_path = data_dir / "campaigns" / f"{cid}.orders.json"
        if count:
            _read(orders_path, {"kind": "orders", "campaign": cid}, report,
                  f"is missing (campaign {cid} counts {count} order(s))")
        for partner in _table(data, "partners"):
            platform, key = partner.get("platform"), partner.get("key")
            if (platform, key) in index or platform not in PLATFORMS or not isinstance(key, str):
                continue
            n = shard_no(platform, key)
            if n not in lost_shards:
                report.problems.append(Problem(data_dir / "index" / f"{n:02x}.json",
                                               f"has lost {platform}/{key}, a partner of campaign {cid}"))
    for cid, path in orders_files(data_dir):
        if cid not in campaigns:
            report.notes.append(f"{path}: the orders of campaign {cid}, which no longer exists (a deletion "
                                "interrupted); kept, it can be removed")


def _restore(path: Path, expect: dict) -> str | None:
    """Put the good backup of `path` in its place (the damaged file kept aside); what was done, or None."""
    bak = backup_path(path)
    try:
        raw = bak.read_bytes()
        read_file(bak, expect)
    except (OSError, StoreCorrupt):
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if path.exists():
        os.replace(path, path.with_name(f"{path.name}.damaged-{stamp}"))
    write_bytes(path, raw, keep_backup=False)  # the .bak stays the good copy it is
    when = datetime.fromtimestamp(bak.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return f"restored from {bak.name} (written {when})"


def repair(data_dir: Path, report: Report) -> list[str]:
    """Restore each damaged or missing file whose backup is good; answers what was done."""
    done = []
    for p in report.problems:
        if p.expect is None:
            continue
        what = _restore(p.path, p.expect)
        if what:
            done.append(f"{p.path}: {what}")
    fixed = tidy(data_dir)
    if fixed["modes"]:
        done.append(f"{data_dir}: set {fixed['modes']} file and directory mode(s) to 0600/0700")
    return done


def cmd_fsck(args: argparse.Namespace) -> int:
    data_dir = Path(args.data).resolve()
    out = sys.stdout.write
    if not data_dir.is_dir():
        sys.stderr.write(f"kolscope: {data_dir} is not a directory\n")
        return EXIT_USAGE
    try:
        fd = lock_dir(data_dir)
    except StoreError as exc:
        sys.stderr.write(f"kolscope: {exc.message}\n")
        return EXIT_USAGE
    except OSError as exc:
        sys.stderr.write(f"kolscope: cannot open {data_dir}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    try:
        report = check(data_dir)
        out(f"kolscope fsck {data_dir}: {report.files} file(s) checked, {len(report.problems)} problem(s)\n")
        for p in report.problems:
            out(f"  PROBLEM {p}\n")
        for n in report.notes:
            out(f"  note    {n}\n")
        if not args.repair:
            if report.problems:
                out("Run `kolscope fsck --repair` (with the server stopped) to restore from the last good copies.\n")
            return EXIT_PROBLEMS if report.problems else EXIT_OK
        done = repair(data_dir, report)
        for d in done:
            out(f"  REPAIRED {d}\n")
        after = check(data_dir)
        for p in after.problems:
            out(f"  NOT REPAIRED {p}" + (" (no good backup)" if p.expect else "") + "\n")
        out(f"after repair: {len(after.problems)} problem(s) left\n")
        return EXIT_PROBLEMS if after.problems else EXIT_OK
    finally:
        os.close(fd)
