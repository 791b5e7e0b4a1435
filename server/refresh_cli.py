"""`kolscope refresh [WATCHLIST|--all] [--replay DIR] [--data DIR]`: refresh watchlisted creators now.

A progress bar while pages load, then a summary table. Exit codes: 0 every creator refreshed,
1 some ended stale/blocked/error (their old data is kept), 2 bad input (no such watchlist, data
directory in use or unreadable, unusable replay directory).
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from server.plain import data_dir_words
from server.refresh import RefreshError, load_replay, refresh_creators
from server.store import Repository, StoreError, open_store

EXIT_OK, EXIT_SOME_FAILED, EXIT_BAD_INPUT = 0, 1, 2

_STYLE = {"ok": "green", "stale": "yellow", "blocked": "red", "error": "red"}


def _fail(message: str) -> int:
    sys.stderr.write(f"kolscope refresh: {message}\n")
    return EXIT_BAD_INPUT


def _pick_watchlists(store: Repository, args: argparse.Namespace) -> list[dict] | str:
    """The watchlists to refresh, or a message saying why there are none."""
    watchlists = store.list_watchlists()
    if args.all:
        return watchlists
    want = args.watchlist.strip()
    for w in watchlists:
        if w["id"] == want:
            return [w]
    named = [w for w in watchlists if str(w.get("name", "")).casefold() == want.casefold()]
    if named:
        return named
    known = ", ".join(f"{w['name']} ({w['id']})" for w in watchlists) or "none yet"
    return f"no watchlist {want!r}; known: {known}"


def _creators_of(store: Repository, watchlists: list[dict]) -> list[dict]:
    """Every creator of these watchlists once, in watchlist order."""
    seen: set[tuple[str, str]] = set()
    out = []
    for w in watchlists:
        for c in store.watchlist_creators(w["id"]):
            key = (c["platform"], c.get("key") or str(c.get("handle")).casefold())
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


def cmd_refresh(args: argparse.Namespace) -> int:
    if bool(args.watchlist) == bool(args.all):
        return _fail("give one watchlist (id or name) or --all")
    try:
        replay = load_replay(args.replay)
    except RefreshError as exc:
        return _fail(exc.message)
    try:
        store = open_store({"DATA_DIR": args.data})
    except StoreError as exc:
        hint = (" (a running `kolscope serve` holds it: refresh through POST /api/v1/watchlists/<id>/refresh)"
                if exc.code == "store_locked" else "")
        message = data_dir_words(args.data, exc) if exc.code == "store_unavailable" else exc.message
        return _fail(f"{message}{hint}")
    err = Console(stderr=True)
    out = Console()
    try:
        picked = _pick_watchlists(store, args)
        if isinstance(picked, str):
            return _fail(picked)
        creators = _creators_of(store, picked)
        names = ", ".join(w["name"] for w in picked) or "no watchlist"
        if not creators:
            out.print(f"Nothing to refresh in {names}.")
            return EXIT_OK
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err,
                      transient=False) as progress:
            task = progress.add_task(f"Refreshing {names}", total=len(creators), last="")

            def advance(outcome) -> None:
                progress.update(task, advance=1, last=outcome.line())

            run = refresh_creators(store, creators, watchlist_id=picked[0]["id"] if len(picked) == 1 else None,
                                   replay=replay, on_result=advance)
        table = Table(title=f"Refresh of {names}" + (" (replay)" if replay is not None else ""))
        for col, kw in (("platform", {}), ("handle", {}), ("status", {}), ("followers", {"justify": "right"}),
                        ("tries", {"justify": "right"}), ("reason", {"overflow": "fold"})):
            table.add_column(col, **kw)
        for c in run.creators:
            style = _STYLE.get(c.status, "")
            table.add_row(c.platform, c.handle, f"[{style}]{c.status}[/]" if style else c.status,
                          f"{c.followers:,}" if isinstance(c.followers, int) else "",
                          str(c.attempts or ""), c.reason or "")
        out.print(table)
        counts = run.counts()
        out.print("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
        if run.error:
            err.print(f"[red]the browser failed: {run.error}[/]")
        return EXIT_SOME_FAILED if run.failed else EXIT_OK
    finally:
        store.close()
