"""kolscope's Flask backend: receives captures, stores creators and history, serves scores."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from server.store import Repository, open_store

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": None,               # required: where the store lives (created on first start)
    "DATABASE": None,               # a store URL; unset: the data directory (server.store.open_store)
    "TOKEN": None,                  # default: <DATA_DIR>/token, created (0600) on first start
    "EXTENSION_ORIGINS": None,      # list of allowed extension origins; None: any chrome-extension://
    "ALLOWED_HOSTS": (),            # Host names besides 127.0.0.1/localhost/::1 (DNS-rebinding guard)
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,       # request bodies (a real 2 MB page fits easily)
    "MAX_DECOMPRESSED_LENGTH": 32 * 1024 * 1024,  # a gzip body, once inflated
    "MAX_JSON_DEPTH": 100,          # arrays/objects in a JSON body (real captures nest < 50)
    "REPLAY_DIR": None,             # for the scheduler: serve platform URLs from capture files
    "SCHEDULER_ENABLED": False,     # serve.py turns it on; tests leave it off
    "STORE_FSYNC": True,            # tests turn it off for speed; durability needs it on
}


def _env_origins() -> list[str] | None:
    raw = os.environ.get("KOLSCOPE_EXTENSION_ORIGINS", "").strip()
    return [o.strip() for o in raw.split(",") if o.strip()] or None


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Flask app over the store in config DATA_DIR (opened, and locked, here)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(DEFAULTS)
    app.config["EXTENSION_ORIGINS"] = _env_origins()
    if config:
        app.config.update(config)
    if not app.config["DATA_DIR"]:
        app.config["DATA_DIR"] = os.environ.get("KOLSCOPE_DATA") or "./data"
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    store = open_store(app.config)
    app.extensions["kolscope.store"] = store
    if not app.config.get("TOKEN"):
        app.config["TOKEN"] = store.token()

    from server import dashboard, security
    from server.api import api
    from server.api import errors

    errors.register(app)
    security.register(app)
    app.register_blueprint(api)
    app.register_blueprint(dashboard.bp)
    return app


def get_store() -> Repository:
    from flask import current_app

    return current_app.extensions["kolscope.store"]
