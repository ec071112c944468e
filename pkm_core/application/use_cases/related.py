"""Related notes: beside a stored note (blended, with why) or a draft being written, and
the pins and hides a person chooses. How they are blended: `application/related.py`."""

from __future__ import annotations

from dataclasses import replace

from pkm_core.application.dto import DEFAULT_TUNING, RelatedNote, RelatedWhy, SearchTuning
from pkm_core.application.editing import find_note
from pkm_core.application.indexing import mean_vector
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.references import NoteRef
from pkm_core.application.related import blend
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.snippet import make_snippet

PASSAGE_WORDS = 30
CANDIDATES_PER_NOTE = 3  # nearest notes by meaning read per note shown


def _passage(text: str) -> str:
    return make_snippet(text, "", words=PASSAGE_WORDS).text


def with_passages(
    chosen: list[RelatedNote], passages: dict[int, tuple[str, str, float]]
) -> list[RelatedNote]:
    """Each related note's why completed with the closest pair of passages."""
    out = []
    for item in chosen:
        theirs, mine, similarity = passages.get(item.note_id, ("", "", None))
        why = replace(
            item.why or RelatedWhy(),
            passage=_passage(theirs),
            own_passage=_passage(mine),
            passage_similarity=similarity,
        )
        out.append(replace(item, why=why))
    return out


def related_notes(
    uow: ISyncUnitOfWork,
    note_id: NoteRef,
    limit: int = 8,
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[RelatedNote]:
    """The notes most related to a stored note (by id or exact title), itself and hidden
    notes excluded: pinned ones first, then by relatedness (meaning, links, shared
    keywords); each says why."""
    limit = max(limit, 0)
    with uow:
        if not isinstance(note_id, int):
            note_id = find_note(uow.notes, note_id).id
        found = uow.notes.related_candidates(note_id, limit * CANDIDATES_PER_NOTE, tuning)
        if found is None:
            raise NoteNotFound(note_id)
        chosen = blend(found, limit, tuning)
        passages = uow.notes.closest_passages(note_id, [r.note_id for r in chosen])
    return with_passages(chosen, passages)


def related_to_text(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    title: str,
    body: str,
    limit: int = 8,
    exclude_note_id: int | None = None,
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[RelatedNote]:
    """Notes nearest to a draft that is still being written (nothing is stored); those
    below the related-notes floor are marked weak."""
    if not (title.strip() or body.strip()):
        return []
    chunks = chunk_note(title.strip(), body)
    vector = mean_vector(embedder.embed_documents([c.embed_text for c in chunks]))
    with uow:
        rows = uow.notes.nearest_notes(vector, max(limit, 0), exclude_note_id=exclude_note_id)
    return [
        RelatedNote(r.note_id, r.title, r.score, score=r.score, weak=r.score < tuning.related_floor)
        for r in rows
    ]


def _choose(uow: ISyncUnitOfWork, note_id: int, other_id: int, choice: str | None) -> None:
    with uow:
        if uow.notes.get(note_id) is None:
            raise NoteNotFound(note_id)
        if uow.notes.get(other_id) is None:
            raise NoteNotFound(other_id)
        uow.notes.set_related_choice(note_id, other_id, choice)


def pin_related(uow: ISyncUnitOfWork, note_id: int, other_id: int) -> None:
    """Keep `other_id` at the top of `note_id`'s related notes."""
    _choose(uow, note_id, other_id, "pinned")


def hide_related(uow: ISyncUnitOfWork, note_id: int, other_id: int) -> None:
    """Never show `other_id` among `note_id`'s related notes."""
    _choose(uow, note_id, other_id, "hidden")


def unhide_related(uow: ISyncUnitOfWork, note_id: int, other_id: int) -> None:
    """Forget a pin or a hide: `other_id` is ranked like any other note again."""
    _choose(uow, note_id, other_id, None)


def hidden_related(uow: ISyncUnitOfWork, note_id: int) -> list[tuple[int, str]]:
    """(id, title) of the notes hidden from `note_id`'s related notes."""
    with uow:
        return uow.notes.hidden_related(note_id)
