"""One writer per creator (issue 16): 8 captures of one creator sent at the same moment to a real
server over HTTP all land in its history, and each is scored with exactly the ones stored before it.

What shows the history a capture was scored with: the authenticity factor "growth" reports in its
value how many follower counts it read (`points`: one per day of history, plus the capture itself).
The captures are two days apart, so each stored point is its own day: a capture scored after k
others says k + 1. Without the per-creator lock, captures arriving together read the same history
and several say the same number; with it, the 8 answers say 1..8, each once. Beyond the count, each
answer's growth figures are recomputed from the points stored before it (the same scoring function,
the stored history points): the capture was scored with those points and no others.

Runs on TinyDB (one server), on PostgreSQL (one server), and on PostgreSQL with 4 `kolscope serve`
processes sharing the database, the captures spread over them (the lock must hold across processes).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from server import create_app
from server.scoring import score
from tests.server.api.conftest import x_capture
from tests.serving import ServeProcess, call, serve_in_thread

HANDLE = "eight_at_once"
CAPTURES = 8
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def captures() -> list[dict]:
    """8 captures of one creator, two days apart, each with its own follower count."""
    return [x_capture(HANDLE, followers=10_000 + 150 * i + 7 * i * i,
                      captured_at=(T0 + timedelta(days=2 * i)).isoformat().replace("+00:00", "Z"))
            for i in range(CAPTURES)]



def send_at_once(targets: list[tuple[str, str]], bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST each body to /api/v1/captures from its own thread, all released by one barrier;
    body i goes to targets[i % len(targets)] ((base URL, token) pairs)."""
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict] | None] = [None] * len(bodies)

    def send(i: int) -> None:
        base, token = targets[i % len(targets)]
        barrier.wait()
        try:
            answers[i] = call("POST", f"{base}/api/v1/captures", token, bodies[i])
        except OSError as exc:  # recorded, so the assertion names it instead of a thread dying quietly
            answers[i] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return [a or (0, {"error": "no answer"}) for a in answers]


def growth(scores: dict) -> dict:
    return next(f for f in scores["authenticity"]["factors"] if f["key"] == "growth")


def check_one_writer(targets: list[tuple[str, str]]) -> None:
    answers = send_at_once(targets, captures())
    assert [status for status, _ in answers] == [201] * CAPTURES, [body for _, body in answers]

    # every capture was scored with a different number of stored points: 0..7, each once
    earlier = [growth(body["scores"])["value"]["points"] - 1 for _, body in answers]
    assert sorted(earlier) == list(range(CAPTURES)), f"points each capture was scored with: {earlier}"

    base, token = targets[0]
    status, history = call("GET", f"{base}/api/v1/creators/x/{HANDLE}/history", token)
    assert status == 200, history
    stored = {p["captured_at"]: p for p in history["points"]}
    sent = {body["snapshot"]["captured_at"] for _, body in answers}
    assert len(history["points"]) == CAPTURES and set(stored) == sent

    # ... and with exactly the points stored before it: its growth figures come out of those
    by_arrival = sorted(answers, key=lambda a: growth(a[1]["scores"])["value"]["points"])
    for k, (_, body) in enumerate(by_arrival):
        before = [stored[b["snapshot"]["captured_at"]] for _, b in by_arrival[:k]]
        expected = growth(score(body["snapshot"], history=before, now=body["snapshot"]["captured_at"]))
        assert growth(body["scores"])["value"] == expected["value"], f"capture {k} of {CAPTURES}"


@pytest.mark.parametrize("engine", ["tinydb", "postgresql"])
def test_eight_simultaneous_captures_one_server(engine, request, tmp_path):
    config = {"DATA_DIR": str(tmp_path / "data"), "STORE_FSYNC": False}
    if engine == "postgresql":
        config["DATABASE"] = request.getfixturevalue("postgres_url")
    app = create_app(config)
    try:
        with serve_in_thread(app) as base:
            check_one_writer([(base, app.config["TOKEN"])])
    finally:
        app.extensions["kolscope.store"].close()


@pytest.mark.slow  # four `kolscope serve` processes
def test_eight_simultaneous_captures_four_processes_on_postgresql(postgres_url, tmp_path):
    servers = [ServeProcess(tmp_path / f"data{i}", postgres_url) for i in range(4)]
    try:
        for s in servers:
            s.launch()
        for s in servers:
            s.wait_ready()
        check_one_writer([(s.url, s.token()) for s in servers])
    finally:
        for s in servers:
            s.stop()
