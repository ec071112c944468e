"""The async twins of the note use cases, for the MCP server and the REST API.

Each has the shape of its sync twin in `notes.py`: embedding runs first, in a worker
thread (`asyncio.to_thread`, so one slow embed never stalls the event loop), then one
short `async with uow:`. The pure pieces (`prepare_note`, `known_vectors`, `find_note`'s
naming rule, `assemble_view`, the model-on-record decisions) are the sync side's own.
"""

from __future__ import annotations

import asyncio
import dataclasses

from pkm_core.application.dto import NoteFilter, NoteSummary, Page, PageRequest, SortOrder
from pkm_core.application.indexing import (
    check_recorded_model,
    first_record_needs_reset,
    known_vectors,
    prepare_note,
)
from pkm_core.application.ports import IAsyncIndexRepository, IAsyncUnitOfWork, IEmbedder
from pkm_core.application.references import (
    NoteRef,
    new_source,
    note_id_or_title,
    project_named,
    source_with_url,
)
from pkm_core.application.use_cases.notes import NoteView, assemble_view
from pkm_core.domain.errors import NoteNotFound, VersionConflict
from pkm_core.domain.note import Note, NoteDraft


async def ensure_model_on_record(index: IAsyncIndexRepository, embedder: IEmbedder) -> None:
    """`indexing.ensure_model_on_record`, the same calls awaited."""
    recorded = await index.recorded_model()
    if recorded is not None:
        check_recorded_model(recorded, embedder)
        return
    column, has_vectors = await index.vector_dimension(), await index.has_vectors()
    if first_record_needs_reset(column, has_vectors, embedder):
        await index.reset_vectors(embedder.dimension)
    await index.record_model(embedder.model_name, embedder.dimension)


async def find_note(uow: IAsyncUnitOfWork, ref: NoteRef) -> Note:
    """`notes.find_note`: by id, else by exact title; NoteNotFound if none."""
    note_id, title = note_id_or_title(ref)
    note = await uow.notes.get(note_id) if note_id is not None else None
    if note is None and title is not None:
        note = await uow.notes.get_by_title(title)
    if note is None:
        raise NoteNotFound(ref)
    return note


async def create_note(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    draft: NoteDraft,
    *,
    project: str | None = None,
    source_url: str | None = None,
) -> Note:
    """Embed the note, then store it in one transaction, filed under the project named
    `project` (which must exist) and the source with `source_url` (made when new)."""
    prepared = await asyncio.to_thread(prepare_note, draft, embedder)
    async with uow:
        await ensure_model_on_record(uow.index, embedder)
        filing: dict[str, int | None] = {}
        if project is not None:
            filing["project_id"] = project_named(await uow.catalog.projects(), project).id
        if source_url is not None:
            source = source_with_url(await uow.catalog.sources(), source_url)
            source = source or await uow.catalog.add_source(new_source(source_url))
            filing["source_id"] = source.id
        if filing:
            prepared = dataclasses.replace(prepared, draft=draft.model_copy(update=filing))
        return await uow.notes.add(prepared)


async def update_note(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    note_id: int,
    draft: NoteDraft,
    expected_version: int,
) -> Note:
    """`notes.update_note`: read the stored chunks, embed the changed ones, write once."""
    async with uow:
        known = known_vectors(await uow.notes.chunks(note_id))
    prepared = await asyncio.to_thread(prepare_note, draft, embedder, known)
    async with uow:
        await ensure_model_on_record(uow.index, embedder)
        return await uow.notes.update(note_id, prepared, expected_version)


@dataclasses.dataclass(frozen=True, slots=True)
class NoteChanges:
    """The parts of a note an edit replaces; None keeps the stored part."""

    title: str | None = None
    body: str | None = None
    keywords: tuple[str, ...] | None = None

    def apply(self, note: Note) -> NoteDraft:
        changed = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return NoteDraft(**(note.draft().model_dump() | changed))


async def edit_note(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    ref: NoteRef,
    expected_version: int,
    changes: NoteChanges,
) -> Note:
    """Change some parts of a note (by id or exact title) if it is still at
    `expected_version`, else VersionConflict and nothing is written. The shape of
    `update_note`: one short read (the note and its chunks), embed, one write."""
    async with uow:
        current = await find_note(uow, ref)
        known = known_vectors(await uow.notes.chunks(current.id))
    if current.version != expected_version:
        raise VersionConflict(current.id, expected_version, current.version)
    draft = changes.apply(current)
    prepared = await asyncio.to_thread(prepare_note, draft, embedder, known)
    async with uow:
        await ensure_model_on_record(uow.index, embedder)
        return await uow.notes.update(current.id, prepared, expected_version)


async def get_note(uow: IAsyncUnitOfWork, ref: NoteRef) -> Note:
    async with uow:
        return await find_note(uow, ref)


async def view_note(uow: IAsyncUnitOfWork, ref: NoteRef) -> NoteView:
    """`notes.view_note`: the note with its project, source and links both ways."""
    async with uow:
        note = await find_note(uow, ref)
        return assemble_view(
            note,
            await uow.catalog.projects(),
            await uow.catalog.sources(),
            await uow.notes.links_out(note.id),
            await uow.notes.backlinks(note.id),
        )


async def delete_note(
    uow: IAsyncUnitOfWork, note_id: int, expected_version: int | None = None
) -> None:
    async with uow:
        await uow.notes.delete(note_id, expected_version)


async def list_notes(
    uow: IAsyncUnitOfWork,
    filters: NoteFilter = NoteFilter(),
    page: PageRequest = PageRequest(),
    sort: SortOrder = SortOrder.UPDATED,
) -> Page[NoteSummary]:
    async with uow:
        return await uow.notes.list(filters, page, sort)
