"""kolscope's scraper package: captured creator pages -> snapshots, and the Playwright fetcher."""

from __future__ import annotations

from typing import Any

from scraper import budget
from scraper.capture import Capture
from scraper.errors import CaptureError, Malformed, NotACreatorPage, UnsupportedPlatform
from scraper.limits import cap_snapshot
from scraper.models import Account, Comment, Post, Snapshot
from scraper.text import without_lone_surrogates

__all__ = ["parse", "Snapshot", "Post", "Comment", "Account", "CaptureError", "Capture"]


def parse(capture: dict[str, Any] | Capture) -> Snapshot:
    """Parse a `kolscope.capture/1` dict into a Snapshot.

    Raises CaptureError (with a `code`) for anything that is not a usable creator page; nothing else
    escapes. The parse runs under the time budget of scraper.budget (`parse_timeout` past it) and
    the size caps of scraper.capture (`too_large`).
    """
    from scraper.registry import platform_for

    with budget.budget():
        cap = capture if isinstance(capture, Capture) else Capture.load(capture)
        module = platform_for(cap.url)
        if module is None:
            raise UnsupportedPlatform(f"kolscope does not support this site: {cap.url[:200]}")
        snapshot = _parse_with(module, cap)
        budget.check("the snapshot")
        _require_identity(snapshot, module)
        snapshot.captured_at = snapshot.captured_at or cap.captured_at
        snapshot.source = snapshot.source or cap.source
        _normalise_dates(snapshot)
        _normalise_country(snapshot, cap.lang)
        cap_snapshot(snapshot)  # a 5 MB "bio" is cut (with a warning), not stored and listed
        return without_lone_surrogates(snapshot)  # a truncated emoji in a page must not break storing it


def _parse_with(module: Any, cap: Capture) -> Snapshot:
    try:
        return module.parse(cap)
    except CaptureError:
        raise
    except RecursionError as exc:
        err = Malformed("The capture's data is nested too deeply to read.")
        err.unexpected = exc  # the safety net fired (tests count these: parsers should not lean on it)
        raise err from None
    except Exception as exc:  # a parser bug or data shape never seen: a typed answer, not a crash
        err = Malformed(f"The {module.label} page could not be read ({type(exc).__name__}).")
        err.unexpected = exc
        raise err from exc


def _require_identity(snapshot: Snapshot, module: Any) -> None:
    """Every snapshot names its creator: by handle, or (a page with no handle) by platform id. A page
    whose identifying fields hold odd values (a number, an empty string) is no creator page, and it
    must say so here rather than reach the store as a creator without a name."""
    for name in ("handle", "platform_id"):
        value = getattr(snapshot, name)
        if not isinstance(value, str) or not value.strip():
            setattr(snapshot, name, None)
    if snapshot.handle is None and snapshot.platform_id is None:
        raise NotACreatorPage(f"This {module.label} page names no creator (no handle and no account id).")


def _normalise_dates(snapshot: Snapshot) -> None:
    """Pages show "3 weeks ago" or "24 Aug 2019"; the snapshot says ISO-8601 (or null). Posts are in
    page order (newest first): a run of one rounded label keeps distinct times (`spread_iso`)."""
    from scraper.dates import spread_iso, to_iso

    posts = snapshot.recent_posts
    for post, when in zip(posts, spread_iso([p.published_at for p in posts], snapshot.captured_at)):
        post.published_at = when
    for comment in snapshot.comments:
        if comment.published_at is not None:
            comment.published_at = to_iso(comment.published_at, snapshot.captured_at)


def _normalise_country(snapshot: Snapshot, lang: str | None) -> None:
    """Pages show a code or a name in their language; the snapshot says ISO 3166-1 alpha-2 (or null)."""
    from scraper.countries import country_code

    if snapshot.country is None:
        return
    code = country_code(snapshot.country, lang)
    if code is None:
        snapshot.warnings.append(f"The page's country {snapshot.country[:60]!r} is not one country: left out.")
    snapshot.country = code
