"""Search tests share a way to write notes through the app's own use cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pkm_core.application.use_cases.notes import create_note
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder

UowFactory = Callable[[], SyncSQLAlchemyUnitOfWork]


@pytest.fixture
def uow(clean_database: DatabaseUrls) -> UowFactory:
    return lambda: SyncSQLAlchemyUnitOfWork(clean_database.sync_url)


@pytest.fixture
def add(uow: UowFactory, fake_embedder: FakeEmbedder) -> Callable[..., Note]:
    def add(title: str, body: str = "", **extra: object) -> Note:
        return create_note(uow(), fake_embedder, NoteDraft(title=title, body=body, **extra))

    return add
