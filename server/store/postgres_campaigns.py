"""The PostgreSQL tables of campaigns (CampaignRepository, issue 14), a mixin of PostgresStore."""

from __future__ import annotations


class CampaignTables:
    SCHEMA_SQL = ""
