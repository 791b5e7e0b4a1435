"""The page observer (extension/content/observer.js) forwards every API answer the parsers read, and
nothing else. Its URL list is the registry's `api_urls` through the generated content/platforms.js,
the same list the fetcher keeps (scraper.fetch.api_patterns): the three are checked to agree, and the
observer itself is run (in Node, when installed) over the URLs each parser consumes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scraper.fetch import api_patterns
from scraper.registry import BY_NAME, PLATFORMS

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
PLATFORMS_JS = EXTENSION / "content" / "platforms.js"


def generated_platforms() -> list[dict]:
    """The platform list content/platforms.js declares (its entries are JSON objects)."""
    text = PLATFORMS_JS.read_text(encoding="utf-8")
    body = text[text.index("Object.freeze([") + len("Object.freeze(["):text.rindex("].map(")]
    return json.loads("[" + body.rstrip().rstrip(",") + "]")


READ = {
    "youtube": ["https://www.youtube.com/youtubei/v1/browse?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/next?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/player?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/search?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/reel/reel_item_watch?prettyPrint=false"],
    "tiktok": ["https://www.tiktok.com/api/post/item_list/?count=30&secUid=x",
               "https://www.tiktok.com/api/comment/list/?aweme_id=1&count=20",
               "https://www.tiktok.com/api/user/detail/?uniqueId=mia.bakes",
               "https://www.tiktok.com/api/user/list/?count=30&minCursor=0&scene=67&secUid=x"],
    "instagram": ["https://www.instagram.com/api/v1/users/web_profile_info/?username=sara.studio",
                  "https://www.instagram.com/api/v1/friendships/5566778899/followers/?count=12&search_surface=follow_list_page",
                  "https://www.instagram.com/api/v1/friendships/5566778899/following/?count=12",
                  "https://www.instagram.com/graphql/query/?query_hash=abc&variables=%7B%7D",
                  "https://www.instagram.com/api/graphql",
                  "https://www.instagram.com/api/v1/media/3100000000000000001/comments/?can_support_threading=true",
                  "https://www.instagram.com/api/v1/media/3100000000000000001/info/"],
    "x": ["https://x.com/i/api/graphql/AbC/UserByScreenName?variables=%7B%7D",
          "https://x.com/i/api/graphql/AbC/Followers?variables=%7B%7D",
          "https://x.com/i/api/graphql/AbC/TweetDetail?variables=%7B%7D"],
}
NOT_READ = {
    "youtube": ["https://www.youtube.com/youtubei/v1/log_event?alt=json", "https://www.youtube.com/api/stats/watchtime"],
    "tiktok": ["https://www.tiktok.com/api/im/message/list/", "https://www.tiktok.com/api/user/settings/"],
    "instagram": ["https://www.instagram.com/api/v1/direct_v2/inbox/", "https://www.instagram.com/api/v1/friendships/show/1/"],
    "x": ["https://x.com/i/api/graphql/AbC/DMInboxTimeline?variables=%7B%7D"],
}


def test_observer_fetcher_and_registry_agree() -> None:
    """One list per platform: what the extension's observer forwards is what a scheduled fetch keeps."""
    observer = {p["name"]: p["apiUrls"] for p in generated_platforms()}
    registry = {p.name: list(p.api_urls) for p in PLATFORMS}
    fetcher = {name: list(api_patterns(name)) for name in registry}
    assert observer == registry, "content/platforms.js is stale: run `python -m scraper.extension_facts`"
    assert fetcher == registry
    assert all(registry.values()), "every platform names the API answers its parser reads"


def test_observer_reads_its_urls_from_the_generated_file() -> None:
    text = (EXTENSION / "content" / "observer.js").read_text(encoding="utf-8")
    assert "kolscopePlatforms" in text and ".apiUrls" in text
    assert not re.search(r"/\\/(?:api|youtubei|graphql)", text), "observer.js has a URL pattern of its own"


@pytest.mark.parametrize("platform", sorted(READ))
def test_patterns_take_what_the_parsers_read(platform: str) -> None:
    patterns = [re.compile(p) for p in BY_NAME[platform].api_urls]
    for url in READ[platform]:
        assert any(p.search(url) for p in patterns), f"{platform}: the observer drops {url}"
    for url in NOT_READ[platform]:
        assert not any(p.search(url) for p in patterns), f"{platform}: the observer forwards {url}"


# Runs platforms.js and observer.js as the browser does (one global scope, page world) with a fake
# window on `host`; fetches each URL through the observer's wrapper and prints what it forwarded.
NODE_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const [ext, host, urlsJson] = process.argv.slice(1);
const forwarded = [];
const json = { "content-type": "application/json" };
const ctx = {
  location: { hostname: host, href: `https://${host}/`, origin: `https://${host}` },
  document: { documentElement: { setAttribute() {} } },
  history: {},
  crypto: globalThis.crypto,
  URL,
  postMessage: (message) => { if (message.kind === "response") forwarded.push(message.url); },
  fetch: async (url) => ({ url, status: 200, headers: { get: (k) => json[k] || null },
                           clone: () => ({ text: async () => '{"data": 1}' }) }),
};
ctx.window = ctx;
vm.createContext(ctx);
for (const file of ["content/platforms.js", "content/observer.js"]) {
  vm.runInContext(fs.readFileSync(`${ext}/${file}`, "utf8"), ctx, { filename: file });
}
(async () => {
  for (const url of JSON.parse(urlsJson)) await ctx.fetch(url);
  await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(JSON.stringify({ forwarded, leftGlobal: "kolscopePlatforms" in ctx }));
})();
"""


def _run_observer(host: str, urls: list[str]) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the e2e tests run the observer in Chromium")
    out = subprocess.run([node, "-e", NODE_HARNESS, str(EXTENSION), host, json.dumps(urls)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("platform", sorted(READ))
def test_observer_forwards_what_the_parsers_read(platform: str) -> None:
    """The observer as the page runs it (JavaScript RegExp, not Python's re), on each of its hosts."""
    for host in BY_NAME[platform].hosts:
        urls = [re.sub(r"^https://[^/]+", f"https://{host}", u) for u in READ[platform] + NOT_READ[platform]]
        result = _run_observer(host, urls)
        assert result["forwarded"] == urls[:len(READ[platform])], host
        assert result["leftGlobal"] is False, "the page's scripts would see kolscopePlatforms"


def test_observer_stays_off_on_other_sites() -> None:
    result = _run_observer("example.com", [u for urls in READ.values() for u in urls])
    assert result["forwarded"] == []
