"""The search index's own records: which model made the vectors, and how complete it is."""

from __future__ import annotations

from sqlalchemy import exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pkm_core.application.dto import IndexCoverage
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.models import EmbeddingModelRow, NoteChunkRow, NoteRow
from pkm_core.infrastructure.persistence.note_operations import note_select, to_note
from pkm_core.infrastructure.persistence.operations import Operation

# HNSW build parameters (pgvector's defaults), written once here and in the migrations.
_HNSW_INDEXES = {
    "ix_note_chunks_embedding_hnsw": "note_chunks",
    "ix_notes_embedding_hnsw": "notes",
}


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
    stmt = select(
        select(func.count()).select_from(NoteRow).scalar_subquery(),
        select(func.count()).select_from(NoteChunkRow).scalar_subquery(),
        select(func.count())
        .select_from(NoteRow)
        .where(NoteRow.embedding.is_(None))
        .scalar_subquery(),
    )
    notes, chunks, missing = (yield stmt).one()
    return IndexCoverage(notes=notes, chunks=chunks, notes_without_vectors=missing)


def has_vectors() -> Operation[bool]:
    stmt = select(exists().where(NoteChunkRow.embedding.is_not(None)))
    return bool((yield stmt).scalar())


def note_ids_without_vectors(limit: int) -> Operation[list[int]]:
    stmt = select(NoteRow.id).where(NoteRow.embedding.is_(None)).order_by(NoteRow.id).limit(limit)
    return list((yield stmt).scalars().all())


def notes_after(after_id: int, limit: int) -> Operation[list[Note]]:
    """The next `limit` notes by id (keyset paging: a re-index walks them all once)."""
    stmt = note_select().where(NoteRow.id > after_id).order_by(NoteRow.id).limit(limit)
    return [to_note(row) for row in (yield stmt).all()]


def reset_vectors(dimension: int) -> Operation[None]:
    """Forget every vector (a model change) and declare the columns for `dimension`.

    The HNSW indexes are dropped and rebuilt around the type change: an index cannot
    outlive a change of its column's dimension."""
    current = yield from vector_dimension()
    yield text("UPDATE notes SET embedding = NULL WHERE embedding IS NOT NULL")
    yield text("UPDATE note_chunks SET embedding = NULL WHERE embedding IS NOT NULL")
    if current == dimension:
        return
    for index in _HNSW_INDEXES:
        yield text(f"DROP INDEX IF EXISTS {index}")
    yield text(f"ALTER TABLE note_chunks ALTER COLUMN embedding TYPE vector({int(dimension)})")
    yield text(f"ALTER TABLE notes ALTER COLUMN embedding TYPE vector({int(dimension)})")
    for index, table in _HNSW_INDEXES.items():
        yield text(f"CREATE INDEX {index} ON {table} USING hnsw (embedding vector_cosine_ops)")
