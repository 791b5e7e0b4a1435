"""(to be written: see docs/api.md)"""

from __future__ import annotations

OPENAPI_PATHS: dict = {}
