"""Checks of a downloaded report, shared by the client and browser tests: self-contained (nothing a
browser would fetch, no script) and readable back as text (the PDF through pypdf)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from pypdf import PdfReader

# attributes through which a page loads or links to something
URL_ATTRS = frozenset({"src", "href", "srcset", "action", "formaction", "poster", "data", "background",
                       "xlink:href", "ping", "manifest"})
FETCHING_TAGS = frozenset({"script", "link", "iframe", "frame", "object", "embed", "img", "video", "audio",
                           "source", "track", "base", "meta"})


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in URL_ATTRS or (name == "content" and tag == "meta" and "url=" in (value or "").lower()):
                self.refs.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and re.search(r"url\(|@import", value, re.I):
                self.refs.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.refs.append(f"<{tag} {name}=...> (a script)")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and re.search(r"url\(|@import", data, re.I):
            self.refs.append("a stylesheet url()/@import")


def outside_refs(html: str) -> list[str]:
    """Everything in `html` that would make a browser fetch or run something: src/href and friends,
    CSS url()/@import, inline event handlers, and script/link/iframe/img... elements."""
    parser = _Refs()
    parser.feed(html)
    parser.close()
    return parser.refs + [f"<{t}>" for t in parser.tags if t in FETCHING_TAGS and t != "meta"]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-"), data[:40]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
