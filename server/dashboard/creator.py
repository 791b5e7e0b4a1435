"""A creator's page at `/creator/<platform>/<handle>`: every factor with its reason, the follower
history (a table and an inline SVG line), recent posts and notes."""

from __future__ import annotations

from flask import render_template

from scraper.times import parse_time
from server.api.views import creator_view_for, note_view
from server.dashboard import bp, signed_in
from server.scoring.decision import decision_numbers
from server.services import get_store
from server.store import StoreError

HISTORY_ROWS = 60
CHART_W, CHART_H = 640, 140


@bp.get("/creator/<platform>/<handle>")
@signed_in
def creator(platform: str, handle: str):
    store = get_store()
    try:
        record = store.creator_record(platform, handle)
    except StoreError as exc:
        if exc.code != "invalid_handle":
            raise
        record = None  # not a valid handle for that platform: no such creator either
    if record is None:
        return render_template("missing.html", platform=platform, handle=handle), 404
    summary, latest, points = record["summary"], record["latest"] or {}, record["history"]
    rows = []
    for i, p in enumerate(points):
        before = points[i - 1].get("followers") if i else None
        now = p.get("followers")
        change = now - before if isinstance(now, int) and isinstance(before, int) else None
        rows.append(dict(p, change=change))
    names = {w["id"]: w["name"] for w in store.list_watchlists()}
    return render_template(
        "creator.html", c=creator_view_for(store, summary), snapshot=latest.get("snapshot") or {},
        scores=latest.get("scores") or {},
        decision=decision_numbers(latest["snapshot"]) if latest.get("snapshot") else None, history=list(reversed(rows))[:HISTORY_ROWS], total=len(points),
        chart=follower_chart(points), notes=[note_view(n) for n in store.list_notes(platform, handle)],
        names=names)


def follower_chart(points: list[dict], width: int = CHART_W, height: int = CHART_H) -> dict | None:
    """An SVG polyline of followers over time (x by capture time), or None under two points. Pure
    geometry: the template draws it inline, no script (the page's CSP allows none)."""
    series = [(parse_time(p.get("captured_at")), p["followers"]) for p in points
              if isinstance(p.get("followers"), int)]
    series = [(t, f) for t, f in series if t is not None]
    if len(series) < 2:
        return None
    t0, t1 = series[0][0].timestamp(), series[-1][0].timestamp()
    lo, hi = min(f for _, f in series), max(f for _, f in series)
    pad = 6
    span_t, span_f = (t1 - t0) or 1.0, (hi - lo) or 1
    coords = []
    for t, f in series:
        x = pad + (t.timestamp() - t0) / span_t * (width - 2 * pad)
        y = height - pad - (f - lo) / span_f * (height - 2 * pad)
        coords.append(f"{x:.1f},{y:.1f}")
    return {"points": " ".join(coords), "width": width, "height": height, "min": lo, "max": hi,
            "first": series[0][0].date().isoformat(), "last": series[-1][0].date().isoformat()}
