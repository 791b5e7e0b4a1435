"""The dashboard's creator lists (the shortlist at `/`, the browsed creators, a watchlist's page):
one GET form of filters, sort links in the table's head and pages of PER_PAGE, read with the API's
own query model (server/api/creators.py `creator_query`), so a filter means the same in both.

A person types a country or a language by name ("Germany", "German") or by code; a bad value is
said in words beside the form and left out of the query, never a 500.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from scraper import registry
from scraper.countries import country_code
from server.api.creators import creator_query
from server.api.errors import ApiError
from server.api.views import creator_view
from server.plain import refresh_words
from server.scoring.tiers import TIER_NAMES
from server.store import CONFIDENCES, REFRESH_FILTERS, Repository
from server.store.records import audience_languages

PER_PAGE = 50
FILTERS = ("q", "platform", "tier", "country", "language", "min_fit", "min_authenticity", "min_confidence",
           "min_growth", "max_growth", "captured_since", "refresh")
# the columns a person sorts by (header links), in the table's order: (sort, label)
SORT_COLUMNS = (("handle", "Creator"), ("followers", "Followers"), ("tier", "Tier"), ("fit", "Fit"),
                ("authenticity", "Authenticity"), ("confidence", "Confidence"), ("growth", "Growth 30 d"),
                ("captured_at", "Last captured"))
# what a bad filter value is told as (the form's own words)
PROBLEMS = {
    "q": "Search text is too long (200 characters at most).",
    "tier": "Pick a tier from the list.",
    "country": "Type a country's name (Germany) or its two-letter code (DE).",
    "language": "Type a language's name (German) or its code (de).",
    "min_fit": "Minimum fit is a number from 0 to 100.",
    "min_authenticity": "Minimum authenticity is a number from 0 to 100.",
    "min_growth": "Growth is a percentage from -100 to 1,000,000.",
    "max_growth": "Growth is a percentage from -100 to 1,000,000.",
    "captured_since": "Captured since is a date (YYYY-MM-DD).",
    "page": "Page is a whole number from 1.",
}
CHOICE = "Pick one of the choices offered."
REFRESH_LABELS = {"ok": "refreshed", "stale": "stale", "blocked": "blocked", "error": "failed",
                  "running": "refreshing now", "never": "never refreshed"}


def language_code(value: str) -> str | None:
    """An ISO 639 code for a language's code or English name ("de", "deu", "German"), else None."""
    import pycountry  # late: only a typed language name needs pycountry's tables (~50 ms to load)

    text = value.strip()
    found = None
    if text.isascii() and text.isalpha() and len(text) == 2:
        found = pycountry.languages.get(alpha_2=text.lower())
    elif text.isascii() and text.isalpha() and len(text) == 3:
        found = pycountry.languages.get(alpha_3=text.lower())
    if found is None:
        try:
            found = pycountry.languages.lookup(text)
        except LookupError:
            return None
    return getattr(found, "alpha_2", None) or getattr(found, "alpha_3", None)


@dataclass
class Listing:
    """One page of a creator list as the template shows it."""

    path: str  # the list's own URL path (its links keep the filters)
    args: dict[str, str]  # the filters, sort and order as the person gave them (non-empty)
    creators: list[dict] = field(default_factory=list)
    total: int = 0
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)
    sort: str = "score"
    descending: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    @property
    def sort_columns(self) -> tuple[tuple[str, str], ...]:
        return SORT_COLUMNS

    @property
    def filtered(self) -> bool:
        return any(k in self.args for k in FILTERS)

    def url(self, **changes: Any) -> str:
        """This list's URL with the same filters, and `changes` (None drops one)."""
        args = dict(self.args, **{k: v for k, v in changes.items() if v is not None})
        for k, v in changes.items():
            if v is None:
                args.pop(k, None)
        if args.get("page") in (1, "1"):
            del args["page"]
        return self.path + ("?" + urlencode(args) if args else "")

    def page_url(self, n: int) -> str:
        return self.url(page=n)

    def sort_url(self, sort: str) -> str:
        """A column's header link: sort by it (its natural order first), again: the other order."""
        if sort == self.sort:
            order = "asc" if self.descending else "desc"
        else:
            order = "asc" if sort == "handle" else "desc"
        return self.url(sort=sort, order=order, page=None)

    def arrow(self, sort: str) -> str:
        if sort != self.sort:
            return ""
        return " ▼" if self.descending else " ▲"

    def page_numbers(self) -> list[int]:
        """The page links shown: the first, the last and two either side of this one."""
        near = range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)
        return sorted({1, self.pages, *near})

    def csv_args(self) -> str:
        return urlencode({k: v for k, v in self.args.items() if k != "page"})


def _given(args: Mapping[str, str]) -> dict[str, str]:
    return {k: v.strip() for k in (*FILTERS, "sort", "order") if (v := args.get(k)) and v.strip()}


def _typed(given: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Country and language names turned into codes (the query takes codes)."""
    out = dict(given)
    for name, to_code in (("country", country_code), ("language", language_code)):
        if name not in out:
            continue
        code = to_code(out[name])
        if code is None:
            errors[name] = PROBLEMS[name]
            del out[name]
        else:
            out[name] = code
    return out


def status_words(summary: Mapping, queued: bool = False) -> str:
    """A creator's refresh status in plain words (server/plain.py)."""
    refresh = summary.get("refresh") or {}
    if queued and not refresh.get("running"):
        return "Waiting its turn in this refresh."
    if refresh.get("running") or refresh.get("status"):
        return refresh_words(refresh, summary["platform"])
    return "Captured from the browser; never refreshed." if summary.get("captured") else "No capture yet: refresh it, or open it with the extension."


def read_listing(store: Repository, path: str, args: Mapping[str, str], *,
                 queued: Callable[[Mapping], bool] | None = None, **fixed: Any) -> Listing:
    """The page of creators a list's query string asks for; `fixed` filters the caller sets (the
    watchlist of the page, the shortlist or the browsed). `queued(summary)`: whether a running
    refresh has yet to reach that creator."""
    given = _given(args)
    errors: dict[str, str] = {}
    page = 1
    if args.get("page"):
        try:
            page = int(args["page"])
            if page < 1:
                raise ValueError
        except ValueError:
            errors["page"] = PROBLEMS["page"]
            page = 1
    typed = _typed(given, errors)
    paging = {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}
    try:
        query = creator_query(typed, **paging, **fixed)
    except ApiError as exc:
        bad = exc.fields or {}
        for name in bad:
            errors[name] = PROBLEMS.get(name, CHOICE)
        query = creator_query({k: v for k, v in typed.items() if k not in bad}, **paging, **fixed)
    found = store.find_creators(query)
    if not found.items and page > 1 and found.total:
        errors["page"] = f"There are only {math.ceil(found.total / PER_PAGE)} pages."
    member_of = store.watchlists_of()
    creators = []
    for s in found.items:
        view = creator_view(s, member_of.get((s["platform"], s["key"])))
        view["status_words"] = status_words(s, bool(queued and queued(s)))
        view["languages"] = audience_languages(s)
        creators.append(view)
    if "page" in args and "page" not in errors:
        given["page"] = str(page)
    return Listing(path=path, args=given, creators=creators, total=found.total, page=page, errors=errors,
                   sort=query.sort, descending=query.descending)


def filter_choices() -> dict[str, Any]:
    """The options of the filter form's lists."""
    return {"platforms": [(p.name, p.label) for p in registry.PLATFORMS], "tiers": TIER_NAMES,
            "confidences": CONFIDENCES, "refresh_filters": [(r, REFRESH_LABELS[r]) for r in REFRESH_FILTERS],
            "sort_columns": SORT_COLUMNS}
