"""Comment kinds: spam, emoji-only, generic praise, substantive; returning fans' words."""

from __future__ import annotations

import pytest

from server.scoring.interaction import analyse, is_loyal, kind_of


@pytest.mark.parametrize("text,kind", [
    ("Check out my channel for more!", "spam"),
    ("free followers at https://spam.example", "spam"),
    ("DM me for collab", "spam"),
    ("invest with me, crypto gains", "spam"),
    ("🔥🔥🔥", "emoji_only"),
    ("@someone 😂", "emoji_only"),
    ("Nice video", "generic"),
    ("so cute", "generic"),
    ("好看", "generic"),
    ("The part about tardigrades surviving in space blew my mind", "substantive"),
    ("Die Erklärung zur Photosynthese war richtig gut gemacht", "substantive"),
])
def test_kind_of(text, kind):
    assert kind_of(text) == kind


def test_returning_fans_and_duplicates():
    assert is_loyal("i'm here again, like every week")
    assert is_loyal("been watching you since 2015")
    assert not is_loyal("first time here")
    comments = [
        {"post_id": "a", "author": "@x", "text": "Great breakdown of the rocket engine design"},
        {"post_id": "b", "author": "@x", "text": "Another detailed look, thanks for the sources"},
        {"post_id": "a", "author": "@y", "text": "Buy cheap likes now!!!"},
        {"post_id": "b", "author": "@z", "text": "Buy cheap likes now!!!"},
        {"post_id": "a", "author": "@creator", "text": "Thanks all", "is_creator": True},
    ]
    s = analyse(comments)
    assert s["comments"] == 4 and s["creator_replies"] == 1
    assert s["returning_commenters"] == 1
    assert s["duplicate"] == 2
