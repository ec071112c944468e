"""The async twins of the note use cases, for the MCP server and the REST API.

Each has the shape of its sync twin in `notes.py`: embedding runs first, in a worker
thread (`asyncio.to_thread`, so one slow embed never stalls the event loop), then one
short `async with uow:`. The pure pieces (`prepare_note`, `find_note`'s naming rule,
`assemble_view`, the model-on-record decisions) are the sync side's own, and an edit's
steps (`editing.read_edit`, `write_edit`: the rename's link rewriting) run through
`uow.notes.run_sync`, written once for both.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

from pkm_core.application.dto import NoteFilter, NoteSummary, Page, PageRequest, SortOrder
from pkm_core.application.editing import RENAME_ATTEMPTS, SavedNote, read_edit, write_edit
from pkm_core.application.indexing import (
    check_recorded_model,
    first_record_needs_reset,
    prepare_note,
    prepare_notes,
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


async def save_note(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    ref: NoteRef,
    edit: NoteDraft | Callable[[Note], NoteDraft],
    expected_version: int,
) -> SavedNote:
    """`notes.save_note`, the same two steps of `editing` run through `run_sync`: one short
    read (the note, its chunks and, on a rename, the linking notes with their links
    rewritten), embed in a worker thread, one write of the note and every rewritten note.
    A browser's unsaved draft of the note is left alone (its save will meet a conflict)."""
    for attempt in range(RENAME_ATTEMPTS):
        async with uow:
            plan = await uow.notes.run_sync(read_edit, ref, edit, expected_version)
        prepared = await asyncio.to_thread(prepare_notes, plan.drafts, embedder, plan.known)
        try:
            async with uow:
                await ensure_model_on_record(uow.index, embedder)
                return await uow.notes.run_sync(write_edit, plan, prepared)
        except VersionConflict as exc:
            if not plan.read_again(exc, attempt):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def update_note(
    uow: IAsyncUnitOfWork,
    embedder: IEmbedder,
    note_id: int,
    draft: NoteDraft,
    expected_version: int,
) -> Note:
    """`notes.update_note`: `save_note` for callers that need only the saved note."""
    return (await save_note(uow, embedder, note_id, draft, expected_version)).note


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
) -> SavedNote:
    """Change some parts of a note (by id or exact title) if it is still at
    `expected_version`, else VersionConflict and nothing is written; a new title rewrites
    the [[links]] of the notes linking to it, as in the browser app (`save_note`)."""
    return await save_note(uow, embedder, ref, changes.apply, expected_version)


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
    """Move the note to the trash, as the sync `delete_note` does."""
    async with uow:
        await uow.notes.trash(note_id, expected_version)


async def list_notes(
    uow: IAsyncUnitOfWork,
    filters: NoteFilter = NoteFilter(),
    page: PageRequest = PageRequest(),
    sort: SortOrder = SortOrder.UPDATED,
) -> Page[NoteSummary]:
    async with uow:
        return await uow.notes.list(filters, page, sort)
