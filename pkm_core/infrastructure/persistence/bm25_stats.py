"""BM25 collection statistics as a search reads them: exact, with no row shared by writers.

The writer holding the fold lock adds its own changes to bm25_stats / bm25_terms.df and
folds the committed deltas of the others; a writer that finds the lock busy appends deltas
(bm25_stats_delta, bm25_term_delta) instead of waiting (migrations 0011, 0018). A search
adds the pending deltas to the folded values inside its own statement, so it sees the
statistics of exactly the notes its snapshot sees. The deltas stay few: every write
transaction that finds the fold lock free folds them all.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Subquery, func, select, true

from pkm_core.infrastructure.persistence.models import (
    Bm25StatsDeltaRow,
    Bm25StatsRow,
    Bm25TermDeltaRow,
    Bm25TermRow,
)


def term_df() -> ColumnElement[int]:
    """The document frequency of the Bm25TermRow in the enclosing query."""
    pending = (
        select(func.coalesce(func.sum(Bm25TermDeltaRow.delta), 0))
        .where(Bm25TermDeltaRow.term_id == Bm25TermRow.id)
        .correlate(Bm25TermRow)
        .scalar_subquery()
    )
    return Bm25TermRow.df + pending


def collection_stats() -> Subquery:
    """One row: doc_count, sum_len_title, sum_len_body."""
    delta = Bm25StatsDeltaRow
    pending = select(
        func.coalesce(func.sum(delta.doc_count), 0).label("doc_count"),
        func.coalesce(func.sum(delta.sum_len_title), 0).label("sum_len_title"),
        func.coalesce(func.sum(delta.sum_len_body), 0).label("sum_len_body"),
    ).subquery("pending_stats")
    base = Bm25StatsRow
    return (
        select(
            (base.doc_count + pending.c.doc_count).label("doc_count"),
            (base.sum_len_title + pending.c.sum_len_title).label("sum_len_title"),
            (base.sum_len_body + pending.c.sum_len_body).label("sum_len_body"),
        )
        .select_from(base)
        .join(pending, true())
        .where(base.id == 1)
        .subquery("collection_stats")
    )
