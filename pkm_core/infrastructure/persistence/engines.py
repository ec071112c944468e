"""Engines and session factories: created once per URL and reused by every Unit of Work."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
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


def sync_session_factory(url: str) -> sessionmaker[Session]:
    with _lock:
        factory = _sync.get(url)
        if factory is None:
            engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            factory = sessionmaker(engine, expire_on_commit=False)
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
