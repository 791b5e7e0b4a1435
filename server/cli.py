"""The `kolscope` command: parse (a snapshot, or a list page's listing), score, audit-accounts, serve, token,
user, migrate, worker, fsck, refresh."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from server.disk import disk_full, disk_full_message

EXIT_OK, EXIT_USAGE_OR_IO, EXIT_CAPTURE_ERROR = 0, 2, 3


class _PlatformNames:
    """The registry's platform names for a help text, read only when help is printed: importing the
    registry imports every parser, and a command that needs none should not wait for them."""

    def __str__(self) -> str:
        from scraper.registry import NAMES  # here, not at the top: the registry imports every parser

        return ", ".join(NAMES)


def default_data_dir() -> str:
    return os.environ.get("KOLSCOPE_DATA") or "./data"


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _fail_io(message: str):
    sys.stderr.write(f"kolscope: {message}\n")
    raise SystemExit(EXIT_USAGE_OR_IO)


def cmd_parse(args: argparse.Namespace) -> int:
    # imported on use: the parsers (~0.5 s) are for this command only, and `kolscope --help` stays instant
    from scraper import parse
    from scraper.capture import from_html
    from scraper.errors import CaptureError
    from scraper.jsonpath import loads

    if args.url:
        try:
            html = Path(args.file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            _fail_io(f"cannot read {args.file}: {exc.strerror or exc}")
        capture = from_html(html, args.url)
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            _fail_io(f"cannot read {args.file}: {exc.strerror or exc}")
        try:
            capture = loads(text)  # TooLarge (a CaptureError) for JSON nested past Python's decoder
        except CaptureError as exc:
            _print_json(exc.to_dict())
            return EXIT_CAPTURE_ERROR
        except ValueError:
            _print_json({"error": {"code": "malformed",
                                   "message": f"{args.file} is not a capture JSON (for raw HTML, pass --url)."}})
            return EXIT_CAPTURE_ERROR
    try:
        snapshot = parse(capture)
    except CaptureError as exc:
        listing = _listing_or_none(capture) if exc.code in ("not_a_creator_page", "malformed") else None
        if listing is None:
            _print_json(exc.to_dict())
            return EXIT_CAPTURE_ERROR
        _print_json(listing.to_dict())
        return EXIT_OK
    _print_json(snapshot.to_dict())
    return EXIT_OK


def _listing_or_none(capture):
    """A search, tag, related-channels or follower page is no creator page but a list of creators:
    its `kolscope.listing/1` when a platform reads it, else None (the creator-page error stands)."""
    # imported on use, as in cmd_parse: the parsers are for this command only
    from scraper.errors import CaptureError
    from scraper.listing import parse_listing

    try:
        return parse_listing(capture)
    except CaptureError:
        return None


def _lazy(target: str):
    """Run `module:function(args)` imported on use, so `kolscope parse` does not load Flask."""
    module, func = target.split(":")

    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(module), func)(args)

    return run


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kolscope", description="Vet influencers locally.")
    sub = p.add_subparsers(dest="command", required=True)

    sp = sub.add_parser("parse", help="parse a capture (or raw HTML with --url) into a snapshot")
    sp.add_argument("file")
    sp.add_argument("--url", help="the page URL, when FILE is raw HTML")
    sp.set_defaults(func=cmd_parse)

    sp = sub.add_parser("score", help="score a capture or snapshot: fit and authenticity with reasons")
    sp.add_argument("file", help="a capture JSON or a snapshot JSON")
    sp.add_argument("--brief", help="a brief JSON (the campaign's target)")
    sp.add_argument("--history", help="earlier snapshots, one JSON per line")
    sp.add_argument("--now", help="the time to score at (ISO-8601); default: now")
    sp.set_defaults(func=_lazy("server.scoring.cli:cmd_score"))

    sp = sub.add_parser("audit-accounts", help="check audience accounts (JSONL) for fake-looking ones")
    sp.add_argument("file", help="one account per line: username, followers, following, posts, has_profile_pic, "
                                 "default_avatar, is_private, verified, bio_length, display_name, created_at, platform")
    sp.add_argument("--platform", help="the platform of accounts whose line names none (%(platform_names)s)"
                    ).platform_names = _PlatformNames()
    sp.add_argument("--now", help="when the accounts were seen (ISO-8601), for their age; default: each line's "
                                  "observed_at, else now")
    sp.add_argument("--json", action="store_true", help="one JSON result per line (JSON Lines) instead of text")
    sp.set_defaults(func=_lazy("server.scoring.cli:cmd_audit_accounts"))

    data_help = "data directory (default: $KOLSCOPE_DATA, then ./data)"
    db_help = ("a postgresql://user@host/db URL: the team store, instead of the data directory "
               "(default: $KOLSCOPE_DATABASE)")
    broker_help = ("a redis://host:port/db URL: refreshes go to `kolscope worker` processes through it "
                   "(default: $KOLSCOPE_BROKER)")
    sp = sub.add_parser("serve", help="serve the API and dashboard on 127.0.0.1")
    sp.add_argument("--data", default=None, help=data_help)
    sp.add_argument("--database", default=None, help=db_help)
    sp.add_argument("--broker", default=None, help=broker_help)
    sp.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (another than loopback needs --tls-cert/--tls-key or --behind-proxy)")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("--tls-cert", default=None, help="serve HTTPS with this certificate (PEM), with --tls-key")
    sp.add_argument("--tls-key", default=None, help="the private key (PEM) of --tls-cert")
    sp.add_argument("--behind-proxy", action="store_true",
                    help="a reverse proxy on this machine terminates HTTPS and forwards to this server")
    sp.add_argument("--replay", default=None, help="refresh watchlists from capture files in DIR, not the network")
    sp.add_argument("--no-scheduler", action="store_true", help="do not run scheduled refreshes")
    sp.add_argument("--max-connections", type=int, default=None,
                    help="open sockets at most, 16-100000 (default: 4000, within the open-file limit); "
                         "the longest-idle ones are closed when it is reached")
    sp.set_defaults(func=_lazy("server.serve:cmd_serve"))

    sp = sub.add_parser("token", help="print the API token (created on first start)")
    sp.add_argument("--data", default=None, help=data_help)
    sp.add_argument("--database", default=None, help=db_help)
    sp.set_defaults(func=_lazy("server.serve:cmd_token"))

    sp = sub.add_parser("user", help="the people of a team server: add (prints the token), list, revoke, rotate")
    sp.add_argument("action", choices=("add", "list", "revoke", "rotate"))
    sp.add_argument("name", nargs="?", help="the user's name (letters, digits, '.', '_', '-')")
    sp.add_argument("--admin", action="store_true", help="with add: the user may manage users")
    sp.add_argument("--data", default=None, help=data_help)
    sp.add_argument("--database", default=None, help=db_help)
    sp.set_defaults(func=_lazy("server.users_cli:cmd_user"))

    sp = sub.add_parser("migrate", help="copy a data directory's store into PostgreSQL (re-runnable, checked)")
    sp.add_argument("--from", dest="source", required=True, metavar="DATA_DIR", help="the data directory to copy")
    sp.add_argument("--to", dest="target", required=True, metavar="URL", help="the postgresql:// database to copy into")
    sp.set_defaults(func=_lazy("server.migrate:cmd_migrate"))

    sp = sub.add_parser("worker", help="run a refresh worker: takes refresh tasks from the broker")
    sp.add_argument("--database", default=None, help=db_help)
    sp.add_argument("--broker", default=None, help=broker_help)
    sp.add_argument("--concurrency", type=int, default=1, help="tasks at once in this worker (pages in its browser)")
    sp.add_argument("--replay", default=None, help="serve platform URLs from capture files in DIR, not the network")
    sp.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                    help="seconds a page may take before it counts as stuck (default: 20)")
    sp.add_argument("--retries", type=int, default=None, metavar="N",
                    help="times a stuck or failing page is asked again before its creator is marked stale (default: 2)")
    sp.set_defaults(func=_lazy("server.workers:cmd_worker"))

    sp = sub.add_parser("fsck", help="check the store's files (checksums, references); --repair restores backups")
    sp.add_argument("--data", default=None, help=data_help)
    sp.add_argument("--repair", action="store_true",
                    help="restore damaged or missing files from their last good copy (<file>.bak)")
    sp.set_defaults(func=_lazy("server.fsck:cmd_fsck"))

    sp = sub.add_parser("refresh", help="refresh watchlisted creators now")
    sp.add_argument("watchlist", nargs="?", help="watchlist id or name")
    sp.add_argument("--all", action="store_true", help="every watchlist")
    sp.add_argument("--replay", default=None, help="serve platform URLs from capture files in DIR")
    sp.add_argument("--data", default=None, help=data_help)
    sp.set_defaults(func=_lazy("server.refresh_cli:cmd_refresh"))
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "data", "unset") is None:
        args.data = default_data_dir()
    if getattr(args, "database", "unset") is None:
        args.database = os.environ.get("KOLSCOPE_DATABASE") or None
    if getattr(args, "broker", "unset") is None:
        args.broker = os.environ.get("KOLSCOPE_BROKER") or None
    try:
        return int(args.func(args) or 0)
    except OSError as exc:  # a write on a full disk, anywhere in a command: said plainly, no traceback
        full = disk_full(exc)
        if full is not None:
            sys.stderr.write(f"kolscope: {disk_full_message(full, getattr(args, 'data', None))}\n")
            return 1
        return _said_plainly(exc, args)
    except Exception as exc:
        # only now: the store loads tinydb, which `kolscope parse` and `--help` should not wait for
        from server.store import StoreError

        if not isinstance(exc, StoreError):
            raise
        return _said_plainly(exc, args)


def _said_plainly(exc: Exception, args: argparse.Namespace) -> int:
    """An unusable data directory (or another file) as one line, exit 2: never a traceback."""
    # on failure only: plain loads the platform registry, which `kolscope --help` should not wait for
    from server.plain import data_dir_words, os_error_words

    data = getattr(args, "data", None)
    where = os.path.abspath(str(getattr(exc, "filename", None) or "")) if isinstance(exc, OSError) else ""
    in_data = data is not None and (getattr(exc, "code", None) == "store_unavailable"
                                    or bool(where) and where.startswith(os.path.abspath(data)))
    if in_data:
        message = data_dir_words(data, exc)
    elif isinstance(exc, OSError):
        message = f"{exc.filename or 'a file'}: {os_error_words(exc)}"
    else:
        message = str(getattr(exc, "message", exc))
    sys.stderr.write(f"kolscope: {message}\n")
    return EXIT_USAGE_OR_IO


if __name__ == "__main__":
    raise SystemExit(main())
