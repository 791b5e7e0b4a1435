"""Politeness shared by every worker and server through Redis: the same interface and arithmetic as
scraper.politeness.Politeness (the fetcher takes it unchanged), its state in Redis instead of memory.

Several worker processes asking one platform must share one rate budget, or N workers would send N
times the budget; a block one worker meets must cool the platform down for all of them. So:

- the rate budget is a sorted set per platform of reserved send times; `reserve` is one Lua script
  (atomic on the Redis server: no two processes take the same free slot), timed by the Redis
  server's clock, so processes with drifting clocks still agree on the window;
- a platform's cool-down is a key holding the block's reason that expires when the cool-down ends;
  blocks in a row are a counter an OK answer deletes;
- a blocked creator's retry-after is a key that expires when it may be asked again.

Only `retry_delay` (jitter) stays local: it needs no agreement.
"""

from __future__ import annotations

import uuid
from typing import Any

from scraper.politeness import BLOCKED, COOLDOWN, COOLDOWN_MAX, CREATOR_RETRY_AFTER, OK, Budget, Politeness, Verdict

PREFIX = "kolscope:politeness"

# KEYS[1] the platform's sorted set; ARGV: requests, window (ms), a unique member suffix.
# Same as Politeness.reserve: drop the sends that left the window; a free slot is now, else the slot
# frees when the send `requests` places back leaves the window. Answers the wait in ms.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local requests = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
local at = now
if n >= requests then
  local back = redis.call('ZRANGE', KEYS[1], n - requests, n - requests, 'WITHSCORES')
  at = tonumber(back[2]) + window
end
redis.call('ZADD', KEYS[1], at, at .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.max(at - now, 0) + window + 1000)
return at - now
"""

# KEYS: blocks-in-a-row counter, cool-down key, the creator's retry-after key (or "" for none).
# ARGV: cooldown (ms), cooldown max (ms), creator retry-after (ms), reason. cooldown_length's rule:
# cooldown doubled for each block in a row, up to the max; a cool-down is only ever lengthened.
_BLOCK = """
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
local length = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) * (2 ^ (n - 1)))
local left = redis.call('PTTL', KEYS[2])
if left < length then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', math.floor(length))
else
  redis.call('SET', KEYS[2], ARGV[4], 'KEEPTTL')
end
if KEYS[3] ~= '' then
  redis.call('SET', KEYS[3], '1', 'PX', math.floor(math.max(length, tonumber(ARGV[3]))))
end
return n
"""


class RedisPoliteness(Politeness):
    """Politeness whose rate budgets, cool-downs and creator retry-afters live in Redis (`client`, a
    redis.Redis), shared by every process using the same Redis database and `prefix`."""

    def __init__(self, client: Any, budgets: dict[str, Budget] | None = None, *, prefix: str = PREFIX,
                 cooldown: float = COOLDOWN, cooldown_max: float = COOLDOWN_MAX,
                 creator_retry_after: float = CREATOR_RETRY_AFTER, **kw: Any):
        super().__init__(budgets, cooldown=cooldown, cooldown_max=cooldown_max,
                         creator_retry_after=creator_retry_after, **kw)
        self.client = client
        self.prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._block = client.register_script(_BLOCK)

    @classmethod
    def unlimited(cls, client: Any = None, **kw: Any) -> RedisPoliteness:  # type: ignore[override]
        """No rate budget (replay serves local files); blocks still cool down, for every worker."""
        kw.setdefault("default_budget", Budget(10**9, 1.0))
        return cls(client, budgets={}, **kw)

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def reserve(self, platform: str) -> float:
        budget = self.budget_for(platform)
        wait_ms = self._reserve(keys=[self._key("sent", platform)],
                                args=[budget.requests, int(budget.window * 1000), uuid.uuid4().hex])
        return max(0.0, int(wait_ms) / 1000.0)

    def cooldown_left(self, platform: str) -> float:
        return max(0, self.client.pttl(self._key("cooldown", platform))) / 1000.0

    def cooldown_reason(self, platform: str) -> str | None:
        value = self.client.get(self._key("cooldown", platform))
        return value.decode() if isinstance(value, bytes) else value

    def creator_wait(self, platform: str, handle: str) -> float:
        return max(0, self.client.pttl(self._key("creator", platform, handle.lower()))) / 1000.0

    def record(self, platform: str, handle: str | None, verdict: Verdict) -> None:
        if verdict.outcome == BLOCKED:
            creator = self._key("creator", platform, handle.lower()) if handle else ""
            self._block(keys=[self._key("blocks", platform), self._key("cooldown", platform), creator],
                        args=[int(self.cooldown * 1000), int(self.cooldown_max * 1000),
                              int(self.creator_retry_after * 1000), verdict.reason or verdict.code or "a block"])
        elif verdict.outcome == OK:
            keys = [self._key("blocks", platform)]
            if handle:
                keys.append(self._key("creator", platform, handle.lower()))
            self.client.delete(*keys)
