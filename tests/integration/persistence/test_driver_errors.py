"""Driver errors reach a person as domain errors (one sentence), never as driver text."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from pkm_core.application.use_cases.notes import create_note, update_note
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.errors import DuplicateTitle, StorageBusy
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence.unit_of_work import (
    AsyncSQLAlchemyUnitOfWork,
    SyncSQLAlchemyUnitOfWork,
)
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("clean_database")


def wait_until_a_backend_waits_on_a_lock(url: str) -> None:
    """The second writer has passed the title check and waits on the first's index entry."""
    engine = create_engine(url)
    try:
        for _ in range(200):
            with engine.connect() as conn:
                waiting = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                ).scalar()
            if waiting:
                return
            time.sleep(0.025)
        raise AssertionError("the second writer never waited on the first")
    finally:
        engine.dispose()


async def test_two_creates_racing_to_one_title_give_a_duplicate_title_sentence(
    clean_database: DatabaseUrls,
) -> None:
    first = SyncSQLAlchemyUnitOfWork(clean_database.sync_url)
    first.__enter__()
    first.notes.add(NoteDraft(title="Race", body="first"))  # inserted, not committed

    second = asyncio.create_task(
        asyncio.to_thread(
            create_note,
            SyncSQLAlchemyUnitOfWork(clean_database.sync_url),
            FakeEmbedder(),
            NoteDraft(title="race", body="second"),
        )
    )
    await asyncio.to_thread(wait_until_a_backend_waits_on_a_lock, clean_database.sync_url)
    first.__exit__(None, None, None)  # commits: the waiting insert now violates the index

    with pytest.raises(DuplicateTitle, match="already exists"):
        await second


async def test_an_async_create_racing_to_one_title_gives_a_duplicate_title_sentence(
    clean_database: DatabaseUrls,
) -> None:
    first = SyncSQLAlchemyUnitOfWork(clean_database.sync_url)
    first.__enter__()
    first.notes.add(NoteDraft(title="Async race"))

    async def add() -> None:
        async with AsyncSQLAlchemyUnitOfWork(clean_database.async_url) as uow:
            await uow.notes.add(NoteDraft(title="ASYNC RACE"))

    second = asyncio.create_task(add())
    await asyncio.to_thread(wait_until_a_backend_waits_on_a_lock, clean_database.sync_url)
    first.__exit__(None, None, None)
    with pytest.raises(DuplicateTitle, match="ASYNC RACE"):  # the title as written
        await second


async def test_a_rename_racing_to_a_new_title_gives_a_duplicate_title_sentence(
    clean_database: DatabaseUrls,
) -> None:
    embedder = FakeEmbedder()
    note = create_note(
        SyncSQLAlchemyUnitOfWork(clean_database.sync_url), embedder, NoteDraft(title="Old")
    )
    first = SyncSQLAlchemyUnitOfWork(clean_database.sync_url)
    first.__enter__()
    first.notes.add(NoteDraft(title="Taken"))
    rename = asyncio.create_task(
        asyncio.to_thread(
            update_note,
            SyncSQLAlchemyUnitOfWork(clean_database.sync_url),
            embedder,
            note.id,
            NoteDraft(title="Taken"),
            note.version,
        )
    )
    await asyncio.to_thread(wait_until_a_backend_waits_on_a_lock, clean_database.sync_url)
    first.__exit__(None, None, None)
    with pytest.raises(DuplicateTitle):
        await rename


def test_an_exhausted_pool_is_one_storage_busy_sentence(clean_database: DatabaseUrls) -> None:
    engine = create_engine(clean_database.sync_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    factory = sessionmaker(engine)
    held = engine.connect()  # the pool's only connection
    try:
        with (
            pytest.raises(StorageBusy, match="busy") as caught,
            SyncSQLAlchemyUnitOfWork(factory) as uow,
        ):
            uow.notes.count()
        assert "QueuePool" not in str(caught.value)
    finally:
        held.close()
        engine.dispose()


async def test_an_exhausted_async_pool_is_one_storage_busy_sentence(
    clean_database: DatabaseUrls,
) -> None:
    engine = create_async_engine(
        clean_database.async_url, pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    held = await engine.connect()  # the pool's only connection
    try:
        with pytest.raises(StorageBusy, match="try again in a moment"):
            async with AsyncSQLAlchemyUnitOfWork(async_sessionmaker(engine)) as uow:
                await uow.notes.count()
    finally:
        await held.close()
        await engine.dispose()
