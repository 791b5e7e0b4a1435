"""PostgreSQL-only tests of the campaign and candidate tables (postgres_campaigns.py,
postgres_discovery.py): what the contract suite cannot say because it runs in one process on either
engine. Two processes importing one orders file, or filing the same candidates, at once; the
per-creator deliverables look-up going through its index; and `kolscope migrate`'s id-preserving
imports giving back exactly what the TinyDB store holds, however often they run."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from server.store import Conflict, open_store
from server.store.postgres import PostgresStore
from server.store.postgres_campaigns import DELIVERABLES_OF_SQL

PLAN = {"fee": 300, "currency": "USD", "promo_codes": ["ANNA10"], "tracking_url": None, "talking_points": "",
        "deliverables": [{"platform": "x", "format": "post", "count": 1, "due": None}]}


def _campaign(store, name: str = "Spring") -> str:
    return store.create_campaign({"name": name, "objective": "sales", "kpis": [{"metric": "orders", "target": 10}],
                                  "budget": 5000, "currency": "USD"})["id"]


def _orders(n: int) -> list[dict]:
    return [{"order_id": f"#{1000 + i}", "date": "2025-03-01", "total": -5.0 if i % 50 == 0 else 10.0 + i % 3,
             "currency": "USD", "code": f"CODE{i % 7}" if i % 4 else None,
             "codes": [f"CODE{i % 7}", "EXTRA"] if i % 4 == 1 else None} for i in range(n)]


def _cand(handle: str, n: int) -> dict:
    return {"platform": "x", "handle": handle, "platform_id": None, "followers": 1000 + n, "rounded": False,
            "tier": "micro", "path": {"kind": "search", "label": '"running" search on X', "via": "search:running",
                                      "page_url": None, "at": "2026-01-01T00:00:00Z", "count": 1}}


# -- two processes at once (spawned: each its own interpreter, pool and connections) ----------------

def _at(start: float) -> None:
    time.sleep(max(0.0, start - time.time()))


def _import_orders_in_process(url: str, cid: str, n: int, start: float, out) -> None:
    with PostgresStore(url) as store:
        _at(start)
        out.put(store.import_orders(cid, _orders(n)))


def _add_candidates_in_process(url: str, handles: list[str], start: float, out) -> None:
    with PostgresStore(url) as store:
        _at(start)
        out.put(store.add_candidates([_cand(h, i) for i, h in enumerate(handles)]))


def _run_together(target, *args) -> list:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 4  # both are connected and waiting by then (a spawn imports the app's modules)
    procs = [ctx.Process(target=target, args=(*args, start, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return results


def test_two_processes_importing_one_orders_file_at_once_add_each_order_once(postgres_url):
    with PostgresStore(postgres_url) as store:
        cid = _campaign(store)
        first, second = _run_together(_import_orders_in_process, postgres_url, cid, 20_000)
        assert sorted([first["imported"], second["imported"]]) == [0, 20_000]
        assert first["skipped"] + second["skipped"] == 20_000
        orders = store.list_orders(cid)
        assert len(orders) == len({o["order_id"] for o in orders}) == 20_000 == store.get_campaign(cid)["orders"]
        assert [o["order_id"] for o in orders[:3]] == ["#1000", "#1001", "#1002"]  # the file's order
        totals = store.order_totals(cid)
        assert sum(t["orders"] + t["refunds"] for t in totals) == 20_000
        assert round(sum(t["revenue"] for t in totals), 6) == round(sum(o["total"] for o in _orders(20_000)), 6)


def test_two_processes_filing_the_same_candidates_at_once_keep_one_each(postgres_url):
    handles = [f"runner{i}" for i in range(300)]
    with PostgresStore(postgres_url) as store:
        first, second = _run_together(_add_candidates_in_process, postgres_url, handles)
        assert first + second == 300  # each account new once, in one process or the other
        page = store.list_candidates(limit=None)
        assert page.total == 300 and sorted(c["handle"] for c in page.items) == sorted(handles)
        assert all(len(c["paths"]) == 1 for c in page.items)  # the same path seen twice is one path


# -- indexes --------------------------------------------------------------------------------------

def test_deliverables_of_reads_the_creators_index(postgres_url):
    with PostgresStore(postgres_url) as store:
        for name in ("Spring", "Summer"):
            cid = _campaign(store, name)
            for handle in ("anna", "bob"):
                pid = store.add_partner(cid, "x", handle, PLAN)["id"]
                store.add_deliverable(cid, pid, f"https://x.com/{handle}/status/{name}", "x", name)
        found = store.deliverables_of("x", "ANNA")
        assert sorted((d["key"], d["post_id"]) for _, d in found) == [("anna", "Spring"), ("anna", "Summer")]
        assert [cid for cid, _ in found] == sorted(cid for cid, _ in found)  # by campaign id, as TinyDB's
        with store._tx() as conn:
            conn.execute("SET LOCAL enable_seqscan = off")  # with 4 rows a scan is cheaper; ask what it can use
            plan = "\n".join(r["QUERY PLAN"] for r in conn.execute("EXPLAIN " + DELIVERABLES_OF_SQL, ("x", "anna")))
        assert "deliverables_creator" in plan


# -- kolscope migrate: id-preserving imports --------------------------------------------------------

def _campaign_view(store, cid: str) -> tuple:
    return (store.get_campaign(cid), store.list_partners(cid), store.list_deliverables(cid), store.list_orders(cid),
            sorted(store.order_totals(cid), key=lambda t: (t["codes"], t["currency"])))


def test_migrate_imports_copy_campaigns_and_candidates_exactly_and_can_run_again(tmp_path, postgres_url):
    with open_store({"DATA_DIR": str(tmp_path / "data"), "STORE_FSYNC": False}) as tiny:
        cid = _campaign(tiny)
        anna = tiny.add_partner(cid, "x", "anna", PLAN, author="ana")
        tiny.update_partner(cid, anna["id"], {"status": "agreed"}, author="bo")
        did = tiny.add_deliverable(cid, anna["id"], "https://x.com/anna/status/9", "x", "9")["id"]
        tiny.record_deliverable_metrics(cid, did, {"at": "2025-03-02T00:00:00Z", "views": 70, "likes": 3})
        tiny.import_orders(cid, _orders(500))
        tiny.add_candidates([_cand("zoe", 1), _cand("abe", 2), {**_cand("cy", 3), "platform_id": "77"}])
        tiny.add_candidates([{**_cand("cy_new", 3), "platform_id": "77"}])  # renamed: two keys
        tiny.set_candidate_state(tiny.find_candidate("x", "abe")["id"], "failed", "X asked to log in")
        want = _campaign_view(tiny, cid)
        want_cands = tiny.list_candidates(limit=None).items
        with PostgresStore(postgres_url) as pg:
            for _ in range(2):  # a second run changes nothing and doubles nothing
                pg.import_campaign(tiny.get_campaign(cid), tiny.list_partners(cid), tiny.list_deliverables(cid),
                                   tiny.list_orders(cid))
                pg.import_candidates(tiny.list_candidates(limit=None).items)  # in listing order: ties keep it
                assert _campaign_view(pg, cid) == want
                assert pg.list_candidates(limit=None).items == want_cands
            assert pg.find_candidate("x", "cy")["handle"] == "cy_new"  # found by its old key too
            assert pg.deliverables_of("x", "anna")[0][1]["id"] == did
            assert pg.import_orders(cid, _orders(501))["imported"] == 1  # numbered after the copied ones
            assert pg.list_orders(cid)[-1]["order_id"] == "#1500"


def test_a_campaign_name_taken_by_another_id_is_a_conflict_on_import(postgres_url):
    with PostgresStore(postgres_url) as pg:
        cid = _campaign(pg)
        doc = dict(pg.get_campaign(cid), id="cp_0123456789ab")
        with pytest.raises(Conflict):
            pg.import_campaign(doc, [], [], [])
        assert [c["id"] for c in pg.list_campaigns()] == [cid]


def test_a_campaign_name_with_a_nul_is_kept_as_written(postgres_url):
    with PostgresStore(postgres_url) as pg:  # PostgreSQL text holds no NUL: the name lives in the json document
        cid = pg.create_campaign({"name": "Spring\x00Sale", "objective": "sales", "kpis": [], "currency": "USD"})["id"]
        assert pg.get_campaign(cid)["name"] == "Spring\x00Sale"
        with pytest.raises(Conflict):
            pg.create_campaign({"name": "SPRING\x00sale", "objective": "sales", "kpis": [], "currency": "USD"})
