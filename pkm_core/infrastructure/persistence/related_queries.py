"""Read side of related notes: the candidates of a stored note with what tells why they are
related (similarity, links, shared keywords, the person's pins and hides), the closest pair
of passages, and the writes of pins and hides; the same for a draft that is not stored
(its vector, links and keywords sent with the statements).

Candidates are the nearest notes by meaning (HNSW over note vectors), the notes linked to
or from it, the notes two links away, and its pinned notes; hidden notes never. A note's
candidates are two statements (the HNSW settings, then one that finds them all), their
closest passages one more; the statements are built once (`related_statements.py`) and
run on the session's connection, past the ORM (they load no entities); a stored note's
two big ones are prepared on the server once per connection (`prepared.py`: planning
them was half their time). A draft's are not: its vector and texts are sent as bind
parameters, never rendered into SQL. How candidates are
blended is application logic (`pkm_core/application/related.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    DraftRelatedQuery,
    RelatedCandidate,
    SearchTuning,
)
from pkm_core.infrastructure.persistence import related_statements as sql
from pkm_core.infrastructure.persistence.models import NoteRow, RelatedChoiceRow
from pkm_core.infrastructure.persistence.note_sql import LIVE
from pkm_core.infrastructure.persistence.prepared import run_prepared


def _rows(result: Any) -> list[RelatedCandidate]:
    # All rows fetched at once and unpacked by position (the columns of
    # `related_statements._candidates`): the row-by-row fetch and a Row's attribute
    # look-ups took 0.19 ms p50 of a stored note's related notes, now 0.09 (issue 12).
    out = []
    for (
        note_id,
        title,
        similarity,
        shared,
        own_count,
        their_count,
        direct,
        via,
        pinned,
    ) in result.all():
        shared_keywords = tuple(shared or ())
        out.append(
            RelatedCandidate(
                note_id=note_id,
                title=title,
                similarity=None if similarity is None else float(similarity),
                shared_keywords=shared_keywords,
                keyword_union=int(own_count) + int(their_count) - len(shared_keywords),
                link="direct" if direct else ("two-step" if via is not None else ""),
                via=via or "",
                pinned=bool(pinned),
            )
        )
    return out


def related_candidates(
    session: Session, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedCandidate] | None:
    """Every candidate related note of a stored note; None when the note does not exist.
    Seq scans stay off and prepared statements use their generic plan for the rest of the
    transaction (every later statement of related notes is an index look-up)."""
    connection = session.connection()
    settings = {"ef_search": str(max(tuning.related_ef_search, k)), "note_id": note_id}
    found = connection.execute(sql.note_settings(), settings).one()
    if not found.found:
        return None
    stmt = sql.note_candidates(bool(found.linked), bool(found.chosen), k)
    return _rows(run_prepared(connection, stmt, {"note_id": note_id}))


def draft_candidates(
    session: Session, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[RelatedCandidate]:
    """Candidate related notes of a draft (nothing stored): the `k` nearest to its vector,
    the notes its links name or that link to its title, and those two links away."""
    connection = session.connection()
    params = {
        "ef_search": str(max(tuning.related_ef_search, k)),
        "draft_vector": list(draft.vector),
        "k": k,
        "exclude_id": draft.exclude_note_id,
        "link_keys": sorted({t.strip().lower() for t in draft.link_targets if t.strip()}),
        "title_key": draft.title.strip().lower(),
        "keyword_names": sorted(set(draft.keywords)),
    }
    titled = connection.execute(sql.draft_settings(), params).one().linked
    stmt = sql.draft_candidates(bool(params["link_keys"]) or bool(titled))
    return _rows(connection.execute(stmt, params))


def _passages(result: Any) -> dict[int, tuple[str, str, float]]:
    return {r.note_id: (r.text, r.own_text, float(r.sim)) for r in result}


def closest_passages(
    session: Session, note_id: int, other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """The closest pair of passages of a stored note and each of `other_ids`."""
    if not other_ids:
        return {}
    params = {"note_id": note_id, "other_ids": [int(i) for i in other_ids]}
    return _passages(run_prepared(session.connection(), sql.note_passages(), params))


def closest_passages_to_draft(
    session: Session, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
) -> dict[int, tuple[str, str, float]]:
    """The closest pair of passages of a draft (its chunks and their vectors, sent with the
    statement) and each of `other_ids`."""
    if not chunks or not other_ids:
        return {}
    params = {
        "chunk_texts": [text for text, _ in chunks],
        "chunk_vectors": [str(list(vector)) for _, vector in chunks],
        "other_ids": list(other_ids),
    }
    return _passages(session.connection().execute(sql.draft_passages(), params))


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
