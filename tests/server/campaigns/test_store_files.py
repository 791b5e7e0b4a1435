"""The TinyDB engine's campaign files (server/store/tinydb_campaigns.py): where they live, that a
damaged or lost one is an error and never "no orders", and that fsck, its repair and the tidy at
each start know them."""

from __future__ import annotations

import os
import stat

import pytest

from server.cli import main
from server.store import Store, StoreCorrupt
from server.store.tinydb import read_file, write_file


def _order(oid: str, total: float = 10.0, code: str | None = "ALICE10") -> dict:
    return {"order_id": oid, "date": "2025-03-01", "total": total, "currency": "USD", "code": code}


def _filled(data) -> tuple[str, dict]:
    with Store(data, fsync=False) as s:
        cid = s.create_campaign({"name": "Spring", "objective": "sales", "kpis": [], "currency": "USD"})["id"]
        s.add_partner(cid, "x", "alice", {"fee": 100, "promo_codes": ["ALICE10"]})
        s.import_orders(cid, [_order("1"), _order("2")])
        s.import_orders(cid, [_order("3")])  # a second write: the first stays as the .bak
    folder = data / "campaigns"
    return cid, {"campaign": folder / f"{cid}.json", "orders": folder / f"{cid}.orders.json"}


def _fsck(data, *extra: str, capsys) -> tuple[int, str]:
    code = main(["fsck", "--data", str(data), *extra])
    return code, capsys.readouterr().out


def test_a_campaign_is_two_files_beside_the_creators(tmp_path, capsys):
    cid, files = _filled(tmp_path)
    assert all(p.is_file() for p in files.values())
    assert files["orders"].read_bytes().startswith(b'{"kolscope":') and b'"kind":"orders"' in files["orders"].read_bytes()
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 0 and "0 problem(s)" in out


def test_fsck_finds_damaged_orders_and_repair_restores_the_last_good_copy(tmp_path, capsys):
    cid, files = _filled(tmp_path)
    raw = bytearray(files["orders"].read_bytes())
    raw[-10] ^= 0x01
    files["orders"].write_bytes(bytes(raw))
    with Store(tmp_path) as s, pytest.raises(StoreCorrupt):
        s.order_totals(cid)  # an error naming the file, never "no orders"
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 1 and f"PROBLEM {files['orders']}: does not match its checksum" in out
    code, out = _fsck(tmp_path, "--repair", capsys=capsys)
    assert code == 0 and f"REPAIRED {files['orders']}" in out
    with Store(tmp_path) as s:
        assert [o["order_id"] for o in s.list_orders(cid)] == ["1", "2"]  # the version before the last import


def test_lost_orders_file_is_an_error_and_an_orphan_is_a_note(tmp_path, capsys):
    cid, files = _filled(tmp_path)
    files["orders"].rename(tmp_path / "elsewhere.json")
    with Store(tmp_path) as s, pytest.raises(StoreCorrupt, match="missing"):
        s.list_orders(cid)
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 1 and f"PROBLEM {files['orders']}: is missing (campaign {cid} counts 3 order(s))" in out
    (tmp_path / "elsewhere.json").rename(files["orders"])
    files["campaign"].unlink()
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 0 and f"note    {files['orders']}: the orders of campaign {cid}, which no longer exists" in out


def test_fsck_notices_a_partner_lost_from_the_index(tmp_path, capsys):
    cid, files = _filled(tmp_path)
    head, data = read_file(files["campaign"])
    data["partners"]["1"]["key"] = "nobody"  # a well-formed file naming a creator the index lacks
    write_file(files["campaign"], {k: head[k] for k in ("kind", "campaign")}, data, sync=False)
    code, out = _fsck(tmp_path, capsys=capsys)
    assert code == 1 and f"has lost x/nobody, a partner of campaign {cid}" in out


def test_the_start_tidies_the_campaign_folder(tmp_path):
    cid, files = _filled(tmp_path)
    os.chmod(files["campaign"], 0o644)
    leftover = files["campaign"].with_name(f".{cid}.json.123.456.tmp")
    leftover.write_bytes(b"half")
    with Store(tmp_path) as s:
        assert s.get_campaign(cid)["name"] == "Spring"
    assert stat.S_IMODE(files["campaign"].stat().st_mode) == 0o600 and not leftover.exists()
