"""Replay (scraper/replay.py): captures served by normalised URL and by creator, without a browser.

The fetcher's routing through replay, in the real Chromium, is tested in test_fetch.py.
"""

from __future__ import annotations

import pytest

from scraper.replay import Replay, ReplayError, normalise_url
from tests.scraper.synthetic import write_replay_dir, x_capture


@pytest.mark.parametrize("a,b", [
    ("https://twitter.com/AdaBakes/", "https://x.com/AdaBakes"),
    ("http://mobile.twitter.com/AdaBakes", "https://x.com/AdaBakes"),
    ("https://www.x.com/AdaBakes#top", "https://x.com/AdaBakes"),
    ("https://tiktok.com/@dylanlemay?lang=en&is_from_webapp=1", "https://www.tiktok.com/@dylanlemay?is_from_webapp=1&lang=en"),
    ("https://m.youtube.com/@kurzgesagt/videos/", "https://www.youtube.com/@kurzgesagt/videos"),
    ("https://instagram.com/celebface/", "https://www.instagram.com/celebface"),
])
def test_normalise_url_folds_aliases_slash_and_query_order(a, b):
    assert normalise_url(a) == normalise_url(b)


def test_normalise_url_keeps_different_pages_apart():
    assert normalise_url("https://x.com/AdaBakes") != normalise_url("https://x.com/AdaBakes/followers")
    assert normalise_url("https://x.com/a?q=1") != normalise_url("https://x.com/a?q=2")
    assert normalise_url("http://127.0.0.1:8000/p") == "https://127.0.0.1:8000/p"


def test_replay_dir_matches_by_url_and_by_creator(tmp_path):
    write_replay_dir(tmp_path, [x_capture("AdaBakes", 10), x_capture("AdaBakes", 20, captured_at="2026-02-01T00:00:00Z"),
                                x_capture("bo_runs")])
    (tmp_path / "notes.json").write_text("[1, 2]")
    (tmp_path / "AdaBakes.expected.json").write_text("{}")
    replay = Replay.from_dir(tmp_path)
    assert len(replay) == 2
    assert [p for p, _ in replay.skipped] == [str(tmp_path / "notes.json")]
    page = replay.page_for("https://twitter.com/AdaBakes/")
    assert page is not None and page.captured_at == "2026-02-01T00:00:00Z"  # the newer capture wins
    assert replay.page_for("https://x.com/adabakes/with_replies") is page  # same creator, by handle
    assert replay.page_for("https://x.com/nobody") is None
    api_url = page.responses[0]["url"]
    assert replay.response_for(api_url, page)["status"] == 200


def test_replay_dir_errors(tmp_path):
    with pytest.raises(ReplayError, match="does not exist"):
        Replay.from_dir(tmp_path / "missing")
    (tmp_path / "x.json").write_text("not json")
    with pytest.raises(ReplayError, match="no capture files"):
        Replay.from_dir(tmp_path)


def test_replay_hosts_are_its_pages_and_answers_with_their_aliases():
    replay = Replay()
    replay.add_page("https://twitter.com/AdaBakes", "<html></html>",
                    responses=[{"url": "https://api.x.com/graphql/abc/UserByScreenName", "body": "{}"}])
    hosts = replay.hosts()
    # the page's own host, the platform's canonical host and every alias of it, and the API host
    assert {"twitter.com", "x.com", "mobile.twitter.com", "api.x.com"} <= hosts
    assert not any("youtube" in h or "tiktok" in h for h in hosts)
    assert Replay().hosts() == set()
