"""What went wrong, in words a person reads: refresh outcomes, capture errors and store problems as
sentences ("Could not reach <the platform's host>: no network", "<Platform> asked for a captcha; will
retry after 6 h"), never "Page.goto: net::ERR_NAME_NOT_RESOLVED at ..." or "status 10222".

Pure functions over the codes and reasons the scraper and the store record (no Flask, no I/O): the
dashboard, the exports and the CLI all say the same thing. The overlay says the same in
extension/content/overlay.js from the error codes the API answers.

The codes, and who produces them: scraper.fetch (cooldown, retry_later, timeout, network, not_replayed,
fetch_failed), scraper.politeness (blocked, login_wall from HTTP 401/403/429 and the platforms' wall
URLs; http_5xx, http_<status>), the parsers' CaptureError codes (scraper/errors.py CODES), and
server.refresh (retry_later, no_profile_url, store_failed, other_creator, browser_failed).
"""

from __future__ import annotations

import errno
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from scraper import registry
from scraper.politeness import CREATOR_RETRY_AFTER, cooldown_length
from scraper.times import parse_time

# net::ERR_... of Chromium -> what it means for the person
_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "no network (the name could not be looked up)",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_NETWORK_CHANGED": "the network changed while loading",
    "ERR_ADDRESS_UNREACHABLE": "no route to it (no network?)",
    "ERR_CONNECTION_REFUSED": "the connection was refused",
    "ERR_CONNECTION_RESET": "the connection was cut",
    "ERR_CONNECTION_CLOSED": "the connection was cut",
    "ERR_CONNECTION_TIMED_OUT": "the connection timed out",
    "ERR_TIMED_OUT": "the page took too long",
    "ERR_PROXY_CONNECTION_FAILED": "the proxy did not answer",
    "ERR_CERT_AUTHORITY_INVALID": "its certificate is not trusted",
    "ERR_CERT_DATE_INVALID": "its certificate has expired (or this computer's clock is wrong)",
    "ERR_SSL_PROTOCOL_ERROR": "the secure connection failed",
    "ERR_TOO_MANY_REDIRECTS": "it redirected in circles",
    "ERR_BLOCKED_BY_CLIENT": "the browser refused the address",
}
_NET_RE = re.compile(r"net::(ERR_[A-Z_]+)")
_CAPTCHA_RE = re.compile(r"captcha|verif|challenge|not a bot|security check", re.I)
_RATE_RE = re.compile(r"\b429\b|rate.limit|too many requests|risk control|\b412\b", re.I)
_MINUTES_RE = re.compile(r"(?:next try in|for another) (\d+) min")
_BEFORE_RE = re.compile(r"not retried before (\S+)")
_HTTP_RE = re.compile(r"HTTP (\d{3})")
_OTHER_RE = re.compile(r"showed (\S+), not")
NEXT_REFRESH = "will retry at the next refresh"


def platform_label(platform: str) -> str:
    p = registry.BY_NAME.get(platform)
    return p.label if p is not None else platform


def platform_host(platform: str) -> str:
    """The platform's site as people name it: its first host without "www."."""
    p = registry.BY_NAME.get(platform)
    host = p.hosts[0] if p is not None and p.hosts else platform
    return host.removeprefix("www.")


def duration_words(seconds: float) -> str:
    """3600 -> "1 h", 5400 -> "1 h 30 min", 600 -> "10 min", 20 -> "1 min"."""
    minutes = max(1, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" + (f" {minutes} min" if minutes else "")


def _clock(when: datetime, since: datetime | None) -> str:
    """"14:05 UTC" on the same day as `since`, else "1 Dec 02:05 UTC"."""
    if since is not None and when.date() == since.date():
        return when.strftime("%H:%M UTC")
    return f"{when.day} {when.strftime('%b %H:%M')} UTC"


def blocks_in_a_row(log: Sequence[Mapping], entry: Mapping | None = None) -> int:
    """How many blocked attempts end the log (at `entry`, when it is one of them): the cool-down
    doubles with each. A skipped retry (retry_later) is neither a new block nor a success."""
    entries = list(log)
    if entry is not None and entry in entries:
        entries = entries[:len(entries) - entries[::-1].index(entry)]
    n = 0
    for e in reversed(entries):
        if e.get("code") == "retry_later":
            continue
        if e.get("status") != "blocked":
            break
        n += 1
    return max(1, n)


def block_retry_wait(blocks: int = 1) -> float:
    """Seconds before a blocked creator is asked again: the platform's cool-down for that many blocks
    in a row, and never less than the creator's own wait (server.refresh BLOCKED_RETRY_AFTER)."""
    return max(CREATOR_RETRY_AFTER, cooldown_length(blocks))


def _retry_after(entry: Mapping, log: Sequence[Mapping] | None) -> str:
    wait = block_retry_wait(blocks_in_a_row(log or [entry], entry))
    at = parse_time(entry.get("at"))
    words = f"will retry after {duration_words(wait)}"
    return f"{words} ({_clock(at + timedelta(seconds=wait), at)})" if at else words


def _block_words(label: str, reason: str, code: str | None) -> tuple[str, str]:
    """(who blocked and how, a note): a login wall, a captcha, a rate limit, a refusal."""
    if code == "login_wall" or re.search(r"log ?in|sign in|consent", reason, re.I):
        return f"{label} asked to log in", "kolscope only reads public pages"
    if _CAPTCHA_RE.search(reason):
        return f"{label} asked for a captcha", ""
    if _RATE_RE.search(reason):
        return f"{label} is limiting requests", "too many in a short time"
    http = _HTTP_RE.search(reason)
    if http:
        return f"{label} refused the page", f"HTTP {http.group(1)}"
    return f"{label} blocked the request", ""


def _with_note(clause: str, note: str) -> str:
    return f"{clause} ({note})" if note else clause


PRIVATE = "This account is private: kolscope can only read public profiles."

# A code's one sentence, whatever the message: {label} is the platform's name, {host} its site,
# {next} NEXT_REFRESH. The codes whose sentence depends on the message are in the functions below.
_CAPTURE_SENTENCES = {
    "unavailable": "{label} says this account does not exist (any more): removed, banned or renamed.",
    "login_wall": "{label} asked to log in before showing this page; kolscope only reads public pages.",
    "not_a_creator_page": "This {label} page does not show a creator (a home, search or settings page?).",
    "unsupported_platform": "kolscope does not read this site.",
    "malformed": "The {label} page could not be read: it changed or loaded only in part.",
    "too_large": "The page is larger than kolscope reads.",
    "parse_timeout": "Reading the page took too long; it may be unusually large.",
}
_REFRESH_SENTENCES = {
    "network": "Could not reach {host}; {next}.",
    "timeout": "{host} did not answer in time; {next}.",
    "private_account": PRIVATE,
    "not_found": "{label} says this account does not exist (any more).",
    "account_not_found": "{label} says this account does not exist (any more).",
    "not_replayed": "The replay folder has no saved page for this creator.",
    "fetch_failed": "The browser failed while loading the page from {host}; {next}.",
    "browser_failed": "The browser could not start or stopped during the refresh; {next}.",
    "no_profile_url": "kolscope does not know this creator's {label} address, so it cannot refresh it.",
    "store_failed": "The page was read but could not be saved: the data directory had a problem (see the server log).",
}


def capture_words(code: str | None, message: str | None, platform: str | None = None) -> str:
    """A parser's CaptureError (scraper/errors.py CODES) as a sentence, for a page kolscope was shown
    (the overlay's extension/content/overlay.js says the same)."""
    label = platform_label(platform) if platform else "The platform"
    msg = str(message or "")
    if code == "restricted":
        if re.search(r"private|protected", msg, re.I):
            return PRIVATE
        if re.search(r"\bage\b|age-restricted", msg, re.I):
            return f"{label} shows this only to signed-in adults (age-restricted): kolscope only reads public pages."
        return f"{label} restricts this page: kolscope can only read public profiles."
    if code == "blocked":
        return f"{_with_note(*_block_words(label, msg, code))}; try again later."
    if code in _CAPTURE_SENTENCES:
        return _CAPTURE_SENTENCES[code].format(label=label)
    return msg or "Something went wrong."


def refresh_words(entry: Mapping, platform: str, log: Sequence[Mapping] | None = None) -> str:
    """One refresh attempt ({status, code, reason, at}) as a sentence. `log`: the creator's attempts
    (oldest first, holding `entry`), for how long a block in a row waits; a refresh record's own
    `log` is used when it has one."""
    status, code, reason = entry.get("status"), entry.get("code"), str(entry.get("reason") or "")
    label, host = platform_label(platform), platform_host(platform)
    if log is None and isinstance(entry.get("log"), list):
        log = entry["log"]
    if entry.get("running"):
        return "Refreshing now."
    if status == "ok":
        return f"Refreshed from {host}."
    net = _NET_RE.search(reason)
    if net:
        what = _NET_ERRORS.get(net.group(1), "the network failed")
        return f"Could not reach {host}: {what}; {NEXT_REFRESH}."
    if code in ("network", "timeout"):  # the platform never answered: whatever the status, not a block
        return _REFRESH_SENTENCES[code].format(host=host, next=NEXT_REFRESH)
    if code == "cooldown":
        why = reason.split(" after ", 1)[1].split(";", 1)[0] if " after " in reason else ""
        minutes = _MINUTES_RE.search(reason)
        when = f"will retry after {duration_words(int(minutes.group(1)) * 60)}" if minutes else "will retry later"
        clause = _block_words(label, why, None)[0] if why else f"{label} blocked the request"
        return f"Paused: {clause} on an earlier page; {when}."
    if code == "retry_later":
        minutes, before = _MINUTES_RE.search(reason), _BEFORE_RE.search(reason)
        at, until = parse_time(entry.get("at")), parse_time(before.group(1)) if before else None
        if until is not None:
            when = f"will retry after {_clock(until, at)}"
        elif minutes:
            when = f"will retry after {duration_words(int(minutes.group(1)) * 60)}"
        else:
            when = "will retry later"
        return f"Not asked again yet: {label} blocked this profile earlier; {when}."
    if code in ("blocked", "login_wall") or status == "blocked":
        return f"{_with_note(*_block_words(label, reason, code))}; {_retry_after(entry, log)}."
    if code in _REFRESH_SENTENCES:
        return _REFRESH_SENTENCES[code].format(label=label, host=host, next=NEXT_REFRESH)
    if code == "http_5xx" or (code or "").startswith("http_5"):
        http = _HTTP_RE.search(reason)
        return f"{host} had a server error{f' (HTTP {http.group(1)})' if http else ''}; {NEXT_REFRESH}."
    if code in ("http_404", "http_410"):
        return f"{label} says this page does not exist (HTTP {code[5:]}): the account may be gone or renamed."
    if (code or "").startswith("http_"):
        return f"{host} answered with an error (HTTP {code[5:]}); {NEXT_REFRESH}."
    if code == "other_creator":
        other = _OTHER_RE.search(reason)
        who = f" ({other.group(1)})" if other else ""
        return f"{label} showed another account{who}: renamed or redirected; nothing was saved."
    if code in _CAPTURE_CODES:
        sentence = capture_words(code, reason, platform)
        return sentence if code != "malformed" else f"{sentence[:-1]}; {NEXT_REFRESH}."
    if status == "stale":
        return f"Not refreshed: {reason or 'skipped'}."
    return f"Refresh failed: {reason or code or 'unknown reason'}."


_CAPTURE_CODES = frozenset({"restricted", "unavailable", "not_a_creator_page", "unsupported_platform", "malformed",
                            "too_large", "parse_timeout"})


# -- the data directory and the store ----------------------------------------------------------------

_OS_WORDS = {
    errno.EACCES: "kolscope may not write there (permission denied)",
    errno.EPERM: "kolscope may not write there (operation not permitted)",
    errno.EROFS: "it is on a read-only disk",
    errno.ENOTDIR: "a file is in the way (it, or a folder above it, is a file, not a folder)",
    errno.ENOENT: "a folder above it does not exist and cannot be made",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENAMETOOLONG: "the path is too long",
    errno.EEXIST: "a file is in the way",
}


def os_error_words(exc: BaseException) -> str:
    """Why a path cannot be used, from an OSError (or what it was raised from), in words."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, OSError) and cause.errno in _OS_WORDS:
        return _OS_WORDS[cause.errno]
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return str(exc)


def data_dir_words(data: object, exc: BaseException) -> str:
    """One line for a data directory that cannot be used, with the way out."""
    return (f"cannot use the data directory {data}: {os_error_words(exc)}. "
            "Choose another with --data DIR (or KOLSCOPE_DATA=DIR), or fix its permissions.")


def port_busy_words(host: str, port: int) -> str:
    """One line for a port another program holds, naming the fix."""
    other = port + 1
    return (f"port {port} on {host} is already in use (another kolscope, or another program). "
            f"Start on another port: `PORT={other} make run` or `kolscope serve --port {other}`.")


# StoreError codes (server/store) -> (title, what to do), for the dashboard's error page
STORE_WORDS = {
    "store_locked": ("The data is in use", "Another kolscope server is using this data directory. Stop it, "
                     "or start this one with its own --data directory."),
    "store_corrupt": ("A data file is damaged", "kolscope found a damaged file in its data directory and left it "
                      "untouched. Run `kolscope fsck --repair` to restore it from its last good copy."),
    "store_too_new": ("The data is from a newer kolscope", "This data directory was written by a newer kolscope. "
                      "Update kolscope, or use another --data directory."),
    "store_unavailable": ("The data directory cannot be used", "kolscope cannot read or write its data "
                          "directory. Check that the disk is there and the folder may be written."),
    "disk_full": ("The disk is full", "Nothing was changed. Free some space on the disk and try again."),
    "not_found": ("Not found", "This item does not exist (any more); it may have been deleted."),
    "conflict": ("Already changed", "This was changed meanwhile. Reload the page and try again."),
    "invalid_handle": ("Not a valid handle", "That is not a valid creator handle for this platform."),
}


def store_words(code: str | None, message: str | None = None) -> tuple[str, str]:
    """(title, sentence) for a store problem shown to a person; the store's own message when the code
    is not one the dashboard knows (it is written for people too)."""
    if code in STORE_WORDS:
        return STORE_WORDS[code]
    return "Something went wrong", message or "kolscope could not read or write its data; see the server log."
