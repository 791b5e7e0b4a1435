"""`kolscope user add|list|revoke|rotate NAME [--admin] [--data DIR | --database URL]`: the people of a
team server (issue 16).

A token is printed by `add` and `rotate` only, alone on stdout (so `TOKEN=$(kolscope user add ana)`
works), and never again: the store keeps its SHA-256. Everything else goes to stderr.

Where: `--database postgresql://...` works beside running servers (PostgreSQL serves many processes).
A data directory (TinyDB) is locked by the server using it, so while one runs this command says so
and points at the two ways that work then: the dashboard's Users page or the API (POST /api/v1/users
with an admin's token); it never waits for, or breaks, the lock.
"""

from __future__ import annotations

import argparse
import sys

from server.store import StoreError, open_store
from server.store.base import NotFound, StoreLocked

NEEDS_NAME = ("add", "revoke", "rotate")


def _fail(message: str) -> int:
    sys.stderr.write(f"kolscope: {message}\n")
    return 2


def _say(message: str) -> None:
    sys.stderr.write(f"kolscope: {message}\n")


def _locked_words(data: str) -> str:
    return (f"a kolscope server is running on the data directory {data} (it holds its lock): add, revoke or "
            "rotate users there instead, on the dashboard's Users page (signed in as an admin) or with "
            "POST /api/v1/users; or stop the server and run this again.")


def list_lines(users: list[dict]) -> list[str]:
    """`user list` as aligned columns: name, admin, created, revoked, token hint."""
    rows = [("NAME", "ADMIN", "CREATED", "REVOKED", "TOKEN")]
    for u in users:
        rows.append((u["name"], "yes" if u.get("admin") else "no", (u.get("created_at") or "")[:19].replace("T", " "),
                     (u.get("revoked_at") or "")[:19].replace("T", " ") or "-",
                     f"{u['token_hint']}…" if u.get("token_hint") else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def cmd_user(args: argparse.Namespace) -> int:
    action, name = args.action, args.name
    if action in NEEDS_NAME and not name:
        return _fail(f"`kolscope user {action}` needs the user's NAME, e.g. kolscope user {action} ana")
    if action == "list" and name:
        return _fail("`kolscope user list` takes no NAME (it lists every user)")
    if args.admin and action != "add":
        return _fail("--admin goes with `kolscope user add` only")
    config = {"DATA_DIR": args.data, "DATABASE": getattr(args, "database", None)}
    try:
        with open_store(config) as store:
            return _run(store, action, name, args.admin)
    except StoreLocked:
        return _fail(_locked_words(args.data))
    except NotFound:
        return _fail(f"there is no user {name} (`kolscope user list` shows them)")
    except StoreError as exc:
        return _fail(exc.message)


def _run(store, action: str, name: str | None, admin: bool) -> int:
    if action == "list":
        users = store.list_users()
        if not users:
            _say("no users yet: add one with `kolscope user add NAME` (the store's own token, "
                 "`kolscope token`, stays the admin 'owner').")
            return 0
        print("\n".join(list_lines(users)))
        return 0
    if action == "add":
        user, token = store.add_user(name, admin=admin)
        _say(f"added {user['name']}{' (admin)' if user['admin'] else ''}; their token, shown only this once:")
        print(token, flush=True)
        return 0
    if action == "rotate":
        user, token = store.rotate_token(name)
        _say(f"new token for {user['name']} (the old one no longer works), shown only this once:")
        print(token, flush=True)
        return 0
    user = store.revoke_user(name)
    _say(f"revoked {user['name']}: their token no longer works (`kolscope user rotate {user['name']}` "
         "gives them a new one).")
    return 0
