"""Notes per creator: the plan agreed with that partner, free text with timestamps. The dashboard's
note forms (server/dashboard/creator.py) check the text with the same `NoteBody`."""

from __future__ import annotations

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.services import get_store
from server.api import api
from server.api.users import author
from server.api.validation import NoQuery, body, check_creator_path, query
from server.api.views import note_view
from server.store import NotFound


MAX_NOTE = 20_000


class NoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # the lengths are checked by the validator, to say them in words ("cannot be blank", "at most
    # 20,000 characters; this one has 20,512"), not pydantic's; the schema still states them
    text: str = Field(json_schema_extra={"minLength": 1, "maxLength": MAX_NOTE})

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("A note cannot be blank.")
        if len(v) > MAX_NOTE:
            raise ValueError(f"A note holds at most {MAX_NOTE:,} characters; this one has {len(v):,}.")
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
    return jsonify(note_view(get_store().add_note(platform, handle, data.text, author=author()))), 201


@api.patch("/creators/<platform>/<handle>/notes/<nid>")
def update_note(platform: str, handle: str, nid: str):
    check_creator_path(platform, handle)
    data = body(NoteBody)
    return jsonify(note_view(get_store().update_note(platform, handle, nid, data.text, author=author())))


@api.delete("/creators/<platform>/<handle>/notes/<nid>")
def delete_note(platform: str, handle: str, nid: str):
    check_creator_path(platform, handle)
    get_store().delete_note(platform, handle, nid)
    return "", 204
