"""The Playwright fetcher behind scheduled refreshes: creator pages -> `kolscope.capture/1` dicts.

One Chromium (Debian's, at /usr/bin/chromium), a bounded pool of browser contexts worked by as many
asyncio workers, images/media/fonts aborted at the router, a timeout per page. Like the extension,
it keeps the page's HTML plus the JSON the page itself loaded from the platform's API, so the same
parsers read what it returns. With a `Replay` (scraper/replay.py) the same routing serves platform
URLs from capture files instead of the network, for offline demos, tests and benchmarks.

Why asyncio and one browser: a Chromium launch costs ~1 s and ~150 MB; a context costs a few ms, and
pages of several contexts load in parallel while Python waits on the network, not on the GIL.
"""

from __future__ import annotations

import asyncio
import threading
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scraper.models import CAPTURE_FORMAT
from scraper.replay import Replay, ReplayPage
from scraper.times import now_iso
from scraper.politeness import (
    BLOCKED,
    FAILED,
    OK,
    TRANSIENT,
    Politeness,
    Verdict,
    classify_capture_error,
    classify_http,
)

log = logging.getLogger("kolscope.fetch")

CHROMIUM = os.environ.get("KOLSCOPE_CHROMIUM", "/usr/bin/chromium")
# Resolve every host to nothing except loopback: a replayed page can never leak a request to the
# network, whatever its inline scripts try. Live fetches (allow_network=True) leave DNS alone.
OFFLINE_HOST_RULES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
BASE_ARGS = ("--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--mute-audio",
             "--disable-background-networking", "--no-first-run")
BLOCKED_RESOURCES = frozenset({"image", "media", "font"})
_STATIC_EXT = r"(?:js|mjs|css|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|otf|mp4|webm|m3u8|mp3)"


def platform_of(url: str) -> str | None:
    from scraper.registry import platform_for

    module = platform_for(url)
    return module.name if module else None


def api_patterns(platform: str | None) -> tuple[str, ...]:
    """The page API answers (re.search patterns) the platform's parser reads: what a fetch keeps."""
    from scraper.registry import get

    module = get(platform)
    return module.api_urls if module else ()


# ---------------------------------------------------------------------------------------------
# The fetcher
# ---------------------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One context of the pool and the page it reuses."""

    context: Any
    page: Any = None


@dataclass
class FetchRequest:
    url: str
    platform: str | None = None
    handle: str | None = None

    def __post_init__(self) -> None:
        if self.platform is None:
            self.platform = platform_of(self.url)


@dataclass
class FetchResult:
    """How one page ended. `status` is what the refresh records: ok | blocked | stale | error."""

    request: FetchRequest
    status: str
    code: str | None = None
    reason: str | None = None
    capture: dict | None = None
    snapshot: Any = None  # scraper.models.Snapshot when status == "ok" and parsing was asked for
    http_status: int | None = None
    final_url: str | None = None
    attempts: int = 0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Fetcher:
    """One browser, `pool_size` contexts; `fetch` one page or `fetch_many` through the pool.

    Use as `async with Fetcher(...) as f:`. With `parse=True` (default) a capture is parsed on the
    spot, so a parser's `blocked`/`login_wall` answer cools the platform down like a 429 does.
    """

    def __init__(
        self,
        *,
        pool_size: int = 4,
        timeout: float = 20.0,
        replay: Replay | None = None,
        politeness: Politeness | None = None,
        allow_network: bool = False,
        parse: bool = True,
        settle: float = 3.0,
        executable_path: str = CHROMIUM,
        user_agent: str | None = None,
        replay_scripts: bool = False,
    ):
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self.pool_size = pool_size
        self.timeout = timeout
        self.replay = replay
        self.politeness = politeness or (Politeness.unlimited() if replay is not None else Politeness())
        self.allow_network = allow_network and replay is None
        self.parse = parse
        self.settle = settle
        self.executable_path = executable_path
        self.user_agent = user_agent
        self.replay_scripts = replay_scripts
        self._pw = None
        self._browser = None
        self._contexts: asyncio.Queue | None = None
        self._all_contexts: list = []
        self._page_entries: dict[Any, ReplayPage] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def launch_args(self) -> list[str]:
        args = list(BASE_ARGS)
        if not self.allow_network:
            args.append(OFFLINE_HOST_RULES)
        return args

    async def start(self) -> None:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        try:
            self._browser = await self._pw.chromium.launch(
                executable_path=self.executable_path, headless=True, args=self.launch_args())
            self._contexts = asyncio.Queue()
            for _ in range(self.pool_size):
                ctx = await self._browser.new_context(
                    service_workers="block",  # a service worker would answer requests our router never sees
                    # Replay runs no page scripts: their bundles are not in the capture, so the inline
                    # bootstraps could only fail (and cost ~40% of a page's time on a page with 1 MB of
                    # inline JSON). The HTML is then exactly what was recorded; the page's API calls
                    # are still made from the page (see _load), through the router and the listener.
                    java_script_enabled=self.replay is None or self.replay_scripts,
                    # A recorded page's CSP <meta> must not stop replay from repeating its API calls.
                    bypass_csp=self.replay is not None,
                    user_agent=self.user_agent,
                    locale="en-US",
                    viewport={"width": 1280, "height": 900},
                )
                ctx.set_default_timeout(self.timeout * 1000)
                await ctx.route(self._route_pattern(), self._route)
                self._all_contexts.append(ctx)
                self._contexts.put_nowait(_Slot(ctx))
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for ctx in self._all_contexts:
            try:
                await ctx.close()
            except Exception:  # closing after the browser died: nothing left to free
                pass
        self._all_contexts.clear()
        if self._browser is not None:
            try:
                await self._browser.close()
            except Exception:
                pass
            self._browser = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None

    # -- routing -----------------------------------------------------------------------------

    def _route_pattern(self) -> str | re.Pattern[str]:
        """Which requests come to Python at all.

        Live: every request (images, media and fonts are aborted, the rest continues). Replay: only
        requests to the replayed hosts that are not static files; everything else fails in the
        browser itself on the host-resolver rules, without a round trip to Python (a big platform
        page asks for ~60 scripts and styles; routing each through Python cost ~4 ms apiece).
        """
        if self.replay is None:
            return "**/*"
        alternation = "|".join(sorted(re.escape(h) for h in self.replay.hosts())) or "(?!)"
        return re.compile(rf"^https?://(?:{alternation})(?::\d+)?(?:/(?![^?#]*\.{_STATIC_EXT}(?:[?#]|$))|$)",
                          re.IGNORECASE)

    async def _route(self, route, request) -> None:
        try:
            if request.resource_type in BLOCKED_RESOURCES:
                await route.abort("blockedbyclient")
                return
            if self.replay is None:
                await route.continue_()
                return
            await self._route_replay(route, request)
        except Exception as exc:
            # Mostly: the page closed (timeout, done) while this request was in flight.
            log.debug("routing %s failed: %s", request.url[:200], exc)

    async def _route_replay(self, route, request) -> None:
        replay = self.replay
        if request.is_navigation_request() and request.frame.parent_frame is None:
            page = replay.page_for(request.url)
            if page is None:
                await route.fulfill(status=404, content_type="text/html",
                                    body="<html><body>kolscope replay: no capture for this URL</body></html>")
                return
            if page.delay:
                await asyncio.sleep(page.delay)
            await route.fulfill(status=page.status, content_type="text/html; charset=utf-8", body=page.html)
            return
        entry = None
        try:
            entry = self._page_entries.get(request.frame.page)
        except Exception:
            entry = None
        hit = replay.response_for(request.url, entry)
        if hit is None:
            await route.abort("blockedbyclient")
            return
        body = hit.get("body")
        if not isinstance(body, str):
            body = json.dumps(body)
        origin = request.headers.get("origin") or "*"
        await route.fulfill(
            status=hit.get("status") if isinstance(hit.get("status"), int) else 200,
            content_type=hit.get("content_type") or "application/json",
            # The page may call another of the platform's hosts; answer as the real API would.
            headers={"access-control-allow-origin": origin, "access-control-allow-credentials": "true"},
            body=body,
        )

    # -- one page ----------------------------------------------------------------------------

    async def _load(self, slot: _Slot, req: FetchRequest) -> tuple[dict | None, int | None, str | None, Verdict | None]:
        """Open the page, keep its API answers; (capture, http status, final url, verdict or None)."""
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        patterns = api_patterns(req.platform)
        kept: list[dict] = []
        pending: list[asyncio.Task] = []

        async def keep(response) -> None:
            try:
                body = await response.text()
            except Exception:  # a body the browser already dropped (redirect, aborted): nothing to keep
                return
            kept.append({"url": response.url, "status": response.status,
                         "content_type": response.headers.get("content-type"), "body": body})

        def on_response(response) -> None:
            if response.request.resource_type in ("fetch", "xhr") and any(re.search(p, response.url) for p in patterns):
                pending.append(asyncio.ensure_future(keep(response)))

        if self.replay is not None and self.replay.page_for(req.url) is None:
            return None, None, None, Verdict(FAILED, "not_replayed", "the replay directory has no capture of this page")
        # A page is reused across fetches: opening one costs a renderer start (0.2-0.6 s measured),
        # a navigation resets its state anyway. After a failure the page is replaced.
        if slot.page is None or slot.page.is_closed():
            slot.page = await slot.context.new_page()
        page = slot.page
        entry = self.replay.page_for(req.url) if self.replay is not None else None
        if entry is not None:
            self._page_entries[page] = entry
        page.on("response", on_response)
        deadline = time.monotonic() + self.timeout
        healthy = False
        try:
            try:
                response = await page.goto(req.url, wait_until="domcontentloaded", timeout=self.timeout * 1000)
            except PlaywrightTimeout:
                return None, None, None, Verdict(TRANSIENT, "timeout", f"the page did not load within {self.timeout:g} s")
            except PlaywrightError as exc:
                msg = str(exc).splitlines()[0][:200]
                return None, None, None, Verdict(TRANSIENT, "network", f"the page could not be loaded: {msg}")
            http_status = response.status if response is not None else None
            final_url = page.url
            verdict = classify_http(http_status, final_url)
            if verdict is not None and verdict.outcome != OK:
                healthy = True
                return None, http_status, final_url, verdict
            left = max(0.5, deadline - time.monotonic())
            if entry is not None and entry.responses:
                # Replay: the page's own scripts are not served, so make the calls they made, from the
                # page, through the same routing and response listener a live page goes through.
                urls = [r["url"] for r in entry.responses]
                await page.evaluate(
                    "urls => Promise.all(urls.map(u => fetch(u, {credentials: 'include'})"
                    ".then(r => r.text()).then(t => t.length).catch(() => null)))", urls)
            elif self.replay is None and patterns:
                # Live: the data arrives from the page's scripts after DOMContentLoaded; wait for the
                # network to go quiet, but never longer than `settle` (long polls never go quiet).
                try:
                    await page.wait_for_load_state("networkidle", timeout=min(self.settle, left) * 1000)
                except PlaywrightTimeout:
                    pass
            if pending:
                await asyncio.wait(pending, timeout=left)
            html = await page.content()
            healthy = True
        finally:
            self._page_entries.pop(page, None)
            page.remove_listener("response", on_response)
            if not healthy:
                slot.page = None
                try:
                    await page.close()
                except Exception:
                    pass
        capture = {
            "format": CAPTURE_FORMAT,
            "url": final_url,
            "captured_at": now_iso(),
            "source": "scraper",
            "html": html,
            "responses": kept,
        }
        return capture, http_status, final_url, None

    async def fetch(self, req: FetchRequest | str) -> FetchResult:
        """Fetch one page politely: wait for the rate budget, retry timeouts/5xx with jittered backoff."""
        if isinstance(req, str):
            req = FetchRequest(req)
        if self._contexts is None:
            raise RuntimeError("Fetcher.start() was not called")
        t0 = time.perf_counter()
        platform = req.platform or "?"
        pol = self.politeness
        attempts = 0
        result: FetchResult | None = None
        while True:
            wait = pol.cooldown_left(platform)
            if wait > 0:
                why = pol.cooldown_reason(platform) or "a block"
                result = FetchResult(req, "stale", "cooldown",
                                     f"{platform} is cooling down after {why}; next try in {wait / 60:.0f} min")
                break
            if req.handle and pol.creator_wait(platform, req.handle) > 0:
                left = pol.creator_wait(platform, req.handle)
                result = FetchResult(req, "blocked", "retry_later",
                                     f"blocked earlier; not retried for another {left / 60:.0f} min")
                break
            await pol.wait_turn(platform)
            attempts += 1
            slot = await self._contexts.get()
            try:
                capture, http_status, final_url, verdict = await self._load(slot, req)
            finally:
                self._contexts.put_nowait(slot)
            if verdict is None:
                # Parsing a 1 MB page takes tens of ms: off the event loop, so the other contexts'
                # pages keep loading meanwhile.
                result = await asyncio.to_thread(self._judge, req, capture, http_status, final_url)
                verdict = _verdict_of(result)
            else:
                result = FetchResult(req, _status_for(verdict), verdict.code, verdict.reason,
                                     http_status=http_status, final_url=final_url)
            pol.record(platform, req.handle, verdict)
            if verdict.outcome == TRANSIENT and attempts <= pol.max_retries:
                await asyncio.sleep(pol.retry_delay(attempts - 1))
                continue
            break
        result.attempts = attempts
        result.elapsed = time.perf_counter() - t0
        return result

    def _judge(self, req: FetchRequest, capture: dict, http_status: int | None, final_url: str | None) -> FetchResult:
        if not self.parse:
            return FetchResult(req, "ok", capture=capture, http_status=http_status, final_url=final_url)
        from scraper import parse
        from scraper.errors import CaptureError

        try:
            snapshot = parse(capture)
        except CaptureError as exc:
            verdict = classify_capture_error(exc.code)
            return FetchResult(req, _status_for(verdict), exc.code, exc.message, capture=capture,
                               http_status=http_status, final_url=final_url)
        return FetchResult(req, "ok", capture=capture, snapshot=snapshot, http_status=http_status,
                           final_url=final_url)

    async def fetch_many(
        self,
        requests: Iterable[FetchRequest | str],
        on_result: Callable[[FetchResult], Awaitable[None] | None] | None = None,
    ) -> list[FetchResult]:
        """Fetch every request through the context pool; results in request order.

        `on_result` is called as each page finishes (progress bars, writes to the store).
        """
        reqs = [FetchRequest(r) if isinstance(r, str) else r for r in requests]
        results: list[FetchResult | None] = [None] * len(reqs)
        queue: asyncio.Queue = asyncio.Queue()
        for i, r in enumerate(reqs):
            queue.put_nowait((i, r))

        async def worker() -> None:
            while True:
                try:
                    i, r = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    res = await self.fetch(r)
                except Exception as exc:  # a browser crash on one page must not lose the others
                    res = FetchResult(r, "error", "fetch_failed", f"{type(exc).__name__}: {str(exc)[:200]}")
                results[i] = res
                if on_result is not None:
                    if asyncio.iscoroutinefunction(on_result):
                        await on_result(res)
                    else:
                        # A callback that writes to the store (fsync) must not stall the browser.
                        await asyncio.to_thread(on_result, res)

        await asyncio.gather(*(worker() for _ in range(min(self.pool_size, max(1, len(reqs))))))
        return [r for r in results if r is not None]


def _status_for(verdict: Verdict) -> str:
    return {OK: "ok", BLOCKED: "blocked", TRANSIENT: "stale", FAILED: "error"}[verdict.outcome]


def _verdict_of(result: FetchResult) -> Verdict:
    outcome = {"ok": OK, "blocked": BLOCKED, "stale": TRANSIENT, "error": FAILED}[result.status]
    return Verdict(outcome, result.code, result.reason)


def fetch_all(
    requests: Iterable[FetchRequest | str],
    *,
    on_result: Callable[[FetchResult], Any] | None = None,
    **fetcher_options: Any,
) -> list[FetchResult]:
    """Synchronous entry point (CLI, scheduler threads): one browser for the whole batch."""

    async def run() -> list[FetchResult]:
        async with Fetcher(**fetcher_options) as fetcher:
            return await fetcher.fetch_many(requests, on_result=on_result)

    return run_sync(run())


def run_sync(coro: Any) -> Any:
    """Run a coroutine to completion from synchronous code.

    asyncio.run refuses to start inside a thread whose event loop is already running (a caller that
    itself drives Playwright's sync API, or a notebook): there the coroutine runs on its own thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=target, name="kolscope-fetch")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")
