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
from pkm_core.application.ports import IEmbedder, INoteRepository, ISyncUnitOfWork
from pkm_core.application.references import NoteRef, note_id_or_title
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.link import NoteLink
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


def find_note(notes: INoteRepository, ref: NoteRef) -> Note:
    """The note named by `ref` (an id, or an exact title); NoteNotFound if none."""
    note_id, title = note_id_or_title(ref)
    note = notes.get(note_id) if note_id is not None else None
    if note is None and title is not None:
        note = notes.get_by_title(title)
    if note is None:
        raise NoteNotFound(ref)
    return note


def assemble_view(
    note: Note,
    projects: list[Project],
    sources: list[Source],
    links_out: list[NoteLink],
    backlinks: list[tuple[int, str]],
) -> NoteView:
    """What `view_note` and its async twin read, put together."""
    return NoteView(
        note,
        next((p for p in projects if p.id == note.project_id), None),
        next((s for s in sources if s.id == note.source_id), None),
        tuple(LinkedNote(link.target_title, link.target_note_id) for link in links_out),
        tuple(LinkedNote(title, i) for i, title in backlinks),
    )


def view_note(uow: ISyncUnitOfWork, ref: NoteRef) -> NoteView:
    """A note (by id or exact title) with its project, source and links both ways."""
    with uow:
        note = find_note(uow.notes, ref)
        return assemble_view(
            note,
            uow.catalog.projects(),
            uow.catalog.sources(),
            uow.notes.links_out(note.id),
            uow.notes.backlinks(note.id),
        )
