"""Ranked retrieval in SQL: nearest chunks (HNSW), BM25 over lexemes, nearest notes.

BM25 is computed from the trigger-kept inverted index (bm25_terms, bm25_postings,
bm25_stats): PostgreSQL's ts_rank has no IDF and ranks poorly (see docs/SEARCH.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, Float, bindparam, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import distinct_on

from pkm_core.application.dto import NoteFilter, ScoredNote
from pkm_core.domain.text import fold_accents
from pkm_core.infrastructure.persistence.models import NoteChunkRow, NoteRow
from pkm_core.infrastructure.persistence.note_operations import (
    TEXT_SEARCH_CONFIG,
    filter_clauses,
    project_ids,
)
from pkm_core.infrastructure.persistence.operations import Operation


@dataclass(frozen=True, slots=True)
class Bm25Parameters:
    k1: float = 0.9
    b: float = 0.4
    title_weight: float = 2.0
    prefix_expansions: int = 8  # how many vocabulary terms the last (partial) word may become


DEFAULT_BM25 = Bm25Parameters()

# pgvector >= 0.8 keeps scanning the HNSW graph until enough rows pass the filters.
_ITERATIVE_SCAN = text(
    "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true) "
    "FROM pg_extension WHERE extname = 'vector' "
    "AND string_to_array(extversion, '.')::int[] >= '{0,8}'::int[]"
)
_EF_SEARCH = text("SELECT set_config('hnsw.ef_search', :ef, true)")


def nearest_chunks(
    vector: Sequence[float], k: int, filters: NoteFilter = NoteFilter(), ef_search: int = 100
) -> Operation[list[ScoredNote]]:
    """Top-k notes by their best chunk (cosine similarity)."""
    projects = yield from project_ids(filters)
    yield _ITERATIVE_SCAN
    yield (_EF_SEARCH, {"ef": str(max(ef_search, 4 * k))})
    distance = NoteChunkRow.embedding.cosine_distance(list(vector))
    nearest = (
        select(
            NoteChunkRow.note_id,
            NoteRow.title,
            NoteChunkRow.text.label("snippet"),
            (1 - distance).label("similarity"),
        )
        .join(NoteRow, NoteRow.id == NoteChunkRow.note_id)
        .where(NoteChunkRow.embedding.is_not(None), *filter_clauses(filters, projects))
        .order_by(distance)
        .limit(4 * k)
        .subquery("nearest")
    )
    best = (
        select(nearest)
        .ext(distinct_on(nearest.c.note_id))
        .order_by(nearest.c.note_id, nearest.c.similarity.desc())
        .subquery("best")
    )
    stmt = select(best).order_by(best.c.similarity.desc(), best.c.note_id).limit(k)
    return [
        ScoredNote(
            r.note_id, r.title, float(r.similarity), r.snippet, semantic_score=float(r.similarity)
        )
        for r in (yield stmt).all()
    ]


BM25_QUERY_TERMS = f"""
    query_lexemes AS (
        SELECT unnest(tsvector_to_array(to_tsvector('{TEXT_SEARCH_CONFIG}', :query_text))) AS term
    ),
    matched_terms AS (
        SELECT t.id, t.df FROM bm25_terms t JOIN query_lexemes q ON q.term = t.term WHERE t.df > 0
        UNION
        SELECT * FROM (
            SELECT t.id, t.df FROM bm25_terms t
            WHERE :prefix <> '' AND t.term LIKE :prefix || '%' AND t.df > 0
            ORDER BY t.df DESC LIMIT :prefix_expansions
        ) expansions
    ),
    stats AS (
        SELECT doc_count,
               (sum_len_body + :title_weight * sum_len_title) / greatest(doc_count, 1) AS avgdl
        FROM bm25_stats WHERE id = 1
    ),
    weighted_terms AS (
        SELECT m.id, ln(1 + (s.doc_count - m.df + 0.5) / (m.df + 0.5)) AS idf
        FROM matched_terms m CROSS JOIN stats s
    ),
    bm25 AS (
        SELECT p.note_id,
               sum(w.idf * tf * (:k1 + 1) / (tf + :k1 * (1 - :b + :b * dl / s.avgdl))) AS score
        FROM bm25_postings p
        JOIN weighted_terms w ON w.id = p.term_id
        CROSS JOIN stats s
        CROSS JOIN LATERAL (
            SELECT p.tf_body + :title_weight * p.tf_title AS tf,
                   p.len_body + :title_weight * p.len_title AS dl
        ) x
        GROUP BY p.note_id
    )
"""


def _prefix(query: str) -> str:
    """The last word as typed (folded, lower case) when it may be unfinished."""
    words = fold_accents(query).lower().split()
    if not words:
        return ""
    last = "".join(ch for ch in words[-1] if ch.isalnum())
    return last if len(last) >= 3 else ""


def bm25_params(query: str, params: Bm25Parameters) -> dict[str, Any]:
    return {
        "query_text": fold_accents(query),
        "prefix": _prefix(query),
        "prefix_expansions": params.prefix_expansions,
        "k1": params.k1,
        "b": params.b,
        "title_weight": params.title_weight,
    }


def bm25_scores(query: str, params: Bm25Parameters = DEFAULT_BM25) -> Any:
    """A subquery (note_id, score) of BM25 scores for every note matching `query`."""
    sql = text(f"WITH {BM25_QUERY_TERMS} SELECT note_id, score FROM bm25")
    return (
        sql.bindparams(**bm25_params(query, params))
        .columns(note_id=BigInteger, score=Float)
        .subquery("bm25")
    )


def keyword_rank(
    query: str, k: int, filters: NoteFilter = NoteFilter(), params: Bm25Parameters = DEFAULT_BM25
) -> Operation[list[ScoredNote]]:
    projects = yield from project_ids(filters)
    bm25 = bm25_scores(query, params)
    snippet = func.ts_headline(
        literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig"),
        func.left(NoteRow.body, 5000),
        func.websearch_to_tsquery(literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig"), query),
        "StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2",
    )
    stmt = (
        select(NoteRow.id.label("note_id"), NoteRow.title, snippet.label("snippet"), bm25.c.score)
        .join(bm25, bm25.c.note_id == NoteRow.id)
        .where(*filter_clauses(filters, projects))
        .order_by(bm25.c.score.desc(), NoteRow.id)
        .limit(k)
    )
    return [
        ScoredNote(r.note_id, r.title, float(r.score), r.snippet, keyword_score=float(r.score))
        for r in (yield stmt).all()
    ]


def nearest_notes(
    vector: Sequence[float], k: int, exclude_note_id: int | None = None, ef_search: int = 100
) -> Operation[list[ScoredNote]]:
    """Notes whose mean vector is closest: the 'related notes' query."""
    yield _ITERATIVE_SCAN
    yield (_EF_SEARCH, {"ef": str(max(ef_search, 4 * k))})
    sql = text(
        """
        SELECT id AS note_id, title, left(body, 200) AS snippet,
               1 - (embedding <=> :query_vector) AS similarity
        FROM notes
        WHERE embedding IS NOT NULL AND id IS DISTINCT FROM :exclude
        ORDER BY embedding <=> :query_vector
        LIMIT :k
        """
    ).bindparams(bindparam("query_vector", type_=Vector()))
    rows = (yield (sql, {"query_vector": list(vector), "exclude": exclude_note_id, "k": k})).all()
    return [
        ScoredNote(
            r.note_id, r.title, float(r.similarity), r.snippet, semantic_score=float(r.similarity)
        )
        for r in rows
    ]
