"""What knowing who makes each request costs (issue 16): a user's token is looked up in the store on
every request (so a revoked token stops at once), the store's own token is compared in memory.

Measured through the Flask test client (in this thread, so CPU time: on shared cores a wall clock
mostly measures the wait for a core) on a TinyDB store holding 1, 100 and 1,000 users: the median
CPU time of `GET /api/v1/me` with the owner's token and with the last-added user's token, and a dashboard
page signed in as that user (its session re-checks the token too). Target: for a team of 100 users a
user's request costs at most 1 ms more than the owner's at the median. 1,000 users are measured
without a target: the TinyDB store reads its whole users table (TinyDB's `all()`, a copy of every
record) for each lookup, tens of ms at that size; a team that large belongs on PostgreSQL.
"""

from __future__ import annotations

import statistics
import tempfile
import time

from bench import load_line, pct
from server import create_app

USER_COUNTS = (1, 100, 1000)
RUNS = 300
TARGET_EXTRA_MS = 1.0
TARGET_USERS = 100


def _times(client, path: str, headers: dict) -> list[float]:
    out = []
    for _ in range(RUNS):
        t = time.thread_time()
        r = client.get(path, headers=headers)
        out.append((time.thread_time() - t) * 1000)
        assert r.status_code == 200, r.status_code
    return out


def main() -> bool:
    print(load_line())
    met = True
    for count in USER_COUNTS:
        with tempfile.TemporaryDirectory() as data:
            app = create_app({"DATA_DIR": data, "STORE_FSYNC": False, "TESTING": True})
            try:
                store = app.extensions["kolscope.store"]
                token = ""
                for i in range(count):
                    _, token = store.add_user(f"user{i}")
                client = app.test_client()
                owner = _times(client, "/api/v1/me", {"Authorization": f"Bearer {app.config['TOKEN']}"})
                user = _times(client, "/api/v1/me", {"Authorization": f"Bearer {token}"})
                client.post("/login", data={"token": token})
                page = _times(client, "/watchlists", {})
            finally:
                app.extensions["kolscope.store"].close()
        extra = statistics.median(user) - statistics.median(owner)
        ok = count != TARGET_USERS or extra <= TARGET_EXTRA_MS
        met &= ok
        print(f"{count:>5} users: GET /me CPU: owner p50 {statistics.median(owner):.2f} ms (p95 {pct(owner, 95):.2f}), "
              f"user p50 {statistics.median(user):.2f} ms (p95 {pct(user, 95):.2f}), extra {extra:+.2f} ms; "
              f"dashboard page as the user p50 {statistics.median(page):.2f} ms"
              + ("" if count != TARGET_USERS else f" [target extra <= {TARGET_EXTRA_MS} ms: {'met' if ok else 'MISSED'}]"))
    return met


if __name__ == "__main__":
    main()
