"""The search index's own records: which model made the vectors, and how complete it is."""

from __future__ import annotations

from sqlalchemy import exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.application.dto import IndexCoverage
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.models import EmbeddingModelRow, NoteChunkRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import LIVE, note_select, to_note

# The HNSW indexes exactly as migration 0001 creates them (pgvector's default build
# parameters, m = 16 and ef_construction = 64): a rebuild gives the same index.
_HNSW_INDEXES = {
    "ix_note_chunks_embedding_hnsw": "note_chunks",
    "ix_notes_embedding_hnsw": "notes",
}
_HNSW_USING = "USING hnsw (embedding vector_cosine_ops)"
# One process at a time drops or builds them: two CREATE INDEX IF NOT EXISTS of one name
# would both build, and the second fail on the name.
_VECTOR_DDL_LOCK = 727275
# DROP INDEX waits for every open transaction on the table, and every statement on it then
# waits behind the DROP: an import that cannot have the table soon keeps its indexes.
DROP_LOCK_TIMEOUT = "5s"
# pgvector's in-memory graph per vector besides the vector itself (its element, heap TIDs
# and neighbour lists): 2,253 bytes per 384-dimension vector, 1,544 of them the vector,
# from its "no longer fits into maintenance_work_mem after N tuples" notice at 16 and 32 MB.
HNSW_BYTES_PER_ELEMENT = 710
# A build whose graph spills past maintenance_work_mem is several times slower; the memory
# is taken only while it runs. Capped like shared_buffers (a personal app on a laptop).
BUILD_MEMORY_MAX = 1024 * 2**20


def _create_index_sql(name: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {name} ON {_HNSW_INDEXES[name]} {_HNSW_USING}"


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
            select(func.count()).select_from(NoteRow).where(LIVE).scalar_subquery(),
            select(func.count()).select_from(NoteChunkRow).scalar_subquery(),
            select(func.count())
            .select_from(NoteRow)
            .where(NoteRow.embedding.is_(None), LIVE)
            .scalar_subquery(),
        )
        notes, chunks, missing = self.session.execute(stmt).one()
        return IndexCoverage(notes=notes, chunks=chunks, notes_without_vectors=missing)

    def has_vectors(self) -> bool:
        stmt = select(exists().where(NoteChunkRow.embedding.is_not(None)))
        return bool(self.session.execute(stmt).scalar())

    def note_ids_without_vectors(self, limit: int) -> list[int]:
        stmt = (
            select(NoteRow.id)
            .where(NoteRow.embedding.is_(None), LIVE)
            .order_by(NoteRow.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def notes_after(self, after_id: int, limit: int) -> list[Note]:
        """The next `limit` notes by id (keyset paging: a re-index walks them all once)."""
        stmt = note_select().where(NoteRow.id > after_id, LIVE).order_by(NoteRow.id).limit(limit)
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
        for index in _HNSW_INDEXES:
            self.session.execute(text(_create_index_sql(index)))

    def missing_vector_indexes(self) -> list[str]:
        """The HNSW indexes the schema should have and does not (in build order)."""
        stmt = text(
            "SELECT indexname FROM pg_indexes "
            "WHERE schemaname = current_schema() AND indexname = ANY(:names)"
        )
        present = set(self.session.scalars(stmt, {"names": list(_HNSW_INDEXES)}))
        return [name for name in _HNSW_INDEXES if name not in present]

    def drop_vector_indexes(self) -> None:
        """Drop both HNSW indexes (a bulk load); raises if a table stays busy too long."""
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _VECTOR_DDL_LOCK})
        self.session.execute(text(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'"))
        for index in _HNSW_INDEXES:
            self.session.execute(text(f"DROP INDEX IF EXISTS {index}"))

    def create_vector_index(self, name: str) -> None:
        """Build the HNSW index `name` if it is missing, with the memory to build it without
        spilling. Writes to its table wait until the build commits (reads do not)."""
        table = _HNSW_INDEXES[name]
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _VECTOR_DDL_LOCK})
        row = self.session.execute(
            text(
                f"SELECT count(embedding), (SELECT setting::bigint * 1024 FROM pg_settings "
                f"WHERE name = 'maintenance_work_mem') FROM {table}"
            )
        ).one()
        vectors, current = int(row[0]), int(row[1])
        dimension = self.vector_dimension() or 0
        # A quarter more than measured: saves may add vectors before the build locks the table.
        wanted = vectors * (4 * dimension + 8 + HNSW_BYTES_PER_ELEMENT) * 5 // 4
        memory = min(max(wanted, current), max(BUILD_MEMORY_MAX, current))
        if memory > current:
            self.session.execute(
                text("SELECT set_config('maintenance_work_mem', :value, true)"),
                {"value": f"{memory // 1024}kB"},
            )
        self.session.execute(text(_create_index_sql(name)))


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
