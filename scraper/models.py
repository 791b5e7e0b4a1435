"""The snapshot model: what one capture says about one creator (`kolscope.snapshot/1`).

A field the page does not show is None or [], never a guess. `platform` is always set (a name in
scraper.registry); `handle` is None only when the page names no handle (a channel known only by its
id, or a platform without handles): then `platform_id` identifies the creator.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

CAPTURE_FORMAT = "kolscope.capture/1"
SNAPSHOT_FORMAT = "kolscope.snapshot/1"


@dataclass
class Post:
    id: str
    url: str | None = None
    title: str | None = None
    published_at: str | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    is_sponsored: bool | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    # The platform's own label for this post's topic (a video category, or the labels a platform
    # attaches, joined as its parser chooses), as the page gives it.
    category: str | None = None
    # The post's description as the page shows it (a video grid may show only a snippet, its first
    # ~120 characters, which is where sponsors are named: "sponsored by Brilliant", "Go to brilliant.org/...").
    description: str | None = None
    # The brands the platform itself names as this post's paid partners (its sponsor tags).
    sponsors: list[str] = field(default_factory=list)


@dataclass
class Comment:
    post_id: str | None = None
    author: str | None = None
    text: str | None = None
    likes: int | None = None
    replies: int | None = None
    is_creator: bool | None = None
    published_at: str | None = None


@dataclass
class Account:
    """A follower or commenter account visible in a capture (an audience sample)."""

    username: str
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    has_profile_pic: bool | None = None
    is_private: bool | None = None
    verified: bool | None = None
    bio_length: int | None = None
    display_name: str | None = None
    created_at: str | None = None  # ISO 8601 account creation time, where the page gives it
    default_avatar: bool | None = None  # the account shows the platform's placeholder picture


@dataclass
class Snapshot:
    platform: str
    handle: str | None
    platform_id: str | None = None
    url: str | None = None
    display_name: str | None = None
    bio: str | None = None
    avatar_url: str | None = None
    verified: bool | None = None
    country: str | None = None
    # The platform's own topic labels for the creator (a business account's category, the platform's
    # category of the creator, the categories of the videos shown), as the page gives them.
    categories: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    likes: int | None = None
    views: int | None = None
    approximate: list[str] = field(default_factory=list)
    recent_posts: list[Post] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    audience_sample: list[Account] = field(default_factory=list)
    captured_at: str | None = None
    source: str | None = None
    warnings: list[str] = field(default_factory=list)

    def set_count(self, name: str, value: int | None, approx: bool = False) -> None:
        """Set a count and record whether it came from rounded display text."""
        setattr(self, name, value)
        if name in self.approximate:
            self.approximate.remove(name)
        if value is not None and approx:
            self.approximate.append(name)

    def to_dict(self) -> dict[str, Any]:
        d = {"format": SNAPSHOT_FORMAT}
        d.update(asdict(self))
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        """Rebuild a snapshot from its JSON (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in names}
        kw["recent_posts"] = [_build(Post, p) for p in data.get("recent_posts") or [] if isinstance(p, dict)]
        kw["comments"] = [_build(Comment, c) for c in data.get("comments") or [] if isinstance(c, dict)]
        kw["audience_sample"] = [
            _build(Account, a) for a in data.get("audience_sample") or [] if isinstance(a, dict)
        ]
        for name in ("links", "approximate", "warnings", "categories"):
            kw[name] = list(kw.get(name) or [])
        return cls(**kw)


def _build(cls, data: dict) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
