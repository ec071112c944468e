"""The note: a titled markdown text with keywords, a project and a source."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.keyword import normalize_keywords
from pkm_core.domain.text import (
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    bounded,
    content_hash,
    reject_nul,
)


class NoteDraft(BaseModel):
    """What a person writes; validated before anything is stored."""

    model_config = ConfigDict(frozen=True)

    title: str
    body: str = ""
    keywords: tuple[str, ...] = ()
    project_id: int | None = None
    source_id: int | None = None
    external_id: str | None = Field(
        default=None, description="identity of an imported file or record"
    )

    @field_validator("title")
    @classmethod
    def _clean_title(cls, value: str) -> str:
        title = " ".join(reject_nul(value, "title").split())
        if not title:
            raise InvalidNote("A note needs a title.")
        return bounded(title, "title", MAX_TITLE_CHARS)

    @field_validator("body")
    @classmethod
    def _clean_body(cls, value: str) -> str:
        # Normalise line endings so the same text always hashes the same.
        body = reject_nul(value, "note body").replace("\r\n", "\n").replace("\r", "\n")
        return bounded(body, "note body", MAX_BODY_CHARS)

    @field_validator("keywords", mode="before")
    @classmethod
    def _clean_keywords(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple | set):
            raise ValueError("keywords must be a list of words or a comma-separated string")
        return normalize_keywords([str(v) for v in value])

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)


class Note(NoteDraft):
    """A stored note. `version` grows by one on every save (optimistic locking)."""

    id: int
    version: int
    created_at: datetime
    updated_at: datetime

    def draft(self) -> NoteDraft:
        return NoteDraft(**self.model_dump(include=set(NoteDraft.model_fields)))
