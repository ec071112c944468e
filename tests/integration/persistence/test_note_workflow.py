"""The async Unit of Work (asyncpg) on a real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from pkm_core.application.dto import ChunkRecord, NoteFilter, PageRequest
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.errors import NoteNotFound, StorageUnavailable, VersionConflict
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence.engines import async_engine
from pkm_core.infrastructure.persistence.unit_of_work import AsyncSQLAlchemyUnitOfWork

pytestmark = pytest.mark.usefixtures("clean_database")


def draft(title: str, body: str = "some body", **extra: object) -> NoteDraft:
    return NoteDraft(title=title, body=body, **extra)


async def test_a_note_is_created_read_updated_and_deleted(clean_database: DatabaseUrls) -> None:
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        note = await uow.notes.add(draft("Async note", "hello", keywords=("b", "a")))
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        read = await uow.notes.get(note.id)
    assert read is not None
    assert (read.title, read.keywords, read.version) == ("Async note", ("a", "b"), 1)

    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        updated = await uow.notes.update(note.id, draft("Async note", "changed"), 1)
    assert (updated.body, updated.version) == ("changed", 2)

    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        await uow.notes.delete(note.id, expected_version=2)
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        assert await uow.notes.get(note.id) is None
        with pytest.raises(NoteNotFound):
            await uow.notes.delete(note.id)


async def test_a_clean_exit_commits(clean_database: DatabaseUrls) -> None:
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        await uow.notes.add(draft("Kept"))
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        assert await uow.notes.get_by_title("Kept") is not None


async def test_an_exception_in_the_block_rolls_back(clean_database: DatabaseUrls) -> None:
    with pytest.raises(RuntimeError):
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
            await uow.notes.add(draft("Lost"))
            raise RuntimeError("boom")
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        assert await uow.notes.count() == 0


async def test_an_explicit_commit_survives_a_later_exception(clean_database: DatabaseUrls) -> None:
    with pytest.raises(RuntimeError):
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
            await uow.notes.add(draft("Committed"))
            await uow.commit()
            await uow.notes.add(draft("Rolled back"))
            raise RuntimeError("boom")
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        assert await uow.notes.get_by_title("Committed") is not None
        assert await uow.notes.get_by_title("Rolled back") is None


async def test_two_units_of_work_do_not_see_each_others_uncommitted_work(
    clean_database: DatabaseUrls,
) -> None:
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as writer:
        await writer.notes.add(draft("Pending"))
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as reader:
            assert await reader.notes.get_by_title("Pending") is None
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as reader:
        assert await reader.notes.get_by_title("Pending") is not None


async def test_a_stale_version_is_a_conflict(clean_database: DatabaseUrls) -> None:
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        note = await uow.notes.add(draft("Shared", "original"))
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        await uow.notes.update(note.id, draft("Shared", "first"), note.version)
    with pytest.raises(VersionConflict):
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
            await uow.notes.update(note.id, draft("Shared", "second"), note.version)
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        current = await uow.notes.get(note.id)
    assert current is not None and current.body == "first"


async def test_concurrent_units_of_work_share_one_engine(clean_database: DatabaseUrls) -> None:
    async def write(i: int) -> int:
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
            note = await uow.notes.add(draft(f"Concurrent {i}", f"body {i}"))
            await asyncio.sleep(0.01)  # hold the transaction open while others run
            return note.id

    ids = await asyncio.gather(*(write(i) for i in range(8)))
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        listed = await uow.notes.list(NoteFilter(), PageRequest(1, 50))
    assert len(set(ids)) == 8
    assert listed.total == 8
    assert async_engine(clean_database.async_url) is async_engine(clean_database.async_url)


async def test_the_vector_column_round_trips(clean_database: DatabaseUrls) -> None:
    vector = [((i % 5) - 2) / 10 for i in range(384)]
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        note = await uow.notes.add(draft("Vectors"))
        await uow.notes.replace_chunks(note.id, [ChunkRecord(0, "x", "h", vector)], vector)
    async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
        (chunk,) = await uow.notes.chunks(note.id)
        nearest = await uow.notes.nearest_chunks(vector, k=1)
        ranked = await uow.notes.keyword_rank("vectors", k=1)
    assert chunk.embedding == pytest.approx(vector, abs=1e-6)
    assert nearest[0].note_id == note.id
    assert ranked[0].note_id == note.id


async def test_an_unreachable_database_is_one_clear_sentence(tmp_path: object) -> None:
    url = f"postgresql+asyncpg://postgres@/kairos?host={tmp_path}/no-server-here"
    with pytest.raises(StorageUnavailable, match="cannot be reached"):
        async with AsyncSQLAlchemyUnitOfWork(url) as uow:
            await uow.notes.count()
