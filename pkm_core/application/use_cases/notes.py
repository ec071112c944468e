"""Writing and reading notes."""

from __future__ import annotations

from dataclasses import dataclass

from pkm_core.application.dto import (
    LinkedNote,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    SortOrder,
)
from pkm_core.application.indexing import ensure_model_on_record, known_vectors, prepare_note
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source


@dataclass(frozen=True, slots=True)
class NoteView:
    """A note with what surrounds it: its project, source and links both ways."""

    note: Note
    project: Project | None
    source: Source | None
    links_out: tuple[LinkedNote, ...]
    backlinks: tuple[LinkedNote, ...]


def create_note(uow: ISyncUnitOfWork, embedder: IEmbedder, draft: NoteDraft) -> Note:
    """Embed the note, then store it with its chunks, vectors and links in one transaction."""
    prepared = prepare_note(draft, embedder)
    with uow:
        ensure_model_on_record(uow.index, embedder)
        return uow.notes.add(prepared)


def update_note(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    note_id: int,
    draft: NoteDraft,
    expected_version: int,
) -> Note:
    """Save an edit; raises VersionConflict if the note changed since `expected_version`.

    The stored chunks are read first (a short read), only the changed ones are embedded
    with no transaction open, then the note is written once; the version check of that
    write covers an edit made elsewhere in between."""
    with uow:
        known = known_vectors(uow.notes.chunks(note_id))
    prepared = prepare_note(draft, embedder, known)
    with uow:
        ensure_model_on_record(uow.index, embedder)
        return uow.notes.update(note_id, prepared, expected_version)


def get_note(uow: ISyncUnitOfWork, note_id: int) -> Note:
    with uow:
        note = uow.notes.get(note_id)
    if note is None:
        raise NoteNotFound(note_id)
    return note


def delete_note(uow: ISyncUnitOfWork, note_id: int, expected_version: int | None = None) -> None:
    with uow:
        uow.notes.delete(note_id, expected_version)


def list_notes(
    uow: ISyncUnitOfWork,
    filters: NoteFilter = NoteFilter(),
    page: PageRequest = PageRequest(),
    sort: SortOrder = SortOrder.UPDATED,
) -> Page[NoteSummary]:
    with uow:
        return uow.notes.list(filters, page, sort)


def count_notes(uow: ISyncUnitOfWork) -> int:
    with uow:
        return uow.notes.count()


def view_note(uow: ISyncUnitOfWork, note_id: int) -> NoteView:
    with uow:
        note = uow.notes.get(note_id)
        if note is None:
            raise NoteNotFound(note_id)
        project = next((p for p in uow.catalog.projects() if p.id == note.project_id), None)
        source = next((s for s in uow.catalog.sources() if s.id == note.source_id), None)
        links_out = tuple(
            LinkedNote(link.target_title, link.target_note_id)
            for link in uow.notes.links_out(note_id)
        )
        backlinks = tuple(LinkedNote(title, i) for i, title in uow.notes.backlinks(note_id))
    return NoteView(note, project, source, links_out, backlinks)
