"""Statement pieces shared by the note repository and the read-side queries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Row,
    Select,
    any_,
    exists,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from pkm_core.application.dto import NoteFilter
from pkm_core.domain.language import valid_config
from pkm_core.domain.note import Note
from pkm_core.domain.text import fold_accents
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteKeywordRow,
    NoteRow,
    ProjectRow,
)

TEXT_SEARCH_CONFIG = "english"

# Notes outside the trash. Search needs no such clause of its own (a trashed note has no
# postings, chunks or vector), but listing, links, lookups and filters do.
LIVE: ColumnElement[bool] = NoteRow.deleted_at.is_(None)


def search_vector(title: str, body: str, config: str = TEXT_SEARCH_CONFIG) -> ColumnElement[Any]:
    """Title lexemes weigh A, body lexemes D, in the note's language (`config`, a known
    text search configuration); accents folded so 'cancion' finds 'canción'."""
    # Inline literals: asyncpg would otherwise send them as varchar, which setweight refuses.
    regconfig: ColumnElement[Any] = literal_column(f"'{valid_config(config)}'::regconfig")
    return func.setweight(
        func.to_tsvector(regconfig, fold_accents(title)), literal_column("'A'")
    ).op("||")(func.to_tsvector(regconfig, fold_accents(body)))


def keyword_names() -> ColumnElement[Any]:
    """The note's keywords, sorted, as one array column (a correlated subquery)."""
    names = (
        select(KeywordRow.name)
        .join(NoteKeywordRow, NoteKeywordRow.keyword_id == KeywordRow.id)
        .where(NoteKeywordRow.note_id == NoteRow.id)
        .order_by(KeywordRow.name)
        .scalar_subquery()
    )
    return func.array(names).label("keyword_names")


def note_columns() -> tuple[InstrumentedAttribute[Any], ...]:
    """The note row's columns a `Note` is made of (its keywords are `keyword_names`)."""
    return (
        NoteRow.id,
        NoteRow.title,
        NoteRow.body,
        NoteRow.external_id,
        NoteRow.project_id,
        NoteRow.source_id,
        NoteRow.version,
        NoteRow.created_at,
        NoteRow.updated_at,
    )


def note_select() -> Select[Any]:
    """Every column a `Note` is made of."""
    return select(*note_columns(), keyword_names())


def to_note(row: Row[Any]) -> Note:
    return Note(
        id=row.id,
        title=row.title,
        body=row.body,
        keywords=tuple(row.keyword_names or ()),
        project_id=row.project_id,
        source_id=row.source_id,
        external_id=row.external_id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def project_subtree(project_id: int | ColumnElement[int]) -> Select[Any]:
    """The project and every project nested below it."""
    tree = select(ProjectRow.id).where(ProjectRow.id == project_id).cte("tree", recursive=True)
    tree = tree.union(select(ProjectRow.id).join(tree, ProjectRow.parent_id == tree.c.id))
    return select(tree.c.id)


def project_ids(session: Session, filters: NoteFilter) -> list[int] | None:
    """The filter's project with all its sub-projects, or None when there is no project filter."""
    if filters.project_id is None:
        return None
    return list(session.execute(project_subtree(filters.project_id)).scalars().all())


def filter_clauses(filters: NoteFilter, projects: list[int] | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on `notes` for a filter; shared by listing and every search mode.

    `projects` is the resolved subtree from `project_ids` (resolved first so that the
    clauses stay plain and can be rendered into the hand-written search SQL)."""
    clauses: list[ColumnElement[bool]] = [LIVE]
    for name in filters.keywords:
        # An explicit join: inside the search statements' subqueries the implicit one
        # drew SQLAlchemy's cartesian-product warning.
        clauses.append(
            exists(
                select(NoteKeywordRow.note_id)
                .join(KeywordRow, KeywordRow.id == NoteKeywordRow.keyword_id)
                .where(NoteKeywordRow.note_id == NoteRow.id, KeywordRow.name == name)
            )
        )
    if projects is not None:
        # = ANY(array) rather than IN (...): it renders as one parameter in hand-written SQL.
        clauses.append(NoteRow.project_id == any_(literal(projects, ARRAY(BigInteger))))
    if filters.created_from is not None:
        clauses.append(NoteRow.created_at >= filters.created_from)
    if filters.created_to is not None:
        clauses.append(NoteRow.created_at <= filters.created_to)
    if filters.updated_from is not None:
        clauses.append(NoteRow.updated_at >= filters.updated_from)
    if filters.updated_to is not None:
        clauses.append(NoteRow.updated_at <= filters.updated_to)
    return clauses


def filtered_note_ids(filters: NoteFilter) -> Select[Any] | None:
    """SELECT id FROM notes WHERE <filters>, or None for no filter. The project subtree
    is a subquery, so the filter costs no round trip of its own."""
    if filters.is_empty:
        return None
    clauses = filter_clauses(replace(filters, project_id=None), None)
    if filters.project_id is not None:
        # `= ANY(ARRAY(subtree))`, an InitPlan: the planner then reads the notes of these
        # projects through ix_notes_project_id. With `IN (subtree)` it cannot estimate the
        # recursive CTE, hashes it and scans every live note (350 ms against a few ms at
        # 100k notes, docs/PERFORMANCE.md).
        subtree = func.array(project_subtree(filters.project_id).scalar_subquery())
        clauses.append(NoteRow.project_id == any_(subtree))
    return select(NoteRow.id).where(*clauses)
