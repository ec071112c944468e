"""Finding notes: by meaning, by keywords, or both (hybrid, the default); related notes.

How each mode ranks, and what was tuned on BEIR SciFact, is in docs/SEARCH.md. The query
is embedded before the unit of work opens, so no transaction waits on the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    NoteFilter,
    ScoredNote,
    SearchHit,
    SearchMode,
    SearchTuning,
)
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.domain.errors import InvalidSearch
from pkm_core.domain.query import SearchQuery
from pkm_core.domain.snippet import QuerySnippets
from pkm_core.domain.text import normalise_text

# How deep each list is read before fusion: enough for a good page of fused results.
CANDIDATES = DEFAULT_TUNING.candidates
MAX_LIMIT = 200
MAX_QUERY_CHARS = 1_000  # a query is a few words; a pasted page is not a query
MAX_OFFSET = 10_000  # deeper pages are never read; a narrower query finds them


def clean_query(query: str, offset: int) -> str:
    """The query through the text normaliser (NUL removed, lone surrogates replaced),
    or InvalidSearch with one sentence when it or the page is out of bounds."""
    query = normalise_text(query, "search query", nul="remove")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidSearch(
            f"The search query is {len(query):,} characters long; the limit is "
            f"{MAX_QUERY_CHARS:,}: search for a few of its words instead."
        )
    if offset > MAX_OFFSET:
        raise InvalidSearch(
            f"Search results can be paged up to result {MAX_OFFSET:,}; narrow the query "
            "to reach the notes further down."
        )
    return query


def _weak(row: ScoredNote, mode: SearchMode, tuning: SearchTuning) -> bool:
    """Found by meaning alone, and less similar than the calibrated floor."""
    if row.exact or row.keyword_score is not None or mode is SearchMode.KEYWORD:
        return False
    return row.semantic_score is None or row.semantic_score < tuning.meaning_floor


def shape_hits(
    rows: list[ScoredNote], mode: SearchMode, query: str, tuning: SearchTuning = DEFAULT_TUNING
) -> list[SearchHit]:
    """Repository rows -> search hits: a snippet (text and match spans) around the query,
    why each matched, and whether it is only a weak match."""
    snippets = QuerySnippets(SearchQuery.parse(query).text)
    hits = []
    for row in rows:
        matched = ["title"] if row.exact else []
        if row.semantic_score is not None:
            matched.append("meaning")
        if row.keyword_score is not None:
            matched.append("keywords")
        snippet = snippets(row.snippet, language=row.language)
        hits.append(
            SearchHit(
                row.note_id,
                row.title,
                snippet.text,
                row.score,
                mode,
                tuple(matched),
                row.semantic_score,
                row.keyword_score,
                highlights=snippet.spans,
                weak=_weak(row, mode, tuning),
            )
        )
    return hits


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search's arguments made safe; `search_notes` and its async twin share it."""

    query: str
    mode: SearchMode
    limit: int
    offset: int

    @property
    def needs_vector(self) -> bool:
        return self.mode is not SearchMode.KEYWORD

    @property
    def text(self) -> str:
        """What is embedded and scored: the query without its syntax (phrases' words kept,
        excluded words left out); empty when nothing is left to search for."""
        return SearchQuery.parse(self.query).text


def search_request(query: str, mode: SearchMode | str, limit: int, offset: int) -> SearchRequest:
    """Raises InvalidSearch for an unknown mode, a query longer than MAX_QUERY_CHARS or an
    offset beyond MAX_OFFSET."""
    query = clean_query(query, offset)
    # Trailing space is kept: it tells that the last word is finished (no prefix match).
    try:
        checked_mode = SearchMode(mode)
    except ValueError:
        modes = ", ".join(m.value for m in SearchMode)
        raise InvalidSearch(f"“{mode}” is not a search mode; use one of {modes}.") from None
    return SearchRequest(
        query.lstrip(), checked_mode, min(max(limit, 0), MAX_LIMIT), max(offset, 0)
    )


def query_vector(
    request: SearchRequest, embedder: IEmbedder | None
) -> tuple[list[float] | None, str | None]:
    """The query's vector and the model that made it, or (None, None) for keyword search."""
    if not request.needs_vector:
        return None, None
    if embedder is None:
        raise ValueError("Semantic and hybrid search need the embedding model.")
    return embedder.embed_query(request.text.strip()), embedder.model_name


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

    `query` may hold `"a phrase"` (hits must contain it) and `-word` (hits must not); a
    note whose title is the query comes first (hybrid, keyword). `embedder` may be None
    only for keyword search. Raises EmbeddingModelMismatch when the database holds
    another model's vectors."""
    request = search_request(query, mode, limit, offset)
    query, mode, limit, offset = request.query, request.mode, request.limit, request.offset
    if not request.text.strip() or limit == 0:
        return []
    vector, model = query_vector(request, embedder)
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
    return shape_hits(rows, mode, query, tuning)


# Related notes live in their own module; imported here for callers of the older path.
from pkm_core.application.use_cases.related import (  # noqa: E402, F401
    hide_related,
    pin_related,
    related_notes,
    related_to_text,
    unhide_related,
)
