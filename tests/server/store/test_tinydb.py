"""The TinyDB engine (server/store/tinydb.py): one process per data directory (a flock), atomic
writes that keep the last version, the format version and its migrations, the file layout; and its
integrity (issue 11, parts 3, 4, 9 and file permissions): an emptied, missing,
truncated or corrupt file stops the start with a message naming it (never an empty store), a request
on a corrupt creator answers a JSON error and overwrites nothing, `kolscope fsck` finds and repairs,
creator files cannot collide, the format 1 layout migrates, the lock survives `rm <data>/lock`, and
files are private."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from types import MappingProxyType

import pytest

from server import create_app
from server.cli import main
from server.store import Store, StoreCorrupt, StoreError, StoreLocked
from server.store import tinydb as store_mod
from tests.server.api.conftest import post_capture, x_capture
from tests.server.api.test_crash import ROOT, free_port, start_server


def _snap(handle: str, followers: int = 100, at: str = "2025-01-01T00:00:00Z", platform: str = "x") -> dict:
    return {"format": "kolscope.snapshot/1", "platform": platform, "handle": handle, "followers": followers,
            "captured_at": at}


def _creator_path(data, platform: str, key: str):
    return data / "creators" / platform / store_mod.creator_file(platform, key)


def _shard_path(data, platform: str, key: str):
    return data / "index" / f"{store_mod.shard_no(platform, key):02x}.json"


def _filled(data) -> dict:
    """A store with two captures of x/alice, one of x/bob, a watchlist and a note."""
    with Store(data, fsync=False) as s:
        s.add_snapshot(_snap("alice", 100), None)
        s.add_snapshot(_snap("alice", 120, "2025-02-01T00:00:00Z"), None)
        s.add_snapshot(_snap("bob", 7), None)
        wl = s.create_watchlist("W", 12)
        s.add_to_watchlist(wl["id"], "x", "alice")
        s.add_note("x", "alice", "private: fee 2k")
    return {"meta": data / "meta.json", "creator": _creator_path(data, "x", "alice"),
            "shard": _shard_path(data, "x", "alice")}


def _meta(data_dir) -> dict:
    return store_mod.read_file(data_dir / "meta.json", {"kind": "meta"})[1]


def _write_meta(data_dir, meta: dict) -> None:
    store_mod.write_file(data_dir / "meta.json", {"kind": "meta"}, meta)


def _fsck(data, *extra: str, capsys) -> tuple[int, str]:
    code = main(["fsck", "--data", str(data), *extra])
    return code, capsys.readouterr().out


def test_second_store_on_same_dir_fails_clearly(tmp_path):
    with Store(tmp_path):
        with pytest.raises(StoreLocked) as err:
            Store(tmp_path)
        assert "Another kolscope process" in err.value.message and str(tmp_path) in err.value.message
    Store(tmp_path).close()  # released on close


def test_second_app_on_same_dir_fails(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "STORE_FSYNC": False})
    try:
        with pytest.raises(StoreLocked):
            create_app({"DATA_DIR": str(tmp_path)})
    finally:
        app.extensions["kolscope.store"].close()


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
    monkeypatch.setattr(store_mod, "MIGRATIONS",
                        MappingProxyType({**store_mod.MIGRATIONS, latest - 1: lambda s: ran.append(s.dir)}))
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


def test_leftover_temp_files_removed_on_open(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(_snap("a"), None)
    leftovers = [tmp_path / ".meta.json.1.2.tmp", _creator_path(tmp_path, "x", "a").with_name(".a.json.1.2.tmp")]
    for p in leftovers:
        p.write_text('{"half": ')
    with Store(tmp_path) as s:
        assert s.get_creator("x", "a")["followers"] == 100
    assert not any(p.exists() for p in leftovers)


@pytest.mark.parametrize("which", ["meta", "creator", "shard"])
def test_emptied_file_stops_startup_and_fsck_reports_it(tmp_path, which, capsys):
    path = _filled(tmp_path)[which]
    path.write_bytes(b"")
    with pytest.raises(StoreCorrupt) as err:
        Store(tmp_path)
    assert err.value.code == "store_corrupt" and str(path) in err.value.message and "is empty" in err.value.message
    assert "kolscope fsck" in err.value.message
    assert path.read_bytes() == b""  # nothing written over it
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 1 and f"PROBLEM {path}: is empty" in out
    # `kolscope serve` stops with the same message, no traceback
    assert main(["serve", "--data", str(tmp_path), "--no-scheduler"]) == 2
    serr = capsys.readouterr().err
    assert str(path) in serr and "kolscope fsck" in serr and "Traceback" not in serr


@pytest.mark.parametrize("which", ["meta", "creator", "shard"])
def test_missing_referenced_file_stops_startup(tmp_path, which):
    path = _filled(tmp_path)[which]
    path.unlink()
    with pytest.raises(StoreCorrupt) as err:
        Store(tmp_path)
    assert str(path) in err.value.message and "missing" in err.value.message
    assert not path.exists()


def test_truncated_or_swapped_creator_file_stops_startup(tmp_path):
    files = _filled(tmp_path)
    whole = files["creator"].read_bytes()
    files["creator"].write_bytes(whole[:-40])
    with pytest.raises(StoreCorrupt) as err:
        Store(tmp_path)
    assert "truncated" in err.value.message and str(files["creator"]) in err.value.message
    # bob's file copied over alice's: a whole, valid file, but not hers
    files["creator"].write_bytes(_creator_path(tmp_path, "x", "bob").read_bytes())
    with pytest.raises(StoreCorrupt) as err:
        Store(tmp_path)
    assert "'bob', not 'alice'" in err.value.message


def test_a_new_directory_is_still_a_new_store(tmp_path):
    with Store(tmp_path / "fresh") as s:
        assert s.list_creators() == [] and s.list_watchlists() == []


def test_corrupt_creator_at_request_time_is_a_json_error_and_nothing_is_overwritten(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True, "STORE_FSYNC": False})
    try:
        client = app.test_client()
        auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
        assert post_capture(client, auth, x_capture("alice")).status_code == 201
        assert post_capture(client, auth, x_capture("bob")).status_code == 201
        path = _creator_path(tmp_path, "x", "alice")
        raw = bytearray(path.read_bytes())
        at = raw.index(b'"followers":') + len(b'"followers":')
        raw[at] = ord("9") if raw[at] != ord("9") else ord("8")  # one changed digit: same size, valid JSON
        path.write_bytes(bytes(raw))
        for url in ("/api/v1/creators/x/alice/history", "/api/v1/creators/x/alice/scores"):
            r = client.get(url, headers=auth)
            assert r.status_code == 503 and r.json["error"]["code"] == "store_corrupt"
            assert str(path) in r.json["error"]["message"] and "checksum" in r.json["error"]["message"]
        r = post_capture(client, auth, x_capture("alice", followers=900))
        assert r.status_code == 503 and r.json["error"]["code"] == "store_corrupt"
        assert path.read_bytes() == bytes(raw)  # not overwritten
        assert client.get("/api/v1/creators/x/bob/history", headers=auth).status_code == 200
        assert client.get("/api/v1/creators", headers=auth).status_code == 200
    finally:
        app.extensions["kolscope.store"].close()


def test_fsck_clean_store(tmp_path, capsys):
    _filled(tmp_path)
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 0 and "0 problem(s)" in out and "PROBLEM" not in out


def test_fsck_finds_a_flipped_byte_and_repair_restores_the_last_good_copy(tmp_path, capsys):
    files = _filled(tmp_path)
    raw = bytearray(files["creator"].read_bytes())
    raw[-10] ^= 0x01
    files["creator"].write_bytes(bytes(raw))
    Store(tmp_path).close()  # the start checks headers and sizes only (not every checksum of a 2 GB store)
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 1 and f"PROBLEM {files['creator']}: does not match its checksum" in out
    code, out = _fsck(tmp_path, "--repair", capsys=capsys)
    assert code == 0 and f"REPAIRED {files['creator']}: restored from" in out and "0 problem(s) left" in out
    assert list(files["creator"].parent.glob("*.damaged-*"))  # the damaged file kept aside
    with Store(tmp_path) as s:
        assert [p["followers"] for p in s.history("x", "alice")] == [100]  # the version before the last write


def test_fsck_repair_says_what_it_cannot_repair(tmp_path, capsys):
    files = _filled(tmp_path)
    bob = _creator_path(tmp_path, "x", "bob")  # written once: no previous copy
    bob.write_bytes(b"")
    files["meta"].write_bytes(b"{}")
    code, out = _fsck(tmp_path, "--repair", capsys=capsys)
    assert code == 1
    assert f"REPAIRED {files['meta']}" in out
    assert f"NOT REPAIRED {bob}: is empty (no good backup)" in out


def test_fsck_refuses_while_a_server_holds_the_store(tmp_path, capsys):
    with Store(tmp_path):
        assert main(["fsck", "--data", str(tmp_path)]) == 2
        assert "Another kolscope process" in capsys.readouterr().err


# -- part 4: one file per creator -----------------------------------------------------------------

def test_non_ascii_handle_and_its_hex_lookalike_stay_two_creators(tmp_path):
    with Store(tmp_path) as s:
        s.add_snapshot(_snap("ñandú", 1, platform="youtube"), None)
        s.add_snapshot(_snap("x-c3b1616e64c3ba", 2, platform="youtube"), None)
        s.add_snapshot(_snap("ñandú", 3, "2025-02-01T00:00:00Z", platform="youtube"), None)
    with Store(tmp_path) as s:
        assert [p["followers"] for p in s.history("youtube", "ñandú")] == [1, 3]
        assert [p["followers"] for p in s.history("youtube", "x-c3b1616e64c3ba")] == [2]
        assert s.latest("youtube", "x-c3b1616e64c3ba")["snapshot"]["handle"] == "x-c3b1616e64c3ba"
        assert len(s.list_creators()) == 2
    assert _creator_path(tmp_path, "youtube", "ñandú") != _creator_path(tmp_path, "youtube", "x-c3b1616e64c3ba")


# -- migration from format 1 ----------------------------------------------------------------------

_V1_SAFE = store_mod._V1_SAFE_FILE


def _v1_name(key: str) -> str:
    """Format 1's file naming (the store up to format 1: `_file_name`)."""
    return key + ".json" if _V1_SAFE.match(key) else "x-" + key.encode("utf-8").hex() + ".json"


def _v1_store(data) -> None:
    """A data directory as format 1 wrote it: plain TinyDB JSON, creator files named after keys,
    0644 files. ñandú and its hex lookalike share one file, as format 1 had them."""
    def summary(platform, key, handle, followers, n):
        return {"platform": platform, "key": key, "handle": handle, "followers": followers, "captured": True,
                "snapshots": n, "captured_at": "2025-02-01T00:00:00Z", "refresh": {}}

    def write(path, obj):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, ensure_ascii=False))
        os.chmod(path, 0o644)

    def creator(platform, handle, points):
        hist = {str(i): {"captured_at": f"2025-0{i}-01T00:00:00Z", "followers": f} for i, f in enumerate(points, 1)}
        snap = _snap(handle, points[-1], platform=platform)
        return {"history": hist, "latest": {"1": {"snapshot": snap, "scores": None, "brief_id": None}}}

    cid = "UCsXVk37bltHxD1rDPwtNM8Q"
    people = [("x", "bo_runs", "Bo_Runs", [5, 6]), ("youtube", cid, "kurzgesagt", [7]),
              ("youtube", "ñandú", "ñandú", [1, 3]), ("youtube", "x-c3b1616e64c3ba", "x-c3b1616e64c3ba", [2])]
    shards: dict[int, dict] = {}
    for platform, key, handle, points in people:
        shard = shards.setdefault(store_mod.shard_no(platform, key), {})
        shard[str(len(shard) + 1)] = summary(platform, key, handle, points[-1], len(points))
    for n, docs in shards.items():
        write(data / "index" / f"{n:02x}.json", {"_default": docs})
    write(data / "creators" / "x" / _v1_name("bo_runs"), creator("x", "Bo_Runs", [5, 6]))
    write(data / "creators" / "youtube" / _v1_name(cid), creator("youtube", "kurzgesagt", [7]))
    # format 1 wrote both into x-c3b1616e64c3ba.json: ñandú's two points and then its lookalike's one
    shared = creator("youtube", "x-c3b1616e64c3ba", [1, 3, 2])
    write(data / "creators" / "youtube" / _v1_name("ñandú"), shared)
    assert _v1_name("ñandú") == _v1_name("x-c3b1616e64c3ba")
    write(data / "meta.json", {
        "_meta": {"1": {"format_version": 1, "created_at": "2025-01-01T00:00:00.000Z"}},
        "watchlists": {"1": {"id": "wl_1", "name": "W", "refresh_interval_hours": 24, "refresh_cron": None,
                             "creators": [{"platform": "x", "key": "bo_runs"}, {"platform": "youtube", "key": cid}]}},
        "notes": {"1": {"id": "nt_1", "platform": "x", "key": "bo_runs", "text": "hi", "created_at": "x"}},
        "aliases": {"1": {"platform": "youtube", "alias": "kurzgesagt", "key": cid}},
    })


def test_format_1_store_migrates(tmp_path, capsys):
    _v1_store(tmp_path)
    with Store(tmp_path) as s:
        assert [p["followers"] for p in s.history("x", "bo_runs")] == [5, 6]
        assert [p["followers"] for p in s.history("youtube", "Kurzgesagt")] == [7]  # by its alias
        assert s.latest("youtube", "UCsXVk37bltHxD1rDPwtNM8Q")["snapshot"]["handle"] == "kurzgesagt"
        # the shared file's history stays with both, as both showed it; from now on they are apart
        assert [p["followers"] for p in s.history("youtube", "ñandú")] == [1, 3, 2]
        assert [p["followers"] for p in s.history("youtube", "x-c3b1616e64c3ba")] == [1, 3, 2]
        s.add_snapshot(_snap("ñandú", 4, "2025-05-01T00:00:00Z", platform="youtube"), None)
        assert len(s.history("youtube", "x-c3b1616e64c3ba")) == 3
        assert [c["key"] for c in s.watchlist_creators("wl_1")] == ["bo_runs", "UCsXVk37bltHxD1rDPwtNM8Q"]
        assert s.list_notes("x", "bo_runs")[0]["text"] == "hi"
    assert store_mod.read_file(tmp_path / "meta.json", {"kind": "meta"})[1]["_meta"]["1"]["format_version"] == 2
    assert not list((tmp_path / "creators").glob("*/*.json"))  # no format 1 file left
    assert _creator_path(tmp_path, "x", "bo_runs").is_file()
    assert stat.S_IMODE(_creator_path(tmp_path, "x", "bo_runs").stat().st_mode) == 0o600
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 0, out


def test_format_1_migration_resumes_after_a_crash(tmp_path, monkeypatch):
    _v1_store(tmp_path)
    real_unlink, calls = os.unlink, []

    def crash_on_second(path, *a, **k):
        if str(path).endswith(".json") and "creators" in str(path):
            calls.append(path)
            if len(calls) == 2:
                raise KeyboardInterrupt("kill")
        return real_unlink(path, *a, **k)

    monkeypatch.setattr(store_mod.Path, "unlink", lambda self, missing_ok=False: crash_on_second(self))
    with pytest.raises(KeyboardInterrupt):
        Store(tmp_path)
    monkeypatch.undo()
    with Store(tmp_path) as s:
        assert [p["followers"] for p in s.history("x", "bo_runs")] == [5, 6]
        assert [p["followers"] for p in s.history("youtube", "UCsXVk37bltHxD1rDPwtNM8Q")] == [7]
        assert len(s.list_creators()) == 4
    assert not list((tmp_path / "creators").glob("*/*.json"))


# -- part 9: the lock -----------------------------------------------------------------------------

def test_deleting_the_lock_file_does_not_let_a_second_store_in(tmp_path):
    with Store(tmp_path):
        (tmp_path / "lock").unlink()
        with pytest.raises(StoreLocked):
            Store(tmp_path)
    Store(tmp_path).close()


def test_a_killed_holder_does_not_block_the_next_start(tmp_path):
    code = ("import sys, time; from server.store import Store; s = Store(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLocked):
            Store(tmp_path)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    Store(tmp_path).close()


@pytest.mark.slow
def test_second_server_refused_after_the_lock_file_is_deleted(tmp_path):
    data = tmp_path / "data"
    first = start_server(data, free_port())
    try:
        (data / "lock").unlink()
        second = subprocess.run(
            [sys.executable, "-m", "server.cli", "serve", "--data", str(data), "--port", str(free_port()),
             "--no-scheduler"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "Another kolscope process is using the data directory" in second.stderr
    finally:
        first.terminate()
        first.wait(10)


# -- file permissions -----------------------------------------------------------------------------

def _modes(data) -> dict[str, int]:
    return {str(p.relative_to(data)): stat.S_IMODE(p.stat().st_mode) for p in [data, *data.rglob("*")]}


def test_data_files_are_private(tmp_path):
    data = tmp_path / "data"
    app = create_app({"DATA_DIR": str(data), "TESTING": True, "STORE_FSYNC": False})
    try:
        client = app.test_client()
        auth = {"Authorization": f"Bearer {app.config['TOKEN']}"}
        post_capture(client, auth, x_capture("alice"))
        post_capture(client, auth, x_capture("alice", followers=900))
        client.post("/api/v1/creators/x/alice/notes", json={"text": "private"}, headers=auth)
    finally:
        app.extensions["kolscope.store"].close()
    modes = _modes(data)
    assert {"meta.json", "meta.json.bak", "token", "lock"} <= set(modes)
    assert any(name.endswith(".json.bak") and name.startswith("creators") for name in modes)
    for name, mode in modes.items():
        assert mode == (0o700 if (data / name).is_dir() else 0o600), (name, oct(mode))


def test_open_makes_an_existing_directory_private(tmp_path):
    _filled(tmp_path)
    os.chmod(tmp_path, 0o755)
    for p in [tmp_path / "meta.json", _creator_path(tmp_path, "x", "alice"), tmp_path / "index"]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    (tmp_path / "scheduler.sqlite").write_bytes(b"")
    os.chmod(tmp_path / "scheduler.sqlite", 0o644)
    Store(tmp_path).close()
    for name, mode in _modes(tmp_path).items():
        assert mode == (0o700 if (tmp_path / name).is_dir() else 0o600), (name, oct(mode))


def test_scheduler_files_are_private(tmp_path):
    from server import scheduler

    data = tmp_path / "data"
    app = create_app({"DATA_DIR": str(data), "TESTING": True, "STORE_FSYNC": False})
    try:
        assert scheduler.start(app, force=True) is not None
        time.sleep(0.2)
    finally:
        scheduler.shutdown(app)
        app.extensions["kolscope.store"].close()
    for name in ("scheduler.sqlite", "scheduler.lock"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_a_shard_damaged_under_a_running_store_does_not_replace_its_backup(tmp_path):
    with Store(tmp_path, fsync=False) as s:
        s.add_snapshot(_snap("alice", 1), None)
        s.add_snapshot(_snap("alice", 2, "2025-02-01T00:00:00Z"), None)
        shard = _shard_path(tmp_path, "x", "alice")
        good_bak = store_mod.backup_path(shard).read_bytes()
        shard.write_bytes(b"")  # damaged behind the running store, which holds the index in memory
        s.add_snapshot(_snap("alice", 3, "2025-03-01T00:00:00Z"), None)
        assert store_mod.backup_path(shard).read_bytes() == good_bak
        s.add_snapshot(_snap("alice", 4, "2025-04-01T00:00:00Z"), None)  # its own file again: .bak follows
        assert store_mod.read_file(store_mod.backup_path(shard))[1]["_default"]["1"]["followers"] == 3
    with Store(tmp_path) as s:
        assert s.get_creator("x", "alice")["followers"] == 4


def test_rescoring_skips_a_damaged_creator_and_goes_on(tmp_path):
    from server.rescore import rescore_all

    with Store(tmp_path, fsync=False) as s:
        for h in ("alice", "bob"):
            s.add_snapshot(_snap(h), {"tier": "nano"})
        _creator_path(tmp_path, "x", "alice").write_bytes(b"")
        brief = s.create_brief({"name": "B"})
        assert rescore_all(s, brief) == 1
        assert s.latest("x", "bob")["brief_id"] == brief["id"]
        assert _creator_path(tmp_path, "x", "alice").read_bytes() == b""


def test_forgetting_a_creator_deletes_its_file_and_backup_and_fsck_stays_clean(tmp_path):
    from server.fsck import check

    data = tmp_path / "data"
    with Store(data, fsync=False) as store:
        for followers, day in ((100, 1), (120, 2)):  # a second write leaves a .bak of the creator file
            store.add_snapshot({"platform": "x", "handle": "gone", "followers": followers,
                                "captured_at": f"2025-01-0{day}T00:00:00Z"}, None)
        store.add_snapshot({"platform": "x", "handle": "kept", "followers": 5, "captured_at": "2025-01-01T00:00:00Z"},
                           None)
        path = store._creator_path("x", "gone")
        assert path.exists() and store_mod.backup_path(path).exists()
        assert store.forget_creators([("x", "gone")]) == 1
        assert not path.exists() and not store_mod.backup_path(path).exists()
    fd = store_mod.lock_dir(data)
    try:
        assert check(data).problems == []
    finally:
        os.close(fd)


def test_a_creators_deliverables_are_read_from_its_campaigns_only(tmp_path):
    """deliverables_of (every capture asks) opens the campaigns holding posts of that creator, not
    every campaign file: the index is built once, on first use, and kept by each change."""
    store = Store(tmp_path / "data", fsync=False)
    plan = {"fee": 1, "currency": "USD", "promo_codes": [], "tracking_url": None, "deliverables": []}
    cids = [store.create_campaign({"name": f"c{n}", "objective": "sales", "kpis": [], "currency": "USD"})["id"]
            for n in range(6)]
    for n, cid in enumerate(cids):
        pid = store.add_partner(cid, "x", "anna" if n in (1, 4) else f"bob{n}", plan)["id"]
        store.add_deliverable(cid, pid, f"https://x.com/a/status/{n}", "x", str(n))
    store.close()

    store = Store(tmp_path / "data", fsync=False)
    store.deliverables_of("x", "bob0")  # the first use reads every campaign once, to build the index
    opened = []
    real = store._campaign_db
    store._campaign_db = lambda cid, **kw: opened.append(cid) or real(cid, **kw)
    assert [c for c, _ in store.deliverables_of("x", "anna")] == sorted([cids[1], cids[4]])
    assert sorted(opened) == sorted([cids[1], cids[4]])
    opened.clear()
    assert store.deliverables_of("x", "carol") == [] and opened == []
    store.close()
