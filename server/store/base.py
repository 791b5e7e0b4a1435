"""The store's seam: what every storage engine answers (Protocols grouped by resource), its errors,
and the listing query. Callers depend on this module's names, never on an engine's; an engine is
chosen once, by `server.store.open_store`.

A record is a plain dict in the shapes the TinyDB engine stores today (a creator summary, a latest
{snapshot, scores, brief_id}, history points, watchlist/brief/note documents); records.py holds the
rules that build them, so a second engine reuses them instead of re-deriving them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

REFRESH_STATUSES = ("ok", "stale", "blocked", "error", "running")
TASK_IDS_KEPT = 50  # refresh task ids remembered per creator (add_snapshot's task_id)
OWNER = "owner"  # the user the store's own token signs in as (an admin); no user may take the name
DEFAULT_REFRESH_HOURS = 24
# the sorts of a creator listing (records.sort_value says what each compares)
SORTS = ("score", "fit", "authenticity", "confidence", "followers", "tier", "growth", "handle", "captured_at")
CONFIDENCES = ("low", "medium", "high")  # a score's confidence, least first
# a listing's refresh filter: the last refresh's status, "running" now, or "never" refreshed
REFRESH_FILTERS = ("ok", "stale", "blocked", "error", "running", "never")
# a campaign partner's status, in the order a partnership goes (a new partner is the first)
PARTNER_STATUSES = ("shortlisted", "contacted", "agreed", "content_live", "paid", "done")


# -- errors -----------------------------------------------------------------------------------------

class StoreError(Exception):
    """A store problem a person can act on; `code` names it for the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class StoreLocked(StoreError):
    def __init__(self, data_dir: Path):
        super().__init__(
            "store_locked",
            f"Another kolscope process is using the data directory {data_dir} (it holds the directory's lock). "
            "Stop that server first, or pass a different --data directory.",
        )


class StoreCorrupt(StoreError):
    """A data file that is empty, missing while referenced, truncated, corrupt or not the expected one."""

    def __init__(self, path: str | Path, problem: str, data_dir: Path | None = None):
        where = f" --data {data_dir}" if data_dir else ""
        super().__init__(
            "store_corrupt",
            f"The store file {path} {problem}. Nothing was changed. Stop the server and run "
            f"`kolscope fsck{where}` to check the whole store (`--repair` restores the last good copy).",
        )
        self.path = path
        self.problem = problem


class NotFound(StoreError):
    def __init__(self, what: str):
        super().__init__("not_found", f"{what} not found.")


class Conflict(StoreError):
    def __init__(self, message: str):
        super().__init__("conflict", message)


# -- the listing query --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CreatorQuery:
    """One page of creators: the filters of `GET /api/v1/creators` and the dashboard's lists.

    Filters combine (all must hold): `platform`; `watchlist` (its id: members only, NotFound when
    there is no such watchlist); `in_watchlist` (True: in at least one watchlist, the shortlist;
    False: in none, the browsed creators); `tier` and `country` (case-insensitive equality);
    `language` (one of the audience's main languages, kept in the summary's traits); `min_fit`,
    `min_authenticity` (the score, 0-100; an ungraded creator never passes); `min_confidence` (the
    confidence of the score the creator is ranked by, records.confidence_of); `min_growth` and
    `max_growth` (30-day follower growth in percent); `captured_since` (an ISO date or time: last
    captured then or later); `refresh` (one of REFRESH_FILTERS, records.refresh_state); `q` (a
    substring of the handle or the display name, case-folded). `sort` is one of SORTS; `order`
    defaults to ascending for "handle" and descending otherwise. Creators without a value to sort by
    come last in either order (by key); equal values are ordered by key."""

    platform: str | None = None
    watchlist: str | None = None
    in_watchlist: bool | None = None
    tier: str | None = None
    country: str | None = None
    language: str | None = None
    min_fit: float | None = None
    min_authenticity: float | None = None
    min_confidence: str | None = None
    min_growth: float | None = None
    max_growth: float | None = None
    captured_since: str | None = None
    refresh: str | None = None
    q: str | None = None
    sort: str = "score"
    order: Literal["asc", "desc"] | None = None
    limit: int | None = 50  # None: all of them
    offset: int = 0

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {self.sort!r}")
        if self.order not in (None, "asc", "desc"):
            raise ValueError(f"order must be 'asc' or 'desc', not {self.order!r}")
        if self.offset < 0 or (self.limit is not None and self.limit < 1):
            raise ValueError("offset must be >= 0 and limit >= 1")
        if self.min_confidence not in (None, *CONFIDENCES):
            raise ValueError(f"min_confidence must be one of {CONFIDENCES}, not {self.min_confidence!r}")
        if self.refresh not in (None, *REFRESH_FILTERS):
            raise ValueError(f"refresh must be one of {REFRESH_FILTERS}, not {self.refresh!r}")

    @property
    def descending(self) -> bool:
        return (self.order or ("asc" if self.sort == "handle" else "desc")) == "desc"


@dataclass(frozen=True)
class CreatorPage:
    """A page of creator summaries; `total` counts every match, `next` is the offset of the next page
    (None on the last one)."""

    items: list[dict] = field(default_factory=list)
    total: int = 0
    next: int | None = None


# -- the repository, by resource ------------------------------------------------------------------

@runtime_checkable
class CreatorRepository(Protocol):
    """Creators: a summary each (for lists), its latest snapshot with scores, and its history."""

    # `task_id`: the refresh task (issue 16) this snapshot comes from. The store keeps the ids of the
    # last TASK_IDS_KEPT tasks applied to a creator, in the same write as the snapshot, so a task run
    # twice (a worker killed after storing, before acknowledging) is seen by `applied_task`.
    def add_snapshot(self, snapshot: dict, scores: dict | None, *, brief_id: str | None = None,
                     history_point: dict | None = None, task_id: str | None = None) -> dict: ...
    def applied_task(self, platform: str, handle: str, task_id: str) -> bool: ...
    # One writer per creator at a time (issue 16): held by ingest around reading the history, scoring
    # and storing, so two captures of one creator arriving together each see the other's point.
    # Across threads (TinyDB: one process) or across processes (PostgreSQL: an advisory lock keyed by
    # platform and case-folded handle). Re-entrant in one thread is not required. With `platform_id`,
    # the account is locked too (after the handle, never before): two handles of one account (a
    # renamed creator refreshed under both) arriving together are one creator, not two.
    def creator_lock(self, platform: str, handle: str,
                     platform_id: str | None = None) -> AbstractContextManager[None]: ...
    def ensure_creator(self, platform: str, handle: str, url: str | None = None) -> dict: ...
    def account_handle(self, platform: str, handle: str, platform_id: str | None) -> str: ...
    def get_creator(self, platform: str, handle: str) -> dict | None: ...
    def creator_record(self, platform: str, handle: str) -> dict | None: ...
    def latest(self, platform: str, handle: str) -> dict | None: ...
    def history(self, platform: str, handle: str) -> list[dict]: ...
    def update_scores(self, platform: str, handle: str, scores: dict, brief_id: str | None,
                      captured_at: str | None = None) -> bool: ...
    def list_creators(self) -> list[dict]: ...
    def find_creators(self, query: CreatorQuery) -> CreatorPage: ...
    # Forget creators for good (their file, index entry, notes and aliases): the browsed ones a
    # person clears. A creator in a watchlist or a campaign's partner is never forgotten (skipped);
    # answers how many were.
    def forget_creators(self, creators: list[tuple[str, str]]) -> int: ...


@runtime_checkable
class RefreshRepository(Protocol):
    """The scheduler's bookkeeping of refresh attempts, kept on each creator."""

    def record_refresh(self, platform: str, handle: str, status: str, reason: str | None = None,
                       at: str | None = None, code: str | None = None) -> dict: ...
    def refresh_status(self, platform: str, handle: str) -> dict | None: ...


@runtime_checkable
class WatchlistRepository(Protocol):
    def list_watchlists(self) -> list[dict]: ...
    def get_watchlist(self, wid: str) -> dict: ...
    def create_watchlist(self, name: str, refresh_interval_hours: float = DEFAULT_REFRESH_HOURS,
                         refresh_cron: str | None = None) -> dict: ...
    def update_watchlist(self, wid: str, **changes: Any) -> dict: ...
    def delete_watchlist(self, wid: str) -> None: ...
    # `author`: the user name who bookmarked it (issue 16); kept on the membership as `added_by` with
    # `added_at`, and returned on each of watchlist_creators' summaries (None for older members)
    def add_to_watchlist(self, wid: str, platform: str, handle: str, url: str | None = None, *,
                         author: str | None = None) -> dict: ...
    def remove_from_watchlist(self, wid: str, platform: str, handle: str) -> None: ...
    def watchlist_creators(self, wid: str) -> list[dict]: ...
    def watchlists_of(self) -> dict[tuple[str, str], list[str]]: ...


@runtime_checkable
class BriefRepository(Protocol):
    """Briefs, and the settings beside them: the active brief, the extension id, the API token."""

    def list_briefs(self) -> list[dict]: ...
    def get_brief(self, bid: str) -> dict: ...
    def create_brief(self, brief: dict) -> dict: ...
    def replace_brief(self, bid: str, brief: dict) -> dict: ...
    def delete_brief(self, bid: str) -> None: ...
    def active_brief_id(self) -> str | None: ...
    def active_brief(self) -> dict | None: ...
    def set_active_brief(self, bid: str | None) -> None: ...
    def extension_id(self) -> str | None: ...
    def set_extension_id(self, ext_id: str | None) -> None: ...
    def token(self) -> str: ...


@runtime_checkable
class NoteRepository(Protocol):
    """Notes on a creator: {id, platform, key, text, author, created_at, updated_at (None until
    edited), updated_by}, oldest first. `author`/`updated_by` are user names (None when not known:
    notes written before users existed). NotFound for an unknown creator (adding) or a note not on
    that creator."""

    def list_notes(self, platform: str, handle: str) -> list[dict]: ...
    def add_note(self, platform: str, handle: str, text: str, *, author: str | None = None) -> dict: ...
    def update_note(self, platform: str, handle: str, nid: str, text: str, *,
                    author: str | None = None) -> dict: ...
    def delete_note(self, platform: str, handle: str, nid: str) -> None: ...


@runtime_checkable
class CampaignRepository(Protocol):
    """Campaigns (issue 14). A campaign document: {id, name, objective, kpis: [{metric, target}],
    budget, currency, start, end, seller_monthly_sales, brief_id, created_at, updated_at}. Its partners:
    {id, campaign_id, platform, key, handle, plan: {fee, currency, promo_codes, tracking_url,
    talking_points, deliverables: [{platform, format, count, due}]}, status, copied_from (a partner id
    while the plan is an unedited copy, else None), created_at, updated_at}. Its deliverables (posts
    marked as a partner's): {id, partner_id, url, platform, post_id, metrics: [{at, views, likes,
    comments, shares}], created_at}. Orders: {order_id, date, total, currency, code} (codes as given;
    matched case-insensitively). NotFound for an unknown id; Conflict for a duplicate name."""

    def list_campaigns(self) -> list[dict]: ...
    def get_campaign(self, cid: str) -> dict: ...
    def create_campaign(self, doc: dict) -> dict: ...
    def update_campaign(self, cid: str, changes: dict) -> dict: ...
    def delete_campaign(self, cid: str) -> None: ...
    def list_partners(self, cid: str) -> list[dict]: ...
    # `author`: the user name who added the partner and its plan (issue 16), kept as `author`;
    # update_partner's `author` is kept as `updated_by` (both None when not known)
    def add_partner(self, cid: str, platform: str, handle: str, plan: dict, *, url: str | None = None,
                    copied_from: str | None = None, author: str | None = None) -> dict: ...
    def update_partner(self, cid: str, pid: str, changes: dict, *, author: str | None = None) -> dict: ...
    def remove_partner(self, cid: str, pid: str) -> None: ...
    def list_deliverables(self, cid: str) -> list[dict]: ...
    def add_deliverable(self, cid: str, partner_id: str, url: str, platform: str, post_id: str | None) -> dict: ...
    def record_deliverable_metrics(self, cid: str, did: str, metrics: dict) -> dict: ...
    def deliverables_of(self, platform: str, handle: str) -> list[tuple[str, dict]]: ...
    def import_orders(self, cid: str, orders: list[dict]) -> dict: ...
    def list_orders(self, cid: str) -> list[dict]: ...
    # Added by the campaigns work: orders may carry `codes` (every code of the order, `code` is the
    # first); a campaign document counts its `orders`; a deliverable keeps its creator's `key`.
    # import_orders answers {imported, skipped, total, new: {codes key: count}}; order_totals sums
    # the orders per combination of codes and currency: [{codes, currency, orders, revenue, refunds}].
    def order_totals(self, cid: str) -> list[dict]: ...


@runtime_checkable
class DiscoveryRepository(Protocol):
    """Discovery (issue 15): candidates, creators seen on list pages, in mentions, tags, collaborations
    or brand partnerships, kept with every path that found them and never scored until captured.

    A candidate: {id, platform, key, handle, platform_id, display_name, followers, followers_text,
    tier (from the shown count, marked rounded when it was: `rounded`), paths: [{kind, label, via, page_url, at,
    count}], first_seen, last_seen, state: new | queued | checked | failed, state_reason, checked_at}.
    `add_candidates` merges by (platform, key) and by (platform, platform_id), adds or counts a path,
    and answers how many candidates were new. A creator already stored with a capture is "checked"."""

    def add_candidates(self, items: list[dict]) -> int: ...
    def list_candidates(self, *, source: str | None = None, platform: str | None = None,
                        tier: str | None = None, checked: bool | None = None, limit: int | None = 50,
                        offset: int = 0, across_platforms: bool = False) -> CreatorPage: ...
    def get_candidate(self, cand_id: str) -> dict: ...
    def set_candidate_state(self, cand_id: str, state: str, reason: str | None = None) -> dict: ...
    # added by the discovery work: the candidates each item became (None: no valid account), in
    # order; the look-ups by account; a capture of a candidate makes it "checked"
    def merge_candidates(self, items: list[dict]) -> list[tuple[dict | None, bool]]: ...
    def set_candidate_states(self, ids: list[str], state: str, reason: str | None = None) -> list[dict]: ...
    def find_candidate(self, platform: str, handle: str) -> dict | None: ...
    def candidate_captured(self, platform: str, handle: str, platform_id: str | None = None) -> dict | None: ...


@runtime_checkable
class UserRepository(Protocol):
    """The people of a team server (issue 16): {id, name, admin, created_at, revoked_at (None while
    the user may sign in), token_hint (the token's first 4 characters, to tell tokens apart)}.

    A token is answered once, by add_user and rotate_token, and never stored: the store keeps its
    SHA-256. `user_for_token` answers the active user of a token, else None (revoked, rotated away or
    unknown); it compares digests in constant time. Names are 1-64 characters of letters, digits and
    `._-`, unique case-insensitively (Conflict); `owner` is reserved for the store's own token
    (BriefRepository.token), which stays valid and acts as an admin named "owner". NotFound for an
    unknown name."""

    def add_user(self, name: str, *, admin: bool = False) -> tuple[dict, str]: ...
    def list_users(self) -> list[dict]: ...
    def get_user(self, name: str) -> dict: ...
    def user_for_token(self, token: str) -> dict | None: ...
    def revoke_user(self, name: str) -> dict: ...
    def rotate_token(self, name: str) -> tuple[dict, str]: ...


@runtime_checkable
class Repository(CreatorRepository, RefreshRepository, WatchlistRepository, BriefRepository,
                 NoteRepository, CampaignRepository, DiscoveryRepository, UserRepository, Protocol):
    """A whole store: every resource, and its lifetime (one open store per data location)."""

    def close(self) -> None: ...
    def __enter__(self) -> Repository: ...
    def __exit__(self, *exc: Any) -> None: ...


__all__ = [
    "CONFIDENCES", "DEFAULT_REFRESH_HOURS", "PARTNER_STATUSES", "REFRESH_FILTERS", "REFRESH_STATUSES", "SORTS",
    "BriefRepository", "CampaignRepository", "Conflict", "CreatorPage",
    "CreatorQuery", "CreatorRepository", "DiscoveryRepository", "NoteRepository", "NotFound", "RefreshRepository", "Repository",
    "StoreCorrupt", "StoreError", "StoreLocked", "WatchlistRepository", "UserRepository", "TASK_IDS_KEPT", "OWNER",
]
