"""`kolscope score` and `kolscope audit-accounts`: the scores from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_INPUT, EXIT_CAPTURE = 0, 2, 3


class _InputError(Exception):
    """An input file that cannot be read or is not what the command expects (exit 2)."""


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _InputError(f"{what} {path} is not UTF-8 text") from None


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(_read_text(path, what))
    except ValueError as exc:
        raise _InputError(f"{what} {path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise _InputError(f"{what} {path} is JSON nested too deeply to read") from None


def _print(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def _fail(message: str) -> int:
    sys.stderr.write(f"kolscope: {message}\n")
    return EXIT_INPUT


def _is_capture(data: dict) -> bool:
    return data.get("format") == "kolscope.capture/1" or ("html" in data and "url" in data and "platform" not in data)


def _load_history(path: str) -> list[dict]:
    points = []
    for n, line in enumerate(_read_text(path, "history").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise _InputError(f"history {path} line {n} is not valid JSON: {exc}") from None
        if not isinstance(entry, dict):
            raise _InputError(f"history {path} line {n} is not a JSON object (a snapshot or history point)")
        points.append(entry)
    return points


def cmd_score(args: argparse.Namespace) -> int:
    """Print the scores of a capture or snapshot. 0 ok, 2 unreadable/invalid input, 3 capture error."""
    from pydantic import ValidationError

    from scraper import parse
    from scraper.errors import CaptureError
    from server.scoring import score
    from server.scoring.brief import Brief
    from scraper.times import parse_time
    from server.ingest import with_identity

    try:
        data = _read_json(args.file, "file")
        if not isinstance(data, dict):
            raise _InputError(f"{args.file} is neither a capture nor a snapshot (not a JSON object)")
        brief = None
        if getattr(args, "brief", None):
            raw = _read_json(args.brief, "brief")
            if not isinstance(raw, dict):
                raise _InputError(f"brief {args.brief} must be a JSON object")
            try:
                brief = Brief.model_validate(raw)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'brief'}: {e['msg']}" for e in exc.errors())
                raise _InputError(f"brief {args.brief} is invalid: {problems}") from None
        history = _load_history(args.history) if getattr(args, "history", None) else []
        if getattr(args, "now", None):
            now = parse_time(args.now)
            if now is None:
                raise _InputError(f"--now {args.now!r} is not an ISO-8601 time")
        else:
            now = datetime.now(UTC)  # the command may read the clock; score() never does
    except _InputError as exc:
        return _fail(str(exc))

    if _is_capture(data):
        try:
            snapshot = parse(data)
        except CaptureError as exc:
            _print(exc.to_dict())
            return EXIT_CAPTURE
    elif isinstance(data.get("platform"), str) and (
            isinstance(data.get("handle"), str) or isinstance(data.get("platform_id"), str)):
        # every snapshot `kolscope parse` prints: a channel shown only by /channel/UC... has no handle
        # and is known by its id, as POST /captures stores it
        snapshot = with_identity(data)
    else:
        return _fail(f"{args.file} is neither a capture (format kolscope.capture/1) nor a snapshot "
                     "(platform and a handle or platform_id)")
    _print(score(snapshot, brief=brief, history=history, now=now))
    return EXIT_OK


def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def cmd_audit_accounts(args: argparse.Namespace) -> int:
    """Each account's verdict and reasons, in input order, then the sample's fake share with its 95%
    interval. The lines are checked together (one sample: the batch signal needs all of them); a bad
    line gets an error, not a crash. --json: one JSON result per line (JSON Lines), summary on stderr."""
    from server.scoring.accounts import check_sample, load_model, platform_of, to_datetime

    platform = getattr(args, "platform", None)
    if platform is not None and platform_of(platform) == "other":
        known = ", ".join(p for p in load_model()["platforms"] if p != "other")
        return _fail(f"--platform {platform!r} is not one of {known}")
    now = getattr(args, "now", None)
    if now is not None and to_datetime(now) is None:
        return _fail(f"--now {now!r} is not an ISO-8601 time")
    try:
        lines = _read_text(args.file, "file").splitlines()
    except _InputError as exc:
        return _fail(str(exc))
    while lines and not lines[-1].strip():
        lines.pop()
    # An account's age is measured when it was seen: --now, else its own observed_at, else now.
    seen = now or datetime.now(UTC).isoformat()
    results: list[dict | None] = []
    accounts: list[dict] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            results.append(_error("invalid_account", f"line {n} is empty"))
            continue
        try:
            account = json.loads(line)
        except ValueError as exc:
            results.append(_error("invalid_account", f"line {n} is not valid JSON: {exc}"))
            continue
        if not isinstance(account, dict):
            results.append(_error("invalid_account", f"line {n} is not a JSON object"))
            continue
        if now is not None or account.get("observed_at") is None:
            account = dict(account, observed_at=seen)
        results.append(None)
        accounts.append(account)
    sample = check_sample(accounts, platform=platform)
    checked = iter(sample["accounts"])
    results = [r if r is not None else next(checked) for r in results]
    errors = len(lines) - sample["checked"]
    try:
        _write_audit(results, sample, errors, as_json=bool(getattr(args, "json", False)))
    except BrokenPipeError:
        # The reader stopped early (`| head`): not the command's failure. Point stdout at /dev/null so
        # that Python's flush at exit does not fail a second time.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # a stdout without a file descriptor (an embedding caller's)
            pass
    return EXIT_OK


def _write_audit(results: list, sample: dict, errors: int, *, as_json: bool) -> None:
    out = sys.stdout
    if not as_json:
        width = min(24, max((len(r.get("username") or "") for r in results if "error" not in r), default=8))
        for n, r in enumerate(results, 1):
            if "error" in r:
                out.write(f"line {n}: {r['error']['code']}: {r['error']['message']}\n")
                continue
            name = "".join(c if c.isprintable() else "?" for c in r.get("username") or f"(line {n})")
            verdict = "FAKE" if r["is_fake"] else "real"
            out.write(f"{name:<{width}}  {verdict}  {r['fake_probability']:>4.0%}  {r['platform']:<9}  "
                      f"{'; '.join(r['reasons'])}\n")
        out.write(f"\n{sample['summary']} (95% Wilson interval)" + (f"; {errors} lines with errors" if errors else "") + "\n")
        return
    for r in results:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
    sys.stderr.write(f"kolscope: {sample['checked']} accounts checked, {sample['fakes']} look fake"
                     + (f": {sample['summary']}" if sample["checked"] else "") + f"; {errors} lines with errors\n")

