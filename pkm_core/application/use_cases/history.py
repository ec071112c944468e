"""A note's history (revisions) and the trash."""

from __future__ import annotations

from pkm_core.application.editing import SavedNote
from pkm_core.application.indexing import ensure_model_on_record, prepare_note
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.use_cases.notes import save_note
from pkm_core.domain.errors import NoteNotFound, RevisionNotFound
from pkm_core.domain.history import TRASH_KEEP_DAYS, Revision, RevisionInfo, TrashedNote
from pkm_core.domain.note import Note, NoteDraft


def list_revisions(uow: ISyncUnitOfWork, note_id: int) -> list[RevisionInfo]:
    """The note's versions, the current one first."""
    with uow:
        found = uow.notes.revisions(note_id)
    if not found:
        raise NoteNotFound(note_id)
    return found


def get_revision(uow: ISyncUnitOfWork, note_id: int, version: int) -> Revision:
    with uow:
        found = uow.notes.revision(note_id, version)
    if found is None:
        raise RevisionNotFound(note_id, version)
    return found


def restore_revision(
    uow: ISyncUnitOfWork, embedder: IEmbedder, note_id: int, version: int, expected_version: int
) -> SavedNote:
    """Save an older version's title, text, keywords, project and source as a new version
    (a rename back rewrites links as any rename does)."""
    old = get_revision(uow, note_id, version)
    current = get_current(uow, note_id)
    draft = NoteDraft(
        title=old.title,
        body=old.body,
        keywords=old.keywords,
        project_id=old.project_id,
        source_id=old.source_id,
        external_id=current.external_id,
    )
    return save_note(uow, embedder, note_id, draft, expected_version)


def get_current(uow: ISyncUnitOfWork, note_id: int) -> Note:
    with uow:
        note = uow.notes.get(note_id)
    if note is None:
        raise NoteNotFound(note_id)
    return note


def list_trash(uow: ISyncUnitOfWork) -> list[TrashedNote]:
    with uow:
        return uow.notes.trashed()


def restore_from_trash(uow: ISyncUnitOfWork, embedder: IEmbedder, note_id: int) -> Note:
    """Bring a note back with its keywords and links; its text is embedded again (before
    the transaction) so search and related notes find it as before."""
    with uow:
        note = uow.notes.trashed_note(note_id)
    if note is None:
        raise NoteNotFound(note_id)
    prepared = prepare_note(note.draft(), embedder)
    with uow:
        ensure_model_on_record(uow.index, embedder)
        return uow.notes.restore(note_id, prepared)


def delete_for_good(uow: ISyncUnitOfWork, note_ids: list[int]) -> int:
    """Delete notes in the trash with their history; returns how many went."""
    with uow:
        return uow.notes.purge(note_ids)


def empty_old_trash(uow: ISyncUnitOfWork, days: int = TRASH_KEEP_DAYS) -> int:
    """Delete for good what has been in the trash for more than `days` days."""
    with uow:
        return uow.notes.purge_older_than(days)
