"""The PostgreSQL tables of discovery's candidates (DiscoveryRepository, issue 15), a mixin of PostgresStore."""

from __future__ import annotations


class DiscoveryTables:
    SCHEMA_SQL = ""
