"""What went wrong, in words a person reads: refresh outcomes, capture errors and store problems as
sentences ("Could not reach <the platform's host>: no network", "<Platform> asked for a captcha; will
retry after 6 h"), never "Page.goto: net::ERR_NAME_NOT_RESOLVED at ..." or "status 10222".

Pure functions over the codes and reasons the scraper and the store record (no Flask, no I/O): the
dashboard, the exports and the CLI all say the same thing. The overlay says the same in
extension/content/overlay.js from the error codes the API answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scraper import registry

# net::ERR_... of Chromium -> what it means for the person
_NET_ERRORS = {
    "ERR_NAME_NOT_RESOLVED": "no network (the name could not be looked up)",
    "ERR_INTERNET_DISCONNECTED": "no network",
    "ERR_CONNECTION_REFUSED": "the connection was refused",
    "ERR_CONNECTION_RESET": "the connection was cut",
    "ERR_CONNECTION_TIMED_OUT": "the connection timed out",
    "ERR_TIMED_OUT": "the page took too long",
    "ERR_PROXY_CONNECTION_FAILED": "the proxy did not answer",
    "ERR_CERT_AUTHORITY_INVALID": "its certificate is not trusted",
}
_NET_RE = re.compile(r"net::(ERR_[A-Z_]+)")


def platform_label(platform: str) -> str:
    p = registry.BY_NAME.get(platform)
    return p.label if p is not None else platform


def platform_host(platform: str) -> str:
    p = registry.BY_NAME.get(platform)
    return p.hosts[0] if p is not None and p.hosts else platform


def refresh_words(entry: Mapping, platform: str) -> str:
    """One refresh attempt ({status, code, reason, at}) as a sentence."""
    status, code, reason = entry.get("status"), entry.get("code"), str(entry.get("reason") or "")
    label, host = platform_label(platform), platform_host(platform)
    if entry.get("running"):
        return "Refreshing now."
    if status == "ok":
        return f"Refreshed from {host}."
    net = _NET_RE.search(reason)
    if net:
        what = _NET_ERRORS.get(net.group(1), "the network failed")
        return f"Could not reach {host}: {what}."
    if code in ("captcha",) or "captcha" in reason.lower():
        return f"{label} asked for a captcha; will retry later."
    if code in ("login_wall", "login_required") or "log in" in reason.lower():
        return f"{label} asked to log in; kolscope only reads public pages."
    if code == "cooldown":
        return f"{label} is paused after a block: {reason}."
    if code == "retry_later":
        return f"{label} blocked this profile earlier; {reason.removeprefix('blocked earlier; ')}."
    if code == "private_account":
        return "This account is private: kolscope can only read public profiles."
    if code in ("not_found", "account_not_found"):
        return f"{label} says this account does not exist (any more)."
    if status == "blocked":
        return f"{label} refused the page ({reason or 'blocked'}); will retry later."
    if status == "stale":
        return f"Not refreshed: {reason or 'skipped'}."
    return f"Refresh failed: {reason or code or 'unknown reason'}."
