"""Read side: listing notes and the links around a note (query functions over a session)."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from pkm_core.application.dto import NoteFilter, NoteSummary, Page, PageRequest, SortOrder
from pkm_core.domain.link import NoteLink
from pkm_core.infrastructure.persistence.models import NoteLinkRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import filter_clauses, keyword_names, project_ids

EXCERPT_CHARS = 200

_SORTS = {
    SortOrder.UPDATED: (NoteRow.updated_at.desc(), NoteRow.id.desc()),
    SortOrder.CREATED: (NoteRow.created_at.desc(), NoteRow.id.desc()),
    SortOrder.TITLE: (func.lower(NoteRow.title).asc(), NoteRow.id.asc()),
}


def list_notes(
    session: Session, filters: NoteFilter, page: PageRequest, sort: SortOrder
) -> Page[NoteSummary]:
    projects = project_ids(session, filters)
    where = and_(*filter_clauses(filters, projects)) if not filters.is_empty else None
    count_stmt = select(func.count()).select_from(NoteRow)
    rows_stmt = select(
        NoteRow.id,
        NoteRow.title,
        func.left(NoteRow.body, EXCERPT_CHARS).label("excerpt"),
        NoteRow.project_id,
        NoteRow.created_at,
        NoteRow.updated_at,
        NoteRow.version,
        keyword_names(),
    )
    if where is not None:
        count_stmt = count_stmt.where(where)
        rows_stmt = rows_stmt.where(where)
    total = session.execute(count_stmt).scalar_one()
    rows = session.execute(rows_stmt.order_by(*_SORTS[sort]).offset(page.offset).limit(page.size))
    items = [
        NoteSummary(
            id=r.id,
            title=r.title,
            excerpt=r.excerpt,
            keywords=tuple(r.keyword_names or ()),
            project_id=r.project_id,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=page.page, size=page.size)


def count_notes(session: Session) -> int:
    return session.execute(select(func.count()).select_from(NoteRow)).scalar_one()


def links_out(session: Session, note_id: int) -> list[NoteLink]:
    stmt = (
        select(NoteLinkRow.target_title, NoteRow.id)
        .outerjoin(NoteRow, func.lower(NoteRow.title) == NoteLinkRow.target_key)
        .where(NoteLinkRow.source_note_id == note_id)
        .order_by(NoteLinkRow.target_key)
    )
    return [
        NoteLink(source_note_id=note_id, target_title=r.target_title, target_note_id=r.id)
        for r in session.execute(stmt)
    ]


def backlinks(session: Session, note_id: int) -> list[tuple[int, str]]:
    """(id, title) of the notes whose [[links]] point at this note."""
    target = select(func.lower(NoteRow.title)).where(NoteRow.id == note_id).scalar_subquery()
    stmt = (
        select(NoteRow.id, NoteRow.title)
        .join(NoteLinkRow, NoteLinkRow.source_note_id == NoteRow.id)
        .where(NoteLinkRow.target_key == target)
        .order_by(func.lower(NoteRow.title))
    )
    return [(r.id, r.title) for r in session.execute(stmt)]
