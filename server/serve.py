"""`kolscope serve` (waitress over the Flask app) and `kolscope token`."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys

from server.store import StoreError
from datetime import UTC


def _fail(message: str) -> int:
    sys.stderr.write(f"kolscope: {message}\n")
    return 2


def _warm_up() -> None:
    """Load the parsers and scoring (language model included) before the first capture arrives,
    so the first user does not wait seconds for imports."""
    from datetime import datetime

    import scraper.registry  # noqa: F401
    from scraper.countries import country_code
    from server.scoring import score

    country_code("United States")  # loads the ISO country database (~60 ms)

    sample = {"platform": "x", "handle": "warmup", "bio": "Running every day, sharing my training plans.",
              "recent_posts": [{"id": "1", "title": "A long run by the river this morning"}]}
    try:
        score(sample, now=datetime.now(UTC))
    except Exception:  # a warm-up only; a real problem shows on the first real capture
        logging.getLogger("kolscope").warning("scoring warm-up failed", exc_info=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from server import create_app

    config = {
        "DATA_DIR": args.data,
        "REPLAY_DIR": getattr(args, "replay", None),
        "SCHEDULER_ENABLED": not getattr(args, "no_scheduler", False),
    }
    if args.host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
        config["ALLOWED_HOSTS"] = (args.host.lower(),)
    try:
        app = create_app(config)
    except StoreError as exc:
        return _fail(exc.message)
    store = app.extensions["kolscope.store"]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if config["SCHEDULER_ENABLED"] and importlib.util.find_spec("server.scheduler") is not None:
        from server import scheduler

        scheduler.start(app)
    _warm_up()
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"kolscope: serving on http://{host}:{args.port}/ (data in {store.dir})", flush=True)
    print(f"kolscope: API token in {store.dir / 'token'} (print it with `kolscope token --data {args.data}`)",
          flush=True)
    try:
        # threads: concurrent captures parse in parallel; the store serialises its own writes
        waitress.serve(app, host=args.host, port=args.port, threads=8, ident="kolscope",
                       max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1024, _quiet=True)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    finally:
        store.close()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Print the token; creates it when the store is new. Works while a server runs (no lock)."""
    from pathlib import Path

    path = Path(args.data) / "token"
    try:
        token = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        token = ""
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    if not token:
        from server.store import Store

        try:
            with Store(args.data) as store:
                token = store.token()
        except StoreError as exc:
            return _fail(exc.message)
    print(token)
    return 0
