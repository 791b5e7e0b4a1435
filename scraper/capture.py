"""The capture (`kolscope.capture/1`): a page's HTML plus the JSON the page itself loaded.

The extension and the scrapers both hand one over; `Capture.load` validates its shape and its size:
a capture over LIMITS, or with JSON nested deeper than jsonpath.MAX_JSON_DEPTH, is TooLarge (`too_large`)
before any parser reads it (the real pages are at most 1.9 MB of HTML, 0.9 MB per response and
42 levels of JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterator

from scraper import budget
from scraper.errors import Malformed, TooLarge
from scraper.jsonpath import json_depth_over, loads, too_deep
from scraper.models import CAPTURE_FORMAT
from scraper.times import now_iso

# Size caps, in characters: far above any real page (1.9 MB) and at least what the API lets in (32 MB
# of inflated JSON, MAX_DECOMPRESSED_LENGTH), so they bind the CLI and library callers; low enough
# that every linear scan of a capture stays well inside the parse budget.
LIMITS = {"html": 32_000_000, "body": 32_000_000, "total": 40_000_000, "responses": 2000}


@dataclass
class Response:
    url: str
    status: int | None
    content_type: str | None
    body: str
    _json: Any = field(default=None, repr=False)
    _decoded: bool = field(default=False, repr=False)

    def json(self) -> Any:
        """The decoded body, or None when it is not JSON (decoded once)."""
        if not self._decoded:
            budget.check("decoding a response")
            self._decoded = True
            text = self.body.lstrip()
            if text.startswith(")]}'"):
                text = text[4:]
            try:
                self._json = loads(text) if text else None
            except ValueError:
                self._json = None
        return self._json


@dataclass
class Capture:
    url: str
    html: str
    responses: list[Response]
    captured_at: str | None = None
    source: str | None = None
    _lang: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lang = _UNSET

    @classmethod
    def load(cls, data: Any) -> Capture:
        """Validate a capture dict; raise Malformed with what is wrong."""
        if not isinstance(data, dict):
            raise Malformed("A capture must be a JSON object.")
        fmt = data.get("format")
        if fmt is not None and fmt != CAPTURE_FORMAT:
            raise Malformed(f"Unknown capture format {fmt!r}; expected {CAPTURE_FORMAT!r}.")
        url = data.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Malformed("The capture has no page URL (`url`).")
        html = data.get("html")
        if html is None:
            html = ""
        if not isinstance(html, str):
            raise Malformed("The capture's `html` must be a string.")
        if len(html) > LIMITS["html"]:
            raise TooLarge(f"The capture's HTML is {len(html):,} characters; kolscope reads at most {LIMITS['html']:,}.")
        raw = data.get("responses")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise Malformed("The capture's `responses` must be a list.")
        if len(raw) > LIMITS["responses"]:
            raise TooLarge(f"The capture holds {len(raw):,} responses; kolscope reads at most {LIMITS['responses']:,}.")
        responses = []
        total = len(html)
        for r in raw:
            if not isinstance(r, dict) or not isinstance(r.get("url"), str):
                continue
            body = r.get("body")
            if isinstance(body, (dict, list)):
                if json_depth_over(body):
                    raise too_deep()
                body = json.dumps(body)
            if not isinstance(body, str):
                continue
            total += len(body)
            if len(body) > LIMITS["body"] or total > LIMITS["total"]:
                raise TooLarge(f"The capture's responses are larger than kolscope reads (at most "
                               f"{LIMITS['body']:,} characters each, {LIMITS['total']:,} in all).")
            status = r.get("status")
            ctype = r.get("content_type")
            responses.append(Response(
                url=r["url"],
                status=status if isinstance(status, int) and not isinstance(status, bool) else None,
                content_type=ctype if isinstance(ctype, str) else None,
                body=body,
            ))
        if (not html or html.isspace()) and not responses:
            raise Malformed("The capture holds neither HTML nor any response.")
        captured_at = data.get("captured_at")
        source = data.get("source")
        return cls(
            url=url,
            html=html,
            responses=responses,
            captured_at=captured_at if isinstance(captured_at, str) else None,
            source=source if isinstance(source, str) else None,
        )

    @property
    def lang(self) -> str | None:
        """The page's language from `<html lang=...>` (decides ambiguous count units); read once,
        from the first `<html` tag within the first 5,000 characters, with str scans."""
        if self._lang is _UNSET:
            self._lang = html_lang(self.html)
        return self._lang  # type: ignore[return-value]

    def json_responses(self, *url_parts: str) -> Iterator[Any]:
        """Decoded JSON bodies of the responses whose URL contains any of `url_parts`, in order."""
        for r in self.responses:
            if not url_parts or any(p in r.url for p in url_parts):
                value = r.json()
                if value is not None:
                    yield value


_UNSET = object()
_LANG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def html_lang(html: str) -> str | None:
    """`lang` of the page's first `<html ...>` tag ("de", "pt-BR"), or None."""
    head = html[:5000]
    low = head.lower()
    i = low.find("<html")
    if i == -1:
        return None
    end = low.find(">", i)
    tag = low[i:end if end != -1 else len(low)]
    j = tag.find("lang=")
    while j != -1 and tag[j - 1] not in " \t\r\n":
        j = tag.find("lang=", j + 5)  # "xml:lang=" or "data-lang=" is not the attribute
    if j == -1:
        return None
    k = i + j + 5
    if k < len(head) and head[k] in "\"'":
        k += 1
    n = k
    while n < len(head) and n - k < 24 and head[n] in _LANG_CHARS:
        n += 1
    value = head[k:n]
    base = value.replace("_", "-").split("-")[0]
    return value if 2 <= len(base) <= 3 and base.isalpha() else None


def from_html(html: str, url: str, *, source: str = "file") -> dict:
    """A capture dict for a raw HTML file (the CLI's `parse FILE --url URL`)."""
    return {
        "format": CAPTURE_FORMAT,
        "url": url,
        "captured_at": now_iso(),
        "source": source,
        "html": html,
        "responses": [],
    }
