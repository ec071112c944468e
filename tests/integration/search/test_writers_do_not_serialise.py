"""Writers do not queue behind one row, and the BM25 statistics stay exact (migration 0011).

A write used to lock the single bm25_stats row (and each of its terms' df) until commit:
a second writer waited for the first to finish. Now writers append deltas; a search
sums them with the folded values, so its statistics are those of its snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.notes import create_note, delete_note, update_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory


def kept_and_recounted(url: str) -> tuple[tuple[float, ...], tuple[float, ...], int]:
    """(statistics as search reads them, the same recounted from the postings, terms
    whose df differs from their postings' count)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT doc_count, sum_len_title, sum_len_body FROM bm25_stats_now")
        ).one()
        recount = conn.execute(
            text(
                "SELECT count(*), coalesce(sum(len_title), 0), coalesce(sum(len_body), 0) "
                "FROM (SELECT DISTINCT note_id, len_title, len_body FROM bm25_postings) p"
            )
        ).one()
        wrong_df = conn.execute(
            text(
                "SELECT count(*) FROM bm25_terms t WHERE t.df "
                "+ coalesce((SELECT sum(delta) FROM bm25_term_delta d WHERE d.term_id = t.id), 0)"
                " <> (SELECT count(*) FROM bm25_postings p WHERE p.term_id = t.id)"
            )
        ).scalar_one()
    engine.dispose()
    return tuple(map(float, kept)), tuple(map(float, recount)), int(wrong_df)


def test_a_second_writer_saves_while_the_first_is_still_open(
    clean_database: DatabaseUrls, add: Callable[..., Note], fake_embedder: FakeEmbedder
) -> None:
    add("Garden", "river stone garden")  # the vocabulary exists: no writer adds a new word
    first = SyncSQLAlchemyUnitOfWork(clean_database.sync_url)
    first.__enter__()
    first.notes.add(NoteDraft(title="River stone", body="garden river stone river"))

    second_done = threading.Event()

    def second() -> None:
        create_note(
            SyncSQLAlchemyUnitOfWork(clean_database.sync_url),
            fake_embedder,
            NoteDraft(title="Stone river", body="stone garden river"),
        )
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    try:
        # Before migration 0011 the second writer waited here for the first's commit.
        assert second_done.wait(timeout=20), "the second writer waited for the first"
    finally:
        first.__exit__(None, None, None)
        thread.join()
    kept, recount, wrong_df = kept_and_recounted(clean_database.sync_url)
    assert kept == recount and kept[0] == 3
    assert wrong_df == 0


def test_the_statistics_stay_exact_through_creates_updates_and_deletes(
    clean_database: DatabaseUrls, uow: UowFactory, fake_embedder: FakeEmbedder
) -> None:
    notes = [
        create_note(uow(), fake_embedder, NoteDraft(title=f"Note {i}", body="word " * (i + 1)))
        for i in range(6)
    ]
    update_note(uow(), fake_embedder, notes[0].id, NoteDraft(title="Renamed", body="other"), 1)
    delete_note(uow(), notes[1].id)
    # A transaction that has not committed holds the fold lock: deltas stay pending.
    holder = create_engine(clean_database.sync_url)
    with holder.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(x'6b6169726f73'::bigint)"))
        create_note(uow(), fake_embedder, NoteDraft(title="Pending", body="word word"))
        kept, recount, wrong_df = kept_and_recounted(clean_database.sync_url)
        assert kept == recount and wrong_df == 0
        engine = create_engine(clean_database.sync_url)
        with engine.connect() as check:
            pending = check.execute(text("SELECT count(*) FROM bm25_stats_delta")).scalar_one()
        engine.dispose()
        assert pending == 1
        hits = search_notes(uow(), None, "word", SearchMode.KEYWORD)
        assert {hit.title for hit in hits} == {"Pending", *(f"Note {i}" for i in range(2, 6))}
    holder.dispose()
    create_note(uow(), fake_embedder, NoteDraft(title="Folds", body="word"))
    kept, recount, wrong_df = kept_and_recounted(clean_database.sync_url)
    assert kept == recount and wrong_df == 0
    engine = create_engine(clean_database.sync_url)
    with engine.connect() as check:
        assert check.execute(text("SELECT count(*) FROM bm25_stats_delta")).scalar_one() == 0
        assert check.execute(text("SELECT count(*) FROM bm25_term_delta")).scalar_one() == 0
    engine.dispose()


def test_the_writer_holding_the_fold_lock_adds_its_counts_directly_without_deltas(
    clean_database: DatabaseUrls, add: Callable[..., Note]
) -> None:
    add("Garden", "river stone garden")
    # A new server process: its transaction counters hold this transaction's rows only
    # (a pooled one may still hold unflushed counts of its earlier transactions).
    fresh = create_engine(clean_database.sync_url, poolclass=NullPool)
    writer = SyncSQLAlchemyUnitOfWork(sessionmaker(fresh, expire_on_commit=False))
    with writer:
        writer.notes.add(NoteDraft(title="River stone", body="garden river stone river"))
        session = writer.session
        # Inside the open transaction: no delta row was ever written (not even one written
        # and folded away), its counts are in bm25_terms and bm25_stats already.
        deltas = session.execute(
            text(
                "SELECT pg_stat_get_xact_tuples_inserted('bm25_term_delta'::regclass)"
                " + pg_stat_get_xact_tuples_inserted('bm25_stats_delta'::regclass)"
            )
        ).scalar_one()
        river = session.execute(text("SELECT df FROM bm25_terms WHERE term = 'river'")).scalar_one()
        docs = session.execute(text("SELECT doc_count FROM bm25_stats WHERE id = 1")).scalar_one()
    fresh.dispose()
    assert (deltas, river, docs) == (0, 2, 2)
    kept, recount, wrong_df = kept_and_recounted(clean_database.sync_url)
    assert kept == recount and wrong_df == 0
