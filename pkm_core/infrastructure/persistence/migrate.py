"""Apply Alembic migrations programmatically (once per process per database)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from pkm_core.infrastructure.persistence.engines import sync_engine

PROJECT_ROOT = Path(__file__).resolve().parents[3]
_done: set[str] = set()
_lock = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["configure_logger"] = False  # leave the application's logging alone
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    # A transaction-level advisory lock: two processes starting together migrate one at a time.
    with sync_engine(url).begin() as connection:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        command.upgrade(alembic_config(connection), revision)


def downgrade(url: str, revision: str = "base") -> None:
    with sync_engine(url).begin() as connection:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        command.downgrade(alembic_config(connection), revision)


def ensure_migrated(url: str) -> None:
    """Upgrade to head the first time this process sees `url`."""
    with _lock:
        if url in _done:
            return
        upgrade(url)
        _done.add(url)


def forget_migrations() -> None:
    """Tests that downgrade must let the next `ensure_migrated` run again."""
    with _lock:
        _done.clear()
