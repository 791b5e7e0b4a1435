"""The state of refresh runs done by workers, in Redis: what GET .../refresh and the dashboard read.

A run is one hash: a `_meta` field (watchlist id, start time, the creators' order) and one field per
creator holding its `CreatorOutcome` as JSON. Each task writes its own creator's field, so a task run
twice (a worker killed before acknowledging it) overwrites its field and counts once; a "running"
write never replaces an outcome that has already ended (a late duplicate cannot undo a result). A
run is finished when every creator has ended; its end time is the last outcome's.

`current:<watchlist id>` names the watchlist's latest run. Runs expire after RUN_TTL.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from typing import Any

from server.refresh import CreatorOutcome, RefreshRun

PREFIX = "kolscope:runs"
RUN_TTL = 7 * 24 * 3600
ENDED = ("ok", "stale", "blocked", "error")
META = "_meta"

# KEYS[1] the run's hash; ARGV: field, outcome JSON, its status. A "running"/"queued" outcome does
# not replace one that ended (a duplicate of a finished task starting late).
_SET_OUTCOME = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0  -- a run that expired (or never was): not recreated without its start
end
local status = ARGV[3]
if status == 'running' or status == 'queued' then
  local old = redis.call('HGET', KEYS[1], ARGV[1])
  if old then
    local ok, doc = pcall(cjson.decode, old)
    if ok and doc['status'] ~= 'running' and doc['status'] ~= 'queued' then
      return 0
    end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


def creator_field(platform: str, handle: str) -> str:
    return f"{platform}/{handle.casefold()}"


class RunBoard:
    """Refresh runs in Redis (`client`, a redis.Redis): started by the app, written by the workers."""

    def __init__(self, client: Any, prefix: str = PREFIX):
        self.client = client
        self.prefix = prefix
        self._set_outcome = client.register_script(_SET_OUTCOME)

    def _run_key(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def _current_key(self, watchlist_id: str) -> str:
        return f"{self.prefix}:current:{watchlist_id}"

    def create(self, watchlist_id: str | None, creators: list[dict], started_at: str) -> str:
        """A new run with every creator queued, named the watchlist's current run; its id."""
        run_id = uuid.uuid4().hex
        key = self._run_key(run_id)
        fields = {META: json.dumps({"watchlist_id": watchlist_id, "started_at": started_at,
                                    "order": [creator_field(str(c["platform"]), str(c["handle"])) for c in creators]})}
        for c in creators:
            outcome = CreatorOutcome(platform=str(c["platform"]), handle=str(c["handle"]), status="queued")
            fields[creator_field(outcome.platform, outcome.handle)] = json.dumps(asdict(outcome))
        pipe = self.client.pipeline()
        pipe.hset(key, mapping=fields)
        pipe.expire(key, RUN_TTL)
        if watchlist_id:
            pipe.set(self._current_key(watchlist_id), run_id, ex=RUN_TTL)
        pipe.execute()
        return run_id

    def set_outcome(self, run_id: str, outcome: CreatorOutcome) -> bool:
        """Write one creator's outcome (False: a "running" that came after the creator had ended, or a
        run that is no more)."""
        return bool(self._set_outcome(keys=[self._run_key(run_id)],
                                      args=[creator_field(outcome.platform, outcome.handle),
                                            json.dumps(asdict(outcome)), outcome.status]))

    def fail_unfinished(self, run_id: str, status: str, reason: str, code: str, at: str) -> None:
        """End every creator not yet ended (the run could not be enqueued)."""
        run = self.run(run_id)
        for outcome in (run.creators if run else []):
            if outcome.status not in ENDED:
                outcome.status, outcome.reason, outcome.code, outcome.at = status, reason, code, at
                self.set_outcome(run_id, outcome)

    def current_id(self, watchlist_id: str) -> str | None:
        value = self.client.get(self._current_key(watchlist_id))
        return value.decode() if isinstance(value, bytes) else value

    def current(self, watchlist_id: str) -> RefreshRun | None:
        run_id = self.current_id(watchlist_id)
        return self.run(run_id) if run_id else None

    def run(self, run_id: str) -> RefreshRun | None:
        """The run as today's in-process RefreshRun (finished once every creator has ended)."""
        raw = self.client.hgetall(self._run_key(run_id))
        if not raw:
            return None
        fields = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
        if META not in fields:
            return None
        meta = json.loads(fields.pop(META))
        creators = []
        for name in meta.get("order") or []:
            if name in fields:
                creators.append(CreatorOutcome(**json.loads(fields[name])))
        run = RefreshRun(meta.get("watchlist_id"), started_at=meta["started_at"], creators=creators)
        run.error = meta.get("error")
        if all(c.status in ENDED for c in creators):
            run.finished_at = max((c.at for c in creators if c.at), default=run.started_at)
        return run
