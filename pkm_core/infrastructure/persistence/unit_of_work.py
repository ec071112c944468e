"""The two Units of Work of the seed: sync (psycopg2) and async (asyncpg).

Semantics: an exception inside the block rolls back; a clean exit commits (an explicit
commit before that is allowed). The session lives exactly as long as the block.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Self

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from pkm_core.application.ports import IAsyncUnitOfWork, ISyncUnitOfWork
from pkm_core.infrastructure.persistence.catalog_repository import (
    AsyncSQLAlchemyCatalogRepository,
    SyncSQLAlchemyCatalogRepository,
)
from pkm_core.infrastructure.persistence.engines import (
    async_session_factory,
    sync_session_factory,
)
from pkm_core.infrastructure.persistence.errors import domain_error
from pkm_core.infrastructure.persistence.index_repository import (
    AsyncSQLAlchemyIndexRepository,
    SyncSQLAlchemyIndexRepository,
)
from pkm_core.infrastructure.persistence.repositories import (
    AsyncSQLAlchemyNoteRepository,
    SyncSQLAlchemyNoteRepository,
)
from pkm_core.infrastructure.persistence.vault_repository import (
    AsyncSQLAlchemyVaultRepository,
    SyncSQLAlchemyVaultRepository,
)


class SyncSQLAlchemyUnitOfWork(ISyncUnitOfWork):
    """`with SyncSQLAlchemyUnitOfWork(url) as uow: uow.notes.add(...)`"""

    notes: SyncSQLAlchemyNoteRepository
    catalog: SyncSQLAlchemyCatalogRepository
    index: SyncSQLAlchemyIndexRepository
    vault: SyncSQLAlchemyVaultRepository

    def __init__(self, url_or_session_factory: str | sessionmaker[Session]) -> None:
        if isinstance(url_or_session_factory, str):
            self._session_factory = sync_session_factory(url_or_session_factory)
        else:
            self._session_factory = url_or_session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("The unit of work is not open: use `with uow:`.")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.notes = SyncSQLAlchemyNoteRepository(self._session)
        self.catalog = SyncSQLAlchemyCatalogRepository(self._session)
        self.index = SyncSQLAlchemyIndexRepository(self._session)
        self.vault = SyncSQLAlchemyVaultRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                self.commit_sync()
            else:
                self.rollback_sync()
        finally:
            session.close()
            self._session = None
        mapped = None if exc is None else domain_error(exc)
        if mapped is not None:
            raise mapped from exc

    def commit_sync(self) -> None:
        try:
            self.session.commit()
        except Exception as exc:
            mapped = domain_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def rollback_sync(self) -> None:
        # A lost connection has been rolled back by the server already.
        with contextlib.suppress(OperationalError):
            self.session.rollback()


class AsyncSQLAlchemyUnitOfWork(IAsyncUnitOfWork):
    """`async with AsyncSQLAlchemyUnitOfWork(url) as uow: await uow.notes.add(...)`"""

    notes: AsyncSQLAlchemyNoteRepository
    catalog: AsyncSQLAlchemyCatalogRepository
    index: AsyncSQLAlchemyIndexRepository
    vault: AsyncSQLAlchemyVaultRepository

    def __init__(self, url_or_session_factory: str | async_sessionmaker[AsyncSession]) -> None:
        if isinstance(url_or_session_factory, str):
            self._session_factory = async_session_factory(url_or_session_factory)
        else:
            self._session_factory = url_or_session_factory
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("The unit of work is not open: use `async with uow:`.")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        self.notes = AsyncSQLAlchemyNoteRepository(self._session)
        self.catalog = AsyncSQLAlchemyCatalogRepository(self._session)
        self.index = AsyncSQLAlchemyIndexRepository(self._session)
        self.vault = AsyncSQLAlchemyVaultRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await self.commit()
            else:
                await self.rollback()
        finally:
            await session.close()
            self._session = None
        mapped = None if exc is None else domain_error(exc)
        if mapped is not None:
            raise mapped from exc

    async def commit(self) -> None:
        try:
            await self.session.commit()
        except Exception as exc:
            mapped = domain_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    async def rollback(self) -> None:
        with contextlib.suppress(OperationalError):
            await self.session.rollback()
