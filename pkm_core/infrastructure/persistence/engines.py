"""Engines and session factories: created once per URL and reused by every Unit of Work.

A pooled sync connection is checked for life without a round trip when it was used
moments ago (`_check_out`): SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every
checkout, one round trip more for every unit of work (a search or a related-notes call is
one statement or three). The async engine keeps `pool_pre_ping` (its socket belongs to
the event loop's transport; not measured).
"""

from __future__ import annotations

import select
import threading
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

_lock = threading.Lock()
_sync: dict[str, sessionmaker[Session]] = {}
_async: dict[str, async_sessionmaker] = {}


def _connect_or_operational_error(
    dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    """asyncpg raises bare OSErrors (no socket, refused); make them DBAPI errors so they
    surface as `OperationalError` like psycopg2's, and the UoW can name the cause."""
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as exc:
        raise dialect.loaded_dbapi.OperationalError(f"{type(exc).__name__}: {exc}") from exc


# A connection returned to the pool longer ago than this is pinged the usual way at its
# next checkout: a server that went away without a word (a remote host rebooted, a
# dropped network path) leaves nothing to read on the socket.
PING_AFTER_IDLE_SECONDS = 30.0
_CHECKED_IN = "kairos_checked_in"  # key of the last checkin's time in the record's info


def _readable(fd: int) -> bool:
    """Whether something waits to be read on an idle connection's socket: nothing should,
    so it is the server's farewell (it stopped, restarted or ended the session) or EOF."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)  # HUP and ERR always count
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])  # pragma: no cover - no poll (Windows)


def _check_in(_dbapi_connection: Any, record: Any) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _check_out(dbapi_connection: Any, record: Any, _proxy: Any, engine: Engine) -> None:
    """Ping (`SELECT 1`) only a connection idle for long or with something to read; a
    dead one makes the pool open a new connection (DisconnectionError), as pre-ping does."""
    checked_in = record.info.get(_CHECKED_IN)
    if checked_in is None:  # just opened
        return
    recent = time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS
    try:
        if recent and not _readable(dbapi_connection.fileno()):
            return
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as exc:  # closed, or the ping failed
        raise DisconnectionError(f"the pooled connection is gone: {exc}") from exc


def _sync_engine_for(url: str) -> Engine:
    engine = create_engine(url, pool_size=5, max_overflow=5)
    event.listen(engine, "checkin", _check_in)
    event.listen(
        engine, "checkout", lambda conn, record, proxy: _check_out(conn, record, proxy, engine)
    )
    return engine


def sync_session_factory(url: str) -> sessionmaker[Session]:
    with _lock:
        factory = _sync.get(url)
        if factory is None:
            factory = sessionmaker(_sync_engine_for(url), expire_on_commit=False)
            _sync[url] = factory
        return factory


def async_session_factory(url: str) -> async_sessionmaker:
    with _lock:
        factory = _async.get(url)
        if factory is None:
            engine = create_async_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            event.listen(engine.sync_engine, "do_connect", _connect_or_operational_error)
            factory = async_sessionmaker(engine, expire_on_commit=False)
            _async[url] = factory
        return factory


def sync_engine(url: str) -> Engine:
    engine = sync_session_factory(url).kw["bind"]
    assert isinstance(engine, Engine)
    return engine


def async_engine(url: str) -> AsyncEngine:
    engine = async_session_factory(url).kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


def dispose_all() -> None:
    """Close every pooled connection (tests, shutdown)."""
    with _lock:
        for factory in _sync.values():
            factory.kw["bind"].dispose()
        _sync.clear()
        _async.clear()
