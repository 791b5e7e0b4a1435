"""The API: one blueprint `api` under /api/v1, one module per resource, each adding its routes to `api`
(`@api.get(...)`) and listed below, so every route sits behind the same token/Origin/Host checks.

A module whose paths openapi.py does not describe itself carries them in `OPENAPI_PATHS` (OpenAPI 3
"paths", relative to /api/v1); EXTRA_MODULES names those modules, and openapi.py merges their paths
into /api/v1/openapi.json, so the schemathesis test checks them too.
"""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api/v1")

# Imported after `api` exists: each module adds its routes to it at import.
from server.api import (  # noqa: E402
    brands,
    briefs,
    campaign_refresh,
    campaigns,
    candidates,
    captures,
    creators,
    exports,
    extension,
    health,
    notes,
    openapi,
    prices,
    refresh,
    users,
    watchlists,
)

EXTRA_MODULES = (refresh, extension, campaigns, candidates, brands, exports, prices, campaign_refresh, users)

__all__ = ["api", "brands", "briefs", "campaign_refresh", "campaigns", "candidates", "captures", "creators", "exports", "extension", "health", "notes", "openapi",
           "prices", "refresh", "users", "watchlists"]
