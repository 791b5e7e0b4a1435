"""POST /api/v1/captures: a capture -> parse, score against the active brief, store; 201.

A list page (search, tag, related channels, followers, following, comments) that is no creator page
answers 201 with the list instead ({kind, creators, candidates_added, ...}: server/discovery.py), its
creators kept as candidates. A creator page that also shows a list (a profile's followers tab, a
post's comments) answers as a creator page, with the list's answer under `listing`."""

from __future__ import annotations

import time
from typing import Any, Literal

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator

from scraper.errors import CaptureError
from server.discovery import add_listing, list_page, side_listing
from server.services import get_store
from server.api import api
from server.api.validation import json_body, validate
from server.api.views import creator_view_for
from server.ingest import captured_at_problem, ingest_capture
from server.scoring.decision import decision_numbers


class CaptureResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    url: str = Field(max_length=8192)
    status: int | None = None
    content_type: str | None = Field(default=None, max_length=500)
    body: str | dict | list | None = None


class CaptureBody(BaseModel):
    """The shape of a kolscope.capture/1 (docs/formats.md); whether it is a usable creator page is
    the parser's answer (422 with its code), not this schema's."""

    model_config = ConfigDict(extra="allow")
    format: Literal["kolscope.capture/1"] = "kolscope.capture/1"
    url: str = Field(min_length=1, max_length=8192, pattern=r"^https?://")
    captured_at: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=64)
    html: str | None = ""
    responses: list[CaptureResponse] = Field(default_factory=list, max_length=2000)

    @field_validator("captured_at")
    @classmethod
    def _captured_at(cls, v: str | None) -> str | None:
        problem = captured_at_problem(v) if v is not None else None
        if problem:
            raise ValueError(problem)
        return v


@api.post("/captures")
def post_capture():
    started = time.perf_counter()
    raw: Any = json_body()
    validate(CaptureBody, raw)
    store = get_store()
    try:
        summary, snapshot, scores = ingest_capture(store, raw)
    except CaptureError as exc:
        listing = list_page(raw, exc)
        if listing is None:
            raise
        return _timed(jsonify(add_listing(store, listing)), started), 201
    body = {"creator": creator_view_for(store, summary), "snapshot": snapshot, "scores": scores,
            "decision": decision_numbers(snapshot)}
    shown = side_listing(store, raw)
    if shown is not None:
        body["listing"] = shown
    return _timed(jsonify(body), started), 201


def _timed(response, started: float):
    # decode + validate + parse + score + store, so a client can tell the server's share of its wait
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
