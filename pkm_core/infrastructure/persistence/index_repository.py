"""The search index's own records: which model made the vectors, and how complete it is."""

from __future__ import annotations

from sqlalchemy import exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.application.dto import IndexCoverage
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.models import EmbeddingModelRow, NoteChunkRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import note_select, to_note

# The HNSW indexes (pgvector's default build parameters), as in the migrations.
_HNSW_INDEXES = {
    "ix_note_chunks_embedding_hnsw": "note_chunks",
    "ix_notes_embedding_hnsw": "notes",
}


class SyncSQLAlchemyIndexRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def recorded_model(self) -> tuple[str, int] | None:
        stmt = select(EmbeddingModelRow.name, EmbeddingModelRow.dimension)
        row = self.session.execute(stmt).first()
        return None if row is None else (row.name, row.dimension)

    def record_model(self, name: str, dimension: int) -> None:
        stmt = pg_insert(EmbeddingModelRow).values(id=1, name=name, dimension=dimension)
        stmt = stmt.on_conflict_do_update(
            index_elements=[EmbeddingModelRow.id],
            set_={"name": name, "dimension": dimension, "recorded_at": func.now()},
        )
        self.session.execute(stmt)

    def vector_dimension(self) -> int | None:
        """The dimension the `note_chunks.embedding` column is declared with."""
        stmt = text(
            "SELECT atttypmod FROM pg_attribute "
            "WHERE attrelid = 'note_chunks'::regclass AND attname = 'embedding'"
        )
        value = self.session.execute(stmt).scalar_one_or_none()
        return None if value is None or value < 0 else int(value)

    def coverage(self) -> IndexCoverage:
        stmt = select(
            select(func.count()).select_from(NoteRow).scalar_subquery(),
            select(func.count()).select_from(NoteChunkRow).scalar_subquery(),
            select(func.count())
            .select_from(NoteRow)
            .where(NoteRow.embedding.is_(None))
            .scalar_subquery(),
        )
        notes, chunks, missing = self.session.execute(stmt).one()
        return IndexCoverage(notes=notes, chunks=chunks, notes_without_vectors=missing)

    def has_vectors(self) -> bool:
        stmt = select(exists().where(NoteChunkRow.embedding.is_not(None)))
        return bool(self.session.execute(stmt).scalar())

    def note_ids_without_vectors(self, limit: int) -> list[int]:
        stmt = (
            select(NoteRow.id).where(NoteRow.embedding.is_(None)).order_by(NoteRow.id).limit(limit)
        )
        return list(self.session.scalars(stmt))

    def notes_after(self, after_id: int, limit: int) -> list[Note]:
        """The next `limit` notes by id (keyset paging: a re-index walks them all once)."""
        stmt = note_select().where(NoteRow.id > after_id).order_by(NoteRow.id).limit(limit)
        return [to_note(row) for row in self.session.execute(stmt)]

    def reset_vectors(self, dimension: int) -> None:
        """Forget every vector (a model change) and declare the columns for `dimension`.

        The HNSW indexes are dropped and rebuilt around the type change: an index cannot
        outlive a change of its column's dimension."""
        current = self.vector_dimension()
        self.session.execute(text("UPDATE notes SET embedding = NULL WHERE embedding IS NOT NULL"))
        self.session.execute(
            text("UPDATE note_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
        )
        if current == dimension:
            return
        for index in _HNSW_INDEXES:
            self.session.execute(text(f"DROP INDEX IF EXISTS {index}"))
        for table in ("note_chunks", "notes"):
            self.session.execute(
                text(f"ALTER TABLE {table} ALTER COLUMN embedding TYPE vector({int(dimension)})")
            )
        for index, table in _HNSW_INDEXES.items():
            self.session.execute(
                text(f"CREATE INDEX {index} ON {table} USING hnsw (embedding vector_cosine_ops)")
            )


def _index(session: Session) -> SyncSQLAlchemyIndexRepository:
    return SyncSQLAlchemyIndexRepository(session)


class AsyncSQLAlchemyIndexRepository:
    """The same operations through an async session (`run_sync` of the sync methods)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recorded_model(self) -> tuple[str, int] | None:
        return await self.session.run_sync(lambda s: _index(s).recorded_model())

    async def record_model(self, name: str, dimension: int) -> None:
        await self.session.run_sync(lambda s: _index(s).record_model(name, dimension))

    async def vector_dimension(self) -> int | None:
        return await self.session.run_sync(lambda s: _index(s).vector_dimension())

    async def coverage(self) -> IndexCoverage:
        return await self.session.run_sync(lambda s: _index(s).coverage())

    async def has_vectors(self) -> bool:
        return await self.session.run_sync(lambda s: _index(s).has_vectors())

    async def reset_vectors(self, dimension: int) -> None:
        await self.session.run_sync(lambda s: _index(s).reset_vectors(dimension))
