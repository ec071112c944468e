"""Migration 0017: BM25 postings keyed by (note, term), two B-trees instead of three."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence import migrate
from pkm_core.infrastructure.persistence.engines import dispose_all
from tests.scratch_server import ScratchServer

NOW = {
    "bm25_postings_pkey": "(note_id, term_id)",
    "ix_bm25_postings_term_impact": (
        "(term_id, impact_ref DESC) INCLUDE (note_id, tf_title, tf_body, len_title, len_body)"
    ),
}
BEFORE = {
    "bm25_postings_pkey": "(term_id, note_id)",
    "ix_bm25_postings_note_id": "(note_id)",
    "ix_bm25_postings_term_impact": NOW["ix_bm25_postings_term_impact"],
}
NOTES = """
INSERT INTO notes (title, body, content_hash, search_tsv, version)
SELECT t, b, md5(b), setweight(to_tsvector('english', t), 'A') || to_tsvector('english', b), 1
FROM (VALUES ('Compost', 'Turn the compost heap weekly'),
             ('Bread', 'Knead the dough, let the dough rise'),
             ('Tea', 'Green tea steeps for two minutes')) AS v(t, b)
"""
# By word and note title: the ids of a second writing differ.
WORDS = """
SELECT t.term, n.title, p.tf_title, p.tf_body, p.len_title, p.len_body, p.impact_ref
FROM bm25_postings p JOIN bm25_terms t ON t.id = p.term_id JOIN notes n ON n.id = p.note_id
ORDER BY 1, 2
"""
POSTINGS = "SELECT term_id, note_id, tf_title, tf_body, impact_ref FROM bm25_postings ORDER BY 1, 2"


@pytest.fixture
def scratch_database(test_server: ScratchServer) -> Iterator[DatabaseUrls]:
    name = f"kairos_postings_{uuid.uuid4().hex[:8]}"
    urls = test_server.create_database(name)
    yield urls
    dispose_all()
    test_server.drop_database(name)


def posting_indexes(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'bm25_postings'")
            ).all()
    finally:
        engine.dispose()
    return {name: d.split(" USING btree ")[1] for name, d in rows}


def run(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        engine.dispose()


def test_postings_are_keyed_by_note_then_term_and_the_note_id_index_is_gone(
    scratch_database: DatabaseUrls,
) -> None:
    migrate.upgrade(scratch_database.sync_url)
    assert posting_indexes(scratch_database.sync_url) == NOW


def test_the_downgrade_restores_the_term_key_and_keeps_every_posting(
    scratch_database: DatabaseUrls,
) -> None:
    url = scratch_database.sync_url
    migrate.upgrade(url)
    run(url, NOTES)
    written = run(url, POSTINGS)
    migrate.downgrade(url, "0016_filter_indexes")
    assert posting_indexes(url) == BEFORE
    assert run(url, POSTINGS) == written
    migrate.upgrade(url)
    assert posting_indexes(url) == NOW
    assert run(url, POSTINGS) == written


def test_postings_written_in_term_order_are_the_postings_written_before(
    scratch_database: DatabaseUrls,
) -> None:
    url = scratch_database.sync_url
    migrate.upgrade(url, "0016_filter_indexes")
    run(url, NOTES)
    before = run(url, WORDS)
    run(url, "TRUNCATE notes, bm25_postings, bm25_terms, bm25_term_delta, bm25_stats_delta CASCADE")
    run(url, "UPDATE bm25_stats SET doc_count = 0, sum_len_title = 0, sum_len_body = 0")
    migrate.upgrade(url)
    run(url, NOTES)
    assert len(before) == 14
    assert run(url, WORDS) == before
