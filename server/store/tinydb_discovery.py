"""The TinyDB engine's discovery tables (issue 15), mixed into TinyDBStore: candidates with the path
that found them, and the brands creators name. Uses the store's own lock (`self._lock`), directory
(`self.dir`), envelope files (`self._db(path, header=...)`) and ids (`self.new_id(prefix)`).
(To be written by the discovery work.)"""

from __future__ import annotations


class DiscoveryTables:
    pass
