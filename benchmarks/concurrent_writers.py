"""N concurrent writers for a bounded time: notes/s, p95 save latency, lost notes, raw errors.

Sync writers are threads calling the app's `create_note` use case through the sync Unit of
Work (psycopg2); async writers are asyncio tasks that embed first and then add the note
with its chunks through the async Unit of Work (asyncpg). `--revision 0008`
migrates the scratch database to the schema before migration 0011 (one bm25_stats row
locked by every writer), to measure the same code before and after it. The embedder is
the deterministic fake of the tests (hashed bag of words, microseconds per note) so that
the figures measure the database's write path (BM25 statistics, postings, HNSW inserts,
the pool), not the model.

Every save either succeeds, or raises a domain error (counted by type), or raises anything
else (a raw error, counted and printed): at the end the notes in the database are compared
with the successes (lost = successes not found) and the BM25 statistics are checked against
a recount from the postings.

    .venv/bin/python -m benchmarks.concurrent_writers --writers 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from benchmarks.common import machine, percentile, scratch_database, unique_name
from pkm_core.application.indexing import prepare_note
from pkm_core.application.use_cases.notes import create_note
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.errors import KairosError
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence import migrate
from pkm_core.infrastructure.persistence.unit_of_work import (
    AsyncSQLAlchemyUnitOfWork,
    SyncSQLAlchemyUnitOfWork,
)
from tests.fakes import FakeEmbedder

WORDS = [
    "autumn",
    "leaves",
    "river",
    "stone",
    "garden",
    "memory",
    "paper",
    "window",
    "letter",
    "winter",
    "music",
    "forest",
    "harbour",
    "lantern",
    "engine",
    "market",
    "signal",
    "bridge",
    "orchard",
    "meadow",
    "thunder",
    "silver",
    "copper",
    "journey",
    "archive",
    "theory",
    "method",
    "result",
    "sample",
    "protein",
    "cell",
    "model",
    "vector",
    "search",
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    domain_errors: Counter[str] = field(default_factory=Counter)
    raw_errors: Counter[str] = field(default_factory=Counter)
    titles: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, title: str, started: float, error: BaseException | None) -> None:
        elapsed = time.perf_counter() - started
        with self.lock:
            if error is None:
                self.latencies.append(elapsed)
                self.titles.append(title)
            elif isinstance(error, KairosError):
                self.domain_errors[type(error).__name__] += 1
            else:
                self.raw_errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1


def draft(writer: str, n: int, rng: random.Random) -> NoteDraft:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160)))
    return NoteDraft(title=f"{writer} note {n}", body=body, keywords=(rng.choice(WORDS),))


def sync_writers(urls: DatabaseUrls, writers: int, seconds: float, tally: Tally) -> None:
    embedder = FakeEmbedder()
    deadline = time.perf_counter() + seconds

    def write(index: int) -> None:
        rng = random.Random(index)
        n = 0
        while time.perf_counter() < deadline:
            note = draft(f"sync{index}", n, rng)
            started = time.perf_counter()
            try:
                create_note(SyncSQLAlchemyUnitOfWork(urls.sync_url), embedder, note)
                tally.record(note.title, started, None)
            except Exception as error:
                tally.record(note.title, started, error)
            n += 1

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


async def async_writers(urls: DatabaseUrls, writers: int, seconds: float, tally: Tally) -> None:
    embedder = FakeEmbedder()
    deadline = time.perf_counter() + seconds

    async def write(index: int) -> None:
        rng = random.Random(10_000 + index)
        n = 0
        while time.perf_counter() < deadline:
            note = draft(f"async{index}", n, rng)
            started = time.perf_counter()
            try:
                prepared = prepare_note(note, embedder)  # slow work first
                async with AsyncSQLAlchemyUnitOfWork(urls.async_url) as uow:
                    await uow.notes.add(prepared)
                tally.record(note.title, started, None)
            except Exception as error:
                tally.record(note.title, started, error)
            n += 1

    await asyncio.gather(*(write(i) for i in range(writers)))


def check(urls: DatabaseUrls, tally: Tally) -> tuple[int, bool]:
    """(lost notes, BM25 statistics equal to a recount from the postings)."""
    engine = create_engine(urls.sync_url)
    with engine.connect() as conn:
        stored = set(conn.execute(text("SELECT title FROM notes")).scalars())
        recount = conn.execute(
            text(
                "SELECT count(*), coalesce(sum(len_title), 0), coalesce(sum(len_body), 0) FROM "
                "(SELECT DISTINCT note_id, len_title, len_body FROM bm25_postings) p"
            )
        ).one()
        kept = conn.execute(text(STATS_SQL)).one()
    engine.dispose()
    lost = sum(1 for title in tally.titles if title not in stored)
    return lost, tuple(map(float, recount)) == tuple(map(float, kept))


# The collection statistics as search reads them (base row plus any pending deltas).
STATS_SQL = """
SELECT s.doc_count + coalesce(d.doc_count, 0), s.sum_len_title + coalesce(d.sum_len_title, 0),
       s.sum_len_body + coalesce(d.sum_len_body, 0)
FROM bm25_stats s LEFT JOIN LATERAL (
    SELECT sum(doc_count) AS doc_count, sum(sum_len_title) AS sum_len_title,
           sum(sum_len_body) AS sum_len_body FROM bm25_stats_delta) d ON true
WHERE s.id = 1
"""
STATS_SQL_SINGLE_ROW = "SELECT doc_count, sum_len_title, sum_len_body FROM bm25_stats WHERE id = 1"


RECOUNT_SQL = """
SELECT count(*), coalesce(sum(len_title), 0), coalesce(sum(len_body), 0)
FROM (SELECT DISTINCT note_id, len_title, len_body FROM bm25_postings) p
"""
DF_DELTA_SQL = """
SELECT t.df + coalesce((SELECT sum(delta) FROM bm25_term_delta d WHERE d.term_id = t.id), 0)
FROM bm25_terms t WHERE t.term = ANY(:terms)
"""
DF_RECOUNT_SQL = """
SELECT (SELECT count(*) FROM bm25_postings p WHERE p.term_id = t.id)
FROM bm25_terms t WHERE t.term = ANY(:terms)
"""


def read_costs(urls: DatabaseUrls) -> None:
    """What search pays to read the statistics: folded + pending deltas (this design)
    against computing them from the postings at read time (the alternative)."""
    engine = create_engine(urls.sync_url)
    terms = {"terms": ["river", "stone", "garden", "vector", "search"]}
    timings = {}
    with engine.connect() as conn:
        notes = conn.execute(text("SELECT count(*) FROM notes")).scalar_one()
        for name, sql, params in (
            ("stats, folded + deltas", STATS_SQL, {}),
            ("stats, recounted from postings", RECOUNT_SQL, {}),
            ("df of 5 terms, folded + deltas", DF_DELTA_SQL, terms),
            ("df of 5 terms, counted from postings", DF_RECOUNT_SQL, terms),
        ):
            runs = []
            for _ in range(21):
                started = time.perf_counter()
                conn.execute(text(sql), params).all()
                runs.append(time.perf_counter() - started)
            timings[name] = percentile(runs, 50) * 1000
    engine.dispose()
    print(
        f"    read cost at {notes} notes (median of 21): "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in timings.items())
    )


def report(kind: str, writers: int, seconds: float, tally: Tally, urls: DatabaseUrls) -> None:
    global STATS_SQL
    engine = create_engine(urls.sync_url)
    with engine.connect() as conn:
        has_deltas = conn.execute(text("SELECT to_regclass('bm25_stats_delta')")).scalar()
    engine.dispose()
    if has_deltas is None:
        STATS_SQL = STATS_SQL_SINGLE_ROW
    lost, exact = check(urls, tally)
    saved = len(tally.latencies)
    p50 = percentile(tally.latencies, 50) * 1000 if saved else float("nan")
    p95 = percentile(tally.latencies, 95) * 1000 if saved else float("nan")
    print(
        f"{kind:12} {writers} writers x {seconds:.0f} s: {saved} notes, {saved / seconds:.1f} "
        f"notes/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms, lost {lost}, "
        f"domain errors {dict(tally.domain_errors) or 0}, "
        f"raw errors {sum(tally.raw_errors.values())}, BM25 statistics exact: {exact}"
    )
    for message, count in tally.raw_errors.most_common(5):
        print(f"    raw x{count}: {message}")
    if has_deltas is not None:
        read_costs(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mode", choices=["sync", "async", "both"], default="both")
    parser.add_argument("--revision", default="head", help="schema revision to measure")
    args = parser.parse_args()
    print(machine())
    for kind in ("sync", "async") if args.mode == "both" else (args.mode,):
        with scratch_database(unique_name("bench_writers")) as urls:
            migrate.upgrade(urls.sync_url, args.revision)
            tally = Tally()
            if kind == "sync":
                sync_writers(urls, args.writers, args.seconds, tally)
            else:
                asyncio.run(async_writers(urls, args.writers, args.seconds, tally))
            report(f"{kind} @{args.revision}", args.writers, args.seconds, tally, urls)


if __name__ == "__main__":
    main()
