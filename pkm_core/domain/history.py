"""What a note was (revisions), where deleted notes wait (trash), what is being typed (drafts)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator

from pkm_core.domain.note import Note
from pkm_core.domain.text import MAX_BODY_CHARS, MAX_TITLE_CHARS

TRASH_KEEP_DAYS = 30


class Revision(BaseModel):
    """A saved state of a note: version `version` as it stood from `saved_at`."""

    model_config = ConfigDict(frozen=True)

    note_id: int
    version: int
    title: str
    body: str
    keywords: tuple[str, ...] = ()
    project_id: int | None = None
    source_id: int | None = None
    saved_at: datetime
    current: bool = False  # the note as it stands now

    @classmethod
    def of_current(cls, note: Note) -> Revision:
        """The note as it stands now, as its newest revision."""
        return cls(
            note_id=note.id,
            version=note.version,
            title=note.title,
            body=note.body,
            keywords=note.keywords,
            project_id=note.project_id,
            source_id=note.source_id,
            saved_at=note.updated_at,
            current=True,
        )


class RevisionInfo(BaseModel):
    """One line of a note's history (the text is read on demand)."""

    model_config = ConfigDict(frozen=True)

    version: int
    title: str
    saved_at: datetime
    current: bool = False


class TrashedNote(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    excerpt: str
    version: int
    deleted_at: datetime


def _clean(value: str, limit: int) -> str:
    # A draft keeps what was typed, even an invalid note; only what cannot be stored goes.
    return value.replace("\x00", "")[:limit]


class Draft(BaseModel):
    """Unsaved form contents: `key` is "note:<id>" for an edit, "new:<token>" for a new note."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str = ""
    body: str = ""
    keywords: str = ""
    project_id: int | None = None
    source_id: int | None = None
    note_id: int | None = None
    base_version: int | None = None
    saved_at: datetime | None = None

    @field_validator("title", "keywords")
    @classmethod
    def _short(cls, value: str) -> str:
        return _clean(value, 4 * MAX_TITLE_CHARS)

    @field_validator("body")
    @classmethod
    def _long(cls, value: str) -> str:
        return _clean(value, 2 * MAX_BODY_CHARS)

    @property
    def is_empty(self) -> bool:
        return not (self.title.strip() or self.body.strip() or self.keywords.strip())


def note_draft_key(note_id: int) -> str:
    return f"note:{note_id}"


def new_draft_key(token: str) -> str:
    return f"new:{token}"
