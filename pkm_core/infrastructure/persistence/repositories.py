"""(Over 250 lines: the sync repository and its one-line async twin belong together.)

The note repositories: sync (psycopg2) and its async (asyncpg) twin. They never commit.

Every operation is written once, as plain SQLAlchemy over a sync `Session`
(`note_writes`, `note_queries`, `search_queries`). The async repository runs the very
same method of the sync one through `AsyncSession.run_sync`, which is how SQLAlchemy's
own asyncio extension shares its code: nothing can drift, and mypy checks both against
their ports (`INoteRepository`, `IAsyncNoteRepository`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Select, Text, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    ChunkRecord,
    DraftRelatedQuery,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    PreparedNote,
    RelatedCandidate,
    ScoredNote,
    SearchTuning,
    SortOrder,
    TitleMatch,
)
from pkm_core.application.ports import INoteRepository
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.history import Revision, RevisionInfo, TrashedNote
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence import (
    note_history,
    note_queries,
    note_writes,
    related_queries,
    search_queries,
)
from pkm_core.infrastructure.persistence.models import NoteAliasRow, NoteRow, NoteVaultRow
from pkm_core.infrastructure.persistence.note_sql import LIVE, note_select, to_note

NO_FILTER = NoteFilter()
P = ParamSpec("P")
T = TypeVar("T")


def _prepared(note: NoteDraft | PreparedNote) -> PreparedNote:
    return note if isinstance(note, PreparedNote) else PreparedNote(note, (), None)


def _vault_note_at(key: str) -> Select[int]:
    """The vault note whose path ends with `key` (`folder/note`, lower case, .md optional),
    the shortest path first: how Obsidian resolves `[[folder/Note]]`."""
    path = key if key.endswith(".md") else f"{key}.md"
    escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        select(NoteVaultRow.note_id)
        .where(
            or_(
                func.lower(NoteVaultRow.path) == path,
                func.lower(NoteVaultRow.path).like(f"%/{escaped}", escape="\\"),
            )
        )
        .order_by(func.length(NoteVaultRow.path), NoteVaultRow.path)
        .limit(1)
    )


class SyncSQLAlchemyNoteRepository:
    """Notes, their chunks, vectors and links, through a sync session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # --- one note
    def add(self, note: NoteDraft | PreparedNote, create_token: str | None = None) -> Note:
        """Insert a note; a `PreparedNote` brings its chunks, vectors and links along."""
        prepared = _prepared(note)
        return note_writes.insert_note(self.session, prepared, create_token)

    def get(self, note_id: int) -> Note | None:
        """A live note (None for one in the trash)."""
        row = self.session.execute(note_select().where(NoteRow.id == note_id, LIVE)).first()
        return None if row is None else to_note(row)

    def get_by_create_token(self, token: str) -> Note | None:
        stmt = note_select().where(NoteRow.create_token == token, LIVE)
        row = self.session.execute(stmt).first()
        return None if row is None else to_note(row)

    def get_by_title(self, title: str) -> Note | None:
        """The note of that title, else the one with that alias, else the vault note of
        that file name (the first by path when two folders hold the same name), else
        (`folder/Note`) the vault note at the end of that path, the shortest path first."""
        key = title.strip().lower()
        by_path = [NoteRow.id.in_(_vault_note_at(key))] if "/" in key else []
        for where in (
            func.lower(NoteRow.title) == key,
            NoteRow.id.in_(select(NoteAliasRow.note_id).where(NoteAliasRow.alias_key == key)),
            NoteRow.id.in_(
                select(NoteVaultRow.note_id)
                .where(func.lower(NoteVaultRow.name) == key)
                .order_by(func.length(NoteVaultRow.path), NoteVaultRow.path)
                .limit(1)
            ),
            *by_path,
        ):
            stmt = note_select().where(where, LIVE).order_by(NoteRow.id)
            row = self.session.execute(stmt).first()
            if row is not None:
                return to_note(row)
        return None

    def get_by_external_id(self, external_id: str) -> Note | None:
        row = self.session.execute(note_select().where(NoteRow.external_id == external_id)).first()
        return None if row is None else to_note(row)

    def update(self, note_id: int, note: NoteDraft | PreparedNote, expected_version: int) -> Note:
        """Save an edit if the note is still at `expected_version` (else VersionConflict)."""
        return note_writes.update_note(self.session, note_id, note, expected_version)

    def delete(self, note_id: int, expected_version: int | None = None) -> None:
        """Delete for good (see `trash` for what a person's delete does)."""
        note_writes.delete_note(self.session, note_id, expected_version)

    # --- history and trash
    def revisions(self, note_id: int) -> list[RevisionInfo]:
        return note_history.revisions(self.session, note_id)

    def revision(self, note_id: int, version: int) -> Revision | None:
        return note_history.revision(self.session, note_id, version)

    def trash(self, note_id: int, expected_version: int | None = None) -> None:
        if not note_history.trash(self.session, note_id, expected_version):
            if expected_version is None:
                raise NoteNotFound(note_id)
            note_writes.raise_missing_or_conflict(self.session, note_id, expected_version)

    def trashed(self) -> list[TrashedNote]:
        return note_history.trashed(self.session)

    def trashed_note(self, note_id: int) -> Note | None:
        return note_history.trashed_note(self.session, note_id)

    def restore(self, note_id: int, prepared: PreparedNote) -> Note:
        """Out of the trash, with the chunks and vector `prepared` from its text."""
        note_writes.ensure_title_free(self.session, prepared.draft.title, note_id)
        if not note_history.untrash(self.session, note_id, prepared.draft):
            raise NoteNotFound(note_id)
        note_writes.replace_chunks(self.session, note_id, prepared.chunks, prepared.embedding)
        note_writes.replace_links(self.session, note_id, prepared.links)
        return self._get_existing(note_id)

    def purge(self, note_ids: Sequence[int]) -> int:
        return note_history.purge(self.session, note_ids)

    def purge_older_than(self, days: int) -> int:
        return note_history.purge_older_than(self.session, days)

    def linking_notes(self, note_id: int) -> list[Note]:
        return note_queries.linking_notes(self.session, note_id)

    def titles_matching(
        self, fragment: str, limit: int, exclude_note_id: int | None = None
    ) -> list[TitleMatch]:
        return note_queries.titles_matching(self.session, fragment, limit, exclude_note_id)

    def _get_existing(self, note_id: int) -> Note:
        note = self.get(note_id)
        assert note is not None, "a note just written is readable in its transaction"
        return note

    # --- chunks, vectors, links
    def chunks(self, note_id: int) -> list[ChunkRecord]:
        return note_writes.chunks(self.session, note_id)

    def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None:
        note_writes.replace_chunks(self.session, note_id, chunks, note_embedding)

    def replace_links(self, note_id: int, target_titles: Sequence[str]) -> None:
        note_writes.replace_links(self.session, note_id, target_titles)

    def links_out(self, note_id: int) -> list[NoteLink]:
        return note_queries.links_out(self.session, note_id)

    def backlinks(self, note_id: int) -> list[tuple[int, str]]:
        return note_queries.backlinks(self.session, note_id)

    # --- listing and ranked retrieval (read side)

    def count(self) -> int:
        return note_queries.count_notes(self.session)

    def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
        query: str = "",
    ) -> list[ScoredNote]:
        return search_queries.nearest_chunks(
            self.session,
            vector,
            k,
            filters,
            offset=offset,
            expected_model=expected_model,
            tuning=tuning,
            query=query,
        )

    def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        return search_queries.keyword_rank(
            self.session, query, k, filters, offset=offset, tuning=tuning
        )

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
        return search_queries.hybrid_rank(
            self.session,
            vector,
            query,
            k,
            filters,
            offset=offset,
            expected_model=expected_model,
            tuning=tuning,
        )

    def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]:
        return search_queries.nearest_notes(self.session, vector, k, exclude_note_id)

    def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None:
        return search_queries.related_to_note(self.session, note_id, k)

    def related_candidates(
        self, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate] | None:
        return related_queries.related_candidates(self.session, note_id, k, tuning)

    def closest_passages(
        self, note_id: int, other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return related_queries.closest_passages(self.session, note_id, other_ids)

    def draft_candidates(
        self, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate]:
        return related_queries.draft_candidates(self.session, draft, k, tuning)

    def closest_passages_to_draft(
        self, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return related_queries.closest_passages_to_draft(self.session, chunks, other_ids)

    def set_related_choice(self, note_id: int, other_id: int, choice: str | None) -> None:
        related_queries.set_related_choice(self.session, note_id, other_id, choice)

    def hidden_related(self, note_id: int) -> list[tuple[int, str]]:
        return related_queries.hidden_related(self.session, note_id)

    # --- bulk import
    def get_by_external_ids(self, external_ids: Sequence[str]) -> list[Note]:
        if not external_ids:
            return []
        wanted = literal(list(external_ids), ARRAY(Text))
        stmt = note_select().where(NoteRow.external_id == any_(wanted), LIVE)
        return [to_note(row) for row in self.session.execute(stmt)]

    def trashed_external_ids(self, external_ids: Sequence[str]) -> set[str]:
        """Those of `external_ids` whose note is in the trash."""
        if not external_ids:
            return set()
        wanted = literal(list(external_ids), ARRAY(Text))
        stmt = select(NoteRow.external_id).where(
            NoteRow.external_id == any_(wanted), NoteRow.deleted_at.is_not(None)
        )
        return {r for r in self.session.scalars(stmt) if r is not None}

    def taken_titles(self, titles: Sequence[str]) -> dict[str, str | None]:
        return note_writes.taken_titles(self.session, titles)

    def add_many(self, notes: Sequence[PreparedNote]) -> list[int]:
        """Insert prepared notes in bulk; titles must be free (the caller checks in bulk)."""
        return note_writes.insert_notes(self.session, notes)

    def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]:
        return note_queries.list_notes(self.session, filters, page, sort)


def _notes(session: Session) -> SyncSQLAlchemyNoteRepository:
    return SyncSQLAlchemyNoteRepository(session)


class AsyncSQLAlchemyNoteRepository:
    """The same operations through an async session: each runs the sync method above."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def run_sync(
        self,
        step: Callable[Concatenate[INoteRepository, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return await self.session.run_sync(lambda s: step(_notes(s), *args, **kwargs))

    async def add(self, note: NoteDraft | PreparedNote, create_token: str | None = None) -> Note:
        return await self.session.run_sync(lambda s: _notes(s).add(note, create_token))

    async def get(self, note_id: int) -> Note | None:
        return await self.session.run_sync(lambda s: _notes(s).get(note_id))

    async def get_by_create_token(self, token: str) -> Note | None:
        return await self.session.run_sync(lambda s: _notes(s).get_by_create_token(token))

    async def revisions(self, note_id: int) -> list[RevisionInfo]:
        return await self.session.run_sync(lambda s: _notes(s).revisions(note_id))

    async def revision(self, note_id: int, version: int) -> Revision | None:
        return await self.session.run_sync(lambda s: _notes(s).revision(note_id, version))

    async def trash(self, note_id: int, expected_version: int | None = None) -> None:
        await self.session.run_sync(lambda s: _notes(s).trash(note_id, expected_version))

    async def trashed(self) -> list[TrashedNote]:
        return await self.session.run_sync(lambda s: _notes(s).trashed())

    async def trashed_note(self, note_id: int) -> Note | None:
        return await self.session.run_sync(lambda s: _notes(s).trashed_note(note_id))

    async def restore(self, note_id: int, prepared: PreparedNote) -> Note:
        return await self.session.run_sync(lambda s: _notes(s).restore(note_id, prepared))

    async def purge(self, note_ids: Sequence[int]) -> int:
        return await self.session.run_sync(lambda s: _notes(s).purge(note_ids))

    async def purge_older_than(self, days: int) -> int:
        return await self.session.run_sync(lambda s: _notes(s).purge_older_than(days))

    async def linking_notes(self, note_id: int) -> list[Note]:
        return await self.session.run_sync(lambda s: _notes(s).linking_notes(note_id))

    async def get_by_title(self, title: str) -> Note | None:
        return await self.session.run_sync(lambda s: _notes(s).get_by_title(title))

    async def update(
        self, note_id: int, note: NoteDraft | PreparedNote, expected_version: int
    ) -> Note:
        return await self.session.run_sync(
            lambda s: _notes(s).update(note_id, note, expected_version)
        )

    async def delete(self, note_id: int, expected_version: int | None = None) -> None:
        await self.session.run_sync(lambda s: _notes(s).delete(note_id, expected_version))

    async def chunks(self, note_id: int) -> list[ChunkRecord]:
        return await self.session.run_sync(lambda s: _notes(s).chunks(note_id))

    async def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None:
        await self.session.run_sync(
            lambda s: _notes(s).replace_chunks(note_id, chunks, note_embedding)
        )

    async def links_out(self, note_id: int) -> list[NoteLink]:
        return await self.session.run_sync(lambda s: _notes(s).links_out(note_id))

    async def backlinks(self, note_id: int) -> list[tuple[int, str]]:
        return await self.session.run_sync(lambda s: _notes(s).backlinks(note_id))

    async def count(self) -> int:
        return await self.session.run_sync(lambda s: _notes(s).count())

    async def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
        query: str = "",
    ) -> list[ScoredNote]:
        return await self.session.run_sync(
            lambda s: _notes(s).nearest_chunks(
                vector,
                k,
                filters,
                offset=offset,
                expected_model=expected_model,
                tuning=tuning,
                query=query,
            )
        )

    async def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NO_FILTER,
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        return await self.session.run_sync(
            lambda s: _notes(s).keyword_rank(query, k, filters, offset=offset, tuning=tuning)
        )

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
        return await self.session.run_sync(
            lambda s: _notes(s).hybrid_rank(
                vector,
                query,
                k,
                filters,
                offset=offset,
                expected_model=expected_model,
                tuning=tuning,
            )
        )

    async def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]:
        return await self.session.run_sync(
            lambda s: _notes(s).nearest_notes(vector, k, exclude_note_id)
        )

    async def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None:
        return await self.session.run_sync(lambda s: _notes(s).related_to_note(note_id, k))

    async def related_candidates(
        self, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate] | None:
        return await self.session.run_sync(
            lambda s: _notes(s).related_candidates(note_id, k, tuning)
        )

    async def closest_passages(
        self, note_id: int, other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return await self.session.run_sync(lambda s: _notes(s).closest_passages(note_id, other_ids))

    async def draft_candidates(
        self, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate]:
        return await self.session.run_sync(lambda s: _notes(s).draft_candidates(draft, k, tuning))

    async def closest_passages_to_draft(
        self, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return await self.session.run_sync(
            lambda s: _notes(s).closest_passages_to_draft(chunks, other_ids)
        )

    async def set_related_choice(self, note_id: int, other_id: int, choice: str | None) -> None:
        await self.session.run_sync(
            lambda s: _notes(s).set_related_choice(note_id, other_id, choice)
        )

    async def hidden_related(self, note_id: int) -> list[tuple[int, str]]:
        return await self.session.run_sync(lambda s: _notes(s).hidden_related(note_id))

    async def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]:
        return await self.session.run_sync(lambda s: _notes(s).list(filters, page, sort))
