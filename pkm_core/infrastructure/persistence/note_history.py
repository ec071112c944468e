"""Revisions and the trash: the SQL behind a note's history and its soft delete.

A revision row holds a superseded version (the current version is the note itself).
Bodies of at least `DELTA_MIN_CHARS` are stored as a line delta against the next newer
version, except every `KEYFRAME_EVERY`-th version, which is kept whole; rebuilding a
version therefore reads at most that many rows (docs/PERFORMANCE.md has the figures).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from pkm_core.domain.diff import apply_delta, make_delta
from pkm_core.domain.history import Revision, RevisionInfo, TrashedNote
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence.models import (
    NoteAliasRow,
    NoteChunkRow,
    NoteLinkRow,
    NoteRevisionRow,
    NoteRow,
)
from pkm_core.infrastructure.persistence.note_sql import (
    LIVE,
    keyword_names,
    note_select,
    search_vector,
    to_note,
)

DELTA_MIN_CHARS = 4_000
KEYFRAME_EVERY = 16


@dataclass(frozen=True, slots=True)
class Archived:
    """The archived version's title and what stands beside it, read under its row lock: the
    aliases (the rewritten row's search vector needs them), the keywords and the link
    targets (an edit that keeps the title need not check it, nor rewrite what it keeps)."""

    title: str
    aliases: tuple[str, ...]
    keywords: frozenset[str]
    link_titles: frozenset[str]


def archive_version(
    session: Session, note_id: int, version: int, newer_body: str
) -> Archived | None:
    """Copy the note, if it stands at `version`, into its revisions (locking the row until
    the transaction ends) and return what stands beside it (`Archived`, read here to save
    the edit statements); None when it does not stand there (missing, trashed or changed)."""
    aliases = (
        select(NoteAliasRow.alias)
        .where(NoteAliasRow.note_id == NoteRow.id)
        .order_by(NoteAliasRow.alias_key)
        .scalar_subquery()
    )
    links = (
        select(NoteLinkRow.target_title)
        .where(NoteLinkRow.source_note_id == NoteRow.id)
        .scalar_subquery()
    )
    row = session.execute(
        select(
            NoteRow.title,
            NoteRow.body,
            NoteRow.project_id,
            NoteRow.source_id,
            NoteRow.updated_at,
            keyword_names(),
            func.array(aliases).label("aliases"),
            func.array(links).label("link_titles"),
        )
        .where(NoteRow.id == note_id, NoteRow.version == version, LIVE)
        .with_for_update(of=NoteRow)
    ).first()
    if row is None:
        return None
    body: str | None = row.body
    delta = None
    if len(row.body) >= DELTA_MIN_CHARS and version % KEYFRAME_EVERY != 0:
        pieces = make_delta(newer_body, row.body)
        if len(json.dumps(pieces)) < len(row.body) // 2:
            body, delta = None, pieces
    session.execute(
        insert(NoteRevisionRow).values(
            note_id=note_id,
            version=version,
            title=row.title,
            body=body,
            body_delta=delta,
            keywords=list(row.keyword_names or ()),
            project_id=row.project_id,
            source_id=row.source_id,
            saved_at=row.updated_at,
        )
    )
    return Archived(
        title=row.title,
        aliases=tuple(row.aliases or ()),
        keywords=frozenset(row.keyword_names or ()),
        link_titles=frozenset(row.link_titles or ()),
    )


def revisions(session: Session, note_id: int) -> list[RevisionInfo]:
    """The note's versions, newest (the current one) first; empty if there is no such note."""
    current = session.execute(
        select(NoteRow.version, NoteRow.title, NoteRow.updated_at).where(NoteRow.id == note_id)
    ).first()
    if current is None:
        return []
    older = session.execute(
        select(NoteRevisionRow.version, NoteRevisionRow.title, NoteRevisionRow.saved_at)
        .where(NoteRevisionRow.note_id == note_id)
        .order_by(NoteRevisionRow.version.desc())
    )
    return [
        RevisionInfo(
            version=current.version,
            title=current.title,
            saved_at=current.updated_at,
            current=True,
        ),
        *(RevisionInfo(version=r.version, title=r.title, saved_at=r.saved_at) for r in older),
    ]


def revision(session: Session, note_id: int, version: int) -> Revision | None:
    """One version of the note, its body rebuilt from the nearest whole copy above it."""
    note_row = session.execute(note_select().where(NoteRow.id == note_id)).first()
    if note_row is None:
        return None
    note = to_note(note_row)
    if version == note.version:
        return Revision.of_current(note)
    rows = list(
        session.execute(
            select(NoteRevisionRow)
            .where(
                NoteRevisionRow.note_id == note_id,
                NoteRevisionRow.version >= version,
                NoteRevisionRow.version <= version + KEYFRAME_EVERY,
            )
            .order_by(NoteRevisionRow.version)
        ).scalars()
    )
    if not rows or rows[0].version != version:
        return None
    whole = next((i for i, r in enumerate(rows) if r.body is not None), None)
    text = note.body if whole is None else str(rows[whole].body)
    for row in reversed(rows[: len(rows) if whole is None else whole]):
        text = apply_delta(text, row.body_delta or [])
    wanted = rows[0]
    return Revision(
        note_id=note_id,
        version=version,
        title=wanted.title,
        body=text,
        keywords=tuple(wanted.keywords),
        project_id=wanted.project_id,
        source_id=wanted.source_id,
        saved_at=wanted.saved_at,
    )


# --------------------------------------------------------------------------- the trash


def trash(session: Session, note_id: int, expected_version: int | None) -> bool:
    """Move a live note to the trash: it keeps its text, keywords and links; its search
    vector, postings (through the BM25 trigger) and chunks go, so no search finds it.
    False when no live note stands at `expected_version`."""
    stmt = (
        update(NoteRow)
        .where(NoteRow.id == note_id, LIVE)
        .values(deleted_at=func.clock_timestamp(), search_tsv=None, embedding=None)
    )
    if expected_version is not None:
        stmt = stmt.where(NoteRow.version == expected_version)
    if session.execute(stmt.returning(NoteRow.id)).first() is None:
        return False
    session.execute(delete(NoteChunkRow).where(NoteChunkRow.note_id == note_id))
    return True


def trashed_note(session: Session, note_id: int) -> Note | None:
    row = session.execute(
        note_select().where(NoteRow.id == note_id, NoteRow.deleted_at.is_not(None))
    ).first()
    return None if row is None else to_note(row)


def untrash(session: Session, note_id: int, draft: NoteDraft) -> bool:
    """Take a note out of the trash with its search vector (its chunks are the caller's)."""
    stmt = (
        update(NoteRow)
        .where(NoteRow.id == note_id, NoteRow.deleted_at.is_not(None))
        .values(deleted_at=None, search_tsv=search_vector(draft.title, draft.body))
        .returning(NoteRow.id)
    )
    return session.execute(stmt).first() is not None


def trashed(session: Session, limit: int = 500) -> list[TrashedNote]:
    stmt = (
        select(
            NoteRow.id,
            NoteRow.title,
            func.left(NoteRow.body, 200).label("excerpt"),
            NoteRow.version,
            NoteRow.deleted_at,
        )
        .where(NoteRow.deleted_at.is_not(None))
        .order_by(NoteRow.deleted_at.desc(), NoteRow.id.desc())
        .limit(limit)
    )
    return [
        TrashedNote(
            id=r.id, title=r.title, excerpt=r.excerpt, version=r.version, deleted_at=r.deleted_at
        )
        for r in session.execute(stmt)
    ]


def purge(session: Session, note_ids: Sequence[int]) -> int:
    """Delete trashed notes for good (revisions, keywords, links and drafts cascade)."""
    if not note_ids:
        return 0
    stmt = delete(NoteRow).where(NoteRow.id.in_(list(note_ids)), NoteRow.deleted_at.is_not(None))
    return len(session.execute(stmt.returning(NoteRow.id)).all())


def purge_older_than(session: Session, days: int) -> int:
    cutoff = func.now() - timedelta(days=days)
    stmt = delete(NoteRow).where(NoteRow.deleted_at < cutoff).returning(NoteRow.id)
    return len(session.execute(stmt).all())
