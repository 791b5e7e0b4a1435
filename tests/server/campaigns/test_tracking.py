"""Deliverable tracking: a post is found again in a later snapshot by its id or its URL, and ingest
records its numbers for each campaign that marked it."""

from __future__ import annotations

import json


from scraper import parse
from server.campaigns.tracking import engagements, post_metrics
from server.ingest import track_deliverables
from tests.conftest import load_case


def _real(case: str) -> dict:
    capture, _ = load_case(case)
    return parse(capture).to_dict()


def test_a_post_page_gives_the_posts_numbers():
    snap = _real("tiktok/tt_video_7606836476323597588_ptBR_full")
    d = {"platform": "tiktok", "post_id": None,
         "url": "https://www.tiktok.com/@w..corporation/video/7606836476323597588"}
    m = post_metrics(snap, d)
    assert m == {"at": snap["captured_at"], "views": 317100, "likes": 32700, "comments": 449, "shares": 1425}
    assert engagements(m) == 32700 + 449 + 1425


def test_a_profile_shows_its_recent_posts_by_url_or_id_and_nothing_else():
    snap = _real("x/x_profile_XDevelopers_latest")
    post = snap["recent_posts"][1]
    by_url = post_metrics(snap, {"platform": "x", "url": post["url"].replace("https://x.com", "https://www.x.com/")})
    by_id = post_metrics(snap, {"platform": "x", "post_id": post["id"], "url": "https://x.com/other/status/1"})
    assert by_url == by_id and by_url["views"] == post["views"] and by_url["likes"] == post["likes"]
    assert post_metrics(snap, {"platform": "x", "url": "https://x.com/XDevelopers/status/123456"}) is None
    assert post_metrics(snap, {"platform": "tiktok", "post_id": post["id"]}) is None


def test_a_listed_post_without_counts_is_not_a_reading():
    snap = {"platform": "instagram", "captured_at": "2026-01-01T00:00:00Z",
            "recent_posts": [{"id": "C6__UnVK2Gf", "url": "https://www.instagram.com/p/C6__UnVK2Gf/"}]}
    assert post_metrics(snap, {"platform": "instagram", "url": "https://www.instagram.com/p/C6__UnVK2Gf/"}) is None


class _Campaigns:
    """Just the two CampaignRepository methods the ingest hook uses."""

    def __init__(self, deliverables, fail=False):
        self.deliverables, self.fail, self.recorded = deliverables, fail, []

    def deliverables_of(self, platform, handle):
        if self.fail:
            raise OSError("disk full")
        return [(cid, d) for cid, d in self.deliverables if d["platform"] == platform and handle == "bo"]

    def record_deliverable_metrics(self, cid, did, metrics):
        self.recorded.append((cid, did, metrics))
        return {}


def test_ingest_records_the_deliverables_a_snapshot_shows_and_never_fails_the_capture(caplog):
    snap = {"platform": "x", "handle": "bo", "captured_at": "2026-01-02T00:00:00Z", "recent_posts": [
        {"id": "111", "url": "https://x.com/bo/status/111", "views": 10, "likes": 2, "comments": 1, "shares": 0}]}
    store = _Campaigns([("cp_1", {"id": "dl_1", "platform": "x", "url": "https://x.com/bo/status/111"}),
                        ("cp_2", {"id": "dl_2", "platform": "x", "url": "https://x.com/bo/status/111"}),
                        ("cp_1", {"id": "dl_3", "platform": "x", "url": "https://x.com/bo/status/999"})])
    assert track_deliverables(store, snap, {"platform": "x", "handle": "bo"}) == 2
    assert [(c, d) for c, d, _ in store.recorded] == [("cp_1", "dl_1"), ("cp_2", "dl_2")]
    assert store.recorded[0][2]["views"] == 10
    broken = _Campaigns([], fail=True)
    assert track_deliverables(broken, snap, {"platform": "x", "handle": "bo"}) == 0
    assert "disk full" in caplog.text
    json.dumps(store.recorded)  # what the store is given is plain JSON
