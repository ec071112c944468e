"""Read side of related notes: the candidates of a stored note with what tells why they are
related (similarity, links, shared keywords, the person's pins and hides), the closest pair
of passages, and the writes of pins and hides; the same for a draft that is not stored
(its vector, links and keywords sent with the statements).

Candidates are the nearest notes by meaning (HNSW over note vectors), the notes linked to
or from it, the notes two links away, and its pinned notes; hidden notes never. How they
are blended is application logic (`pkm_core/application/related.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Text,
    and_,
    any_,
    cast,
    column,
    delete,
    func,
    literal,
    select,
    union,
    values,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, aliased

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    DraftRelatedQuery,
    RelatedCandidate,
    SearchTuning,
)
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


def _two_step(session: Session, direct: set[int], origin: int | None) -> dict[int, str]:
    """The notes two links away through `direct` (not `origin`, not `direct` themselves),
    each with the title of a note in between."""
    if not direct:
        return {}
    second = _neighbours(sorted(direct))
    middle = aliased(NoteRow, name="middle")
    stmt = (
        select(second.c.to_id, func.min(middle.title).label("via"))
        .join(middle, middle.id == second.c.from_id)
        .where(second.c.to_id.not_in(sorted(direct)))
        .group_by(second.c.to_id)
        .order_by(second.c.to_id)
        .limit(TWO_STEP_LIMIT)
    )
    if origin is not None:
        stmt = stmt.where(second.c.to_id != origin)
    return {r.to_id: r.via for r in session.execute(stmt)}


def _links(session: Session, note_id: int) -> tuple[set[int], dict[int, str]]:
    """The notes linked with `note_id` (either way), and those two links away with the
    title of a note in between."""
    direct_rows = _neighbours([note_id])
    direct = {r.to_id for r in session.execute(select(direct_rows.c.to_id))} - {note_id}
    return direct, _two_step(session, direct, note_id)


def _draft_links(
    session: Session, title: str, targets: Sequence[str], exclude_note_id: int | None
) -> tuple[set[int], dict[int, str]]:
    """A draft's links: the notes its [[links]] name, those linking to its title, and the
    notes two links away through them."""
    keys = sorted({t.strip().lower() for t in targets if t.strip()})
    key = title.strip().lower()
    direct: set[int] = set()
    if keys:
        direct |= set(
            session.execute(select(NoteRow.id).where(func.lower(NoteRow.title).in_(keys), LIVE))
            .scalars()
            .all()
        )
    if key:
        direct |= set(
            session.execute(select(NoteLinkRow.source_note_id).where(NoteLinkRow.target_key == key))
            .scalars()
            .all()
        )
    direct.discard(exclude_note_id)
    return direct, _two_step(session, direct, exclude_note_id)


def _nearest(session: Session, target: Any, k: int, exclude: int | None, ef: int) -> list[int]:
    """The `k` notes whose vectors are nearest to `target` (HNSW), `exclude` left out."""
    session.execute(
        select(
            func.set_config("hnsw.ef_search", str(max(ef, k)), True),
            func.set_config("enable_seqscan", "off", True),  # see search_queries
        )
    )
    stmt = select(NoteRow.id).where(NoteRow.embedding.is_not(None))
    if exclude is not None:
        stmt = stmt.where(NoteRow.id != exclude)
    ids = list(
        session.execute(stmt.order_by(NoteRow.embedding.cosine_distance(target)).limit(k))
        .scalars()
        .all()
    )
    session.execute(select(func.set_config("enable_seqscan", "on", True)))
    return ids


def _candidates(
    session: Session,
    ids: set[int],
    target: Any,
    own_keywords: Any,
    links: tuple[set[int], dict[int, str]],
    pinned: set[int],
) -> list[RelatedCandidate]:
    """The candidates `ids` with their similarity to `target` (a vector expression), the
    keywords they share with `own_keywords` (a SELECT of keyword ids) and their links."""
    if not ids:
        return []
    direct, two_step = links
    distance = NoteRow.embedding.cosine_distance(target)
    theirs = aliased(NoteKeywordRow, name="theirs")
    shared = (
        select(KeywordRow.name)
        .join(theirs, theirs.keyword_id == KeywordRow.id)
        .where(KeywordRow.id.in_(own_keywords), theirs.note_id == NoteRow.id)
        .order_by(KeywordRow.name)
        .scalar_subquery()
    )
    own_count = select(func.count()).select_from(own_keywords.subquery()).scalar_subquery()
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


def related_candidates(
    session: Session, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedCandidate] | None:
    """Every candidate related note of a stored note; None when the note does not exist."""
    exists = session.execute(select(NoteRow.id).where(NoteRow.id == note_id)).first()
    if exists is None:
        return None
    target = select(NoteRow.embedding).where(NoteRow.id == note_id).scalar_subquery()
    nearest = _nearest(session, target, k, note_id, tuning.related_ef_search)
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
    own = select(NoteKeywordRow.keyword_id).where(NoteKeywordRow.note_id == note_id)
    return _candidates(session, ids, target, own, (direct, two_step), pinned)


def draft_candidates(
    session: Session, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedCandidate]:
    """Candidate related notes of a draft (nothing stored): the `k` nearest to its vector,
    the notes its links name or that link to its title, and those two links away."""
    target = literal(list(draft.vector), Vector(len(draft.vector)))
    nearest = _nearest(session, target, k, draft.exclude_note_id, tuning.related_ef_search)
    links = _draft_links(session, draft.title, draft.link_targets, draft.exclude_note_id)
    ids = set(nearest) | links[0] | set(links[1])
    own = select(KeywordRow.id).where(KeywordRow.name.in_(sorted(set(draft.keywords))))
    return _candidates(session, ids, target, own, links, set())


def _closest(
    session: Session, own: Any, other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """{other note: (its passage, own passage, similarity)} for the closest pair of a
    chunk of `own` (a FROM with `text` and `embedding`) and a chunk of each other note
    (every pair compared: a few notes of a few chunks)."""
    if not other_ids:
        return {}
    other = aliased(NoteChunkRow, name="other")
    distance = own.c.embedding.cosine_distance(other.embedding)
    rows = session.execute(
        select(other.note_id, other.text, own.c.text.label("own_text"), (1 - distance).label("sim"))
        .select_from(own)
        .join(
            other,
            and_(
                other.note_id == any_(literal(list(other_ids), ARRAY(BigInteger))),
                other.embedding.is_not(None),
            ),
        )
        .ext(distinct_on(other.note_id))
        .order_by(other.note_id, distance)
    )
    return {r.note_id: (r.text, r.own_text, float(r.sim)) for r in rows}


def closest_passages(
    session: Session, note_id: int, other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """The closest pair of passages of a stored note and each of `other_ids`."""
    own = (
        select(NoteChunkRow.text, NoteChunkRow.embedding)
        .where(NoteChunkRow.note_id == note_id, NoteChunkRow.embedding.is_not(None))
        .subquery("own")
    )
    return _closest(session, own, other_ids)


def closest_passages_to_draft(
    session: Session, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """The closest pair of passages of a draft (its chunks and their vectors, sent with the
    statement) and each of `other_ids`."""
    if not chunks:
        return {}
    dim = len(chunks[0][1])
    rows = values(column("text", Text), column("embedding", Text), name="draft_chunks").data(
        [(text, str(list(vector))) for text, vector in chunks]
    )
    own = select(rows.c.text, cast(rows.c.embedding, Vector(dim)).label("embedding")).subquery(
        "own"
    )
    return _closest(session, own, other_ids)


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
