"""The Playwright fetcher, replay routing and politeness, driving the real Chromium.

Platform URLs are served by replay (context.route) from synthetic captures and from the real pages in
../shared/realpages; the live path is exercised against a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scraper.fetch import Fetcher, FetchRequest, run_sync
from scraper.replay import Replay
from scraper.politeness import BLOCKED, OK, TRANSIENT, Budget, Politeness, Verdict, classify_http
from tests.conftest import REALPAGES, realpage_cases, require_realpages
from tests.scraper.synthetic import LOGIN_PAGE, RATE_LIMIT_PAGE, x_capture

FAST = {"timeout": 8.0, "pool_size": 2}


def run(coro):
    return run_sync(coro)


def quick_politeness(**kw) -> Politeness:
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("backoff_max", 0.2)
    return Politeness.unlimited(**kw)


# -- pure parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status,url,outcome,code", [
    (200, "https://x.com/AdaBakes", None, None),
    (429, "https://x.com/AdaBakes", BLOCKED, "blocked"),
    (403, "https://www.tiktok.com/@a", BLOCKED, "blocked"),
    (401, "https://www.instagram.com/a/", BLOCKED, "login_wall"),
    (200, "https://x.com/i/flow/login?redirect_after_login=%2FAdaBakes", BLOCKED, "login_wall"),
    (200, "https://www.instagram.com/accounts/login/?next=/celebface/", BLOCKED, "login_wall"),
    (200, "https://www.google.com/sorry/index?continue=https://www.youtube.com/", BLOCKED, "blocked"),
    (503, "https://x.com/AdaBakes", TRANSIENT, "http_5xx"),
    (404, "https://x.com/nobody", "failed", "http_404"),
])
def test_classify_http(status, url, outcome, code):
    v = classify_http(status, url)
    assert (v.outcome if v else None, v.code if v else None) == (outcome, code)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_rate_budget_is_a_sliding_window():
    clock = FakeClock()
    pol = Politeness({"x": Budget(3, 10.0)}, clock=clock)
    assert [pol.reserve("x") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pol.reserve("x") == pytest.approx(10.0)  # the 4th waits for the 1st to leave the window
    assert pol.reserve("x") == pytest.approx(10.0)
    clock.t += 4.0
    assert pol.reserve("x") == pytest.approx(6.0)
    assert pol.reserve("tiktok") == 0.0  # budgets are per platform
    clock.t += 30.0
    assert pol.reserve("x") == 0.0


def test_backoff_is_jittered_exponential_and_capped():
    pol = Politeness(backoff_base=1.0, backoff_max=8.0, rng=random.Random(7))
    for attempt, cap in [(0, 1.0), (1, 2.0), (2, 4.0), (3, 8.0), (6, 8.0)]:
        delays = {round(pol.retry_delay(attempt), 6) for _ in range(20)}
        assert all(cap / 2 <= d <= cap for d in delays)
        assert len(delays) > 1  # jittered, not a fixed delay


def test_block_cools_the_platform_down_and_defers_the_creator():
    clock = FakeClock()
    pol = Politeness(cooldown=60.0, cooldown_max=200.0, creator_retry_after=500.0, clock=clock)
    pol.record("x", "Ada", Verdict(BLOCKED, "blocked", "HTTP 429"))
    assert pol.cooldown_left("x") == pytest.approx(60.0)
    assert pol.cooldown_reason("x") == "HTTP 429"
    assert pol.creator_wait("x", "ada") == pytest.approx(500.0)
    assert pol.cooldown_left("tiktok") == 0.0
    clock.t += 61
    pol.record("x", "Bo", Verdict(BLOCKED, "login_wall", "login"))
    assert pol.cooldown_left("x") == pytest.approx(120.0)  # a second block in a row: twice as long
    pol.record("x", "Ada", Verdict(OK))
    assert pol.creator_wait("x", "Ada") == 0.0


# -- the real browser -------------------------------------------------------------------------------


class CountingReplay(Replay):
    """Replay that remembers which URLs reached it (an aborted image never does)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def response_for(self, url, page=None):
        self.asked.append(url)
        return super().response_for(url, page)


def test_fetch_replay_returns_a_capture_the_parser_reads():
    replay = CountingReplay()
    cap = x_capture("AdaBakes", 12345)
    cap["html"] = cap["html"].replace(
        "</body>", '<img src="https://pbs.twimg.com/a.jpg"><link rel="preload" as="font" '
                   'href="https://abs.twimg.com/f.woff2"></body>')
    replay.add_capture(cap)
    replay.add_page("https://x.com/slow_one", cap["html"], delay=30.0)

    async def go():
        async with Fetcher(replay=replay, politeness=quick_politeness(max_retries=1), timeout=1.5,
                           pool_size=2) as f:
            assert "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost" in f.launch_args()
            return await f.fetch_many([FetchRequest("https://twitter.com/AdaBakes", handle="AdaBakes"),
                                       FetchRequest("https://x.com/slow_one", handle="slow_one")])

    ok, slow = run(go())
    assert ok.status == "ok", ok.reason
    assert ok.snapshot.handle == "AdaBakes" and ok.snapshot.followers == 12345
    c = ok.capture
    assert c["format"] == "kolscope.capture/1" and c["source"] == "scraper"
    assert c["url"] == "https://twitter.com/AdaBakes"
    assert "react-root" in c["html"]
    # The page's own API answer was recorded by the response listener, body intact.
    assert [r["url"] for r in c["responses"]] == [cap["responses"][0]["url"]]
    assert json.loads(c["responses"][0]["body"])["data"]["user"]["result"]["rest_id"]
    # Images and fonts are aborted at the router, before replay is even asked.
    assert not any("twimg.com" in u for u in replay.asked)
    # A page slower than the timeout: retried once with backoff, then stale.
    assert (slow.status, slow.code, slow.attempts) == ("stale", "timeout", 2)
    assert slow.capture is None


def test_fetch_blocks_cool_the_platform_down():
    replay = Replay()
    replay.add_page("https://x.com/limited", RATE_LIMIT_PAGE, status=429)
    replay.add_page("https://x.com/walled", LOGIN_PAGE)  # the parser recognises X's login wall
    replay.add_capture(x_capture("fine_one"))

    async def go():
        # Separate politeness per scenario: one block would otherwise keep x cooling down.
        out = []
        async with Fetcher(replay=replay, politeness=quick_politeness(), **FAST) as f:
            out.append(await f.fetch(FetchRequest("https://x.com/limited", handle="limited")))
            out.append(await f.fetch(FetchRequest("https://x.com/fine_one", handle="fine_one")))
            out.append(await f.fetch(FetchRequest("https://x.com/limited", handle="limited")))
            f.politeness = quick_politeness()
            out.append(await f.fetch(FetchRequest("https://x.com/walled", handle="walled")))
        return out

    limited, after, again, walled = run(go())
    assert (limited.status, limited.code, limited.http_status, limited.attempts) == ("blocked", "blocked", 429, 1)
    assert "429" in limited.reason
    assert (after.status, after.code, after.attempts) == ("stale", "cooldown", 0)  # x cools down: not asked
    assert "429" in after.reason
    assert again.attempts == 0 and again.status in ("stale", "blocked")
    assert (walled.status, walled.code, walled.http_status) == ("blocked", "login_wall", 200)


def test_parser_block_answer_counts_as_a_block():
    """A 200 page the parser reads as a rate-limit page (X's code 88) is a block, like an HTTP 429."""
    cap = x_capture("AdaBakes")
    cap["responses"][0]["body"] = json.dumps({"errors": [{"message": "Rate limit exceeded", "code": 88}]})
    cap["responses"][0]["status"] = 429
    replay = Replay()
    replay.add_capture(cap)

    async def go():
        async with Fetcher(replay=replay, politeness=quick_politeness(), **FAST) as f:
            r = await f.fetch(FetchRequest("https://x.com/AdaBakes", handle="AdaBakes"))
            return r, f.politeness.cooldown_left("x")

    r, cooldown = run(go())
    assert (r.status, r.code) == ("blocked", "blocked")
    assert cooldown > 0


class _Flaky(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        if self.path.startswith("/i/api/graphql/"):
            body, ctype, status = json.dumps({"data": {"ok": True}}).encode(), "application/json", 200
        else:
            type(self).hits += 1
            status = 503 if type(self).hits <= 2 else 200
            body = (b"<html><body>live<script>fetch('/i/api/graphql/Q/UserByScreenName?v=1')</script>"
                    b"<img src='/pic.png'></body></html>")
            ctype = "text/html"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_live_fetch_retries_5xx_and_records_api_calls():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/AdaBakes"
    try:
        async def go():
            pol = Politeness(backoff_base=0.05, backoff_max=0.1)
            async with Fetcher(politeness=pol, parse=False, settle=3.0, **FAST) as f:
                return await f.fetch(FetchRequest(url, platform="x", handle="AdaBakes"))

        r = run(go())
    finally:
        server.shutdown()
    assert (r.status, r.attempts, r.http_status) == ("ok", 3, 200)
    assert _Flaky.hits == 3
    assert [x["body"] for x in r.capture["responses"]] == ['{"data": {"ok": true}}']


def test_fetch_real_pages_through_replay():
    """Real captured X and TikTok pages, routed by URL, come back as captures that parse alike."""
    require_realpages()
    from scraper import parse

    replay = Replay.from_dir(REALPAGES)
    cases = [c for c in realpage_cases("x") + realpage_cases("tiktok") if "profile" in c]
    wanted = []
    for case in cases:
        cap = json.loads((REALPAGES / f"{case}.capture.json").read_text(encoding="utf-8"))
        if replay.page_for(cap["url"]) is not None and replay.page_for(cap["url"]).captured_at == cap.get("captured_at"):
            wanted.append(cap)
    assert len(wanted) >= 3

    async def go():
        async with Fetcher(replay=replay, **FAST) as f:
            return await f.fetch_many([c["url"] for c in wanted])

    for cap, result in zip(wanted, run(go()), strict=True):
        assert result.status == "ok", (cap["url"], result.reason)
        direct = parse(cap)
        assert (result.snapshot.handle, result.snapshot.followers) == (direct.handle, direct.followers)
        assert len(result.capture["responses"]) == len(cap.get("responses") or [])
