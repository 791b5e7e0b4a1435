"""Notes per creator: the plan agreed with that partner, free text with timestamps."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.services import get_store
from server.api import api
from server.api.validation import NoQuery, body, check_creator_path, query
from server.api.views import note_view
from server.store import NotFound


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("A note cannot be blank.")
        return v


def _known(platform: str, handle: str) -> None:
    check_creator_path(platform, handle)
    if get_store().get_creator(platform, handle) is None:
        raise NotFound(f"Creator {platform}/{handle}")


@api.get("/creators/<platform>/<handle>/notes")
def list_notes(platform: str, handle: str):
    query(NoQuery)
    _known(platform, handle)
    return jsonify({"items": [note_view(n) for n in get_store().list_notes(platform, handle)]})


@api.post("/creators/<platform>/<handle>/notes")
def add_note(platform: str, handle: str):
    check_creator_path(platform, handle)
    data = body(NoteBody)
    _known(platform, handle)
    return jsonify(note_view(get_store().add_note(platform, handle, data.text))), 201


@api.delete("/creators/<platform>/<handle>/notes/<nid>")
def delete_note(platform: str, handle: str, nid: str):
    check_creator_path(platform, handle)
    get_store().delete_note(platform, handle, nid)
    return "", 204
