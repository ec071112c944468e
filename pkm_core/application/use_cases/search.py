"""Finding notes: by meaning, by keywords, or both (hybrid, the default); related notes."""

from __future__ import annotations

from pkm_core.application.dto import (
    NoteFilter,
    RelatedNote,
    ScoredNote,
    SearchHit,
    SearchMode,
)
from pkm_core.application.fusion import fuse_min_max
from pkm_core.application.indexing import mean_vector
from pkm_core.application.ports import IEmbedder, IUnitOfWork
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.errors import NoteNotFound

# How deep each list is read before fusion: enough for a good page of fused results.
CANDIDATES = 100


def _hits(rows: list[ScoredNote], mode: SearchMode) -> list[SearchHit]:
    hits = []
    for row in rows:
        matched = []
        if row.semantic_score is not None:
            matched.append("meaning")
        if row.keyword_score is not None:
            matched.append("keywords")
        hits.append(SearchHit(row.note_id, row.title, row.snippet, row.score, mode, tuple(matched)))
    return hits


def search_notes(
    uow: IUnitOfWork,
    embedder: IEmbedder | None,
    query: str,
    mode: SearchMode = SearchMode.HYBRID,
    filters: NoteFilter = NoteFilter(),
    limit: int = 10,
    offset: int = 0,
) -> list[SearchHit]:
    """Ranked notes for `query`. `embedder` may be None only for keyword search."""
    query = query.strip()
    if not query:
        return []
    depth = offset + limit
    vector = None
    if mode is not SearchMode.KEYWORD:
        if embedder is None:
            raise ValueError("Semantic and hybrid search need the embedding model.")
        vector = embedder.embed_query(query)
    with uow:
        if mode is SearchMode.SEMANTIC:
            assert vector is not None
            rows = uow.notes.nearest_chunks(vector, depth, filters)
        elif mode is SearchMode.KEYWORD:
            rows = uow.notes.keyword_rank(query, depth, filters)
        else:
            assert vector is not None
            k = max(CANDIDATES, depth)
            rows = fuse_min_max(
                uow.notes.nearest_chunks(vector, k, filters),
                uow.notes.keyword_rank(query, k, filters),
            )
    return _hits(rows[offset:depth], mode)


def related_notes(uow: IUnitOfWork, note_id: int, limit: int = 8) -> list[RelatedNote]:
    """The notes nearest in meaning to a stored note, itself excluded."""
    with uow:
        note = uow.notes.get(note_id)
        if note is None:
            raise NoteNotFound(note_id)
        vectors = [c.embedding for c in uow.notes.chunks(note_id) if c.embedding is not None]
        if not vectors:
            return []
        rows = uow.notes.nearest_notes(mean_vector(vectors), limit, exclude_note_id=note_id)
    return [RelatedNote(r.note_id, r.title, r.score) for r in rows]


def related_to_text(
    uow: IUnitOfWork,
    embedder: IEmbedder,
    title: str,
    body: str,
    limit: int = 8,
    exclude_note_id: int | None = None,
) -> list[RelatedNote]:
    """Notes nearest to a draft that is still being written (nothing is stored)."""
    if not (title.strip() or body.strip()):
        return []
    chunks = chunk_note(title.strip() or "Untitled", body)
    vector = mean_vector(embedder.embed_documents([c.embed_text for c in chunks]))
    with uow:
        rows = uow.notes.nearest_notes(vector, limit, exclude_note_id=exclude_note_id)
    return [RelatedNote(r.note_id, r.title, r.score) for r in rows]
