"""The candidates' file (<data>/discovery.json): an envelope like every store file, checked and
repaired by `kolscope fsck`; damaged, it fails discovery clearly and never the captures."""

from __future__ import annotations

import errno

import pytest

from server import create_app
from server.cli import main
from server.store import Store
from server.store import tinydb as engine
from tests.conftest import load_listpage
from tests.server.api.conftest import post_capture, x_capture


def _cand(handle: str) -> dict:
    return {"platform": "x", "handle": handle, "path": {"kind": "search", "label": "s", "via": "search:s"}}


def test_fsck_checks_and_repairs_the_candidates_file(tmp_path, capsys):
    with Store(tmp_path) as s:
        s.add_candidates([_cand("ann_f")])
        s.add_candidates([_cand("bob_f")])
    path = tmp_path / "discovery.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    raw = bytearray(path.read_bytes())
    raw[-10] ^= 0x01
    path.write_bytes(bytes(raw))
    assert main(["fsck", "--data", str(tmp_path)]) == 1
    assert f"PROBLEM {path}: does not match its checksum" in capsys.readouterr().out
    assert main(["fsck", "--data", str(tmp_path), "--repair"]) == 0
    assert f"REPAIRED {path}: restored from discovery.json.bak" in capsys.readouterr().out
    with Store(tmp_path) as s:
        assert [c["handle"] for c in s.list_candidates().items] == ["ann_f"]  # the copy before the last write


def test_a_damaged_candidates_file_fails_discovery_not_captures(tmp_path):
    with Store(tmp_path / "data") as s:
        s.add_candidates([_cand("ann_f")])
    path = tmp_path / "data" / "discovery.json"
    path.write_bytes(path.read_bytes()[:-20])
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "TESTING": True, "STORE_FSYNC": False})
    try:
        client, auth = app.test_client(), {"Authorization": f"Bearer {app.config['TOKEN']}"}
        r = client.get("/api/v1/candidates", headers=auth)
        assert r.status_code == 503 and r.json["error"]["code"] == "store_corrupt"
        assert "discovery.json" in r.json["error"]["message"] and "kolscope fsck" in r.json["error"]["message"]
        assert post_capture(client, auth, x_capture("still_ok")).status_code == 201  # the capture is stored
        assert client.get("/api/v1/creators/x/still_ok", headers=auth).status_code == 200
        # a creator page that also shows a list: stored, answered without the list it could not keep
        followers, _ = load_listpage("x/x_followers_TwitterDev_2023-04")
        r = post_capture(client, auth, followers)
        assert r.status_code == 201 and "listing" not in r.json and r.json["creator"]["handle"] == "TwitterDev"
    finally:
        app.extensions["kolscope.store"].close()


def test_a_failed_write_leaves_the_candidates_as_they_were(tmp_path, monkeypatch):
    with Store(tmp_path) as s:
        s.add_candidates([_cand("ann_f")])

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(engine, "write_file", full)
        with pytest.raises(OSError):
            s.add_candidates([_cand("bob_f"), _cand("cyd_f")])
        monkeypatch.undo()
        assert [c["handle"] for c in s.list_candidates().items] == ["ann_f"]
        assert s.find_candidate("x", "bob_f") is None
        s.add_candidates([_cand("bob_f")])
    with Store(tmp_path) as s:
        assert [c["handle"] for c in s.list_candidates().items] == ["bob_f", "ann_f"]
