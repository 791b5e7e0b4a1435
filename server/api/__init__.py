"""The API: one blueprint `api` under /api/v1, one module per resource.

Other modules can add routes without editing this file: a module listed in OPTIONAL_BLUEPRINTS
that exists is imported and its `bp` (a flask.Blueprint, url_prefix relative to /api/v1) is
mounted under /api/v1, behind the same token/Origin/Host checks as every other route. If it also
defines `OPENAPI_PATHS` (a dict in OpenAPI 3 "paths" form, paths relative to /api/v1), those are
merged into /api/v1/openapi.json and so checked by the schemathesis test too.
The scheduler's server/api/refresh.py is the first such module.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

OPTIONAL_BLUEPRINTS = ("server.api.refresh", "server.api.extension")


def _optional_modules() -> list[ModuleType]:
    found = []
    for name in OPTIONAL_BLUEPRINTS:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but one of its imports is missing: say so
                raise
    return found


from server.api import (  # noqa: E402  (modules add their routes to `api`)
    briefs,
    captures,
    creators,
    exports,
    health,
    notes,
    openapi,
    watchlists,
)

EXTRA_MODULES = _optional_modules()
for _module in EXTRA_MODULES:
    if getattr(_module, "bp", None) is not None:
        api.register_blueprint(_module.bp)

__all__ = ["api", "briefs", "captures", "creators", "exports", "health", "notes", "openapi", "watchlists"]
