"""List pages: search results, tag pages, related channels, follower/following and comment lists.

A creator page says a lot about one creator (a `Snapshot`); a list page says a little about many (a
`Listing`): who appears, in page order, with only what the page shows of each (handle, id, name,
counts exact or rounded). Discovery keeps them as candidates with the path that led to them; they
are never scored from a list, only once their own page is captured or refreshed.

Each platform module may give `parse_list(capture) -> Listing | None` (its `Platform.parse_list`):
None when the page is not one of its list pages. `parse_listing` dispatches by URL like `parse`.
Format `kolscope.listing/1` (see docs/formats.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from scraper import budget
from scraper.capture import Capture
from scraper.errors import CaptureError, Malformed, NotACreatorPage, UnsupportedPlatform
from scraper.models import Account
from scraper.text import without_lone_surrogates

LISTING_FORMAT = "kolscope.listing/1"
KINDS = ("search", "hashtag", "related", "followers", "following", "comments")


@dataclass
class Count:
    """A count as the page shows it: `approx` when the page rounds ("234K subscribers")."""

    value: int
    approx: bool = False


@dataclass
class ListedCreator:
    """One account as a list page shows it. A field the page does not carry is None."""

    handle: str | None = None       # without "@"; None when the page gives only an id or a legacy URL
    platform_id: str | None = None
    display_name: str | None = None
    followers: Count | None = None
    verified: bool | None = None
    posts: int | None = None
    following: int | None = None
    has_profile_pic: bool | None = None
    bio_length: int | None = None

    @classmethod
    def from_account(cls, account: Account, platform_id: str | None = None) -> ListedCreator:
        """An audience-sample Account (what the creator-page parsers read of a follower or commenter)
        as a list entry: one reader per list shape serves both. Account counts are what the page
        carries as numbers, so they are exact; `platform_id` is not an Account field (the stored
        snapshot format has none), so the parser passes it along."""
        return cls(
            handle=account.username,
            platform_id=platform_id,
            display_name=account.display_name,
            followers=None if account.followers is None else Count(account.followers),
            verified=account.verified,
            posts=account.posts,
            following=account.following,
            has_profile_pic=account.has_profile_pic,
            bio_length=account.bio_length,
        )

    def identity(self) -> str | None:
        """What de-duplicates accounts on one page: the platform id, else the case-folded handle."""
        return self.platform_id or (self.handle.lower() if self.handle else None)


@dataclass
class Listing:
    platform: str
    kind: str                       # one of KINDS
    url: str | None = None
    captured_at: str | None = None
    query: str | None = None        # the search text or tag (without "#"), for search and hashtag pages
    owner: str | None = None        # the handle whose list it is (followers, following, related, comments)
    creators: list[ListedCreator] = field(default_factory=list)  # page order, one entry per account
    warnings: list[str] = field(default_factory=list)
    format: str = LISTING_FORMAT

    @property
    def creators_total(self) -> int:
        return len(self.creators)

    def add(self, creator: ListedCreator) -> bool:
        """Append `creator` unless the page already listed that account (or it names none).

        The identities seen are kept beside the fields (not one: to_dict and == ignore them), so a
        page of 20,000 cards costs 20,000 look-ups, not a scan of the list per card; they are
        rebuilt when `creators` was changed by hand.
        """
        key = creator.identity()
        if key is None:
            return False
        seen = self.__dict__.get("_seen")
        if seen is None or len(seen) != len(self.creators):
            seen = self.__dict__["_seen"] = {c.identity() for c in self.creators}
        if key in seen:
            return False
        seen.add(key)
        self.creators.append(creator)
        return True

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["creators_total"] = self.creators_total
        return out


def parse_listing(capture: dict[str, Any] | Capture) -> Listing:
    """Parse a `kolscope.capture/1` of a list page into a Listing.

    Raises CaptureError (with a `code`): `not_a_list_page`-style NotACreatorPage for a page that is
    no list page of its platform, the parser's typed errors (login walls, blocks) otherwise. Runs
    under the same parse budget and size caps as `scraper.parse`.
    """
    from scraper.registry import platform_for

    with budget.budget():
        cap = capture if isinstance(capture, Capture) else Capture.load(capture)
        platform = platform_for(cap.url)
        if platform is None:
            raise UnsupportedPlatform(f"kolscope does not support this site: {cap.url[:200]}")
        if platform.parse_list is None:
            raise NotACreatorPage(f"kolscope reads no list pages of {platform.label} yet.")
        try:
            listing = platform.parse_list(cap)
        except CaptureError:
            raise
        except Exception as exc:  # a parser bug or unseen shape: a typed answer, not a crash
            err = Malformed(f"The {platform.label} list page could not be read ({type(exc).__name__}).")
            err.unexpected = exc
            raise err from exc
        if listing is None:
            raise NotACreatorPage(f"This {platform.label} page is not a list of creators kolscope reads.")
        if listing.kind not in KINDS:
            raise Malformed(f"The {platform.label} parser gave an unknown list kind {listing.kind!r}.")
        listing.url = listing.url or cap.url
        listing.captured_at = listing.captured_at or cap.captured_at
        return without_lone_surrogates(listing)  # as scraper.parse's snapshots: a truncated emoji must not break answering
