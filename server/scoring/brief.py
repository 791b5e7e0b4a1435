"""The campaign brief: who the brand wants to reach. One pydantic model, so the API and the scores
share the same rules (ISO 639-1 languages, ISO 3166 alpha-2 countries, tier names, fractions)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scraper import registry
from server.scoring.tiers import TIER_NAMES

# The registry's platform names, as a Literal: pydantic checks them and puts them in the JSON schema
# (the OpenAPI document's enum), with the same error for an unknown platform as a literal list.
Platform = Literal[registry.NAMES]  # type: ignore[valid-type]
_LANG = re.compile(r"[a-z]{2}")  # fullmatch
_COUNTRY = re.compile(r"[A-Z]{2}")  # fullmatch


def _iso_language(code: str) -> bool:
    """An ISO 639-1 code that names a language ("xx" has the shape but names none)."""
    import pycountry

    return bool(_LANG.fullmatch(code)) and pycountry.languages.get(alpha_2=code) is not None


def _iso_country(code: str) -> bool:
    """An ISO 3166-1 alpha-2 code assigned to a country ("ZZ" has the shape but is none)."""
    import pycountry

    return bool(_COUNTRY.fullmatch(code)) and pycountry.countries.get(alpha_2=code) is not None


def _clean_list(values: Any) -> Any:
    """Strip, drop empty strings and duplicates, keep order."""
    if not isinstance(values, list):
        return values
    out: list = []
    for v in values:
        if isinstance(v, str):
            v = v.strip()
            if not v:
                continue
        if v not in out:
            out.append(v)
    return out


class Brief(BaseModel):
    """A campaign brief; only `name` is required."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(default_factory=list, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=50, description="ISO 639-1, e.g. 'en', 'de'")
    countries: list[str] = Field(default_factory=list, max_length=250, description="ISO 3166-1 alpha-2, e.g. 'US'")
    platforms: list[Platform] = Field(default_factory=list)
    tiers: list[str] = Field(default_factory=list, description="tier names: " + ", ".join(TIER_NAMES))
    # strict: `true` is not a number
    followers_min: int | None = Field(default=None, ge=0, strict=True)
    followers_max: int | None = Field(default=None, ge=0, strict=True)
    min_engagement_rate: float | None = Field(default=None, ge=0, le=1, strict=True, description="a fraction: 0.02 = 2%")
    max_sponsored_ratio: float | None = Field(default=None, ge=0, le=1, strict=True, description="a fraction: 0.3 = 30%")
    blocked_terms: list[str] = Field(default_factory=list, max_length=100)
    # brands whose promotion in the last `competitor_days` days breaks exclusivity (fit's exclusivity factor)
    competitors: list[str] = Field(default_factory=list, max_length=100, description="brand names, e.g. 'Salomon'")
    competitor_days: int = Field(default=90, ge=1, le=3650, strict=True,
                                 description="how far back a competitor's promotion counts, in days")

    @field_validator("keywords", "blocked_terms", "competitors", "languages", "countries", "tiers", "platforms", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _clean_list(v)

    @field_validator("keywords", "blocked_terms", "competitors")
    @classmethod
    def _short_terms(cls, v: list[str]) -> list[str]:
        for term in v:
            if len(term) > 100:
                raise ValueError("each term must be at most 100 characters")
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str]) -> list[str]:
        return _codes(v, str.lower, _iso_language, "languages must be ISO 639-1 codes such as 'en' or 'pt'")

    @field_validator("countries")
    @classmethod
    def _countries(cls, v: list[str]) -> list[str]:
        return _codes(v, str.upper, _iso_country, "countries must be ISO 3166-1 alpha-2 codes such as 'US' or 'DE'")

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, v: list[str]) -> list[str]:
        return _codes(v, str.lower, TIER_NAMES.__contains__, f"tiers must be among {', '.join(TIER_NAMES)}")

    @model_validator(mode="after")
    def _range(self) -> Brief:
        if self.followers_min is not None and self.followers_max is not None and self.followers_min > self.followers_max:
            raise ValueError("followers_min must not exceed followers_max")
        return self


def _codes(values: list[str], normalise, valid, message: str) -> list[str]:
    """Normalised codes, or a ValueError naming the ones that are not valid."""
    values = [normalise(v) for v in values]
    bad = [v for v in values if not valid(v)]
    if bad:
        raise ValueError(f"{message}, not {bad}")
    return values
