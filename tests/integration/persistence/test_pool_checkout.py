"""A pooled connection is pinged only when it may be dead: one used moments ago costs no
round trip, one the server ended or one idle for long is pinged and, dead, replaced."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import sessionmaker

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence import engines
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork


@pytest.fixture
def engine(database: DatabaseUrls) -> Iterator[Engine]:
    """An engine of the app's kind of its own: one unit of work at a time, so its pool
    holds one connection, checked out again by every unit of work."""
    own = engines._sync_engine_for(database.sync_url)
    yield own
    own.dispose()


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per `SELECT 1` ping the pool sends."""
    sent: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        sent.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return sent


def backend_pid(engine: Engine) -> int:
    with SyncSQLAlchemyUnitOfWork(sessionmaker(engine)) as uow:
        return int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_moments_ago_is_not_pinged(engine: Engine, pings: list[int]) -> None:
    first = backend_pid(engine)
    assert [backend_pid(engine) for _ in range(5)] == [first] * 5
    assert pings == []


def test_a_connection_the_server_ended_is_replaced_at_the_next_unit_of_work(
    engine: Engine, pings: list[int], database: DatabaseUrls
) -> None:
    ended = backend_pid(engine)
    admin = create_engine(database.sync_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": ended}).scalar()
            gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p")
            for _ in range(200):  # the backend says goodbye on the socket as it exits
                if not conn.execute(gone, {"p": ended}).scalar():
                    break
                time.sleep(0.01)
    finally:
        admin.dispose()
    replacement = backend_pid(engine)  # no error: the pool opened a new connection
    assert replacement != ended
    assert pings == [1]
    assert backend_pid(engine) == replacement and pings == [1]


def test_a_connection_idle_for_long_is_pinged_first(
    engine: Engine, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(engine)
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert backend_pid(engine) == first  # alive: kept
    assert pings == [1]
