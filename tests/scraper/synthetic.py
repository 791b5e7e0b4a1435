"""Small synthetic captures built in code, so every refresh test also runs without ../shared/realpages.

They follow X's legacy GraphQL user shape (the X parser's documented input), nothing more.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from urllib.parse import quote

X_SHELL = ('<!DOCTYPE html><html dir="ltr" lang="en"><head><meta charset="utf-8"><title>X</title></head>'
           '<body><div id="react-root"></div></body></html>')
LOGIN_PAGE = ('<!DOCTYPE html><html lang="en"><body><div id="react-root"><h1>Sign in to X</h1>'
              '<a href="/i/flow/signup">Sign up</a></div></body></html>')
RATE_LIMIT_PAGE = "<!DOCTYPE html><html><body><h1>429 Too Many Requests</h1></body></html>"


def x_capture(handle: str, followers: int = 1000, *, rest_id: int | None = None,
              captured_at: str = "2026-01-01T00:00:00Z") -> dict:
    """A capture of x.com/<handle>: the app shell plus the page's own UserByScreenName answer."""
    # one account per handle (the store keeps one creator per account id)
    rest_id = rest_id if rest_id is not None else 10_000 + zlib.crc32(handle.lower().encode())
    user = {"data": {"user": {"result": {
        "__typename": "User", "rest_id": str(rest_id), "is_blue_verified": False,
        "legacy": {"screen_name": handle, "name": handle.title(), "followers_count": followers,
                   "friends_count": 100, "statuses_count": 50, "verified": False, "protected": False,
                   "default_profile_image": False, "description": "synthetic test account",
                   "entities": {"description": {"urls": []}}}}}}}
    variables = quote(json.dumps({"screen_name": handle}, separators=(",", ":")))
    return {
        "format": "kolscope.capture/1",
        "url": f"https://x.com/{handle}",
        "captured_at": captured_at,
        "source": "extension",
        "html": X_SHELL,
        "responses": [{
            "url": f"https://x.com/i/api/graphql/SyNtH3tic/UserByScreenName?variables={variables}",
            "status": 200, "content_type": "application/json", "body": json.dumps(user)}],
    }


def write_replay_dir(directory: Path, captures: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for i, cap in enumerate(captures):
        (directory / f"c{i:03d}.capture.json").write_text(json.dumps(cap), encoding="utf-8")
    return directory
