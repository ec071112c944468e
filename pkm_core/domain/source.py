"""Where a note's content came from: a book, a paper, a web page."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.text import bounded, reject_nul


class Source(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int | None = None
    title: str
    url: str | None = None
    author: str | None = None

    @field_validator("title")
    @classmethod
    def _clean_title(cls, value: str) -> str:
        title = bounded(reject_nul(value, "source title").strip(), "source title", 500)
        if not title:
            raise InvalidNote("A source needs a title.")
        return title

    @field_validator("url", "author")
    @classmethod
    def _clean_optional(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = bounded(reject_nul(value, "source field").strip(), "source field", 2_000)
        return value or None

    @field_validator("url")
    @classmethod
    def _safe_url(cls, value: str | None) -> str | None:
        # Only web links: a javascript: URL rendered as a link would run code on click.
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise InvalidNote("A source URL must start with http:// or https://.")
        return value
