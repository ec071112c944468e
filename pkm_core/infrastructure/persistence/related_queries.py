"""Read side of related notes: the candidates of a stored note with what tells why they are
related (similarity, links, shared keywords, the person's pins and hides), the closest pair
of passages, and the writes of pins and hides.

Candidates are the nearest notes by meaning (HNSW over note vectors), the notes linked to
or from it, the notes two links away, and its pinned notes; hidden notes never. How they
are blended is application logic (`pkm_core/application/related.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    and_,
    any_,
    delete,
    func,
    literal,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, aliased

from pkm_core.application.dto import DEFAULT_TUNING, RelatedCandidate, SearchTuning
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteChunkRow,
    NoteKeywordRow,
    NoteLinkRow,
    NoteRow,
    RelatedChoiceRow,
)
from pkm_core.infrastructure.persistence.note_sql import LIVE

TWO_STEP_LIMIT = 20  # notes two links away considered (the nearest by meaning first)


def _neighbours(ids: list[int]) -> Any:
    """(from_id, to_id) for every link out of or into the notes `ids`,
    links to notes that do not exist left out."""
    target = aliased(NoteRow, name="link_target")
    source = aliased(NoteRow, name="link_source")
    out = (
        select(NoteLinkRow.source_note_id.label("from_id"), target.id.label("to_id"))
        .join(target, func.lower(target.title) == NoteLinkRow.target_key)
        .where(NoteLinkRow.source_note_id.in_(ids))
    )
    into = (
        select(source.id.label("from_id"), NoteLinkRow.source_note_id.label("to_id"))
        .join(NoteLinkRow, NoteLinkRow.target_key == func.lower(source.title))
        .where(source.id.in_(ids))
    )
    return union(out, into).subquery()


def _links(session: Session, note_id: int) -> tuple[set[int], dict[int, str]]:
    """The notes linked with `note_id` (either way), and those two links away with the
    title of a note in between."""
    direct_rows = _neighbours([note_id])
    direct = {r.to_id for r in session.execute(select(direct_rows.c.to_id))} - {note_id}
    if not direct:
        return direct, {}
    second = _neighbours(sorted(direct))
    middle = aliased(NoteRow, name="middle")
    rows = session.execute(
        select(second.c.to_id, func.min(middle.title).label("via"))
        .join(middle, middle.id == second.c.from_id)
        .where(second.c.to_id != note_id, second.c.to_id.not_in(sorted(direct)))
        .group_by(second.c.to_id)
        .order_by(second.c.to_id)
        .limit(TWO_STEP_LIMIT)
    )
    return direct, {r.to_id: r.via for r in rows}


def related_candidates(
    session: Session, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedCandidate] | None:
    """Every candidate related note of a stored note; None when the note does not exist."""
    exists = session.execute(
        select(
            func.set_config("hnsw.ef_search", str(max(tuning.related_ef_search, k)), True),
            func.set_config("enable_seqscan", "off", True),  # see search_queries
            select(NoteRow.id).where(NoteRow.id == note_id).scalar_subquery(),
        )
    ).one()[2]
    if exists is None:
        return None
    target = select(NoteRow.embedding).where(NoteRow.id == note_id).scalar_subquery()
    distance = NoteRow.embedding.cosine_distance(target)
    nearest = [
        r.id
        for r in session.execute(
            select(NoteRow.id)
            .where(NoteRow.embedding.is_not(None), NoteRow.id != note_id)
            .order_by(distance)
            .limit(k)
        )
    ]
    session.execute(select(func.set_config("enable_seqscan", "on", True)))
    choices = {
        r.other_note_id: r.choice
        for r in session.execute(
            select(RelatedChoiceRow.other_note_id, RelatedChoiceRow.choice).where(
                RelatedChoiceRow.note_id == note_id
            )
        )
    }
    direct, two_step = _links(session, note_id)
    pinned = {i for i, c in choices.items() if c == "pinned"}
    ids = (set(nearest) | direct | set(two_step) | pinned) - {
        i for i, c in choices.items() if c == "hidden"
    }
    if not ids:
        return []
    mine = aliased(NoteKeywordRow, name="mine")
    theirs = aliased(NoteKeywordRow, name="theirs")
    shared = (
        select(KeywordRow.name)
        .join(mine, mine.keyword_id == KeywordRow.id)
        .join(theirs, theirs.keyword_id == KeywordRow.id)
        .where(mine.note_id == note_id, theirs.note_id == NoteRow.id)
        .order_by(KeywordRow.name)
        .scalar_subquery()
    )
    own_count = select(func.count()).where(NoteKeywordRow.note_id == note_id).scalar_subquery()
    their_count = select(func.count()).where(NoteKeywordRow.note_id == NoteRow.id).scalar_subquery()
    rows = session.execute(
        select(
            NoteRow.id,
            NoteRow.title,
            (1 - distance).label("similarity"),
            func.array(shared).label("shared"),
            own_count.label("own_count"),
            their_count.label("their_count"),
        ).where(NoteRow.id == any_(literal(sorted(ids), ARRAY(BigInteger))), LIVE)
    )
    return [
        RelatedCandidate(
            note_id=r.id,
            title=r.title,
            similarity=None if r.similarity is None else float(r.similarity),
            shared_keywords=tuple(r.shared or ()),
            keyword_union=int(r.own_count) + int(r.their_count) - len(r.shared or ()),
            link="direct" if r.id in direct else ("two-step" if r.id in two_step else ""),
            via=two_step.get(r.id, ""),
            pinned=r.id in pinned,
        )
        for r in rows
    ]


def closest_passages(
    session: Session, note_id: int, other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """{other note: (its passage, this note's passage, similarity)} for the closest pair
    of chunks of the two notes (every pair compared: a few notes of a few chunks)."""
    if not other_ids:
        return {}
    own = aliased(NoteChunkRow, name="own")
    other = aliased(NoteChunkRow, name="other")
    distance = own.embedding.cosine_distance(other.embedding)
    rows = session.execute(
        select(other.note_id, other.text, own.text.label("own_text"), (1 - distance).label("sim"))
        .join(
            other,
            and_(
                other.note_id == any_(literal(list(other_ids), ARRAY(BigInteger))),
                other.embedding.is_not(None),
            ),
        )
        .where(own.note_id == note_id, own.embedding.is_not(None))
        .ext(distinct_on(other.note_id))
        .order_by(other.note_id, distance)
    )
    return {r.note_id: (r.text, r.own_text, float(r.sim)) for r in rows}


def set_related_choice(session: Session, note_id: int, other_id: int, choice: str | None) -> None:
    """Pin (`"pinned"`) or hide (`"hidden"`) `other_id` among `note_id`'s related notes;
    None forgets the choice."""
    if choice is None:
        session.execute(
            delete(RelatedChoiceRow).where(
                RelatedChoiceRow.note_id == note_id, RelatedChoiceRow.other_note_id == other_id
            )
        )
        return
    stmt = pg_insert(RelatedChoiceRow).values(
        note_id=note_id, other_note_id=other_id, choice=choice
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[RelatedChoiceRow.note_id, RelatedChoiceRow.other_note_id],
            set_={"choice": stmt.excluded.choice},
        )
    )


def hidden_related(session: Session, note_id: int) -> list[tuple[int, str]]:
    """(id, title) of the notes hidden from `note_id`'s related notes."""
    rows = session.execute(
        select(NoteRow.id, NoteRow.title)
        .join(RelatedChoiceRow, RelatedChoiceRow.other_note_id == NoteRow.id)
        .where(RelatedChoiceRow.note_id == note_id, RelatedChoiceRow.choice == "hidden", LIVE)
        .order_by(NoteRow.title)
    )
    return [(r.id, r.title) for r in rows]
