"""`kolscope migrate`: a data directory's store copied into PostgreSQL with nothing lost (checked
record by record), re-runnable, a difference reported, an unusable source or target said in one line."""

from __future__ import annotations

import pytest

from server.cli import main
from server.store import TinyDBStore, open_store


def _snap(handle: str, followers: int | None = 100, at: str = "2025-01-01T00:00:00Z", **extra) -> dict:
    return {"format": "kolscope.snapshot/1", "platform": "x", "handle": handle, "followers": followers,
            "captured_at": at, **extra}


def _fill(store: TinyDBStore, *, campaigns: bool) -> None:
    """Every kind of record: scored creators with history and task ids, a renamed account, a
    placeholder, refresh status and log, watchlists with authors and cron, briefs and settings, the
    owner token, notes with authors and editors, users (one revoked); campaigns and candidates."""
    b = store.create_brief({"name": "Spring runners", "languages": ["de"]})
    store.create_brief({"name": "other"})
    store.set_active_brief(b["id"])
    store.set_extension_id("abcdefghijklmnopabcdefghijklmnop")
    store.token()
    point = {"format": "kolscope.history/1", "captured_at": "2025-01-01T00:00:00Z", "followers": 100,
             "recent_posts": [{"id": "1", "views": 50, "likes": 3, "hashtags": ["run"]}], "terms": ["run"]}
    store.add_snapshot(_snap("anna", 100, display_name="Anna"), {"tier": "nano", "fit": {"score": 71.5}},
                       brief_id=b["id"], history_point=point, task_id="t1")
    store.add_snapshot(_snap("anna", 130, "2025-02-01T00:00:00Z"), {"tier": "nano"}, task_id="t2")
    store.add_snapshot(_snap("old_name", 10, platform_id="42"), None)
    store.add_snapshot(_snap("new_name", 12, "2025-02-01T00:00:00Z", platform_id="42"), None)  # renamed
    store.record_refresh("x", "anna", "blocked", "429 from x.com", code="rate_limited")
    store.record_refresh("x", "anna", "ok")
    wl = store.create_watchlist("Shortlist", 12, "0 6 * * *")
    store.add_to_watchlist(wl["id"], "x", "anna", author="ana")
    store.add_to_watchlist(wl["id"], "x", "later", "https://x.com/later")  # a placeholder
    store.create_watchlist("Empty")
    note = store.add_note("x", "anna", "met at the fair", author="ana")
    store.update_note("x", "anna", note["id"], "met twice", author="bo")
    store.add_note("x", "new_name", "renamed in March")
    store.add_user("ana", admin=True)
    store.add_user("bo")
    store.revoke_user("bo")
    if campaigns:
        cid = store.create_campaign({"name": "Spring", "currency": "EUR", "kpis": [{"metric": "sales", "target": 10}]})["id"]
        partner = store.add_partner(cid, "x", "anna", {"fee": 100, "promo_codes": ["ANNA10"]}, author="ana")
        d = store.add_deliverable(cid, partner["id"], "https://x.com/anna/status/1", "x", "1")
        store.record_deliverable_metrics(cid, d["id"], {"at": "2025-03-01T00:00:00Z", "views": 500, "likes": 20})
        store.import_orders(cid, [{"order_id": "o1", "date": "2025-03-02", "total": 40.0, "currency": "EUR",
                                   "code": "ANNA10"}])
        store.add_candidates([{"platform": "x", "handle": "cand_one", "followers": 900,
                               "path": {"kind": "mention", "label": "mentioned", "via": "anna",
                                        "page_url": "https://x.com/anna", "at": "2025-03-03T00:00:00Z"}}])


@pytest.fixture
def source(tmp_path):
    return tmp_path / "data"


def _migrate(source, url, capsys) -> tuple[int, str, str]:
    code = main(["migrate", "--from", str(source), "--to", url])
    out, err = capsys.readouterr()
    return code, out, err


def _row_counts(url: str) -> dict[str, int]:
    with open_store({"DATABASE": url}) as pg, pg._tx() as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]
                for t in ("creators", "history", "aliases", "watchlists", "watchlist_members", "briefs",
                          "notes", "users", "settings")}


def _same_records(source, url) -> None:
    """The copy compared here too, not only by the command's own check."""
    with TinyDBStore(source) as a, open_store({"DATABASE": url}) as b:
        assert sorted(map(repr, a.list_creators())) == sorted(map(repr, b.list_creators()))
        for s in a.list_creators():
            assert a.creator_record(s["platform"], s["key"]) == b.creator_record(s["platform"], s["key"])
        assert b.get_creator("x", "OLD_NAME")["handle"] == "new_name"  # the alias came along
        assert a.list_watchlists() == b.list_watchlists() and a.list_briefs() == b.list_briefs()
        assert (a.active_brief_id(), a.extension_id(), a.token()) == (b.active_brief_id(), b.extension_id(), b.token())
        assert a.list_notes("x", "anna") == b.list_notes("x", "anna")
        assert a.list_users() == b.list_users()
        assert b.applied_task("x", "anna", "t1") and b.refresh_status("x", "anna") == a.refresh_status("x", "anna")


def test_migrate_copies_everything_and_can_run_again(source, postgres_url, capsys):
    with TinyDBStore(source) as store:
        _fill(store, campaigns=False)
    code, out, err = _migrate(source, postgres_url, capsys)
    assert code == 0, out + err
    assert out.strip().endswith("checked: identical")
    assert "copied 3 creators, 4 points, 1 aliases, 2 watchlists, 2 briefs, 2 notes, 2 users" in out
    _same_records(source, postgres_url)
    rows = _row_counts(postgres_url)
    again, out2, _ = _migrate(source, postgres_url, capsys)
    assert (again, out2) == (0, out)  # the same counts
    assert _row_counts(postgres_url) == rows  # nothing duplicated


def test_migrate_copies_campaigns_and_candidates(source, postgres_url, capsys):
    with TinyDBStore(source) as store:
        _fill(store, campaigns=True)
    code, out, err = _migrate(source, postgres_url, capsys)
    assert code == 0 and "1 campaigns, 1 candidates; checked: identical" in out, out + err
    with TinyDBStore(source) as a, open_store({"DATABASE": postgres_url}) as b:
        (campaign,) = a.list_campaigns()
        cid = campaign["id"]
        assert b.get_campaign(cid) == campaign and b.list_partners(cid) == a.list_partners(cid)
        assert b.list_deliverables(cid) == a.list_deliverables(cid) and b.list_orders(cid) == a.list_orders(cid)
        assert b.list_candidates(limit=None).items == a.list_candidates(limit=None).items
    assert _migrate(source, postgres_url, capsys)[:2] == (0, out)


def test_a_difference_is_listed_and_exits_1(source, postgres_url, capsys):
    with TinyDBStore(source) as store:
        _fill(store, campaigns=False)
    with open_store({"DATABASE": postgres_url}) as pg:
        pg.add_snapshot(_snap("zed"), None)  # the target held a creator the source has not
    code, out, _ = _migrate(source, postgres_url, capsys)
    assert code == 1
    assert "1 difference(s)" in out and "creator x/zed: in the target only" in out


def test_an_unusable_source_or_target_is_one_line_and_exit_2(source, tmp_path, postgres_url, capsys):
    code, out, err = _migrate(tmp_path / "nothing", postgres_url, capsys)
    assert code == 2 and "holds no kolscope store" in err and len(err.strip().splitlines()) == 1
    with TinyDBStore(source) as store:
        _fill(store, campaigns=False)
        code, _, err = _migrate(source, postgres_url, capsys)  # a server holds the directory
        assert code == 2 and "Another kolscope process" in err and len(err.strip().splitlines()) == 1
    code, _, err = _migrate(source, "mysql://127.0.0.1/x", capsys)
    assert code == 2 and "postgresql://" in err
    code, _, err = _migrate(source, "postgresql://kolscope:pw@127.0.0.1:1/x", capsys)
    assert code == 2 and "Cannot connect" in err and ":pw@" not in err and len(err.strip().splitlines()) == 1


def test_token_database_prints_the_team_servers_token(postgres_url, capsys):
    with open_store({"DATABASE": postgres_url}) as store:
        token = store.token()
    assert main(["token", "--database", postgres_url]) == 0
    assert capsys.readouterr().out.strip() == token


def test_serve_refuses_a_broker_without_a_shared_database(tmp_path, capsys):
    assert main(["serve", "--data", str(tmp_path / "d"), "--broker", "redis://127.0.0.1:1/0"]) == 2
    assert "--broker needs --database" in capsys.readouterr().err
