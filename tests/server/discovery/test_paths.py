"""Discovery's pure parts: the words of a path, the items a list page and a creator page give."""

from __future__ import annotations

from server.discovery import followers_text, listing_items, listing_path, snapshot_items


def _listing(kind: str, query: str | None = None, owner: str | None = None, creators=()) -> dict:
    return {"platform": "youtube", "kind": kind, "query": query, "owner": owner, "url": "https://www.youtube.com/x",
            "captured_at": "2026-11-29T10:00:00Z", "creators": list(creators)}


def test_the_words_of_each_list_path():
    words = {
        ("search", "trail running", None): '"trail running" search on YouTube, 2026-11-29',
        ("hashtag", "trailrunning", None): "#trailrunning search on YouTube, 2026-11-29",
        ("related", None, "EEVblog"): "channels related to @EEVblog on YouTube, 2026-11-29",
        ("followers", None, "XDevelopers"): "followers of @XDevelopers on YouTube, 2026-11-29",
        ("following", None, "XDevelopers"): "accounts @XDevelopers follows on YouTube, 2026-11-29",
        ("comments", None, "thiago.nigro"): "commented on @thiago.nigro's post on YouTube, 2026-11-29",
    }
    for (kind, query, owner), label in words.items():
        path = listing_path(_listing(kind, query, owner))
        assert path["label"] == label
        assert path["kind"] == kind and path["count"] == 1 and path["at"] == "2026-11-29T10:00:00Z"
    # a path a creator led to names that creator as server.scoring.similar matches it
    assert listing_path(_listing("followers", owner="XDevelopers"))["via"] == "youtube/xdevelopers"
    # one search is one path whatever its case; another search is another
    assert listing_path(_listing("search", "Trail"))["via"] == listing_path(_listing("search", "trail"))["via"]
    assert listing_path(_listing("search", "trail"))["via"] != listing_path(_listing("hashtag", "trail"))["via"]


def test_listed_creators_become_items_with_their_shown_counts():
    creators = [
        {"handle": "TrailKid", "platform_id": "UCaaaaaaaaaaaaaaaaaaaaaa", "display_name": "Trail Kid",
         "followers": {"value": 12_300, "approx": True}},
        {"handle": None, "platform_id": "UCbbbbbbbbbbbbbbbbbbbbbb", "display_name": "Legacy",
         "followers": {"value": 999, "approx": False}},
        {"handle": "owner_chan", "platform_id": None, "followers": None},   # the list's owner itself
        {"handle": "no way!", "platform_id": None, "followers": None},     # nothing storable
    ]
    items = listing_items(_listing("related", owner="Owner_Chan", creators=creators))
    first, legacy, owner, bad = items
    assert (first["handle"], first["followers"], first["followers_text"], first["rounded"], first["tier"]) == (
        "TrailKid", 12_300, "~12.3k", True, "micro")
    assert legacy["handle"] == "UCbbbbbbbbbbbbbbbbbbbbbb" and legacy["followers_text"] == "999" and not legacy["rounded"]
    assert owner is None and bad is None
    assert first["path"]["label"] == "channels related to @Owner_Chan on YouTube, 2026-11-29"


def test_followers_text():
    assert followers_text(None, False) is None
    assert followers_text(1_234_567, False) == "1,234,567"
    assert followers_text(1_200_000, True) == "~1.2M"


def _post(i: int, title: str | None, mentions: list[str]) -> dict:
    return {"id": str(i), "title": title, "mentions": mentions}


def test_accounts_named_in_posts_become_candidates_with_counts():
    snapshot = {"platform": "x", "handle": "anna", "url": "https://x.com/anna", "captured_at": "2026-11-29T10:00:00Z",
                "recent_posts": [
                    _post(1, "run with @bo and @cy", ["bo", "cy"]),
                    _post(2, "again @BO", ["BO"]),
                    _post(3, "me: @anna", ["anna"]),          # herself: no candidate
                    _post(4, "junk", ["no way!"]),            # not a handle
                    _post(5, None, ["dee"]),                  # no text: a tag (a photo's)
                    _post(6, "@bo @bo", ["bo", "bo"]),        # one post, counted once
                ]}
    got = {i["handle"]: i["path"] for i in snapshot_items(snapshot)}
    assert set(got) == {"bo", "cy", "dee"}
    assert got["bo"]["label"] == "mentioned by @anna in 3 posts on X" and got["bo"]["count"] == 3
    assert got["cy"]["label"] == "mentioned by @anna on X" and got["cy"]["count"] == 1
    assert got["dee"]["label"] == "tagged by @anna on X" and got["dee"]["kind"] == "tag"
    assert got["bo"]["page_url"] == "https://x.com/anna" and got["bo"]["via"] == "x/anna"
    assert snapshot_items({"platform": "x", "handle": None, "recent_posts": []}) == []
