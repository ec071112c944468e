"""Writing and reading notes (an edit's steps are `editing`'s, shared with the async twins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pkm_core.application.dto import (
    LinkedNote,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    SortOrder,
    TitleMatch,
)
from pkm_core.application.editing import (
    RENAME_ATTEMPTS,
    SavedNote,
    find_note,
    read_edit,
    write_edit,
)
from pkm_core.application.indexing import ensure_model_on_record, prepare_note, prepare_notes
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.references import NoteRef
from pkm_core.domain.errors import AlreadyCreated, DuplicateTitle, NoteNotFound, VersionConflict
from pkm_core.domain.history import note_draft_key
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


def create_note(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    draft: NoteDraft,
    *,
    create_token: str | None = None,
    draft_key: str | None = None,
) -> Note:
    """Embed the note, then store it with its chunks, vectors and links in one transaction.

    With a `create_token` (the form's), a repeated create (a second click, a second tab,
    a retried request) returns the note made the first time instead of a second one or an
    error. The form's draft (`draft_key`) is cleared in the same transaction."""
    if create_token is not None:
        with uow:
            earlier = uow.notes.get_by_create_token(create_token)
        if earlier is not None:
            return earlier
    prepared = prepare_note(draft, embedder)
    try:
        with uow:
            ensure_model_on_record(uow.index, embedder)
            note = uow.notes.add(prepared, create_token)
            if draft_key is not None:
                uow.drafts.discard(draft_key)
            return note
    except (AlreadyCreated, DuplicateTitle):
        # The same form's create won a race (both passed the check above): its note.
        if create_token is None:
            raise
        with uow:
            earlier = uow.notes.get_by_create_token(create_token)
        if earlier is None:
            raise
        return earlier


def save_note(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    note_id: int,
    draft: NoteDraft,
    expected_version: int,
) -> SavedNote:
    """Save an edit; raises VersionConflict if the note changed since `expected_version`.

    The stored chunks are read first (a short read), only the changed ones are embedded
    with no transaction open, then the note is written once; the version check of that
    write covers an edit made elsewhere in between. A rename rewrites [[Old title…]] in
    every note linking to it, in the same transaction, each one getting a new version.
    The steps are `editing`'s, shared with the async twin; the form's draft is cleared
    in the same transaction."""
    for attempt in range(RENAME_ATTEMPTS):
        with uow:
            plan = read_edit(uow.notes, note_id, draft, expected_version)
        prepared = prepare_notes(plan.drafts, embedder, plan.known)
        try:
            with uow:
                ensure_model_on_record(uow.index, embedder)
                saved = write_edit(uow.notes, plan, prepared)
                uow.drafts.discard(note_draft_key(note_id))
        except VersionConflict as exc:
            if plan.read_again(exc, attempt):
                continue
            raise
        return saved
    raise AssertionError("unreachable")  # pragma: no cover


def update_note(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    note_id: int,
    draft: NoteDraft,
    expected_version: int,
) -> Note:
    """`save_note` for callers that need only the saved note."""
    return save_note(uow, embedder, note_id, draft, expected_version).note


def get_note(uow: ISyncUnitOfWork, note_id: int) -> Note:
    with uow:
        note = uow.notes.get(note_id)
    if note is None:
        raise NoteNotFound(note_id)
    return note


def delete_note(uow: ISyncUnitOfWork, note_id: int, expected_version: int | None = None) -> None:
    """Move the note to the trash (restorable for `TRASH_KEEP_DAYS` days)."""
    with uow:
        uow.notes.trash(note_id, expected_version)


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


MAX_RESOLVED_LINKS = 200


def resolve_links(uow: ISyncUnitOfWork, titles: Sequence[str]) -> dict[str, int | None]:
    """{lower(title): id of the live note with that title, or None} for [[links]] shown."""
    wanted = list(dict.fromkeys(t.lower() for t in titles))[:MAX_RESOLVED_LINKS]
    with uow:
        found = {key: uow.notes.get_by_title(key) for key in wanted}
    return {key: None if note is None else note.id for key, note in found.items()}


MAX_LINK_SUGGESTIONS = 8


def suggest_link_targets(
    uow: ISyncUnitOfWork, fragment: str, exclude_note_id: int | None = None
) -> list[TitleMatch]:
    """The notes a `[[fragment` being typed may mean (titles, then aliases; the newest
    notes for a bare `[[`), the note being edited left out."""
    with uow:
        return uow.notes.titles_matching(fragment[:120], MAX_LINK_SUGGESTIONS, exclude_note_id)
