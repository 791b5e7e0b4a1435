"""The campaign and candidate rules both engines share (server/store/campaign_records.py,
candidates.py): text PostgreSQL text cannot hold is treated alike on both engines (in a candidate, a
NUL is kept and half a surrogate pair becomes U+FFFD, as in a creator's snapshot; in a deliverable's
URL either is refused), and a creator's deliverables follow every change, also after a reopen."""

from __future__ import annotations

import pytest

from server.store import StoreError
from tests.server.store.test_contract import _cand, _campaign, _plan

ODD = ("nul\x00inside", "half \ud800 pair")


@pytest.mark.parametrize("odd, kept", [(ODD[0], ODD[0]), (ODD[1], "half \ufffd pair")])
def test_a_candidates_text_is_kept_alike(store_factory, odd, kept):
    with store_factory() as s:
        (doc, new), = s.merge_candidates([dict(_cand("anna", pid=f"id {odd}", tier=f"Micro {odd}", name=f"Anna {odd}"),
                                               followers_text=odd)])
        assert new and (doc["display_name"], doc["platform_id"], doc["followers_text"]) == (f"Anna {kept}", f"id {kept}", kept)
        s.add_candidates([_cand("anna", kind="mention", via=f"mention:{odd}", label=f"mentioned by {odd}")])
        failed = s.set_candidate_state(doc["id"], "failed", f"reason {odd}")
        assert failed["state_reason"] == f"reason {kept}" and failed["display_name"] == f"Anna {kept}"
    with store_factory() as s:  # reopened: the same text, found by the filters that read it
        got = s.get_candidate(doc["id"])
        assert (got["display_name"], got["tier"], got["state_reason"]) == (f"Anna {kept}", f"Micro {kept}", f"reason {kept}")
        assert [p["label"] for p in got["paths"]] == ['"running" search on X', f"mentioned by {kept}"]
        assert [c["id"] for c in s.list_candidates(tier=f"MICRO {kept}").items] == [doc["id"]]
        assert s.list_candidates(tier="micro").total == 0
        assert s.list_candidates(tier=odd, platform=odd, source=odd).total == 0  # asked, not an error
        # a capture of the account by its platform id finds its candidate
        assert s.candidate_captured("x", "anna_renamed", f"id {kept}")["id"] == doc["id"]
        assert s.find_candidate("x", "anna")["state"] == "checked"


@pytest.mark.parametrize("odd", ODD)
def test_a_deliverable_url_with_text_no_url_has_is_refused_alike(store, odd):
    cid = _campaign(store)["id"]
    pid = store.add_partner(cid, "x", "alice", _plan())["id"]
    for url, post_id in ((f"https://x.com/alice/status/1{odd}", "1"), ("https://x.com/alice/status/1", f"1{odd}")):
        with pytest.raises(StoreError) as err:
            store.add_deliverable(cid, pid, url, "x", post_id)
        assert err.value.code == "invalid_text" and "NUL" in err.value.message
    assert store.list_deliverables(cid) == []


def test_a_creators_deliverables_follow_every_change_and_a_reopen(store_factory):
    with store_factory() as s:
        cids = [_campaign(s, name)["id"] for name in ("Spring", "Summer", "Autumn")]
        partners = {}
        for cid in cids:
            for handle in ("anna", "bob"):
                partners[cid, handle] = s.add_partner(cid, "x", handle, _plan(500, handle.upper()))["id"]
        for n, cid in enumerate(cids[:2]):
            s.add_deliverable(cid, partners[cid, "anna"], f"https://x.com/anna/status/{n}", "x", str(n))
        assert s.deliverables_of("x", "bob") == []
        assert [c for c, _ in s.deliverables_of("x", "ANNA")] == sorted(cids[:2])
        s.add_deliverable(cids[2], partners[cids[2], "anna"], "https://x.com/anna/status/9", "x", "9")
        assert [c for c, _ in s.deliverables_of("x", "anna")] == sorted(cids)
        s.remove_partner(cids[0], partners[cids[0], "anna"])
        s.delete_campaign(cids[1])
        assert [(c, d["post_id"]) for c, d in s.deliverables_of("x", "anna")] == [(cids[2], "9")]
    with store_factory() as s:
        assert [(c, d["post_id"]) for c, d in s.deliverables_of("x", "anna")] == [(cids[2], "9")]
        pid = s.add_partner(cids[0], "x", "anna", _plan(500, "ANNA2"))["id"]
        s.add_deliverable(cids[0], pid, "https://x.com/anna/status/5", "x", "5")
        assert [c for c, _ in s.deliverables_of("x", "anna")] == sorted([cids[0], cids[2]])
