"""Data handed across the application boundary: plain, immutable, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class SortOrder(StrEnum):
    UPDATED = "updated"
    CREATED = "created"
    TITLE = "title"


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    SEMANTIC = "semantic"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class NoteFilter:
    """Narrows a listing or a search. Empty filter = everything."""

    keywords: tuple[str, ...] = ()  # a note must carry all of them
    project_id: int | None = None  # this project or any project nested inside it
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == NoteFilter()


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1  # 1-based
    size: int = 20

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True, slots=True)
class NoteSummary:
    id: int
    title: str
    excerpt: str
    keywords: tuple[str, ...]
    project_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """A stored chunk with its vector, as the repository hands it over."""

    ordinal: int
    text: str
    content_hash: str
    embedding: list[float] | None


@dataclass(frozen=True, slots=True)
class ScoredNote:
    """One row of a ranked list from the repository (before use cases shape it)."""

    note_id: int
    title: str
    score: float
    snippet: str = ""
    semantic_score: float | None = None
    keyword_score: float | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    note_id: int
    title: str
    snippet: str
    score: float
    mode: SearchMode
    matched_by: tuple[str, ...] = field(default=())  # "meaning", "keywords"


@dataclass(frozen=True, slots=True)
class RelatedNote:
    note_id: int
    title: str
    similarity: float


@dataclass(frozen=True, slots=True)
class LinkedNote:
    """A note on the other end of a [[link]]; `note_id` is None when no such note exists yet."""

    title: str
    note_id: int | None
