"""The store's contract: what every engine does, whatever it keeps its data in (creators, history,
renamed accounts and placeholders, refresh bookkeeping, watchlists, briefs and settings, notes, the
creator listing's filters, sorts and pages, and the errors). Runs once per engine (`store_factory`,
tests/server/store/conftest.py); the TinyDB engine's files, envelopes, backups, lock and migrations
are test_tinydb.py's."""

from __future__ import annotations

import pytest

from server.api.views import is_stale
from server.store import (
    SORTS, CampaignRepository, Conflict, CreatorPage, CreatorQuery, DiscoveryRepository, NotFound, Repository,
    StoreError,
)


def _snap(handle: str, followers: int | None = 100, at: str = "2025-01-01T00:00:00Z", platform: str = "x",
          **extra) -> dict:
    return {"format": "kolscope.snapshot/1", "platform": platform, "handle": handle, "followers": followers,
            "captured_at": at, **extra}


def test_the_engine_has_every_resource(store):
    assert isinstance(store, Repository)


def test_reopen_keeps_everything(store_factory):
    with store_factory() as s:
        s.add_snapshot(_snap("a"), {"tier": "nano"})
        s.add_snapshot(_snap("a", 120, "2025-02-01T00:00:00Z"), {"tier": "nano"})
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "x", "A")
        b = s.create_brief({"name": "b"})
        s.set_active_brief(b["id"])
        s.add_note("x", "a", "hello")
        tok = s.token()
    with store_factory() as s:
        assert s.get_creator("x", "A")["followers"] == 120
        assert [p["followers"] for p in s.history("x", "a")] == [100, 120]
        assert s.watchlist_creators(wl["id"])[0]["key"] == "a"
        assert s.active_brief_id() == b["id"] and s.list_notes("x", "a")[0]["text"] == "hello"
        assert s.token() == tok


def test_renamed_account_keeps_one_history(store_factory):
    """Same platform id, new handle: the history, watchlists and notes go on under one creator, and
    both handles lead to it (also after reopening the store)."""
    with store_factory() as s:
        s.add_snapshot(dict(_snap("old_name"), platform_id="42"), {"tier": "nano"})
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "x", "old_name")
        s.add_note("x", "old_name", "met at the fair")
        assert s.account_handle("x", "new_name", "42") == "old_name"  # its history, before storing
        assert s.account_handle("x", "new_name", "43") == "new_name"  # another account
        s.add_snapshot(dict(_snap("new_name", 150, "2025-02-01T00:00:00Z"), platform_id="42"), {"tier": "nano"})
        assert len(s.list_creators()) == 1
    with store_factory() as s:
        for handle in ("old_name", "NEW_NAME"):
            summary = s.get_creator("x", handle)
            assert (summary["handle"], summary["followers"], summary["snapshots"]) == ("new_name", 150, 2)
        assert [p["followers"] for p in s.history("x", "new_name")] == [100, 150]
        assert [c["handle"] for c in s.watchlist_creators(wl["id"])] == ["new_name"]
        assert [n["text"] for n in s.list_notes("x", "new_name")] == ["met at the fair"]


def test_another_account_with_a_new_handle_is_another_creator(store_factory):
    with store_factory() as s:
        s.add_snapshot(dict(_snap("a"), platform_id="1"), None)
        s.add_snapshot(dict(_snap("b"), platform_id="2"), None)
        s.add_snapshot(_snap("c"), None)  # no id: nothing to match on
        assert sorted(c["handle"] for c in s.list_creators()) == ["a", "b", "c"]


def test_youtube_channel_by_id_and_by_handle_is_one_creator(store_factory):
    """A channel captured first by /channel/UC... (no @handle on the page: the id stands in for it),
    then by its @handle, and the other way round: one creator, shown by its @handle."""
    cid = "UCsXVk37bltHxD1rDPwtNM8Q"
    yt = {"format": "kolscope.snapshot/1", "platform": "youtube", "platform_id": cid, "followers": 1}
    with store_factory("a") as s:
        s.add_snapshot(dict(yt, handle=cid, captured_at="2021-02-13T00:00:00Z"), None)
        s.add_snapshot(dict(yt, handle="kurzgesagt", followers=2, captured_at="2026-01-26T00:00:00Z"), None)
        (only,) = s.list_creators()
        assert (only["handle"], only["snapshots"]) == ("kurzgesagt", 2)
        assert s.get_creator("youtube", "Kurzgesagt")["key"] == cid
    with store_factory("b") as s:
        s.add_snapshot(dict(yt, handle="kurzgesagt", captured_at="2026-01-26T00:00:00Z"), None)
        s.add_snapshot(dict(yt, handle=cid, followers=2, captured_at="2021-02-13T00:00:00Z"), None)
        (only,) = s.list_creators()
        assert (only["handle"], only["snapshots"]) == ("kurzgesagt", 2)  # the id does not hide the handle


def test_watchlisted_placeholder_of_a_known_account_folds_into_it(store_factory):
    """A channel captured by /channel/UC..., then watchlisted by its @handle URL (not captured yet
    under that name), then captured by @handle: one creator, in the watchlist, with the note."""
    cid = "UCsXVk37bltHxD1rDPwtNM8Q"
    yt = {"format": "kolscope.snapshot/1", "platform": "youtube", "platform_id": cid}
    with store_factory() as s:
        s.add_snapshot(dict(yt, handle=cid, followers=1, captured_at="2026-01-01T00:00:00Z"), None)
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "youtube", cid)
        s.add_to_watchlist(wl["id"], "youtube", "kurzgesagt", "https://www.youtube.com/@kurzgesagt")
        s.add_note("youtube", "kurzgesagt", "ask about the book")
        assert len(s.list_creators()) == 2  # not yet known to be the same
        s.add_snapshot(dict(yt, handle="kurzgesagt", followers=2, captured_at="2026-02-01T00:00:00Z"), None)
        (only,) = s.list_creators()
        assert (only["key"], only["handle"], only["snapshots"]) == (cid, "kurzgesagt", 2)
        assert [c["key"] for c in s.watchlist_creators(wl["id"])] == [cid]  # one place, not two
        assert [n["text"] for n in s.list_notes("youtube", cid)] == ["ask about the book"]
    with store_factory() as s:
        assert len(s.list_creators()) == 1 and s.get_creator("youtube", "kurzgesagt")["key"] == cid


def test_a_captured_creator_never_folds_into_another(store_factory):
    with store_factory() as s:
        s.add_snapshot(dict(_snap("first"), platform_id="7"), None)
        s.add_snapshot(dict(_snap("second"), platform_id="8"), None)
        # "second" now shows id 7 (a page mix-up, or a handle handed on): it keeps its own data
        s.add_snapshot(dict(_snap("second", 5), platform_id="7"), None)
        assert sorted(c["handle"] for c in s.list_creators()) == ["first", "second"]
        assert s.get_creator("x", "second")["snapshots"] == 2

# -- creators, history, refresh ---------------------------------------------------------------------

def test_creator_record_is_summary_latest_and_history_at_once(store):
    store.add_snapshot(_snap("a", 100, "2025-02-01T00:00:00Z"), {"tier": "nano"}, brief_id=None)
    store.add_snapshot(_snap("a", 90, "2025-01-01T00:00:00Z"), {"tier": "micro"})  # an older page, stored later
    record = store.creator_record("x", "A")
    assert record["summary"] == store.get_creator("x", "a")
    assert record["latest"] == store.latest("x", "a") and record["latest"]["snapshot"]["followers"] == 90
    assert record["history"] == store.history("x", "a")
    assert [p["captured_at"] for p in record["history"]] == ["2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"]
    assert store.creator_record("x", "nobody") is None


def test_a_placeholder_has_a_record_without_data(store):
    wl = store.create_watchlist("W")
    store.add_to_watchlist(wl["id"], "x", "later", "https://x.com/later")
    record = store.creator_record("x", "later")
    assert record["summary"]["captured"] is False and record["summary"]["url"] == "https://x.com/later"
    assert record["latest"] is None and record["history"] == []


def test_an_invalid_handle_is_an_error_not_a_creator(store):
    for call in (lambda: store.get_creator("x", "no spaces"), lambda: store.creator_record("x", "a/b"),
                 lambda: store.add_snapshot(_snap("bad handle!"), None)):
        with pytest.raises(StoreError) as err:
            call()
        assert err.value.code == "invalid_handle"


def test_update_scores_only_while_the_latest_snapshot_is_the_one_scored(store):
    store.add_snapshot(_snap("a"), {"tier": "nano", "fit": {"score": 10}})
    assert store.update_scores("x", "a", {"tier": "micro", "fit": {"score": 80}}, "br_1",
                               captured_at="2024-01-01T00:00:00Z") is False
    assert store.update_scores("x", "a", {"tier": "micro", "fit": {"score": 80}}, "br_1",
                               captured_at="2025-01-01T00:00:00Z") is True
    summary = store.get_creator("x", "a")
    assert (summary["tier"], summary["fit"]["score"], summary["brief_id"]) == ("micro", 80, "br_1")
    assert store.latest("x", "a")["scores"]["fit"] == {"score": 80}
    assert store.update_scores("x", "never_captured", {}, None) is False


def test_growth_over_30_days(store):
    store.add_snapshot(_snap("a", 1000, "2025-01-01T00:00:00Z"), None)
    store.add_snapshot(_snap("a", 1100, "2025-01-20T00:00:00Z"), None)
    store.add_snapshot(_snap("a", 1250, "2025-01-31T00:00:00Z"), None)
    assert store.get_creator("x", "a")["growth_30d"] == 25.0


def test_record_refresh_marks_stale(store):
    store.add_snapshot(_snap("bo_runs", 800), None)
    store.record_refresh("x", "bo_runs", "running")
    summary = store.get_creator("x", "bo_runs")
    assert summary["refresh"]["running"] is True and not is_stale(summary)
    store.record_refresh("x", "bo_runs", "blocked", "429 from x.com")
    summary = store.get_creator("x", "bo_runs")
    assert is_stale(summary) and summary["refresh"]["reason"] == "429 from x.com" and summary["followers"] == 800
    assert store.refresh_status("x", "bo_runs")["status"] == "blocked"
    store.record_refresh("x", "bo_runs", "ok")
    assert store.refresh_status("x", "bo_runs")["last_ok"] == store.refresh_status("x", "bo_runs")["at"]
    store.add_snapshot(_snap("bo_runs", 900, "2099-01-01T00:00:00Z"), None)  # new data: no longer stale
    assert not is_stale(store.get_creator("x", "bo_runs"))
    with pytest.raises(ValueError):
        store.record_refresh("x", "bo_runs", "weird")
    assert store.refresh_status("x", "nobody") is None


# -- watchlists, briefs, settings, notes ----------------------------------------------------------

def test_watchlists(store):
    wl = store.create_watchlist("Spring", 12, "0 6 * * *")
    with pytest.raises(Conflict):
        store.create_watchlist("SPRING")
    other = store.create_watchlist("Other")
    with pytest.raises(Conflict):
        store.update_watchlist(other["id"], name="spring")
    changed = store.update_watchlist(wl["id"], name="Summer", refresh_cron="", ignored="x")
    assert (changed["name"], changed["refresh_cron"], changed["refresh_interval_hours"]) == ("Summer", None, 12)
    store.add_to_watchlist(wl["id"], "x", "b")
    store.add_to_watchlist(wl["id"], "x", "A")
    store.add_to_watchlist(wl["id"], "x", "a")  # once only
    store.add_to_watchlist(other["id"], "x", "a")
    assert [c["key"] for c in store.watchlist_creators(wl["id"])] == ["b", "a"]
    assert store.watchlists_of()[("x", "a")] == [wl["id"], other["id"]]
    store.remove_from_watchlist(wl["id"], "x", "B")
    with pytest.raises(NotFound):
        store.remove_from_watchlist(wl["id"], "x", "b")
    assert [w["name"] for w in store.list_watchlists()] == ["Summer", "Other"]
    store.delete_watchlist(wl["id"])
    for call in (lambda: store.get_watchlist(wl["id"]), lambda: store.delete_watchlist(wl["id"]),
                 lambda: store.add_to_watchlist(wl["id"], "x", "a")):
        with pytest.raises(NotFound):
            call()


def test_briefs_and_settings(store):
    assert store.active_brief() is None and store.active_brief_id() is None
    b1 = store.create_brief({"name": "one"})
    b2 = store.create_brief({"name": "two"})
    store.set_active_brief(b1["id"])
    assert store.active_brief()["brief"] == {"name": "one"}
    assert store.replace_brief(b1["id"], {"name": "uno"})["brief"] == {"name": "uno"}
    with pytest.raises(NotFound):
        store.set_active_brief("br_missing")
    store.delete_brief(b1["id"])  # the active one: no brief in force
    assert store.active_brief_id() is None and [b["id"] for b in store.list_briefs()] == [b2["id"]]
    for call in (lambda: store.get_brief(b1["id"]), lambda: store.delete_brief(b1["id"]),
                 lambda: store.replace_brief(b1["id"], {})):
        with pytest.raises(NotFound):
            call()
    assert store.extension_id() is None
    store.set_extension_id("abcdefghijklmnopabcdefghijklmnop")
    assert store.extension_id() == "abcdefghijklmnopabcdefghijklmnop"
    token = store.token()
    assert len(token) >= 32 and store.token() == token


def test_notes(store):
    with pytest.raises(NotFound):
        store.add_note("x", "a", "no such creator yet")
    store.add_snapshot(_snap("a"), None)
    first = store.add_note("x", "a", "first")
    store.add_note("x", "A", "second")
    assert [n["text"] for n in store.list_notes("x", "a")] == ["first", "second"]
    with pytest.raises(NotFound):
        store.delete_note("x", "b", first["id"])  # another creator's note id
    store.delete_note("x", "a", first["id"])
    assert [n["text"] for n in store.list_notes("x", "a")] == ["second"]
    with pytest.raises(NotFound):
        store.delete_note("x", "a", first["id"])


def test_update_note(store_factory):
    """An edit changes the text in place (same id, same place in the list, created_at kept), stamps
    updated_at, survives a reopen, and touches no other creator's note."""
    store = store_factory()
    store.add_snapshot(_snap("a"), None)
    store.add_snapshot(_snap("b"), None)
    first = store.add_note("x", "a", "call in March")
    second = store.add_note("x", "a", "second")
    other = store.add_note("x", "b", "not this one")
    assert first.get("updated_at") is None
    edited = store.update_note("x", "A", first["id"], "call in April")
    assert edited["id"] == first["id"] and edited["text"] == "call in April"
    assert edited["created_at"] == first["created_at"] and edited["updated_at"] >= first["created_at"]
    with pytest.raises(NotFound):
        store.update_note("x", "b", second["id"], "another creator's note id")
    with pytest.raises(NotFound):
        store.update_note("x", "a", "nt_missing", "no such note")
    store.close()
    again = store_factory()
    assert [(n["id"], n["text"]) for n in again.list_notes("x", "a")] == [
        (first["id"], "call in April"), (second["id"], "second")]
    assert [n["text"] for n in again.list_notes("x", "b")] == [other["text"]]


# -- find_creators --------------------------------------------------------------------------------

def _scores(tier: str | None, fit: float | None = None, auth: float | None = None, *,
            fit_conf: str | None = None, auth_conf: str | None = None, langs: list | None = None) -> dict:
    out: dict = {"tier": tier}
    if fit is not None:
        out["fit"] = {"score": fit, "grade": "B", "confidence": fit_conf}
    if langs is not None:
        out["traits"] = {"languages": langs}  # the audience's main languages (a fifth or more of it)
    out["authenticity"] = {"score": auth, "reason": None if auth is not None else "Only 1 of the checks",
                           "confidence": auth_conf}
    return out


@pytest.fixture
def listed(store):
    """Five creators on two platforms (one a placeholder) and a watchlist of two of them."""
    store.add_snapshot(_snap("alice", 4000, "2025-02-01T00:00:00Z", display_name="Alice Runs"), None)
    store.add_snapshot(_snap("alice", 5000, "2025-03-01T00:00:00Z", display_name="Alice Runs", country="US"),
                       _scores("Micro", 70, 90, fit_conf="high", langs=["de", "en"]))
    store.add_snapshot(_snap("bob", 800, "2025-03-02T00:00:00Z", display_name="Bob", country="gb"),
                       _scores("nano", None, 60, auth_conf="low", langs=["en"]))
    store.add_snapshot(_snap("carol", 20000, "2025-03-03T00:00:00Z", platform="tiktok",
                             display_name="Carol, ALICE's fan"), _scores("micro", 70, 50, fit_conf="medium"))
    store.add_snapshot(_snap("erin", None, "2025-02-15T00:00:00Z"), _scores(None))
    wl = store.create_watchlist("W")
    store.add_to_watchlist(wl["id"], "x", "dave")  # not captured: no values at all
    store.add_to_watchlist(wl["id"], "tiktok", "carol")
    return store, wl["id"]


def _keys(page: CreatorPage) -> list[str]:
    return [c["key"] for c in page.items]


def test_find_default_is_best_score_first_and_ungraded_last(listed):
    store, _ = listed
    page = store.find_creators(CreatorQuery())
    # score: fit, else authenticity; alice and carol tie at 70 (by key); erin and dave have none
    assert _keys(page) == ["alice", "carol", "bob", "dave", "erin"]
    assert (page.total, page.next) == (5, None)


@pytest.mark.parametrize(("query", "keys"), [
    (CreatorQuery(platform="tiktok"), ["carol"]),
    (CreatorQuery(platform="instagram"), []),
    (CreatorQuery(tier="MICRO"), ["alice", "carol"]),
    (CreatorQuery(tier="nano"), ["bob"]),
    (CreatorQuery(country="us"), ["alice"]),
    (CreatorQuery(country="GB"), ["bob"]),
    (CreatorQuery(q="ALI"), ["alice", "carol"]),  # handle or display name, case-folded
    (CreatorQuery(q="bob"), ["bob"]),
    (CreatorQuery(q="zzz"), []),
    (CreatorQuery(platform="x", tier="micro", q="runs"), ["alice"]),
    # the audience's main languages (scoring's traits)
    (CreatorQuery(language="de"), ["alice"]),
    (CreatorQuery(language="EN"), ["alice", "bob"]),
    (CreatorQuery(language="fr"), []),
    # scores: an ungraded creator never passes a minimum
    (CreatorQuery(min_fit=70), ["alice", "carol"]),
    (CreatorQuery(min_fit=70.5), []),
    (CreatorQuery(min_authenticity=60), ["alice", "bob"]),
    (CreatorQuery(min_authenticity=0), ["alice", "carol", "bob"]),
    # the confidence of the score each is ranked by (fit, else authenticity)
    (CreatorQuery(min_confidence="low"), ["alice", "carol", "bob"]),
    (CreatorQuery(min_confidence="medium"), ["alice", "carol"]),
    (CreatorQuery(min_confidence="high"), ["alice"]),
    # growth in percent: alice went 4,000 -> 5,000; the others have no growth figure
    (CreatorQuery(min_growth=25), ["alice"]),
    (CreatorQuery(min_growth=25.01), []),
    (CreatorQuery(max_growth=25), ["alice"]),
    (CreatorQuery(max_growth=0), []),
    (CreatorQuery(captured_since="2025-03-02"), ["carol", "bob"]),
    (CreatorQuery(captured_since="2025-03-02T12:00:00Z"), ["carol"]),
    (CreatorQuery(refresh="never"), ["alice", "carol", "bob", "dave", "erin"]),
    (CreatorQuery(refresh="ok"), []),
    # the shortlist (in a watchlist) and the browsed creators (in none)
    (CreatorQuery(in_watchlist=True), ["carol", "dave"]),
    (CreatorQuery(in_watchlist=False), ["alice", "bob", "erin"]),
    (CreatorQuery(in_watchlist=False, min_authenticity=70), ["alice"]),
])
def test_find_filters(listed, query, keys):
    store, _ = listed
    page = store.find_creators(query)
    assert _keys(page) == keys and page.total == len(keys)


def test_find_by_watchlist(listed):
    store, wid = listed
    assert _keys(store.find_creators(CreatorQuery(watchlist=wid))) == ["carol", "dave"]
    assert _keys(store.find_creators(CreatorQuery(watchlist=wid, platform="x"))) == ["dave"]
    with pytest.raises(NotFound):
        store.find_creators(CreatorQuery(watchlist="wl_missing"))


def test_find_by_refresh_status(listed):
    store, wid = listed
    store.record_refresh("x", "bob", "blocked", "HTTP 429", code="http_429")
    store.record_refresh("x", "alice", "ok")
    store.record_refresh("x", "alice", "running")
    assert _keys(store.find_creators(CreatorQuery(refresh="blocked"))) == ["bob"]
    assert _keys(store.find_creators(CreatorQuery(refresh="running"))) == ["alice"]
    assert _keys(store.find_creators(CreatorQuery(refresh="never", watchlist=wid))) == ["carol", "dave"]


def test_the_shortlist_follows_watchlist_changes(listed):
    store, wid = listed
    store.add_to_watchlist(wid, "x", "bob")
    assert _keys(store.find_creators(CreatorQuery(in_watchlist=True))) == ["carol", "bob", "dave"]
    store.delete_watchlist(wid)
    assert _keys(store.find_creators(CreatorQuery(in_watchlist=True))) == []


def test_a_listing_follows_every_write(listed):
    """An engine may keep sorted listings between writes: each write shows in the next page."""
    store, _ = listed
    by_followers = CreatorQuery(sort="followers")
    assert _keys(store.find_creators(by_followers)) == ["carol", "alice", "bob", "dave", "erin"]
    store.add_snapshot(_snap("bob", 90000, "2025-04-01T00:00:00Z"), _scores("micro", 10, 60))
    assert _keys(store.find_creators(by_followers)) == ["bob", "carol", "alice", "dave", "erin"]
    assert _keys(store.find_creators(CreatorQuery(sort="fit"))) == ["alice", "carol", "bob", "dave", "erin"]
    store.update_scores("x", "bob", _scores("micro", 95, 60), None)
    assert _keys(store.find_creators(CreatorQuery(sort="fit"))) == ["bob", "alice", "carol", "dave", "erin"]
    store.record_refresh("x", "erin", "error", "boom")
    assert _keys(store.find_creators(CreatorQuery(refresh="error"))) == ["erin"]
    store.forget_creators([("x", "bob")])
    assert _keys(store.find_creators(by_followers)) == ["carol", "alice", "dave", "erin"]
    store.ensure_creator("x", "zed")
    assert _keys(store.find_creators(by_followers))[-1] == "zed"


SORT_CASES = [  # (sort, keys in descending order, keys in ascending order)
    ("score", ["alice", "carol", "bob", "dave", "erin"], ["bob", "alice", "carol", "dave", "erin"]),
    ("fit", ["alice", "carol", "bob", "dave", "erin"], ["alice", "carol", "bob", "dave", "erin"]),
    ("authenticity", ["alice", "bob", "carol", "dave", "erin"], ["carol", "bob", "alice", "dave", "erin"]),
    ("confidence", ["alice", "carol", "bob", "dave", "erin"], ["bob", "carol", "alice", "dave", "erin"]),
    ("followers", ["carol", "alice", "bob", "dave", "erin"], ["bob", "alice", "carol", "dave", "erin"]),
    ("tier", ["alice", "carol", "bob", "dave", "erin"], ["bob", "alice", "carol", "dave", "erin"]),
    ("growth", ["alice", "bob", "carol", "dave", "erin"], ["alice", "bob", "carol", "dave", "erin"]),
    ("handle", ["erin", "dave", "carol", "bob", "alice"], ["alice", "bob", "carol", "dave", "erin"]),
    ("captured_at", ["carol", "bob", "alice", "erin", "dave"], ["erin", "alice", "bob", "carol", "dave"]),
]


def test_every_sort_is_tested():
    assert {sort for sort, _, _ in SORT_CASES} == set(SORTS)


@pytest.mark.parametrize(("sort", "desc", "asc"), SORT_CASES)
def test_find_sorts_both_orders(listed, sort, desc, asc):
    """Missing values last in either order (by key); equal values by key."""
    store, _ = listed
    assert _keys(store.find_creators(CreatorQuery(sort=sort, order="desc"))) == desc
    assert _keys(store.find_creators(CreatorQuery(sort=sort, order="asc"))) == asc
    default = asc if sort == "handle" else desc
    assert _keys(store.find_creators(CreatorQuery(sort=sort))) == default


def test_find_pages(listed):
    store, _ = listed
    first = store.find_creators(CreatorQuery(sort="handle", limit=2))
    assert (_keys(first), first.total, first.next) == (["alice", "bob"], 5, 2)
    second = store.find_creators(CreatorQuery(sort="handle", limit=2, offset=first.next))
    assert (_keys(second), second.total, second.next) == (["carol", "dave"], 5, 4)
    last = store.find_creators(CreatorQuery(sort="handle", limit=2, offset=second.next))
    assert (_keys(last), last.total, last.next) == (["erin"], 5, None)
    beyond = store.find_creators(CreatorQuery(sort="handle", limit=2, offset=9))
    assert (_keys(beyond), beyond.total, beyond.next) == ([], 5, None)
    everything = store.find_creators(CreatorQuery(sort="handle", limit=None))
    assert (len(everything.items), everything.next) == (5, None)
    assert store.find_creators(CreatorQuery(tier="micro", limit=1)).total == 2  # total counts matches


def test_find_answers_copies(listed):
    store, _ = listed
    page = store.find_creators(CreatorQuery(sort="handle"))
    page.items[0]["followers"] = -1
    assert store.get_creator("x", "alice")["followers"] == 5000


def test_forget_creators_forgets_browsed_ones_and_never_a_watchlisted_one(listed, store_factory):
    store, wid = listed
    store.add_note("x", "bob", "met at a fair")
    store.add_note("tiktok", "carol", "keep")
    forgotten = store.forget_creators([("x", "bob"), ("x", "BOB"), ("tiktok", "carol"), ("x", "nobody"),
                                       ("x", "not a handle!"), ("x", "erin")])
    assert forgotten == 2  # bob (once) and erin; carol is in a watchlist, nobody is unknown
    assert store.get_creator("x", "bob") is None and store.creator_record("x", "bob") is None
    assert store.list_notes("x", "bob") == [] and store.history("x", "erin") == []
    assert [n["text"] for n in store.list_notes("tiktok", "carol")] == ["keep"]
    assert _keys(store.find_creators(CreatorQuery())) == ["alice", "carol", "dave"]
    assert _keys(store.find_creators(CreatorQuery(watchlist=wid))) == ["carol", "dave"]
    assert store.forget_creators([("x", "dave")]) == 0  # a watchlisted placeholder stays too
    # a forgotten creator captured again starts afresh; the store reopens whole
    store.add_snapshot(_snap("bob", 900, "2025-04-01T00:00:00Z"), None)
    assert store.get_creator("x", "bob")["snapshots"] == 1
    store.close()
    again = store_factory()
    assert _keys(again.find_creators(CreatorQuery(sort="handle"))) == ["alice", "bob", "carol", "dave"]
    assert again.list_notes("x", "bob") == []


def test_forget_creators_keeps_campaign_partners(listed):
    store, _ = listed
    cid = store.create_campaign({"name": "Spring", "objective": "sales", "kpis": [], "budget": 1, "currency": "USD"})["id"]
    store.add_partner(cid, "x", "bob", {"fee": 1, "currency": "USD", "promo_codes": [], "tracking_url": None,
                                        "talking_points": "", "deliverables": []})
    assert store.forget_creators([("x", "bob"), ("x", "alice")]) == 1
    assert store.get_creator("x", "bob") is not None and store.get_creator("x", "alice") is None


def test_forgetting_a_renamed_account_forgets_its_old_handle(store):
    store.add_snapshot(_snap("old_name", 100, platform_id="42"), None)
    store.add_snapshot(_snap("new_name", 120, "2025-02-01T00:00:00Z", platform_id="42"), None)
    assert store.get_creator("x", "new_name")["key"] == "old_name"  # one account, one history
    assert store.forget_creators([("x", "new_name")]) == 1
    assert store.get_creator("x", "old_name") is None and store.get_creator("x", "new_name") is None
    store.add_snapshot(_snap("new_name", 130, "2025-03-01T00:00:00Z", platform_id="42"), None)
    assert store.get_creator("x", "new_name")["key"] == "new_name"


@pytest.mark.parametrize("bad", [{"sort": "random"}, {"order": "up"}, {"limit": 0}, {"offset": -1},
                                 {"min_confidence": "sure"}, {"refresh": "fine"}])
def test_a_query_out_of_range_is_refused(bad):
    with pytest.raises(ValueError):
        CreatorQuery(**bad)


# -- campaigns (issue 14) ---------------------------------------------------------------------------

def _campaign(store, name: str = "Spring", **extra) -> dict:
    return store.create_campaign({"name": name, "objective": "sales", "kpis": [{"metric": "orders", "target": 10}],
                                  "budget": 5000, "currency": "USD", **extra})


def _plan(fee: float = 500, *codes: str) -> dict:
    return {"fee": fee, "currency": "USD", "promo_codes": list(codes or ["ALICE10"]), "tracking_url": None,
            "talking_points": "", "deliverables": [{"platform": "x", "format": "post", "count": 1, "due": None}]}


def test_the_engine_keeps_campaigns(store):
    assert isinstance(store, CampaignRepository)


def test_campaigns_crud(store):
    a = _campaign(store)
    b = _campaign(store, "Summer")
    assert a["id"].startswith("cp_") and a["orders"] == 0 and a["kpis"] == [{"metric": "orders", "target": 10}]
    assert [c["id"] for c in store.list_campaigns()] == [a["id"], b["id"]]  # oldest first, then by name
    with pytest.raises(Conflict):
        _campaign(store, "spring")  # names are unique, case-insensitively
    with pytest.raises(Conflict):
        store.update_campaign(b["id"], {"name": "SPRING"})
    changed = store.update_campaign(a["id"], {"budget": 7000, "id": "cp_000000000000", "orders": 99})
    assert changed["budget"] == 7000 and changed["id"] == a["id"] and changed["orders"] == 0
    store.delete_campaign(b["id"])
    assert [c["id"] for c in store.list_campaigns()] == [a["id"]]
    for bad in (b["id"], "cp_nope", "../../etc/passwd", "", None):
        with pytest.raises(NotFound):
            store.get_campaign(bad)
    with pytest.raises(NotFound):
        store.delete_campaign(b["id"])


def test_partners_each_with_a_plan_and_a_copy_flagged_until_edited(store):
    cid = _campaign(store)["id"]
    alice = store.add_partner(cid, "x", "Alice", _plan(500, "ALICE10"))
    assert (alice["key"], alice["status"], alice["copied_from"]) == ("alice", "shortlisted", None)
    assert store.get_creator("x", "alice")["captured"] is False  # known now, as a placeholder
    with pytest.raises(Conflict):
        store.add_partner(cid, "x", "ALICE", _plan())
    bob = store.add_partner(cid, "x", "bob", alice["plan"], copied_from=alice["id"])
    assert bob["copied_from"] == alice["id"]
    assert store.update_partner(cid, bob["id"], {"status": "contacted"})["copied_from"] == alice["id"]
    same = store.update_partner(cid, bob["id"], {"plan": dict(alice["plan"])})
    assert same["copied_from"] == alice["id"]  # the same plan again is no edit
    edited = store.update_partner(cid, bob["id"], {"plan": _plan(800, "BOB")})
    assert edited["copied_from"] is None and edited["plan"]["fee"] == 800 and edited["status"] == "contacted"
    with pytest.raises(ValueError):
        store.update_partner(cid, bob["id"], {"status": "married"})
    with pytest.raises(NotFound):
        store.add_partner(cid, "x", "carol", _plan(), copied_from="pt_000000000000")
    with pytest.raises(NotFound):
        store.update_partner(cid, "pt_000000000000", {"status": "done"})
    store.remove_partner(cid, alice["id"])
    assert [p["id"] for p in store.list_partners(cid)] == [bob["id"]]


def test_deliverables_and_their_metrics(store):
    cid = _campaign(store)["id"]
    pid = store.add_partner(cid, "x", "alice", _plan())["id"]
    url = "https://x.com/alice/status/123"
    d = store.add_deliverable(cid, pid, url, "x", "123")
    assert store.add_deliverable(cid, pid, url + "?s=20", "x", "123")["id"] == d["id"]  # the same post
    store.record_deliverable_metrics(cid, d["id"], {"at": "2025-03-02T00:00:00Z", "views": 200, "likes": 9})
    store.record_deliverable_metrics(cid, d["id"], {"at": "2025-03-01T00:00:00Z", "views": 100, "likes": 5})
    got = store.record_deliverable_metrics(cid, d["id"], {"at": "2025-03-02T00:00:00Z", "views": 250, "likes": 10})
    assert [(p["at"][:10], p["views"]) for p in got["metrics"]] == [("2025-03-01", 100), ("2025-03-02", 250)]
    assert [(c, x["id"]) for c, x in store.deliverables_of("x", "ALICE")] == [(cid, d["id"])]
    assert store.deliverables_of("x", "bob") == []
    with pytest.raises(NotFound):
        store.add_deliverable(cid, "pt_000000000000", url, "x", "123")
    store.remove_partner(cid, pid)
    assert store.list_deliverables(cid) == []


def test_orders_import_is_idempotent_and_totals_follow(store):
    cid = _campaign(store)["id"]
    orders = [
        {"order_id": "1001", "date": "2025-03-01", "total": 40.0, "currency": "USD", "code": "ALICE10"},
        {"order_id": "1002", "date": "2025-03-01", "total": 60.0, "currency": "USD", "code": "alice10"},
        {"order_id": "1003", "date": "2025-03-02", "total": 25.0, "currency": "EUR", "code": None},
        {"order_id": "1004", "date": "2025-03-03", "total": -15.0, "currency": "USD", "code": "ALICE10"},
        {"order_id": "1005", "date": "2025-03-03", "total": 10.0, "currency": "USD", "code": "A",
         "codes": ["A", "B"]},
    ]
    first = store.import_orders(cid, orders)
    assert (first["imported"], first["skipped"], first["total"]) == (5, 0, 5)
    again = store.import_orders(cid, orders)
    assert (again["imported"], again["skipped"], again["total"]) == (0, 5, 5)
    assert store.get_campaign(cid)["orders"] == 5
    assert [o["order_id"] for o in store.list_orders(cid)] == ["1001", "1002", "1003", "1004", "1005"]
    assert store.list_orders(cid)[4]["codes"] == ["A", "B"] and store.list_orders(cid)[4]["code"] == "A"
    totals = {(tuple(t["codes"]), t["currency"]): (t["orders"], t["revenue"], t["refunds"])
              for t in store.order_totals(cid)}
    assert totals == {(("alice10",), "USD"): (2, 85.0, 1), ((), "EUR"): (1, 25.0, 0), (("a", "b"), "USD"): (1, 10.0, 0)}
    assert store.order_totals(_campaign(store, "Empty")["id"]) == []


def test_campaigns_survive_a_reopen(store_factory):
    with store_factory() as s:
        cid = _campaign(s)["id"]
        pid = s.add_partner(cid, "x", "alice", _plan())["id"]
        did = s.add_deliverable(cid, pid, "https://x.com/alice/status/9", "x", "9")["id"]
        s.record_deliverable_metrics(cid, did, {"at": "2025-03-01T00:00:00Z", "views": 7})
        s.import_orders(cid, [{"order_id": "1", "date": "2025-03-01", "total": 5, "currency": "USD", "code": "X"}])
    with store_factory() as s:
        assert s.get_campaign(cid)["orders"] == 1 and s.list_partners(cid)[0]["id"] == pid
        assert s.list_deliverables(cid)[0]["metrics"][0]["views"] == 7
        assert s.list_orders(cid)[0]["total"] == 5
        assert s.import_orders(cid, [{"order_id": "1", "date": "2025-03-01", "total": 5, "currency": "USD"}])["imported"] == 0
        s.delete_campaign(cid)
    with store_factory() as s:
        assert s.list_campaigns() == []


# -- discovery: candidates (issue 15) -------------------------------------------------------------------

def test_the_engine_keeps_candidates(store):
    assert isinstance(store, DiscoveryRepository)


def _cand(handle: str | None, *, platform: str = "x", pid: str | None = None, kind: str = "search",
          via: str = "search:running", label: str = '"running" search on X', count: int = 1,
          followers: int | None = None, rounded: bool = False, tier: str | None = None, **extra) -> dict:
    return {"platform": platform, "handle": handle, "platform_id": pid, "display_name": extra.get("name"),
            "followers": followers, "followers_text": None, "rounded": rounded, "tier": tier,
            "path": {"kind": kind, "label": label, "via": via, "page_url": None, "at": "2026-01-01T00:00:00Z",
                     "count": count}}


def test_candidates_merge_by_key_and_platform_id(store_factory):
    with store_factory() as s:
        assert s.add_candidates([_cand("Anna", pid="1"), _cand("bo", pid="2"), _cand("ANNA")]) == 2
        # the same account under a new handle (its platform id) is the same candidate, renamed
        (doc, new), = s.merge_candidates([_cand("anna_new", pid="1", kind="followers", via="followers:zed",
                                                label="followers of @zed on X")])
        assert not new and doc["handle"] == "anna_new"
        assert [p["kind"] for p in doc["paths"]] == ["search", "followers"]
        assert s.find_candidate("x", "anna")["id"] == s.find_candidate("x", "Anna_New")["id"] == doc["id"]
        # an item naming no valid account is no candidate
        assert s.merge_candidates([_cand("not a handle!")]) == [(None, False)]
    with store_factory() as s:  # reopened: the same candidates, found by every key
        page = s.list_candidates()
        assert page.total == 2 and s.find_candidate("x", "ANNA")["id"] == doc["id"]


def test_a_path_seen_again_keeps_its_largest_count(store):
    store.add_candidates([_cand("cy", kind="mention", via="mention:anna", label="mentioned by @anna in 3 posts",
                                count=3)])
    store.add_candidates([_cand("cy", kind="mention", via="mention:anna", label="mentioned by @anna", count=1)])
    paths = store.find_candidate("x", "cy")["paths"]
    assert [(p["label"], p["count"]) for p in paths] == [("mentioned by @anna in 3 posts", 3)]
    store.add_candidates([_cand("cy", kind="mention", via="mention:anna", label="mentioned by @anna in 4 posts",
                                count=4)])
    assert [p["count"] for p in store.find_candidate("x", "cy")["paths"]] == [4]


def test_an_exact_count_is_not_replaced_by_a_rounded_one(store):
    store.add_candidates([_cand("dee", followers=12_345, tier="micro")])
    store.add_candidates([_cand("dee", followers=12_000, rounded=True, tier="micro")])
    assert store.find_candidate("x", "dee")["followers"] == 12_345
    store.add_candidates([_cand("dee", followers=13_002, tier="micro")])
    assert store.find_candidate("x", "dee")["followers"] == 13_002


def test_a_captured_creator_is_a_checked_candidate(store):
    store.add_snapshot(_snap("known", platform_id="77"), {"tier": "nano"})
    store.add_candidates([_cand("known"), _cand("fresh", pid="88")])
    assert store.find_candidate("x", "known")["state"] == "checked"
    assert store.find_candidate("x", "fresh")["state"] == "new"
    # its capture arrives: the look-up by handle (or by id) marks it checked
    assert store.candidate_captured("x", "fresh_renamed", "88")["state"] == "checked"
    assert store.find_candidate("x", "fresh")["checked_at"]
    assert store.candidate_captured("x", "nobody", None) is None


def test_candidate_states(store):
    store.add_candidates([_cand("eve")])
    cid = store.find_candidate("x", "eve")["id"]
    assert store.set_candidate_state(cid, "failed", "X asked to log in")["state_reason"] == "X asked to log in"
    assert store.get_candidate(cid)["state"] == "failed"
    with pytest.raises(ValueError):
        store.set_candidate_state(cid, "maybe")
    with pytest.raises(NotFound):
        store.set_candidate_state("cd_000000000000", "queued")
    with pytest.raises(NotFound):
        store.get_candidate("cd_000000000000")


def test_list_candidates_filters_and_pages(store):
    store.add_candidates([_cand(f"s{i}", followers=50_000, tier="micro") for i in range(5)])
    store.add_candidates([_cand("m1", kind="mention", via="mention:zed", label="mentioned by @zed", tier="Nano"),
                          _cand("yone", platform="youtube", kind="related", via="related:zed", label="related")])
    store.add_snapshot(_snap("s0"), {"tier": "micro"})
    store.candidate_captured("x", "s0")
    assert store.list_candidates().total == 7
    assert [c["handle"] for c in store.list_candidates(source="mention").items] == ["m1"]
    assert [c["handle"] for c in store.list_candidates(platform="youtube").items] == ["yone"]
    assert [c["handle"] for c in store.list_candidates(tier="nano").items] == ["m1"]
    assert [c["handle"] for c in store.list_candidates(checked=True).items] == ["s0"]
    assert store.list_candidates(checked=False).total == 6
    first, second = store.list_candidates(limit=4), store.list_candidates(limit=4, offset=4)
    assert first.next == 4 and second.next is None and first.total == second.total == 7
    assert not {c["id"] for c in first.items} & {c["id"] for c in second.items}
    with pytest.raises(ValueError):
        store.list_candidates(limit=0)


def test_candidates_of_one_page_keep_its_order(store):
    store.add_candidates([_cand(h) for h in ("zoe", "abe", "mia")])
    assert [c["handle"] for c in store.list_candidates().items] == ["zoe", "abe", "mia"]


def test_several_states_at_once_or_none(store):
    store.add_candidates([_cand(h) for h in ("fay", "gus")])
    ids = [store.find_candidate("x", h)["id"] for h in ("fay", "gus")]
    with pytest.raises(NotFound):
        store.set_candidate_states([ids[0], "cd_000000000000"], "queued")
    assert store.get_candidate(ids[0])["state"] == "new"  # nothing written
    assert [c["state"] for c in store.set_candidate_states(ids, "queued")] == ["queued", "queued"]
    assert {c["state"] for c in store.list_candidates().items} == {"queued"}
