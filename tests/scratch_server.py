"""A PostgreSQL server on which tests create and drop databases of their own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pkm_core.bootstrap import DatabaseUrls


@dataclass(frozen=True)
class ScratchServer:
    """A server the tests may create databases on."""

    admin_sync_url: str  # a maintenance database on that server
    data_dir: Path | None  # the embedded server's data dir, None for an external server

    def url_for(self, database: str, driver: str) -> str:
        url = make_url(self.admin_sync_url).set(
            drivername=f"postgresql+{driver}", database=database
        )
        return url.render_as_string(hide_password=False)

    def create_database(self, name: str) -> DatabaseUrls:
        engine = create_engine(self.admin_sync_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return DatabaseUrls(self.url_for(name, "psycopg2"), self.url_for(name, "asyncpg"))

    def drop_database(self, name: str) -> None:
        engine = create_engine(self.admin_sync_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
