"""The search index's own records: which model made the vectors, and how complete it is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pkm_core.infrastructure.persistence.models import EmbeddingModelRow, NoteChunkRow, NoteRow
from pkm_core.infrastructure.persistence.operations import Operation


@dataclass(frozen=True, slots=True)
class IndexCoverage:
    notes: int
    chunks: int
    notes_without_vectors: int  # never embedded, or emptied by a model change


def recorded_model() -> Operation[tuple[str, int] | None]:
    row = (yield select(EmbeddingModelRow.name, EmbeddingModelRow.dimension)).first()
    return None if row is None else (row.name, row.dimension)


def record_model(name: str, dimension: int) -> Operation[None]:
    stmt = pg_insert(EmbeddingModelRow).values(id=1, name=name, dimension=dimension)
    stmt = stmt.on_conflict_do_update(
        index_elements=[EmbeddingModelRow.id],
        set_={"name": name, "dimension": dimension, "recorded_at": func.now()},
    )
    yield stmt


def vector_dimension() -> Operation[int | None]:
    """The dimension the `note_chunks.embedding` column is declared with."""
    stmt = text(
        "SELECT atttypmod FROM pg_attribute "
        "WHERE attrelid = 'note_chunks'::regclass AND attname = 'embedding'"
    )
    value = (yield stmt).scalar_one_or_none()
    return None if value is None or value < 0 else int(value)


def coverage() -> Operation[IndexCoverage]:
    notes = (yield select(func.count()).select_from(NoteRow)).scalar_one()
    chunks = (yield select(func.count()).select_from(NoteChunkRow)).scalar_one()
    missing = (
        yield select(func.count()).select_from(NoteRow).where(NoteRow.embedding.is_(None))
    ).scalar_one()
    return IndexCoverage(notes=notes, chunks=chunks, notes_without_vectors=missing)


def note_ids_without_vectors(limit: int) -> Operation[list[int]]:
    stmt = select(NoteRow.id).where(NoteRow.embedding.is_(None)).order_by(NoteRow.id).limit(limit)
    return list((yield stmt).scalars().all())


def reset_vectors(dimension: int) -> Operation[None]:
    """Forget every vector and declare the columns for `dimension` (a model change)."""
    yield text("DROP INDEX IF EXISTS ix_note_chunks_embedding_hnsw")
    yield text("DROP INDEX IF EXISTS ix_notes_embedding_hnsw")
    yield text("UPDATE notes SET embedding = NULL WHERE embedding IS NOT NULL")
    yield text("UPDATE note_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
    yield text(f"ALTER TABLE note_chunks ALTER COLUMN embedding TYPE vector({int(dimension)})")
    yield text(f"ALTER TABLE notes ALTER COLUMN embedding TYPE vector({int(dimension)})")
    yield text(
        "CREATE INDEX ix_note_chunks_embedding_hnsw ON note_chunks "
        "USING hnsw (embedding vector_cosine_ops)"
    )
    yield text(
        "CREATE INDEX ix_notes_embedding_hnsw ON notes USING hnsw (embedding vector_cosine_ops)"
    )
