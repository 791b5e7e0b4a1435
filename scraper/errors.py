"""Typed errors a parser raises: a page that is not a usable creator page is an answer, not a crash."""

from __future__ import annotations

CODES = {
    "not_a_creator_page": "This page does not show a creator.",
    "unavailable": "This account or video is unavailable (removed, terminated or does not exist).",
    "restricted": "This page is restricted (age gate or private account).",
    "login_wall": "The platform asks to log in before it shows this page.",
    "blocked": "The platform blocked the request (captcha or rate limit).",
    "unsupported_platform": "kolscope does not support this site.",
    "malformed": "The capture is malformed or truncated.",
    "too_large": "The capture is larger or nested deeper than kolscope reads.",
    "parse_timeout": "Reading this capture took longer than its parse time budget.",
}


class CaptureError(Exception):
    """A capture that cannot become a snapshot. `code` is one of CODES."""

    def __init__(self, code: str, message: str | None = None):
        if code not in CODES:
            raise ValueError(f"unknown capture error code {code!r}")
        self.code = code
        self.message = message or CODES[code]
        super().__init__(self.message)

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class NotACreatorPage(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("not_a_creator_page", message)


class Unavailable(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("unavailable", message)


class Restricted(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("restricted", message)


class LoginWall(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("login_wall", message)


class Blocked(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("blocked", message)


class UnsupportedPlatform(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("unsupported_platform", message)


class Malformed(CaptureError):
    def __init__(self, message: str | None = None):
        super().__init__("malformed", message)


class TooLarge(CaptureError):
    """A capture over the size caps (scraper.capture.LIMITS) or JSON nested deeper than MAX_JSON_DEPTH."""

    def __init__(self, message: str | None = None):
        super().__init__("too_large", message)


class ParseTimeout(CaptureError):
    """The parse ran past its time budget (scraper.budget): checked between stages and inside loops."""

    def __init__(self, message: str | None = None):
        super().__init__("parse_timeout", message)
