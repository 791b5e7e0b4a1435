"""Briefs (a campaign's target, validated by scoring's Brief model): CRUD, and which one is active."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import MethodNotAllowed

from server.services import get_store, rescore_in_background
from server.api import api
from server.api.errors import invalid
from server.api.validation import NoQuery, body, json_body, query, validate
from server.api.views import brief_view


def _brief_model():
    from server.scoring.brief import Brief  # the rules of a brief live with scoring

    return Brief


def _not_active(bid: str) -> None:
    """/briefs/active is its own resource: the <bid> routes must not take it for an id."""
    if bid == "active":
        raise MethodNotAllowed(valid_methods=["GET", "PUT"])


def _validated_brief(data: Any) -> dict:
    if not isinstance(data, dict):
        raise invalid({"body": "A brief must be a JSON object."})
    # id/created_at/... from a GET may come back in a PUT: they are not the brief's fields
    data = {k: v for k, v in data.items() if k not in ("id", "created_at", "updated_at", "active")}
    return validate(_brief_model(), data).model_dump(mode="json")


class ActiveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(max_length=64)


@api.get("/briefs")
def list_briefs():
    query(NoQuery)
    store = get_store()
    active = store.active_brief_id()
    return jsonify({"items": [brief_view(b, active) for b in store.list_briefs()], "active": active})


@api.post("/briefs")
def create_brief():
    brief = _validated_brief(json_body())
    store = get_store()
    return jsonify(brief_view(store.create_brief(brief), store.active_brief_id())), 201


def _active_answer():
    store = get_store()
    doc = store.active_brief()
    return jsonify({"id": doc["id"] if doc else None, "brief": brief_view(doc, doc["id"]) if doc else None})


@api.get("/briefs/active")
def get_active():
    query(NoQuery)
    return _active_answer()


@api.put("/briefs/active")
def put_active():
    data = body(ActiveBody)
    store = get_store()
    changed = store.active_brief_id() != data.id
    store.set_active_brief(data.id)
    if changed:
        rescore_active(store)
    return _active_answer()


def rescore_active(store) -> None:
    """Fit against the brief now in force, for every stored creator (in the background)."""
    current_app.extensions["kolscope_rescore"] = rescore_in_background(store, store.active_brief())


@api.get("/briefs/<bid>")
def get_brief(bid: str):
    query(NoQuery)
    store = get_store()
    return jsonify(brief_view(store.get_brief(bid), store.active_brief_id()))


@api.put("/briefs/<bid>")
def put_brief(bid: str):
    store = get_store()
    store.get_brief(bid)  # 404 first
    brief = _validated_brief(json_body())
    doc = store.replace_brief(bid, brief)
    if bid == store.active_brief_id():
        rescore_active(store)
    return jsonify(brief_view(doc, store.active_brief_id()))


@api.delete("/briefs/<bid>")
def delete_brief(bid: str):
    _not_active(bid)
    store = get_store()
    was_active = store.active_brief_id() == bid
    store.delete_brief(bid)
    if was_active:
        rescore_active(store)  # no brief in force any more: fit goes back to "needs a brief"
    return "", 204
