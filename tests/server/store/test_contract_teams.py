"""The store's contract for teams (issue 16), on every engine: users and their tokens, who wrote
what (notes, bookmarks, plans), refresh task ids, and one writer per creator."""

from __future__ import annotations

import threading
import time

import pytest

from server.store import Conflict, NotFound, StoreError


def _snap(handle: str, followers: int = 100, at: str = "2025-01-01T00:00:00Z") -> dict:
    return {"format": "kolscope.snapshot/1", "platform": "x", "handle": handle, "followers": followers,
            "captured_at": at}


def test_a_user_gets_a_token_once_and_the_store_keeps_only_its_digest(store_factory):
    with store_factory() as s:
        user, token = s.add_user("ana", admin=True)
        assert (user["name"], user["admin"], user["revoked_at"]) == ("ana", True, None)
        assert user["token_hint"] == token[:4] and len(token) >= 32
        assert "token_sha256" not in user and token not in repr(s.list_users())
        assert s.user_for_token(token)["name"] == "ana"
        assert s.user_for_token(token + "x") is None and s.user_for_token("") is None
        s.add_user("bo")
    with store_factory() as s:  # kept
        assert [u["name"] for u in s.list_users()] == ["ana", "bo"]
        assert s.get_user("ANA")["admin"] is True and s.get_user("bo")["admin"] is False
        assert s.user_for_token(token)["name"] == "ana"


def test_user_names_are_unique_checked_and_owner_is_reserved(store):
    store.add_user("ana")
    with pytest.raises(Conflict):
        store.add_user("Ana")
    for bad in ("", "a b", "x" * 65, "owner", "Owner", "<b>", ".", ".."):
        with pytest.raises(StoreError) as err:
            store.add_user(bad)
        assert err.value.code == "invalid_user_name"
    with pytest.raises(NotFound):
        store.get_user("nobody")
    with pytest.raises(NotFound):
        store.revoke_user("nobody")


def test_a_revoked_token_stops_working_and_a_rotated_one_replaces_it(store):
    _, t1 = store.add_user("ana")
    _, t2 = store.add_user("bo")
    revoked = store.revoke_user("ana")
    assert revoked["revoked_at"] and store.user_for_token(t1) is None
    assert store.user_for_token(t2)["name"] == "bo"
    user, t3 = store.rotate_token("bo")
    assert t3 != t2 and store.user_for_token(t2) is None and store.user_for_token(t3)["name"] == "bo"
    _, t4 = store.rotate_token("ana")  # a new token signs a revoked user back in
    assert store.user_for_token(t4)["name"] == "ana" and store.get_user("ana")["revoked_at"] is None


def test_notes_bookmarks_and_plans_carry_their_author(store):
    store.add_snapshot(_snap("a"), None)
    note = store.add_note("x", "a", "met at the fair", author="ana")
    assert (note["author"], note["updated_by"]) == ("ana", None)
    edited = store.update_note("x", "a", note["id"], "met twice", author="bo")
    assert (edited["author"], edited["updated_by"], edited["text"]) == ("ana", "bo", "met twice")
    assert store.add_note("x", "a", "old style")["author"] is None
    wl = store.create_watchlist("W")
    store.add_to_watchlist(wl["id"], "x", "a", author="bo")
    store.add_to_watchlist(wl["id"], "x", "A", author="ana")  # already there: the first bookmark stays
    store.add_to_watchlist(wl["id"], "x", "b")
    members = store.watchlist_creators(wl["id"])
    assert [(m["key"], m["added_by"]) for m in members] == [("a", "bo"), ("b", None)]
    assert members[0]["added_at"]
    store.remove_from_watchlist(wl["id"], "x", "a")
    assert [m["key"] for m in store.watchlist_creators(wl["id"])] == ["b"]
    cid = store.create_campaign({"name": "Spring", "currency": "EUR"})["id"]
    partner = store.add_partner(cid, "x", "a", {"fee": 100}, author="ana")
    assert (partner["author"], partner["updated_by"]) == ("ana", "ana")
    changed = store.update_partner(cid, partner["id"], {"status": "contacted"}, author="bo")
    assert (changed["author"], changed["updated_by"]) == ("ana", "bo")


def test_a_refresh_task_is_remembered_with_its_snapshot(store_factory):
    with store_factory() as s:
        assert s.applied_task("x", "a", "t1") is False  # no such creator yet
        s.add_snapshot(_snap("a"), None, task_id="t1")
        s.add_snapshot(_snap("a", 120, "2025-01-02T00:00:00Z"), None)
        assert s.applied_task("x", "A", "t1") and not s.applied_task("x", "a", "t2")
    with store_factory() as s:
        assert s.applied_task("x", "a", "t1")
        for n in range(60):  # the last TASK_IDS_KEPT are kept
            s.add_snapshot(_snap("a", 200 + n, f"2025-02-{1 + n % 28:02d}T{n // 28:02d}:00:00Z"), None, task_id=f"n{n}")
        assert s.applied_task("x", "a", "n59") and not s.applied_task("x", "a", "t1")


def test_one_writer_per_creator_at_a_time(store):
    """A second holder of the same creator's lock waits; another creator's does not."""
    order: list[str] = []
    held = threading.Event()

    def first():
        with store.creator_lock("x", "a"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    started = time.monotonic()
    with store.creator_lock("x", "b"):
        assert time.monotonic() - started < 0.25  # another creator: not blocked
    with store.creator_lock("x", "A"):  # the same creator (handles fold case)
        order.append("second")
    t.join()
    assert order == ["first done", "second"]


def test_two_handles_of_one_account_arriving_together_are_one_creator(store, monkeypatch):
    """A renamed account refreshed under its old and its new handle at once (both watched): the
    second capture waits for the first (the account's lock), finds its platform id and goes on the
    same creator, scored with the first's point. Without the account lock both would look the id up
    before either stored it, and start two creators."""
    from server.ingest import ingest_snapshot

    met = threading.Barrier(2, timeout=1.0)  # both inside the lock at once: the race, if it can happen
    looked_up = store.account_handle

    def slow_lookup(platform, handle, platform_id):
        try:
            met.wait()
        except threading.BrokenBarrierError:
            pass  # the other capture waits on the lock, as it should
        return looked_up(platform, handle, platform_id)

    monkeypatch.setattr(store, "account_handle", slow_lookup)
    answers: dict[str, tuple] = {}

    def capture(handle: str, followers: int):
        answers[handle] = ingest_snapshot(store, dict(_snap(handle, followers), platform_id="2244994945"))

    threads = [threading.Thread(target=capture, args=(h, n)) for h, n in (("TwitterDev", 100), ("XDevelopers", 110))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert set(answers) == {"TwitterDev", "XDevelopers"}
    keys = {store.get_creator("x", h)["key"] for h in answers}
    assert len(keys) == 1, keys
    assert len(store.history("x", "XDevelopers")) == 2
