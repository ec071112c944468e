"""Repositories: the sync and async faces of the same operations. They never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    ChunkRecord,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    PreparedNote,
    ScoredNote,
    SearchTuning,
    SortOrder,
)
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source
from pkm_core.infrastructure.persistence import catalog_operations as catalog_ops
from pkm_core.infrastructure.persistence import index_operations as index_ops
from pkm_core.infrastructure.persistence import note_operations as ops
from pkm_core.infrastructure.persistence import search_operations as search_ops
from pkm_core.infrastructure.persistence.operations import run_async, run_sync

NO_FILTER = NoteFilter()


class SyncSQLAlchemyNoteRepository:
    """Notes, their chunks, vectors and links, through a sync (psycopg2) session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, draft: NoteDraft) -> Note:
        return run_sync(self.session, ops.add(draft))

    def get(self, note_id: int) -> Note | None:
        return run_sync(self.session, ops.get(note_id))

    def get_by_title(self, title: str) -> Note | None:
        return run_sync(self.session, ops.get_by_title(title))

    def get_by_external_id(self, external_id: str) -> Note | None:
        return run_sync(self.session, ops.get_by_external_id(external_id))

    def update(self, note_id: int, draft: NoteDraft, expected_version: int) -> Note:
        return run_sync(self.session, ops.update_note(note_id, draft, expected_version))

    def delete(self, note_id: int, expected_version: int | None = None) -> None:
        run_sync(self.session, ops.delete_note(note_id, expected_version))

    def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]:
        return run_sync(self.session, ops.list_notes(filters, page, sort))

    def count(self) -> int:
        return run_sync(self.session, ops.count())

    def chunks(self, note_id: int) -> list[ChunkRecord]:
        return run_sync(self.session, ops.chunks(note_id))

    def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None:
        run_sync(self.session, ops.replace_chunks(note_id, chunks, note_embedding))

    def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.nearest_chunks(
            vector, k, filters, offset=offset, expected_model=expected_model, tuning=tuning
        )
        return run_sync(self.session, op)

    def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.keyword_rank(query, k, filters, offset=offset, tuning=tuning)
        return run_sync(self.session, op)

    def hybrid_rank(
        self,
        vector: Sequence[float],
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.hybrid_rank(
            vector, query, k, filters, offset=offset, expected_model=expected_model, tuning=tuning
        )
        return run_sync(self.session, op)

    def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]:
        return run_sync(self.session, search_ops.nearest_notes(vector, k, exclude_note_id))

    def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None:
        return run_sync(self.session, search_ops.related_to_note(note_id, k))

    def get_by_external_ids(self, external_ids: Sequence[str]) -> list[Note]:
        return run_sync(self.session, ops.get_by_external_ids(external_ids))

    def taken_titles(self, titles: Sequence[str]) -> dict[str, str | None]:
        return run_sync(self.session, ops.taken_titles(titles))

    def add_many(self, notes: Sequence[PreparedNote]) -> list[int]:
        return run_sync(self.session, ops.add_many(notes))

    def replace_links(self, note_id: int, target_titles: Sequence[str]) -> None:
        run_sync(self.session, ops.replace_links(note_id, target_titles))

    def links_out(self, note_id: int) -> list[NoteLink]:
        return run_sync(self.session, ops.links_out(note_id))

    def backlinks(self, note_id: int) -> list[tuple[int, str]]:
        return run_sync(self.session, ops.backlinks(note_id))


class AsyncSQLAlchemyNoteRepository:
    """The same operations through an async (asyncpg) session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, draft: NoteDraft) -> Note:
        return await run_async(self.session, ops.add(draft))

    async def get(self, note_id: int) -> Note | None:
        return await run_async(self.session, ops.get(note_id))

    async def get_by_title(self, title: str) -> Note | None:
        return await run_async(self.session, ops.get_by_title(title))

    async def update(self, note_id: int, draft: NoteDraft, expected_version: int) -> Note:
        return await run_async(self.session, ops.update_note(note_id, draft, expected_version))

    async def delete(self, note_id: int, expected_version: int | None = None) -> None:
        await run_async(self.session, ops.delete_note(note_id, expected_version))

    async def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]:
        return await run_async(self.session, ops.list_notes(filters, page, sort))

    async def count(self) -> int:
        return await run_async(self.session, ops.count())

    async def chunks(self, note_id: int) -> list[ChunkRecord]:
        return await run_async(self.session, ops.chunks(note_id))

    async def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None:
        await run_async(self.session, ops.replace_chunks(note_id, chunks, note_embedding))

    async def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.nearest_chunks(
            vector, k, filters, offset=offset, expected_model=expected_model, tuning=tuning
        )
        return await run_async(self.session, op)

    async def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.keyword_rank(query, k, filters, offset=offset, tuning=tuning)
        return await run_async(self.session, op)

    async def hybrid_rank(
        self,
        vector: Sequence[float],
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        op = search_ops.hybrid_rank(
            vector, query, k, filters, offset=offset, expected_model=expected_model, tuning=tuning
        )
        return await run_async(self.session, op)


class SyncSQLAlchemyCatalogRepository:
    """Projects, sources and keywords."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def projects(self) -> list[Project]:
        return run_sync(self.session, catalog_ops.projects())

    def add_project(self, project: Project) -> Project:
        return run_sync(self.session, catalog_ops.add_project(project))

    def sources(self) -> list[Source]:
        return run_sync(self.session, catalog_ops.sources())

    def add_source(self, source: Source) -> Source:
        return run_sync(self.session, catalog_ops.add_source(source))

    def keywords(self) -> list[tuple[str, int]]:
        return run_sync(self.session, catalog_ops.keywords())


class SyncSQLAlchemyIndexRepository:
    """The embedding model on record and the coverage of the vector index."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def recorded_model(self) -> tuple[str, int] | None:
        return run_sync(self.session, index_ops.recorded_model())

    def record_model(self, name: str, dimension: int) -> None:
        run_sync(self.session, index_ops.record_model(name, dimension))

    def vector_dimension(self) -> int | None:
        return run_sync(self.session, index_ops.vector_dimension())

    def coverage(self) -> index_ops.IndexCoverage:
        return run_sync(self.session, index_ops.coverage())

    def note_ids_without_vectors(self, limit: int) -> list[int]:
        return run_sync(self.session, index_ops.note_ids_without_vectors(limit))

    def has_vectors(self) -> bool:
        return run_sync(self.session, index_ops.has_vectors())

    def notes_after(self, after_id: int, limit: int) -> list[Note]:
        return run_sync(self.session, index_ops.notes_after(after_id, limit))

    def reset_vectors(self, dimension: int) -> None:
        run_sync(self.session, index_ops.reset_vectors(dimension))
