"""Finding notes: by meaning, by keywords, or both (hybrid, the default); related notes.

How each mode ranks, and what was tuned on BEIR SciFact, is in docs/SEARCH.md. The query
is embedded before the unit of work opens, so no transaction waits on the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    NoteFilter,
    RelatedNote,
    ScoredNote,
    SearchHit,
    SearchMode,
    SearchTuning,
)
from pkm_core.application.indexing import mean_vector
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.references import NoteRef
from pkm_core.application.use_cases.notes import find_note
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.errors import InvalidSearch, NoteNotFound
from pkm_core.domain.snippet import make_snippet

# How deep each list is read before fusion: enough for a good page of fused results.
CANDIDATES = DEFAULT_TUNING.candidates
MAX_LIMIT = 200


def shape_hits(rows: list[ScoredNote], mode: SearchMode, query: str) -> list[SearchHit]:
    """Repository rows -> search hits: a snippet around the query, why each matched."""
    hits = []
    for row in rows:
        matched = []
        if row.semantic_score is not None:
            matched.append("meaning")
        if row.keyword_score is not None:
            matched.append("keywords")
        snippet = make_snippet(row.snippet, query)
        hits.append(
            SearchHit(
                row.note_id,
                row.title,
                snippet,
                row.score,
                mode,
                tuple(matched),
                row.semantic_score,
                row.keyword_score,
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


def search_request(query: str, mode: SearchMode | str, limit: int, offset: int) -> SearchRequest:
    """Raises InvalidSearch for an unknown mode."""
    # Trailing space is kept: it tells that the last word is finished (no prefix match).
    try:
        checked_mode = SearchMode(mode)
    except ValueError:
        modes = ", ".join(m.value for m in SearchMode)
        raise InvalidSearch(f"“{mode}” is not a search mode; use one of {modes}.") from None
    return SearchRequest(
        query.lstrip(), checked_mode, min(max(limit, 0), MAX_LIMIT), max(offset, 0)
    )


def related(rows: list[ScoredNote]) -> list[RelatedNote]:
    return [RelatedNote(r.note_id, r.title, r.score) for r in rows]


def text_vector(embedder: IEmbedder, title: str, body: str) -> list[float]:
    """The vector standing for a draft, as a stored note's would (slow: embeds)."""
    chunks = chunk_note(title.strip(), body)
    return mean_vector(embedder.embed_documents([c.embed_text for c in chunks]))


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

    `embedder` may be None only for keyword search. Raises EmbeddingModelMismatch when
    the database holds another model's vectors."""
    request = search_request(query, mode, limit, offset)
    query, mode, limit, offset = request.query, request.mode, request.limit, request.offset
    if not query.strip() or limit == 0:
        return []
    vector = None
    model = None
    if request.needs_vector:
        if embedder is None:
            raise ValueError("Semantic and hybrid search need the embedding model.")
        vector = embedder.embed_query(query)
        model = embedder.model_name
    with uow:
        if mode is SearchMode.SEMANTIC:
            assert vector is not None
            rows = uow.notes.nearest_chunks(
                vector, limit, filters, offset=offset, expected_model=model, tuning=tuning
            )
        elif mode is SearchMode.KEYWORD:
            rows = uow.notes.keyword_rank(query, limit, filters, offset=offset, tuning=tuning)
        else:
            assert vector is not None
            rows = uow.notes.hybrid_rank(
                vector, query, limit, filters, offset=offset, expected_model=model, tuning=tuning
            )
    return shape_hits(rows, mode, query)


def related_notes(uow: ISyncUnitOfWork, note_id: NoteRef, limit: int = 8) -> list[RelatedNote]:
    """The notes nearest in meaning to a stored note (by id or exact title), itself excluded."""
    with uow:
        if not isinstance(note_id, int):
            note_id = find_note(uow.notes, note_id).id
        rows = uow.notes.related_to_note(note_id, max(limit, 0))
    if rows is None:
        raise NoteNotFound(note_id)
    return related(rows)


def related_to_text(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    title: str,
    body: str,
    limit: int = 8,
    exclude_note_id: int | None = None,
) -> list[RelatedNote]:
    """Notes nearest to a draft that is still being written (nothing is stored)."""
    if not (title.strip() or body.strip()):
        return []
    vector = text_vector(embedder, title, body)
    with uow:
        rows = uow.notes.nearest_notes(vector, max(limit, 0), exclude_note_id=exclude_note_id)
    return related(rows)
