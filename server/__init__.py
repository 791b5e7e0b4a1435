"""kolscope's Flask backend: receives captures, stores creators and history, serves scores.

Layers, lowest first; a module imports only from its own layer or lower ones (tests/server/
test_architecture.py checks it):

1. `scraper` (pages -> snapshots) imports nothing of `server`.
2. `server.scoring` (pure: data in, scores and reasons out) imports nothing of `server` outside it;
   `server.disk`, `server.cron`, `server.plain` (errors in plain words) and `server.pdf` (HTML to PDF
   by Chromium) are small helpers at this level. `server.campaigns` (pure: orders files, campaign
   results, size advice, fair prices, deliverable tracking) sits here too.
3. `server.store` (the repository over the data directory).
4. The services: `server.ingest`, `server.refresh`, `server.rescore`, `server.scheduler`,
   `server.fsck`, `server.discovery` (candidates and their checks), `server.workers` (refreshes by
   worker processes through a Celery queue on Redis, and `kolscope worker`), and `server.services`, which
   creates an app's store, refreshes and re-scoring in `app.extensions` (no module-level state
   anywhere in `server`).
5. `server.api` (the /api/v1 blueprint, a module per resource).
6. `server.security` (the guard in front of every route; it answers with the API's error shape).
7. `server.dashboard` (the server-rendered pages).
8. `server` itself: `create_app` puts the app together.
9. The commands: `server.cli`, `server.serve`, `server.refresh_cli`, `server.scoring.cli`.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: MappingProxyType[str, Any] = MappingProxyType({
    "DATA_DIR": None,               # required: where the store lives (created on first start)
    "DATABASE": None,               # a store URL; unset: the data directory (server.store.open_store)
    "TOKEN": None,                  # default: <DATA_DIR>/token, created (0600) on first start
    "EXTENSION_ORIGINS": None,      # list of allowed extension origins; None: any chrome-extension://
    "ALLOWED_HOSTS": (),            # Host names besides 127.0.0.1/localhost/::1 (DNS-rebinding guard)
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,       # request bodies (a real 2 MB page fits easily)
    "MAX_DECOMPRESSED_LENGTH": 32 * 1024 * 1024,  # a gzip body, once inflated
    "MAX_JSON_DEPTH": 100,          # arrays/objects in a JSON body (real captures nest < 50)
    "BROKER": None,                 # a redis:// URL: refreshes are tasks for `kolscope worker` (server.workers)
    "BROKER_VISIBILITY_TIMEOUT": None,  # s before a dead worker's task is redelivered (default 1 h)
    "REPLAY_DIR": None,             # for the scheduler: serve platform URLs from capture files
    "SCHEDULER_ENABLED": False,     # serve.py turns it on; tests leave it off
    "STORE_FSYNC": True,            # tests turn it off for speed; durability needs it on
})


def _env_origins() -> list[str] | None:
    raw = os.environ.get("KOLSCOPE_EXTENSION_ORIGINS", "").strip()
    return [o.strip() for o in raw.split(",") if o.strip()] or None


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Flask app over the store in config DATA_DIR (opened, and locked, here)."""
    # Imported here, not at the top: `server` is also the package of the `kolscope` command, so every
    # command (`kolscope --help`, `parse`, `token`) would pay for Flask, pydantic, the store and the
    # API (~1 s) before doing anything.
    from flask import Flask

    from server import dashboard, security, services
    from server.api import api, errors

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(DEFAULTS)
    app.config["EXTENSION_ORIGINS"] = _env_origins()
    if config:
        app.config.update(config)
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = os.environ.get("KOLSCOPE_DATA") or "./data"
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    store = services.init_app(app)
    if not app.config.get("TOKEN"):
        app.config["TOKEN"] = store.token()

    errors.register(app)
    security.register(app)
    app.register_blueprint(api)
    app.register_blueprint(dashboard.bp)
    return app

