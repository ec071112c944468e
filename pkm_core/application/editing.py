"""An edit, written once for both drivers: what it reads, what a rename rewrites, what it writes.

`notes.save_note` (sync, the browser app) and `async_notes.save_note` (the MCP server and
the REST API) run the same two steps, each a plain function over a sync `INoteRepository`:
the sync use case calls them on `uow.notes`, the async one through `uow.notes.run_sync(...)`,
which runs them on the async session's connection (`AsyncSession.run_sync`, the way the
async repository runs every one of its methods). So reading the linking notes, rewriting
their `[[links]]` on a rename and writing them all in one transaction exist once; only the
loop around the two steps (embed between them, read again after a conflict) is repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pkm_core.application.dto import LinkedNote, PreparedNote
from pkm_core.application.indexing import known_vectors
from pkm_core.application.ports import INoteRepository
from pkm_core.application.references import NoteRef, note_id_or_title
from pkm_core.domain.errors import NoteNotFound, VersionConflict
from pkm_core.domain.link import rewrite_wikilinks
from pkm_core.domain.note import Note, NoteDraft

RENAME_ATTEMPTS = 3  # a rename re-reads its linking notes if one changed meanwhile


@dataclass(frozen=True, slots=True)
class SavedNote:
    """A saved edit, and the notes whose [[links]] a rename rewrote (titles, by id)."""

    note: Note
    relinked: tuple[LinkedNote, ...] = ()


@dataclass(frozen=True, slots=True)
class EditPlan:
    """What an edit read: the note as stored, its new text, the vectors it need not embed
    again, and (on a rename) each linking note with its body rewritten."""

    current: Note
    draft: NoteDraft
    known: dict[str, list[float]]
    relinks: tuple[tuple[Note, NoteDraft], ...] = ()

    @property
    def drafts(self) -> list[NoteDraft]:
        """Every text to embed, the edited note's first."""
        return [self.draft, *(d for _, d in self.relinks)]

    def read_again(self, conflict: VersionConflict, attempt: int) -> bool:
        """True when a conflict came from a linking note edited meanwhile (not this one),
        and attempts are left: the edit reads again instead of failing."""
        return conflict.note_id != self.current.id and attempt < RENAME_ATTEMPTS - 1


def find_note(notes: INoteRepository, ref: NoteRef) -> Note:
    """The note named by `ref` (an id, or an exact title); NoteNotFound if none."""
    note_id, title = note_id_or_title(ref)
    note = notes.get(note_id) if note_id is not None else None
    if note is None and title is not None:
        note = notes.get_by_title(title)
    if note is None:
        raise NoteNotFound(ref)
    return note


def read_edit(
    notes: INoteRepository,
    ref: NoteRef,
    edit: NoteDraft | Callable[[Note], NoteDraft],
    expected_version: int,
) -> EditPlan:
    """Step one (a short read): the note, its stored vectors and, when the title changes,
    the notes linking to it with `[[Old title…]]` rewritten. `edit` is the new text, or
    makes it from the stored note (an edit of some parts only). A note no longer at
    `expected_version` is a VersionConflict before anything is embedded."""
    current = find_note(notes, ref)
    if current.version != expected_version:
        raise VersionConflict(current.id, expected_version, current.version)
    draft = edit if isinstance(edit, NoteDraft) else edit(current)
    known = known_vectors(notes.chunks(current.id))
    relinks: list[tuple[Note, NoteDraft]] = []
    if current.title != draft.title:
        for other in notes.linking_notes(current.id):
            body = rewrite_wikilinks(other.body, current.title, draft.title)
            if body != other.body:
                known.update(known_vectors(notes.chunks(other.id)))
                relinks.append((other, other.draft().model_copy(update={"body": body})))
    return EditPlan(current, draft, known, tuple(relinks))


def write_edit(
    notes: INoteRepository, plan: EditPlan, prepared: Sequence[PreparedNote]
) -> SavedNote:
    """Step two (inside the write transaction): the note, then every rewritten linking
    note, each at the version it was read at (so each gets a new version and revision)."""
    first, *others = prepared
    note = notes.update(plan.current.id, first, plan.current.version)
    for (other, _), other_prepared in zip(plan.relinks, others, strict=True):
        notes.update(other.id, other_prepared, other.version)
    return SavedNote(note, tuple(LinkedNote(d.title, other.id) for other, d in plan.relinks))
