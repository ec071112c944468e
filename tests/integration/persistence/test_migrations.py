"""Alembic migrations: up, down and up again, from the command line and from code."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect, text

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence import migrate
from pkm_core.infrastructure.persistence.engines import dispose_all
from tests.scratch_server import ScratchServer

SCHEMA = {
    "notes",
    "note_chunks",
    "note_revisions",
    "note_drafts",
    "note_keywords",
    "keywords",
    "projects",
    "sources",
    "note_links",
    "embedding_model",
    "bm25_terms",
    "bm25_postings",
    "bm25_stats",
    "bm25_stats_delta",
    "bm25_term_delta",
    "related_choices",
    "note_vault",
    "note_aliases",
    "vault_attachments",
}


@pytest.fixture
def scratch_database(test_server: ScratchServer) -> Iterator[DatabaseUrls]:
    name = f"kairos_migrate_{uuid.uuid4().hex[:8]}"
    urls = test_server.create_database(name)
    yield urls
    dispose_all()
    test_server.drop_database(name)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def alembic(url: str, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={url}", *args],
        capture_output=True,
        text=True,
        cwd=migrate.PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr


def test_alembic_upgrades_downgrades_and_upgrades_again_from_the_command_line(
    scratch_database: DatabaseUrls,
) -> None:
    alembic(scratch_database.sync_url, "upgrade", "head")
    assert tables(scratch_database.sync_url) == SCHEMA
    alembic(scratch_database.sync_url, "downgrade", "base")
    assert tables(scratch_database.sync_url) == set()
    alembic(scratch_database.sync_url, "upgrade", "head")
    assert tables(scratch_database.sync_url) == SCHEMA


def test_alembic_runs_through_the_async_driver_too(scratch_database: DatabaseUrls) -> None:
    alembic(scratch_database.async_url, "upgrade", "head")
    assert tables(scratch_database.sync_url) == SCHEMA


def test_the_first_revision_creates_the_vector_extension_and_the_search_indexes(
    scratch_database: DatabaseUrls,
) -> None:
    migrate.upgrade(scratch_database.sync_url, "0001")  # 0022 drops the GIN index
    engine = create_engine(scratch_database.sync_url)
    with engine.connect() as conn:
        extension = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar_one()
        indexes = {
            row.indexname: row.indexdef
            for row in conn.execute(text("SELECT indexname, indexdef FROM pg_indexes"))
        }
    engine.dispose()
    assert extension
    assert "hnsw" in indexes["ix_note_chunks_embedding_hnsw"]
    assert "vector_cosine_ops" in indexes["ix_note_chunks_embedding_hnsw"]
    assert "gin" in indexes["ix_notes_search_tsv"]


def test_programmatic_migration_leaves_the_applications_logging_alone(
    scratch_database: DatabaseUrls,
) -> None:
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    migrate.upgrade(scratch_database.sync_url)
    migrate.downgrade(scratch_database.sync_url)
    assert (root.handlers, root.level) == (handlers, level)
    assert tables(scratch_database.sync_url) == set()
