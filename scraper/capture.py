"""The capture (`kolscope.capture/1`): a page's HTML plus the JSON the page itself loaded.

The extension and the scrapers both hand one over; `Capture.load` validates its shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any
from collections.abc import Iterator

from scraper.errors import Malformed
from scraper.models import CAPTURE_FORMAT

_LANG_RE = re.compile(r"<html[^>]*?\blang=[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)", re.I)


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
            self._decoded = True
            text = self.body.lstrip()
            if text.startswith(")]}'"):
                text = text[4:]
            try:
                self._json = json.loads(text) if text else None
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
        raw = data.get("responses")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise Malformed("The capture's `responses` must be a list.")
        responses = []
        for r in raw:
            if not isinstance(r, dict) or not isinstance(r.get("url"), str):
                continue
            body = r.get("body")
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
            if not isinstance(body, str):
                continue
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
        """The page's language from `<html lang=...>` (decides ambiguous count units)."""
        m = _LANG_RE.search(self.html[:5000])
        return m.group(1) if m else None

    def json_responses(self, *url_parts: str) -> Iterator[Any]:
        """Decoded JSON bodies of the responses whose URL contains any of `url_parts`, in order."""
        for r in self.responses:
            if not url_parts or any(p in r.url for p in url_parts):
                value = r.json()
                if value is not None:
                    yield value


def from_html(html: str, url: str, *, source: str = "file") -> dict:
    """A capture dict for a raw HTML file (the CLI's `parse FILE --url URL`)."""
    return {
        "format": CAPTURE_FORMAT,
        "url": url,
        "captured_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "source": source,
        "html": html,
        "responses": [],
    }
