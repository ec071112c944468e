"""Finding notes: by meaning, by keywords, or both (hybrid, the default); related notes.

How each mode ranks, and what was tuned on BEIR SciFact, is in docs/SEARCH.md. The query
is embedded before the unit of work opens, so no transaction waits on the model.
"""

from __future__ import annotations

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    NoteFilter,
    ScoredNote,
    SearchHit,
    SearchMode,
    SearchTuning,
)
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork

# Related notes live in their own module; imported here for callers of the older path.
from pkm_core.application.use_cases.related import (  # noqa: F401
    hide_related,
    pin_related,
    related_notes,
    related_to_text,
    unhide_related,
)
from pkm_core.domain.query import SearchQuery
from pkm_core.domain.snippet import make_snippet

# How deep each list is read before fusion: enough for a good page of fused results.
CANDIDATES = DEFAULT_TUNING.candidates
MAX_LIMIT = 200


def _weak(row: ScoredNote, mode: SearchMode, tuning: SearchTuning) -> bool:
    """Found by meaning alone, and less similar than the calibrated floor."""
    if row.exact or row.keyword_score is not None or mode is SearchMode.KEYWORD:
        return False
    return row.semantic_score is None or row.semantic_score < tuning.meaning_floor


def _hits(
    rows: list[ScoredNote], mode: SearchMode, query: SearchQuery, tuning: SearchTuning
) -> list[SearchHit]:
    hits = []
    for row in rows:
        matched = ["title"] if row.exact else []
        if row.semantic_score is not None:
            matched.append("meaning")
        if row.keyword_score is not None:
            matched.append("keywords")
        snippet = make_snippet(row.snippet, query.text, language=row.language)
        hits.append(
            SearchHit(
                row.note_id,
                row.title,
                snippet.text,
                row.score,
                mode,
                tuple(matched),
                highlights=snippet.spans,
                similarity=row.semantic_score,
                weak=_weak(row, mode, tuning),
            )
        )
    return hits


def search_notes(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder | None,
    query: str,
    mode: SearchMode = SearchMode.HYBRID,
    filters: NoteFilter = NoteFilter(),
    limit: int = 10,
    offset: int = 0,
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[SearchHit]:
    """Ranked notes for `query`, best first, `limit` of them after skipping `offset`.

    `query` may hold `"a phrase"` (hits must contain it) and `-word` (hits must not);
    a note whose title is the query comes first (hybrid, keyword). `embedder` may be None
    only for keyword search. Raises EmbeddingModelMismatch when the database holds another
    model's vectors."""
    # Trailing space is kept: it tells that the last word is finished (no prefix match).
    query = query.lstrip()
    parsed = SearchQuery.parse(query)
    mode = SearchMode(mode)
    limit = min(max(limit, 0), MAX_LIMIT)
    offset = max(offset, 0)
    if not parsed.text.strip() or limit == 0:
        return []
    vector = None
    model = None
    if mode is not SearchMode.KEYWORD:
        if embedder is None:
            raise ValueError("Semantic and hybrid search need the embedding model.")
        vector = embedder.embed_query(parsed.text.strip())
        model = embedder.model_name
    with uow:
        if mode is SearchMode.SEMANTIC:
            assert vector is not None
            rows = uow.notes.nearest_chunks(
                vector,
                limit,
                filters,
                offset=offset,
                expected_model=model,
                tuning=tuning,
                query=query,
            )
        elif mode is SearchMode.KEYWORD:
            rows = uow.notes.keyword_rank(query, limit, filters, offset=offset, tuning=tuning)
        else:
            assert vector is not None
            rows = uow.notes.hybrid_rank(
                vector, query, limit, filters, offset=offset, expected_model=model, tuning=tuning
            )
    return _hits(rows, mode, parsed, tuning)
