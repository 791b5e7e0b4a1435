"""GET /api/v1/health: is the server up (the one route without a token)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import jsonify

from server.api import api
from server.store import FORMAT_VERSION


def _version() -> str:
    try:
        return version("kolscope")
    except PackageNotFoundError:
        return "unknown"


@api.get("/health")
def health():
    return jsonify({"status": "ok", "version": _version(), "store_format": FORMAT_VERSION})
