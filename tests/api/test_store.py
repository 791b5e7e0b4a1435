"""The repository: one process per data directory, atomic writes, format version, layout."""

from __future__ import annotations

import pytest

from server import create_app
from server import store as store_mod
from server.store import Store, StoreError, StoreLocked


def _meta(data_dir) -> dict:
    return store_mod.read_file(data_dir / "meta.json", {"kind": "meta"})[1]


def _write_meta(data_dir, meta: dict) -> None:
    store_mod.write_file(data_dir / "meta.json", {"kind": "meta"}, meta)


def _creator_path(data_dir, platform: str, key: str):
    return data_dir / "creators" / platform / store_mod.creator_file(platform, key)


def _snap(handle: str, followers: int = 100, at: str = "2025-01-01T00:00:00Z") -> dict:
    return {"format": "kolscope.snapshot/1", "platform": "x", "handle": handle, "followers": followers,
            "captured_at": at}


def test_second_store_on_same_dir_fails_clearly(tmp_path):
    with Store(tmp_path):
        with pytest.raises(StoreLocked) as err:
            Store(tmp_path)
        assert "Another kolscope process" in err.value.message and str(tmp_path) in err.value.message
    Store(tmp_path).close()  # released on close


def test_second_app_on_same_dir_fails(app):
    with pytest.raises(StoreLocked):
        create_app({"DATA_DIR": app.config["DATA_DIR"]})


def test_reopen_keeps_everything(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(_snap("a"), {"tier": "nano"})
        s.add_snapshot(_snap("a", 120, "2025-02-01T00:00:00Z"), {"tier": "nano"})
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "x", "A")
        b = s.create_brief({"name": "b"})
        s.set_active_brief(b["id"])
        s.add_note("x", "a", "hello")
        tok = s.token()
    with Store(tmp_path) as s:
        assert s.get_creator("x", "A")["followers"] == 120
        assert [p["followers"] for p in s.history("x", "a")] == [100, 120]
        assert s.watchlist_creators(wl["id"])[0]["key"] == "a"
        assert s.active_brief_id() == b["id"] and s.list_notes("x", "a")[0]["text"] == "hello"
        assert s.token() == tok


def test_layout_one_history_file_per_creator(tmp_path):
    with Store(tmp_path) as s:
        for i in range(20):
            s.add_snapshot(_snap(f"user{i}"), None)
    files = sorted((tmp_path / "creators" / "x").glob("*/*.json"))
    assert files == sorted(_creator_path(tmp_path, "x", f"user{i}") for i in range(20))
    for path in files:
        head, _ = store_mod.read_file(path)
        assert head["kind"] == "creator" and head["platform"] == "x" and _creator_path(tmp_path, "x", head["key"]) == path
    shards = list((tmp_path / "index").glob("*.json"))
    assert 1 < len(shards) <= 20
    assert not list(tmp_path.rglob("*.tmp"))


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    with Store(tmp_path) as s:
        s.add_snapshot(_snap("a", 100), None)
        before = _creator_path(tmp_path, "x", "a").read_bytes()

        def boom(*a, **k):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(store_mod.os, "replace", boom)
        with pytest.raises(OSError):
            s.add_snapshot(_snap("a", 200, "2025-02-01T00:00:00Z"), None)
        monkeypatch.undo()
        assert _creator_path(tmp_path, "x", "a").read_bytes() == before
        assert not list(tmp_path.rglob("*.tmp"))
        assert [p["followers"] for p in s.history("x", "a")] == [100]  # the cache was dropped


def test_newer_format_refused(tmp_path):
    Store(tmp_path).close()
    meta = _meta(tmp_path)
    meta["_meta"]["1"]["format_version"] = store_mod.FORMAT_VERSION + 1
    _write_meta(tmp_path, meta)
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert err.value.code == "store_too_new"
    # the lock was released: the fixed store opens again
    meta["_meta"]["1"]["format_version"] = store_mod.FORMAT_VERSION
    _write_meta(tmp_path, meta)
    Store(tmp_path).close()


def test_migration_hook_runs(tmp_path, monkeypatch):
    Store(tmp_path).close()
    latest = store_mod.FORMAT_VERSION
    meta = _meta(tmp_path)
    meta["_meta"]["1"]["format_version"] = latest - 1
    _write_meta(tmp_path, meta)
    ran = []
    monkeypatch.setitem(store_mod.MIGRATIONS, latest - 1, lambda s: ran.append(s.dir))
    with Store(tmp_path):
        pass
    assert ran == [tmp_path.resolve()]
    assert _meta(tmp_path)["_meta"]["1"]["format_version"] == latest


def test_corrupt_file_is_a_clear_error(tmp_path):
    Store(tmp_path).close()
    (tmp_path / "meta.json").write_text('{"_meta": {"1": {"format_')
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert err.value.code == "store_corrupt"


def test_record_refresh_marks_stale(client, auth, app):
    from tests.api.conftest import post_capture, x_capture

    post_capture(client, auth, x_capture())
    s = app.extensions["kolscope.store"]
    s.record_refresh("x", "bo_runs", "running")
    c = client.get("/api/v1/creators/x/bo_runs", headers=auth).json["creator"]
    assert c["refresh"]["running"] is True and c["stale"] is False
    s.record_refresh("x", "bo_runs", "blocked", "429 from x.com")
    c = client.get("/api/v1/creators/x/bo_runs", headers=auth).json["creator"]
    assert c["stale"] is True and c["refresh"]["reason"] == "429 from x.com" and c["followers"] == 800
    assert s.refresh_status("x", "bo_runs")["status"] == "blocked"
    post_capture(client, auth, x_capture())  # new data: no longer stale
    assert client.get("/api/v1/creators/x/bo_runs", headers=auth).json["creator"]["stale"] is False
    with pytest.raises(ValueError):
        s.record_refresh("x", "bo_runs", "weird")


def test_leftover_temp_files_removed_on_open(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(_snap("a"), None)
    leftovers = [tmp_path / ".meta.json.1.2.tmp", _creator_path(tmp_path, "x", "a").with_name(".a.json.1.2.tmp")]
    for p in leftovers:
        p.write_text('{"half": ')
    with Store(tmp_path) as s:
        assert s.get_creator("x", "a")["followers"] == 100
    assert not any(p.exists() for p in leftovers)


def test_renamed_account_keeps_one_history(tmp_path):
    """Same platform id, new handle: the history, watchlists and notes go on under one creator, and
    both handles lead to it (also after reopening the store)."""
    with Store(tmp_path) as s:
        s.add_snapshot(dict(_snap("old_name"), platform_id="42"), {"tier": "nano"})
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "x", "old_name")
        s.add_note("x", "old_name", "met at the fair")
        assert s.account_handle("x", "new_name", "42") == "old_name"  # its history, before storing
        assert s.account_handle("x", "new_name", "43") == "new_name"  # another account
        s.add_snapshot(dict(_snap("new_name", 150, "2025-02-01T00:00:00Z"), platform_id="42"), {"tier": "nano"})
        assert len(s.list_creators()) == 1
    with Store(tmp_path) as s:
        for handle in ("old_name", "NEW_NAME"):
            summary = s.get_creator("x", handle)
            assert (summary["handle"], summary["followers"], summary["snapshots"]) == ("new_name", 150, 2)
        assert [p["followers"] for p in s.history("x", "new_name")] == [100, 150]
        assert [c["handle"] for c in s.watchlist_creators(wl["id"])] == ["new_name"]
        assert [n["text"] for n in s.list_notes("x", "new_name")] == ["met at the fair"]


def test_another_account_with_a_new_handle_is_another_creator(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(dict(_snap("a"), platform_id="1"), None)
        s.add_snapshot(dict(_snap("b"), platform_id="2"), None)
        s.add_snapshot(_snap("c"), None)  # no id: nothing to match on
        assert sorted(c["handle"] for c in s.list_creators()) == ["a", "b", "c"]


def test_youtube_channel_by_id_and_by_handle_is_one_creator(tmp_path):
    """A channel captured first by /channel/UC... (no @handle on the page: the id stands in for it),
    then by its @handle, and the other way round: one creator, shown by its @handle."""
    cid = "UCsXVk37bltHxD1rDPwtNM8Q"
    yt = {"format": "kolscope.snapshot/1", "platform": "youtube", "platform_id": cid, "followers": 1}
    with Store(tmp_path / "a") as s:
        s.add_snapshot(dict(yt, handle=cid, captured_at="2021-02-13T00:00:00Z"), None)
        s.add_snapshot(dict(yt, handle="kurzgesagt", followers=2, captured_at="2026-01-26T00:00:00Z"), None)
        (only,) = s.list_creators()
        assert (only["handle"], only["snapshots"]) == ("kurzgesagt", 2)
        assert s.get_creator("youtube", "Kurzgesagt")["key"] == cid
    with Store(tmp_path / "b") as s:
        s.add_snapshot(dict(yt, handle="kurzgesagt", captured_at="2026-01-26T00:00:00Z"), None)
        s.add_snapshot(dict(yt, handle=cid, followers=2, captured_at="2021-02-13T00:00:00Z"), None)
        (only,) = s.list_creators()
        assert (only["handle"], only["snapshots"]) == ("kurzgesagt", 2)  # the id does not hide the handle


def test_watchlisted_placeholder_of_a_known_account_folds_into_it(tmp_path):
    """A channel captured by /channel/UC..., then watchlisted by its @handle URL (not captured yet
    under that name), then captured by @handle: one creator, in the watchlist, with the note."""
    cid = "UCsXVk37bltHxD1rDPwtNM8Q"
    yt = {"format": "kolscope.snapshot/1", "platform": "youtube", "platform_id": cid}
    with Store(tmp_path) as s:
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
    with Store(tmp_path) as s:
        assert len(s.list_creators()) == 1 and s.get_creator("youtube", "kurzgesagt")["key"] == cid


def test_a_captured_creator_never_folds_into_another(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(dict(_snap("first"), platform_id="7"), None)
        s.add_snapshot(dict(_snap("second"), platform_id="8"), None)
        # "second" now shows id 7 (a page mix-up, or a handle handed on): it keeps its own data
        s.add_snapshot(dict(_snap("second", 5), platform_id="7"), None)
        assert sorted(c["handle"] for c in s.list_creators()) == ["first", "second"]
        assert s.get_creator("x", "second")["snapshots"] == 2
