"""Related notes: beside a stored note (blended, with why) or a draft being written, and
the pins and hides a person chooses. How they are blended: `application/related.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pkm_core.application.draft_vectors import draft_vectors
from pkm_core.application.dto import (
    DEFAULT_TUNING,
    DraftRelatedQuery,
    RelatedNote,
    RelatedWhy,
    SearchTuning,
)
from pkm_core.application.editing import find_note
from pkm_core.application.indexing import mean_vector
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.references import NoteRef
from pkm_core.application.related import blend
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.errors import InvalidNote, NoteNotFound
from pkm_core.domain.keyword import normalize_keyword
from pkm_core.domain.link import parse_wikilinks
from pkm_core.domain.markdown_text import plain_text
from pkm_core.domain.text import normalise_text

PASSAGE_WORDS = 30
CANDIDATES_PER_NOTE = 3  # nearest notes by meaning read per note shown


def passage_start(text: str, words: int = PASSAGE_WORDS) -> str:
    """The first `words` words of a passage as plain text, `…` where it is cut: what
    `make_snippet(text, "", words)` gives (nothing to match, so its window is the start),
    without testing every word against an empty query (a related note shows two
    passages; that test was most of a stored note's related-notes time in Python)."""
    tokens = plain_text(text).split()
    return " ".join(tokens[:words]) + (" …" if len(tokens) > words else "")


def with_passages(
    chosen: list[RelatedNote], passages: dict[int, tuple[str, str, float]]
) -> list[RelatedNote]:
    """Each related note's why completed with the closest pair of passages."""
    out = []
    for item in chosen:
        theirs, mine, similarity = passages.get(item.note_id, ("", "", None))
        why = replace(
            item.why or RelatedWhy(),
            passage=passage_start(theirs),
            own_passage=passage_start(mine),
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


def _keyword_names(keywords: Sequence[str]) -> tuple[str, ...]:
    """A draft's keywords as stored names; one not valid yet (still being typed) is left
    out rather than refused: nothing is saved here."""
    names: dict[str, None] = {}
    for raw in keywords:
        try:
            names.setdefault(normalize_keyword(raw), None)
        except InvalidNote:
            continue
    return tuple(names)


def describe_draft(
    embedder: IEmbedder,
    title: str,
    body: str,
    keywords: Sequence[str] = (),
    exclude_note_id: int | None = None,
) -> tuple[DraftRelatedQuery, list[tuple[str, list[float]]]]:
    """What a draft's related notes are found by (slow: embeds, so before the unit of
    work): its vector as a save would store it, its links and keywords; and its chunks
    (passage, vector) for the closest passages. Only the chunks not seen in a recent call
    are embedded (`draft_vectors`: typing changes one chunk at a time)."""
    title = normalise_text(title, "title", nul="remove").strip()
    body = normalise_text(body, "note body", nul="remove")
    chunks = chunk_note(title, body)
    vectors = draft_vectors(embedder).embed(embedder, chunks)
    draft = DraftRelatedQuery(
        vector=tuple(mean_vector(vectors)),
        title=title,
        link_targets=parse_wikilinks(body),
        keywords=_keyword_names(keywords),
        exclude_note_id=exclude_note_id,
    )
    return draft, [(c.text, list(v)) for c, v in zip(chunks, vectors, strict=True)]


def related_to_text(
    uow: ISyncUnitOfWork,
    embedder: IEmbedder,
    title: str,
    body: str,
    limit: int = 8,
    exclude_note_id: int | None = None,
    keywords: Sequence[str] = (),
    *,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[RelatedNote]:
    """The notes most related to a draft that is still being written (nothing is stored),
    blended and explained as a stored note's are (closest passages, shared keywords, the
    links it contains or that point at its title); no pins or hides, which belong to a
    stored note."""
    limit = max(limit, 0)
    if not (title.strip() or body.strip()) or limit == 0:
        return []
    draft, chunks = describe_draft(embedder, title, body, keywords, exclude_note_id)
    with uow:
        found = uow.notes.draft_candidates(draft, limit * CANDIDATES_PER_NOTE, tuning)
        chosen = blend(found, limit, tuning)
        passages = uow.notes.closest_passages_to_draft(chunks, [r.note_id for r in chosen])
    return with_passages(chosen, passages)


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
