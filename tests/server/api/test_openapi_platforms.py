"""The OpenAPI document's per-platform facts come from the registry: a platform added there appears
in every platform enum and gets its own creator paths with its own handle rule, with no edit here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scraper import registry
from server.api import openapi
from server.scoring.brief import Brief

NEW = replace(registry.require("x"), name="newsite", label="NewSite", handle_pattern=r"^[0-9]{1,12}$",
              handle_rule="its numeric id, 1-12 digits")


@pytest.fixture
def document_with_new_platform(monkeypatch) -> dict:
    monkeypatch.setattr(registry, "PLATFORMS", (*registry.PLATFORMS, NEW))
    openapi._document.cache_clear()
    try:
        yield openapi._document()
    finally:
        openapi._document.cache_clear()  # the next test builds the real document again


def test_a_new_platform_gets_its_creator_paths_with_its_handle_rule(document_with_new_platform) -> None:
    paths = document_with_new_platform["paths"]
    ours = [p for p in paths if "/creators/newsite/" in p]
    assert "/creators/newsite/{handle}" in ours and "/watchlists/{wid}/creators/newsite/{handle}" in ours
    assert len(ours) == sum(1 for p in paths if "/creators/x/" in p)
    handle = next(p for p in paths["/creators/newsite/{handle}"]["get"]["parameters"] if p["name"] == "handle")
    assert handle["schema"]["pattern"] == NEW.handle_pattern
    assert handle["description"] == f"a newsite handle without @: {NEW.handle_rule}"


def test_a_new_platform_is_in_every_platform_enum(document_with_new_platform) -> None:
    doc = document_with_new_platform
    names = [p.name for p in registry.PLATFORMS]
    assert names[-1] == "newsite"
    assert doc["components"]["schemas"]["Creator"]["properties"]["platform"]["enum"] == names
    query = next(q for q in doc["paths"]["/creators"]["get"]["parameters"] if q["name"] == "platform")
    assert query["schema"]["enum"] == names


def test_no_path_keeps_a_platform_placeholder_or_names_a_platform_outside_the_registry() -> None:
    openapi._document.cache_clear()
    paths = openapi._document()["paths"]
    assert not [p for p in paths if "{platform}" in p]
    named = {p.split("/creators/", 1)[1].split("/", 1)[0] for p in paths
             if "/creators/" in p and not p.split("/creators/", 1)[1].startswith("{")}
    assert named == set(registry.NAMES)


def test_the_brief_schema_lists_the_registry_platforms() -> None:
    # the Brief model is built at import, from registry.NAMES (a Literal of them)
    assert Brief.model_json_schema()["properties"]["platforms"]["items"]["enum"] == list(registry.NAMES)
