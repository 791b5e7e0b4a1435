"""The TinyDB engine's campaign tables (issue 14), mixed into TinyDBStore: campaigns, their partners,
deliverables and imported orders. Uses the store's own lock (`self._lock`), directory (`self.dir`),
envelope files (`self._db(path, header=...)`) and ids (`self.new_id(prefix)`).
(To be written by the campaigns work.)"""

from __future__ import annotations


class CampaignTables:
    pass
