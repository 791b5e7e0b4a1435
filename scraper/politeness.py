"""Politeness for scheduled refreshes: a per-platform rate budget, jittered backoff and block cool-downs.

Platforms answer an impolite client with captchas and bans, and a banned IP helps nobody. So every
fetch first waits its turn in a sliding window per platform; a timeout or a 5xx is retried after a
jittered exponential delay; a 403, a 429, a captcha or a login wall is a block: the platform cools
down (no request to it until the cool-down ends) and the blocked creator is not retried at once.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Outcomes of one fetch, as the refresh records them.
OK, BLOCKED, TRANSIENT, FAILED = "ok", "blocked", "transient", "failed"

# Where platforms send a client they will not serve: each platform's login-wall, consent and captcha
# URLs (its registry facts), then any captcha page. Matched on the final URL after redirects, so this
# works before any parser has read the page.
def _wall_url_res() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    from scraper.registry import PLATFORMS

    own = tuple((re.compile(w.pattern), w.code, w.reason) for p in PLATFORMS for w in p.walls)
    return own + ((re.compile(r"/(?:captcha|verify|challenge)(?:[/?#]|$)"), "blocked",
                   "the platform redirected to a captcha page"),)


_WALL_URL_RES = _wall_url_res()

BLOCK_STATUSES = {401: "login_wall", 403: "blocked", 429: "blocked"}

# A block's cool-down (Politeness's defaults): COOLDOWN doubled for each block in a row, up to
# COOLDOWN_MAX; a blocked creator waits at least CREATOR_RETRY_AFTER. server/plain.py tells a person
# when the retry comes from the same numbers.
COOLDOWN, COOLDOWN_MAX, CREATOR_RETRY_AFTER = 900.0, 6 * 3600.0, 3600.0


def cooldown_length(blocks_in_a_row: int, cooldown: float = COOLDOWN, cooldown_max: float = COOLDOWN_MAX) -> float:
    """Seconds a platform cools down after its `blocks_in_a_row`-th block in a row (1 = the first)."""
    return min(cooldown_max, cooldown * (2 ** (max(1, blocks_in_a_row) - 1)))


@dataclass(frozen=True)
class Verdict:
    """How a fetch ended, for politeness: outcome plus the error code and reason a person reads."""

    outcome: str  # OK | BLOCKED | TRANSIENT | FAILED
    code: str | None = None  # blocked | login_wall | timeout | http_5xx | network | ...
    reason: str | None = None


def classify_http(status: int | None, final_url: str | None) -> Verdict | None:
    """A verdict from the HTTP status and where the page ended up, or None when both look normal.

    A 403/429 is a block whatever the body says; a redirect to a login or captcha page is a wall.
    """
    if status in BLOCK_STATUSES:
        code = BLOCK_STATUSES[status]
        return Verdict(BLOCKED, code, f"HTTP {status} ({'rate limited' if status == 429 else 'forbidden'})"
                       if status != 401 else "HTTP 401 (login required)")
    if final_url:
        for pattern, code, reason in _WALL_URL_RES:
            if pattern.search(final_url):
                return Verdict(BLOCKED, code, reason)
    if status is not None and 500 <= status <= 599:
        return Verdict(TRANSIENT, "http_5xx", f"HTTP {status} from the platform")
    if status is not None and status >= 400:
        return Verdict(FAILED, f"http_{status}", f"HTTP {status} from the platform")
    return None


def classify_capture_error(code: str) -> Verdict:
    """A parser's typed error as a politeness verdict: blocked and login_wall are blocks."""
    if code in ("blocked", "login_wall"):
        return Verdict(BLOCKED, code, None)
    return Verdict(FAILED, code, None)


@dataclass
class Budget:
    """At most `requests` requests per `window` seconds to one platform."""

    requests: int
    window: float


# Deliberately gentle defaults (each platform's registry facts): a watchlist of 200 creators
# refreshed daily needs ~0.002 requests/s.
def _default_budgets() -> dict[str, Budget]:
    from scraper.registry import PLATFORMS

    return {p.name: Budget(*p.rate_budget) for p in PLATFORMS}


DEFAULT_BUDGETS: dict[str, Budget] = _default_budgets()


@dataclass
class _PlatformState:
    sent: deque = field(default_factory=deque)  # monotonic times of recent requests
    cooldown_until: float = 0.0
    blocks_in_a_row: int = 0
    block_reason: str | None = None


class Politeness:
    """Shared, thread-safe politeness state: one per process, used by every refresh run.

    `clock` and `rng` are injectable so tests check the arithmetic without sleeping.
    """

    def __init__(
        self,
        budgets: dict[str, Budget] | None = None,
        *,
        default_budget: Budget | None = None,
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        max_retries: int = 2,
        cooldown: float = COOLDOWN,
        cooldown_max: float = COOLDOWN_MAX,
        creator_retry_after: float = CREATOR_RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ):
        self.budgets = dict(DEFAULT_BUDGETS if budgets is None else budgets)
        self.default_budget = default_budget or Budget(10, 60.0)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retries = max_retries
        self.cooldown = cooldown
        self.cooldown_max = cooldown_max
        self.creator_retry_after = creator_retry_after
        self.clock = clock
        self.rng = rng or random.Random()
        self._lock = threading.Lock()
        self._platforms: dict[str, _PlatformState] = {}
        self._creator_blocked_until: dict[tuple[str, str], float] = {}

    @classmethod
    def unlimited(cls, **kw) -> Politeness:
        """No rate budget (replay serves local files: nobody to be polite to); blocks still cool down."""
        kw.setdefault("default_budget", Budget(10**9, 1.0))
        return cls(budgets={}, **kw)

    def _state(self, platform: str) -> _PlatformState:
        st = self._platforms.get(platform)
        if st is None:
            st = self._platforms[platform] = _PlatformState()
        return st

    def budget_for(self, platform: str) -> Budget:
        return self.budgets.get(platform, self.default_budget)

    # -- rate budget -------------------------------------------------------------------------

    def reserve(self, platform: str) -> float:
        """Take a slot in the platform's window; return how long to wait before using it (0 = now).

        Reserving (rather than checking) keeps concurrent workers from all seeing the same free slot.
        """
        budget = self.budget_for(platform)
        with self._lock:
            st = self._state(platform)
            now = self.clock()
            while st.sent and st.sent[0] <= now - budget.window:
                st.sent.popleft()
            if len(st.sent) < budget.requests:
                at = now
            else:
                # The slot frees when the request `requests` places back leaves the window.
                at = st.sent[len(st.sent) - budget.requests] + budget.window
            st.sent.append(at)
            return max(0.0, at - now)

    async def wait_turn(self, platform: str) -> None:
        delay = self.reserve(platform)
        if delay > 0:
            await asyncio.sleep(delay)

    # -- backoff -----------------------------------------------------------------------------

    def retry_delay(self, attempt: int) -> float:
        """Jittered exponential backoff ("equal jitter"): uniform in [cap/2, cap], cap = base * 2^attempt.

        Jitter keeps workers that failed together from retrying together; the floor keeps a retry
        from following the failure at once.
        """
        cap = min(self.backoff_max, self.backoff_base * (2 ** max(0, attempt)))
        return self.rng.uniform(cap / 2, cap)

    # -- blocks ------------------------------------------------------------------------------

    def cooldown_left(self, platform: str) -> float:
        with self._lock:
            st = self._platforms.get(platform)
            return max(0.0, st.cooldown_until - self.clock()) if st else 0.0

    def cooldown_reason(self, platform: str) -> str | None:
        with self._lock:
            st = self._platforms.get(platform)
            return st.block_reason if st else None

    def creator_wait(self, platform: str, handle: str) -> float:
        """Seconds until a creator blocked earlier may be tried again (0 = now)."""
        with self._lock:
            until = self._creator_blocked_until.get((platform, handle.lower()), 0.0)
            return max(0.0, until - self.clock())

    def record(self, platform: str, handle: str | None, verdict: Verdict) -> None:
        """Learn from one fetch: a block cools the platform down (longer each time in a row)."""
        with self._lock:
            st = self._state(platform)
            if verdict.outcome == BLOCKED:
                st.blocks_in_a_row += 1
                length = cooldown_length(st.blocks_in_a_row, self.cooldown, self.cooldown_max)
                st.cooldown_until = max(st.cooldown_until, self.clock() + length)
                st.block_reason = verdict.reason or verdict.code
                if handle:
                    self._creator_blocked_until[(platform, handle.lower())] = (
                        self.clock() + max(length, self.creator_retry_after))
            elif verdict.outcome == OK:
                st.blocks_in_a_row = 0
                if handle:
                    self._creator_blocked_until.pop((platform, handle.lower()), None)
