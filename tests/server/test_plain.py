"""Errors in plain words (server/plain.py): every refresh outcome the fetcher, politeness, the parsers
and the refresh record, with the retry time a block waits; capture errors; the data directory, the
port and store problems."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from scraper import registry
from scraper.errors import CODES
from scraper.politeness import BLOCK_STATUSES
from server.plain import (
    block_retry_wait,
    blocks_in_a_row,
    capture_words,
    data_dir_words,
    duration_words,
    os_error_words,
    port_busy_words,
    refresh_words,
    store_words,
)

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-11-30T08:00:00Z"


def _outcome(status: str, code: str, reason: str, at: str | None = None) -> dict:
    """A refresh record as the refresh writes it; without `at`, the words give no clock time."""
    return {"status": status, "code": code, "reason": reason} | ({"at": at} if at else {})


@pytest.mark.parametrize(("entry", "platform", "words"), [
    ({"status": "ok", "at": AT}, "youtube", "Refreshed from youtube.com."),
    ({"running": True}, "x", "Refreshing now."),
    (_outcome("stale", "network", "the page could not be loaded: Page.goto: net::ERR_NAME_NOT_RESOLVED at https://www.youtube.com/@a", AT),
     "youtube", "Could not reach youtube.com: no network (the name could not be looked up); will retry at the next refresh."),
    (_outcome("stale", "network", "the page could not be loaded: net::ERR_CONNECTION_REFUSED"),
     "x", "Could not reach x.com: the connection was refused; will retry at the next refresh."),
    (_outcome("stale", "network", "the page could not be loaded: net::ERR_SOMETHING_NEW"),
     "x", "Could not reach x.com: the network failed; will retry at the next refresh."),
    (_outcome("stale", "timeout", "the page did not load within 20 s"),
     "tiktok", "tiktok.com did not answer in time; will retry at the next refresh."),
    (_outcome("blocked", "blocked", "the platform redirected to a captcha page", AT),
     "tiktok", "TikTok asked for a captcha; will retry after 1 h (09:00 UTC)."),
    (_outcome("blocked", "blocked", "TikTok showed a captcha / verification page instead of the creator.", AT),
     "tiktok", "TikTok asked for a captcha; will retry after 1 h (09:00 UTC)."),
    (_outcome("blocked", "blocked", "HTTP 429 (rate limited)", at="2026-11-30T23:30:00Z"),
     "instagram", "Instagram is limiting requests (too many in a short time); will retry after 1 h (1 Dec 00:30 UTC)."),
    (_outcome("blocked", "blocked", "HTTP 403 (forbidden)", AT),
     "x", "X refused the page (HTTP 403); will retry after 1 h (09:00 UTC)."),
    (_outcome("blocked", "login_wall", "TikTok redirected to its login page", AT),
     "tiktok", "TikTok asked to log in (kolscope only reads public pages); will retry after 1 h (09:00 UTC)."),
    (_outcome("blocked", "login_wall", "HTTP 401 (login required)"),
     "x", "X asked to log in (kolscope only reads public pages); will retry after 1 h."),
    (_outcome("stale", "cooldown", "tiktok is cooling down after the platform redirected to a captcha page; next try in 45 min"),
     "tiktok", "Paused: TikTok asked for a captcha on an earlier page; will retry after 45 min."),
    (_outcome("stale", "cooldown", "x is cooling down after HTTP 429 (rate limited); next try in 120 min"),
     "x", "Paused: X is limiting requests on an earlier page; will retry after 2 h."),
    (_outcome("blocked", "retry_later", "blocked earlier; not retried for another 30 min"),
     "tiktok", "Not asked again yet: TikTok blocked this profile earlier; will retry after 30 min."),
    (_outcome("blocked", "retry_later", "blocked at 2026-11-30T08:00:00Z (HTTP 403 (forbidden)); not retried before 2026-11-30T09:00:00Z", at="2026-11-30T08:10:00Z"),
     "x", "Not asked again yet: X blocked this profile earlier; will retry after 09:00 UTC."),
    (_outcome("stale", "http_5xx", "HTTP 503 from the platform"),
     "youtube", "youtube.com had a server error (HTTP 503); will retry at the next refresh."),
    (_outcome("error", "http_404", "HTTP 404 from the platform"),
     "x", "X says this page does not exist (HTTP 404): the account may be gone or renamed."),
    (_outcome("error", "http_400", "HTTP 400 from the platform"),
     "x", "x.com answered with an error (HTTP 400); will retry at the next refresh."),
    (_outcome("error", "restricted", "This TikTok account is private (status 10222)."),
     "tiktok", "This account is private: kolscope can only read public profiles."),
    (_outcome("error", "restricted", "@a's posts are protected: only approved followers can see them."),
     "x", "This account is private: kolscope can only read public profiles."),
    (_outcome("error", "restricted", "The YouTube channel 'A' is age-restricted: sign in"),
     "youtube", "YouTube shows this only to signed-in adults (age-restricted): kolscope only reads public pages."),
    (_outcome("error", "unavailable", "This TikTok account is unavailable (status 10221)."),
     "tiktok", "TikTok says this account does not exist (any more): removed, banned or renamed."),
    (_outcome("error", "not_a_creator_page", "x"),
     "x", "This X page does not show a creator (a home, search or settings page?)."),
    (_outcome("error", "malformed", "x"),
     "instagram", "The Instagram page could not be read: it changed or loaded only in part; will retry at the next refresh."),
    (_outcome("error", "parse_timeout", "x"),
     "x", "Reading the page took too long; it may be unusually large."),
    (_outcome("error", "too_large", "x"), "x", "The page is larger than kolscope reads."),
    (_outcome("error", "not_replayed", "the replay directory has no capture of this page"),
     "x", "The replay folder has no saved page for this creator."),
    (_outcome("error", "fetch_failed", "TypeError: 'NoneType' object is not subscriptable"),
     "x", "The browser failed while loading the page from x.com; will retry at the next refresh."),
    (_outcome("error", "browser_failed", "the browser failed: Error: spawn ENOENT"),
     "x", "The browser could not start or stopped during the refresh; will retry at the next refresh."),
    (_outcome("error", "no_profile_url", "x"),
     "bilibili", "kolscope does not know this creator's Bilibili address, so it cannot refresh it."),
    (_outcome("error", "store_failed", "could not store the snapshot: OSError"),
     "x", "The page was read but could not be saved: the data directory had a problem (see the server log)."),
    (_outcome("error", "other_creator", "the page showed x/someone, not x/me"),
     "x", "X showed another account (x/someone): renamed or redirected; nothing was saved."),
])
def test_refresh_outcomes_in_words(entry, platform, words):
    assert refresh_words(entry, platform) == words


def test_blocks_in_a_row_wait_longer_up_to_six_hours():
    # the cool-down doubles from 15 min with each block in a row; a creator waits at least 1 h
    assert [duration_words(block_retry_wait(n)) for n in range(1, 8)] == ["1 h", "1 h", "1 h", "2 h", "4 h", "6 h", "6 h"]
    log = [{"status": "blocked", "code": "blocked", "reason": "captcha", "at": f"2026-11-30T0{i}:00:00Z"} for i in range(6)]
    assert refresh_words(log[-1], "tiktok", log) == "TikTok asked for a captcha; will retry after 6 h (11:00 UTC)."
    assert refresh_words(log[3], "tiktok", log) == "TikTok asked for a captcha; will retry after 2 h (05:00 UTC)."
    # a refresh record (status + its log), as the store keeps it
    record = dict(log[-1], log=log)
    assert refresh_words(record, "tiktok").endswith("will retry after 6 h (11:00 UTC).")
    # a success ends the run of blocks; a skipped retry does not
    ok = {"status": "ok", "at": AT}
    skipped = {"status": "blocked", "code": "retry_later", "reason": "blocked earlier"}
    assert blocks_in_a_row([log[0], ok, log[1]]) == 1
    assert blocks_in_a_row([log[0], skipped, log[1], skipped]) == 2


def _produced_codes() -> set[str]:
    """Every refresh code the code base can record, read from its sources (a new one needs words)."""
    codes = set(CODES) | set(BLOCK_STATUSES.values()) | {w.code for p in registry.PLATFORMS for w in p.walls}
    fetch = (ROOT / "scraper" / "fetch.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'Verdict\(\w+, "([a-z_0-9]+)"', fetch))
    codes |= set(re.findall(r'FetchResult\(\w+, "[a-z]+", "([a-z_0-9]+)"', fetch))
    politeness = (ROOT / "scraper" / "politeness.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'Verdict\(\w+, "([a-z_0-9]+)"', politeness))
    refresh = (ROOT / "server" / "refresh.py").read_text(encoding="utf-8")
    codes |= set(re.findall(r'"([a-z_]+)", on_result\)', refresh))
    return codes | {"http_404", "http_418"}  # politeness's f"http_{status}"


def test_every_code_the_code_base_records_has_its_own_words():
    codes = _produced_codes()
    assert {"cooldown", "retry_later", "timeout", "network", "fetch_failed", "store_failed", "other_creator",
            "blocked", "login_wall", "http_5xx", "restricted"} <= codes
    for code in sorted(codes):
        for status in ("error", "blocked", "stale"):
            words = refresh_words({"status": status, "code": code, "reason": "Oops: TypeError at 0x7f", "at": AT}, "x")
            assert not words.startswith(("Refresh failed", "Not refreshed")), (code, words)
            assert "_" not in words and "TypeError" not in words and "0x7f" not in words, (code, words)


@pytest.mark.parametrize(("code", "message", "words"), [
    ("restricted", "This TikTok account is private (status 10222).",
     "This account is private: kolscope can only read public profiles."),
    ("restricted", "This Instagram account is private and the page shows none of its numbers.",
     "This account is private: kolscope can only read public profiles."),
    ("blocked", "TikTok showed a captcha / verification page instead of the creator.",
     "TikTok asked for a captcha; try again later."),
    ("blocked", "TikTok refused to serve this account (status 10000): too many requests.",
     "TikTok is limiting requests (too many in a short time); try again later."),
    ("login_wall", "Instagram asks to log in before it shows this profile.",
     "Instagram asked to log in before showing this page; kolscope only reads public pages."),
    ("unavailable", "This TikTok account is unavailable: removed, banned or never existed (status 10202).",
     "TikTok says this account does not exist (any more): removed, banned or renamed."),
])
def test_capture_errors_in_words(code, message, words):
    platform = next(p.name for p in registry.PLATFORMS if p.label.split()[0] in message)
    assert capture_words(code, message, platform) == words
    assert "status" not in words


def test_every_capture_code_has_words():
    for code in CODES:
        words = capture_words(code, "status 10222", "tiktok")
        assert "10222" not in words and "_" not in words


@pytest.mark.parametrize(("err", "words"), [
    (errno.EACCES, "kolscope may not write there (permission denied)"),
    (errno.EROFS, "it is on a read-only disk"),
    (errno.ENOTDIR, "a file is in the way (it, or a folder above it, is a file, not a folder)"),
    (errno.ENOSPC, "the disk is full"),
])
def test_os_errors_in_words(err, words):
    exc = OSError(err, "raw", "/some/path")
    assert os_error_words(exc) == words
    wrapped = RuntimeError("Cannot use the data directory: [Errno 13]")
    wrapped.__cause__ = exc
    assert os_error_words(wrapped) == words
    line = data_dir_words("/some/path", exc)
    assert line.startswith("cannot use the data directory /some/path: ") and "--data DIR" in line
    assert "Errno" not in line and "raw" not in line


def test_port_busy_names_the_fix():
    assert port_busy_words("127.0.0.1", 8765) == (
        "port 8765 on 127.0.0.1 is already in use (another kolscope, or another program). "
        "Start on another port: `PORT=8766 make run` or `kolscope serve --port 8766`.")


@pytest.mark.parametrize(("code", "message", "words"), [
    ("store_locked", "Another process holds /data/.lock",
     ("The data is in use", "Another kolscope server is using this data directory. Stop it, or start this one "
                            "with its own --data directory.")),
    ("store_corrupt", None,
     ("A data file is damaged", "kolscope found a damaged file in its data directory and left it untouched. "
                                "Run `kolscope fsck --repair` to restore it from its last good copy.")),
    # a code the dashboard does not know: the store's own message (written for people), else a general one
    ("weird", "The store says so.", ("Something went wrong", "The store says so.")),
    ("weird", None, ("Something went wrong", "kolscope could not read or write its data; see the server log.")),
])
def test_store_problems_in_words(code, message, words):
    assert store_words(code, message) == words
