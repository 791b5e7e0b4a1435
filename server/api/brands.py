"""Brands and creators like this one: `GET /brands?q=` (who has discussed trail shoes or Salomon),
`GET /brands/<name>/creators` (who promoted it, with dates) and
`GET /creators/<platform>/<handle>/similar` (stored creators and candidates ranked by what they share).

All three read the creators' `traits` (server/scoring/traits.py: hashtags, topics, audience languages,
tier, brands), which every capture and re-score keeps in the creator's summary, so a search goes
through the index, not through every creator's file. A creator stored before traits existed has none
until its next capture or refresh: it is simply not found, and `similar` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field

from server.api import api
from server.api.errors import ApiError
from server.api.validation import check_creator_path, query
from server.scoring import topics
from server.scoring.brands import brand_key, brand_mentions
from server.scoring.content import fold
from server.scoring.similar import similar
from server.services import get_store
from server.store import NotFound

MAX_TERMS = 10
# the separators only (the parts are stripped after): a leading \s* would rescan every run of spaces
_SPLIT = re.compile(r",|\||;|\b(?:or|oder|ou|o)\b", re.I)


class BrandsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)


class SimilarQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=20, ge=1, le=200)
    candidates: bool = True


def _traits(summary: Mapping) -> Mapping:
    t = summary.get("traits")
    return t if isinstance(t, Mapping) else {}


def _person(s: Mapping) -> dict:
    return {"platform": s.get("platform"), "handle": s.get("handle"), "display_name": s.get("display_name"),
            "followers": s.get("followers"), "tier": s.get("tier")}


def search_terms(q: str) -> list[str]:
    """"trail shoes or Salomon, Hoka" -> ["trail shoes", "Salomon", "Hoka"]."""
    return [t for t in (p.strip() for p in _SPLIT.split(q)) if t][:MAX_TERMS]


def _matches(term: str, traits: Mapping) -> list[dict]:
    """How one creator matches one term: a brand it promoted, a topic it posts about, a hashtag it uses."""
    out = []
    key = brand_key(term)
    for b in traits.get("brands") or []:
        bk = str(b.get("key") or "")
        if key and (bk == key or (len(key) >= 4 and key in bk)):
            out.append({"term": term, "kind": "brand", "value": b.get("name"), "last": b.get("last"),
                        "count": b.get("count")})
    wanted = topics.keyword_topics(term)
    for t in traits.get("topics") or []:
        if t.get("name") in wanted:
            out.append({"term": term, "kind": "topic", "value": t["name"], "posts": t.get("posts")})
            break
    tag = re.sub(r"[\s#]+", "", fold(term))
    for h in traits.get("hashtags") or []:
        if len(tag) >= 3 and (h == tag or (len(tag) >= 4 and tag in h)):
            out.append({"term": term, "kind": "hashtag", "value": f"#{h}"})
            break
    return out


def _why(matched: list[dict]) -> str:
    parts = []
    for m in matched:
        if m["kind"] == "brand":
            parts.append(f"promoted {m['value']} ({m['count']} post(s), last {str(m['last'] or '')[:10] or 'undated'})")
        elif m["kind"] == "topic":
            parts.append(f"posts about {m['value']} ({m['posts']} post(s))")
        else:
            parts.append(f"uses {m['value']}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def brand_index(summaries: Iterable[Mapping]) -> list[dict]:
    """Every brand the stored creators promoted: {name, key, creators, posts, last}, most creators first."""
    by_key: dict[str, dict] = {}
    for s in summaries:
        for b in _traits(s).get("brands") or []:
            if not isinstance(b, Mapping) or not b.get("key"):
                continue
            e = by_key.setdefault(b["key"], {"name": b.get("name"), "key": b["key"], "creators": 0, "posts": 0,
                                             "last": None})
            e["creators"] += 1
            e["posts"] += int(b.get("count") or 0)
            if b.get("last") and str(b["last"]) > str(e["last"] or ""):
                e["last"], e["name"] = b["last"], b.get("name") or e["name"]
    return sorted(by_key.values(), key=lambda e: (-e["creators"], -e["posts"], str(e["name"]).casefold()))


@api.get("/brands")
def list_brands():
    args = query(BrandsQuery)
    summaries = [s for s in get_store().list_creators() if _traits(s)]
    brands = brand_index(summaries)
    if not args.q or not args.q.strip():
        return jsonify({"query": None, "terms": [], "brands": brands[:args.limit], "creators": []})
    terms = search_terms(args.q)
    keys = [brand_key(t) for t in terms]
    found = [b for b in brands if any(k and (b["key"] == k or (len(k) >= 4 and k in b["key"])) for k in keys)]
    creators = []
    for s in summaries:
        matched = [m for t in terms for m in _matches(t, _traits(s))]
        if matched:
            creators.append({**_person(s), "matched": matched, "why": _why(matched),
                             "_rank": (len({m["term"] for m in matched}), sum(m["kind"] == "brand" for m in matched),
                                       max((str(m.get("last") or "") for m in matched), default=""))})
    creators.sort(key=lambda c: c["_rank"], reverse=True)
    for c in creators:
        del c["_rank"]
    return jsonify({"query": args.q, "terms": terms, "brands": found[:args.limit], "creators": creators[:args.limit]})


@api.get("/brands/<name>/creators")
def brand_creators(name: str):
    key = brand_key(name)
    if not key or len(name) > 200:
        raise ApiError(400, "invalid_request", "Name a brand, e.g. /brands/Salomon/creators.", {"name": "Not a brand name."})
    store = get_store()
    out = []
    for s in store.list_creators():
        hit = next((b for b in _traits(s).get("brands") or [] if isinstance(b, Mapping) and b.get("key") == key), None)
        if hit is None:
            continue
        latest = (store.latest(s["platform"], s["handle"]) or {}).get("snapshot") or {}
        posts = [{"at": m["at"], "url": m["url"], "title": m["title"], "how": m["how"], "evidence": m["evidence"]}
                 for m in brand_mentions(latest) if m["key"] == key]
        out.append({**_person(s), "brand": hit.get("name"), "count": hit.get("count"), "first": hit.get("first"),
                    "last": hit.get("last"), "posts": posts})
    if not out:
        raise ApiError(404, "not_found", f"No stored creator has promoted {name!r}. Brands are read from "
                       "paid posts at each capture: a creator captured before may need a refresh.")
    out.sort(key=lambda c: str(c["last"] or ""), reverse=True)
    return jsonify({"brand": out[0]["brand"], "key": key, "creators": out})


@api.get("/creators/<platform>/<handle>/similar")
def similar_creators(platform: str, handle: str):
    args = query(SimilarQuery)
    check_creator_path(platform, handle)
    store = get_store()
    target = store.get_creator(platform, handle)
    if target is None:
        raise NotFound(f"Creator {platform}/{handle}")
    if not _traits(target):
        return jsonify({"creator": _person(target), "similar": [],
                        "note": "This creator has no traits yet (captured before they were kept): refresh it "
                                "or open its page with the extension, then ask again."})
    creators = [s for s in store.list_creators() if s.get("captured")]
    candidates = store.list_candidates(limit=None).items if args.candidates else []
    return jsonify({"creator": _person(target), "similar": similar(target, creators, candidates, limit=args.limit)})


_ERR = {"$ref": "#/components/schemas/Error"}
_PERSON = {"platform": {"type": "string"}, "handle": {"type": ["string", "null"]},
           "display_name": {"type": ["string", "null"]}, "followers": {"type": ["integer", "null"]},
           "tier": {"type": ["string", "null"]}}
_BRAND = {"type": "object", "required": ["name", "key", "creators", "posts"], "properties": {
    "name": {"type": ["string", "null"]}, "key": {"type": "string"}, "creators": {"type": "integer"},
    "posts": {"type": "integer"}, "last": {"type": ["string", "null"]}}}


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": _ERR}}}


def _ok(desc: str, schema: dict) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


_COMMON = {"401": _err("missing or wrong token"), "403": _err("web-page Origin or foreign Host")}

OPENAPI_PATHS = {
    "/brands": {"get": {
        "summary": "Brands the stored creators promoted; with q, creators by brand, topic or hashtag "
                   "('trail shoes or Salomon')",
        "security": [{"bearer": []}],
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
        "responses": {"200": _ok("brands and matching creators", {
            "type": "object", "required": ["brands", "creators", "terms"], "properties": {
                "query": {"type": ["string", "null"]}, "terms": {"type": "array", "items": {"type": "string"}},
                "brands": {"type": "array", "items": _BRAND},
                "creators": {"type": "array", "items": {"type": "object", "properties": {
                    **_PERSON, "why": {"type": "string"}, "matched": {"type": "array"}}}}}}),
            "400": _err("bad query parameter"), **_COMMON}}},
    "/brands/{name}/creators": {"get": {
        "summary": "Creators who promoted a brand, with the posts and dates",
        "security": [{"bearer": []}],
        "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}],
        "responses": {"200": _ok("creators", {"type": "object", "required": ["key", "creators"], "properties": {
            "brand": {"type": ["string", "null"]}, "key": {"type": "string"},
            "creators": {"type": "array", "items": {"type": "object", "properties": {
                **_PERSON, "count": {"type": ["integer", "null"]}, "first": {"type": ["string", "null"]},
                "last": {"type": ["string", "null"]}, "posts": {"type": "array"}}}}}}),
            "400": _err("not a brand name"), "404": _err("no stored creator promoted it"), **_COMMON}}},
    "/creators/{platform}/{handle}/similar": {"get": {
        "summary": "Stored creators and candidates like this one, best first, each with why",
        "security": [{"bearer": []}],
        "parameters": [{"name": "platform", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "handle", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                       {"name": "candidates", "in": "query", "schema": {"type": "boolean"}}],
        "responses": {"200": _ok("similar creators", {"type": "object", "required": ["creator", "similar"], "properties": {
            "creator": {"type": "object", "properties": _PERSON}, "note": {"type": "string"},
            "similar": {"type": "array", "items": {"type": "object", "required": ["kind", "score", "why"], "properties": {
                **_PERSON, "kind": {"type": "string", "enum": ["creator", "candidate"]}, "score": {"type": "number"},
                "why": {"type": "string"}, "shared": {"type": "object"}, "parts": {"type": "object"},
                "id": {"type": ["string", "null"]}, "key": {"type": ["string", "null"]}}}}}}),
            "400": _err("bad platform, handle or parameter"), "404": _err("no such creator"), **_COMMON}}},
}
