"""Keyword search with the BM25 statistics read as folded + pending deltas (migration 0011)
against the folded values alone (what a single statistics row would give), same database.

Notes are generated (120 words from a 3,000-word vocabulary) and stored with the tests'
fake embedder (keyword search does not use vectors); nothing is pending when the queries
run, so both reads give the same statistics and the result lists are compared.

    .venv/bin/python -m benchmarks.bm25_stats_read --notes 3000
"""

from __future__ import annotations

import argparse
import random
import time

from sqlalchemy import Subquery, select

from benchmarks.common import machine, percentile, scratch_database, unique_name
from benchmarks.concurrent_writers import WORDS
from pkm_core.application.dto import SearchMode
from pkm_core.application.indexing import prepare_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence import bm25_stats, migrate, search_queries
from pkm_core.infrastructure.persistence.models import Bm25StatsRow, Bm25TermRow
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder


def folded_stats() -> Subquery:
    base = Bm25StatsRow
    row = select(base.doc_count, base.sum_len_title, base.sum_len_body).where(base.id == 1)
    return row.subquery()


def timed(urls: DatabaseUrls, queries: list[str], label: str) -> list[list[int]]:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(urls.sync_url)

    for query in queries[:5]:  # warm the caches
        search_notes(uow(), None, query, SearchMode.KEYWORD)
    runs, results = [], []
    for query in queries:
        started = time.perf_counter()
        hits = search_notes(uow(), None, query, SearchMode.KEYWORD)
        runs.append(time.perf_counter() - started)
        results.append([hit.note_id for hit in hits])
    p50, p95 = percentile(runs, 50) * 1000, percentile(runs, 95) * 1000
    print(f"{label:28} p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(queries)} queries)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    print(machine())
    rng = random.Random(1)
    vocabulary = [*WORDS, *(f"w{i}" for i in range(3000))]
    embedder = FakeEmbedder()
    with scratch_database(unique_name("bench_stats_read")) as urls:
        migrate.upgrade(urls.sync_url)
        for start in range(0, args.notes, 100):
            batch = [
                prepare_note(
                    NoteDraft(
                        title=f"note {start + i}",
                        body=" ".join(rng.choice(vocabulary) for _ in range(120)),
                    ),
                    embedder,
                )
                for i in range(min(100, args.notes - start))
            ]
            with SyncSQLAlchemyUnitOfWork(urls.sync_url) as uow:
                uow.notes.add_many(batch)
        queries = [
            " ".join(rng.choice(vocabulary) for _ in range(4)) + " " for _ in range(args.queries)
        ]
        exact = timed(urls, queries, "folded + pending deltas")
        try:
            search_queries.term_df = lambda: Bm25TermRow.df  # type: ignore[assignment,return-value]
            search_queries.collection_stats = folded_stats
            folded = timed(urls, queries, "folded values alone")
        finally:
            search_queries.term_df = bm25_stats.term_df
            search_queries.collection_stats = bm25_stats.collection_stats
        print("same results:", exact == folded)


if __name__ == "__main__":
    main()
