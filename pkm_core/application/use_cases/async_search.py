"""The async twins of the search use cases (`search.py`): the query is embedded in a
worker thread before the unit of work opens; rows are shaped by the same pure helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    NoteFilter,
    RelatedNote,
    SearchHit,
    SearchMode,
    SearchTuning,
)
from pkm_core.application.ports import IAsyncUnitOfWork, IEmbedder
from pkm_core.application.references import NoteRef
from pkm_core.application.related import blend
from pkm_core.application.use_cases.async_notes import find_note
from pkm_core.application.use_cases.related import (
    CANDIDATES_PER_NOTE,
    describe_draft,
    with_passages,
)
from pkm_core.application.use_cases.search import (
    query_vector,
    search_request,
    shape_hits,
)
from pkm_core.domain.errors import NoteNotFound


async def search_notes(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder | None,
    query: str,
    mode: SearchMode | str = SearchMode.HYBRID,
    filters: NoteFilter = NoteFilter(),
    limit: int = 10,
    offset: int = 0,
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[SearchHit]:
    """`search.search_notes`, awaited."""
    request = search_request(query, mode, limit, offset)
    query, limit, offset = request.query, request.limit, request.offset
    if not request.text.strip() or limit == 0:
        return []
    vector, model = (None, None)
    if request.needs_vector:  # the model runs off the event loop; keyword search needs none
        vector, model = await asyncio.to_thread(query_vector, request, embedder)
    async with uow:
        if request.mode is SearchMode.SEMANTIC:
            assert vector is not None
            rows = await uow.notes.nearest_chunks(
                vector,
                limit,
                filters,
                offset=offset,
                expected_model=model,
                tuning=tuning,
                query=query,
            )
        elif request.mode is SearchMode.KEYWORD:
            rows = await uow.notes.keyword_rank(query, limit, filters, offset=offset, tuning=tuning)
        else:
            assert vector is not None
            rows = await uow.notes.hybrid_rank(
                vector, query, limit, filters, offset=offset, expected_model=model, tuning=tuning
            )
    return shape_hits(rows, request.mode, query, tuning)


async def related_notes(
    uow: IAsyncUnitOfWork, ref: NoteRef, limit: int = 8, *, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedNote]:
    """`related.related_notes`: blended (meaning, links, keywords), pins first, with why."""
    limit = max(limit, 0)
    async with uow:
        note_id = ref if isinstance(ref, int) else (await find_note(uow, ref)).id
        found = await uow.notes.related_candidates(note_id, limit * CANDIDATES_PER_NOTE, tuning)
        if found is None:
            raise NoteNotFound(note_id)
        chosen = blend(found, limit, tuning)
        passages = await uow.notes.closest_passages(note_id, [r.note_id for r in chosen])
    return with_passages(chosen, passages)


async def related_to_text(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    title: str,
    body: str,
    limit: int = 8,
    exclude_note_id: int | None = None,
    keywords: Sequence[str] = (),
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[RelatedNote]:
    """`related.related_to_text`: the notes most related to a text that is not stored."""
    limit = max(limit, 0)
    if not (title.strip() or body.strip()) or limit == 0:
        return []
    draft, chunks = await asyncio.to_thread(
        describe_draft, embedder, title, body, keywords, exclude_note_id
    )
    async with uow:
        found = await uow.notes.draft_candidates(draft, limit * CANDIDATES_PER_NOTE, tuning)
        chosen = blend(found, limit, tuning)
        passages = await uow.notes.closest_passages_to_draft(chunks, [r.note_id for r in chosen])
    return with_passages(chosen, passages)
