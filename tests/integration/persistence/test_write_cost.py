"""Migration 0022: kairos_bm25_add and kairos_bm25_fold keep generic plans, the unread GIN
index is gone, and what the trigger writes is what it wrote before."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence import migrate
from pkm_core.infrastructure.persistence.engines import dispose_all
from tests.integration.persistence.test_posting_storage import NOTES, WORDS, run
from tests.scratch_server import ScratchServer

BEFORE = "0018_bm25_direct_fold"
GENERIC = {"kairos_bm25_add", "kairos_bm25_fold"}
REPLANNED = {"kairos_bm25_remove", "kairos_bm25_sync"}  # sync's setting would reach remove
CONFIG = """
SELECT proname, proconfig FROM pg_proc WHERE proname IN ('kairos_bm25_add', 'kairos_bm25_remove',
    'kairos_bm25_fold', 'kairos_bm25_sync') ORDER BY proname
"""
GIN = "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_notes_search_tsv'"
STATS = """
SELECT s.doc_count, s.sum_len_title, s.sum_len_body,
       (SELECT array_agg(term || ':' || df ORDER BY term) FROM bm25_terms WHERE df <> 0)
FROM bm25_stats_now s
"""
# An edit (the trigger's remove and add) and a delete, after the inserts of NOTES.
EDIT = "UPDATE notes SET search_tsv = to_tsvector('english', 'green tea cools') WHERE title = 'Tea'"
DELETE = "DELETE FROM notes WHERE title = 'Bread'"


@pytest.fixture
def scratch_database(test_server: ScratchServer) -> Iterator[DatabaseUrls]:
    name = f"kairos_write_cost_{uuid.uuid4().hex[:8]}"
    urls = test_server.create_database(name)
    yield urls
    dispose_all()
    test_server.drop_database(name)


def plan_modes(url: str) -> dict[str, object]:
    return {str(name): config for name, config in run(url, CONFIG)}


def written(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    run(url, NOTES)
    run(url, EDIT)
    run(url, DELETE)
    return run(url, WORDS), run(url, STATS)


def test_adding_and_folding_run_with_generic_plans_and_removing_is_planned_per_call(
    scratch_database: DatabaseUrls,
) -> None:
    migrate.upgrade(scratch_database.sync_url)
    modes = plan_modes(scratch_database.sync_url)
    assert set(modes) == GENERIC | REPLANNED
    assert {name: modes[name] for name in GENERIC} == {
        name: ["plan_cache_mode=force_generic_plan"] for name in GENERIC
    }
    assert {name: modes[name] for name in REPLANNED} == {name: None for name in REPLANNED}


def test_the_unread_gin_index_is_gone_and_the_downgrade_brings_both_back(
    scratch_database: DatabaseUrls,
) -> None:
    url = scratch_database.sync_url
    migrate.upgrade(url)
    assert run(url, GIN) == [(0,)]
    migrate.downgrade(url, BEFORE)
    assert run(url, GIN) == [(1,)]
    assert all(config is None for config in plan_modes(url).values())
    migrate.upgrade(url)
    assert run(url, GIN) == [(0,)]


def test_the_trigger_writes_the_same_postings_and_statistics_as_before(
    scratch_database: DatabaseUrls,
) -> None:
    url = scratch_database.sync_url
    migrate.upgrade(url, BEFORE)
    before = written(url)
    run(url, "TRUNCATE notes, bm25_postings, bm25_terms, bm25_term_delta, bm25_stats_delta CASCADE")
    run(url, "UPDATE bm25_stats SET doc_count = 0, sum_len_title = 0, sum_len_body = 0")
    migrate.upgrade(url)
    after = written(url)
    assert len(before[0]) == 7  # Compost's 4 words and the edited Tea's 3; Bread's are gone
    assert after == before
