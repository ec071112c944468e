"""Read side: listing notes and the links around a note (query functions over a session)."""

from __future__ import annotations

from sqlalchemy import Text, and_, func, literal, select
from sqlalchemy.orm import Session

from pkm_core.application.dto import (
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    SortOrder,
    TitleMatch,
)
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.models import NoteAliasRow, NoteLinkRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import (
    LIVE,
    filter_clauses,
    keyword_names,
    note_select,
    project_ids,
    to_note,
)

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
    where = and_(*filter_clauses(filters, projects)) if not filters.is_empty else LIVE
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
    return session.execute(select(func.count()).select_from(NoteRow).where(LIVE)).scalar_one()


def links_out(session: Session, note_id: int) -> list[NoteLink]:
    stmt = (
        select(NoteLinkRow.target_title, NoteRow.id)
        .outerjoin(NoteRow, and_(func.lower(NoteRow.title) == NoteLinkRow.target_key, LIVE))
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
        .where(NoteLinkRow.target_key == target, LIVE, NoteRow.id != note_id)
        .order_by(func.lower(NoteRow.title))
    )
    return [(r.id, r.title) for r in session.execute(stmt)]


def linking_notes(session: Session, note_id: int) -> list[Note]:
    """The live notes (other than this one) whose [[links]] point at this note's title."""
    target = select(func.lower(NoteRow.title)).where(NoteRow.id == note_id).scalar_subquery()
    sources = select(NoteLinkRow.source_note_id).where(NoteLinkRow.target_key == target)
    stmt = (
        note_select()
        .where(NoteRow.id.in_(sources), NoteRow.id != note_id, LIVE)
        .order_by(NoteRow.id)
    )
    return [to_note(row) for row in session.execute(stmt)]


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def titles_matching(
    session: Session, fragment: str, limit: int, exclude_note_id: int | None = None
) -> list[TitleMatch]:
    """Live notes whose title or an alias contains `fragment` (any case): exact matches
    first, then those that start with it, then the shorter; the newest notes for an empty
    fragment. Titles come before aliases of the same rank; a note matched by its title
    is not offered again by an alias."""
    key = " ".join(fragment.split()).lower()
    others = [LIVE] if exclude_note_id is None else [LIVE, NoteRow.id != exclude_note_id]
    if not key:
        stmt = (
            select(NoteRow.id, NoteRow.title)
            .where(*others)
            .order_by(NoteRow.updated_at.desc(), NoteRow.id.desc())
            .limit(limit)
        )
        return [TitleMatch(r.id, r.title) for r in session.execute(stmt)]
    pattern = f"%{_like_escaped(key)}%"
    title_key = func.lower(NoteRow.title)
    titles = (
        select(NoteRow.id, NoteRow.title, literal(None, Text).label("alias"), title_key.label("k"))
        .where(title_key.like(pattern, escape="\\"), *others)
        .order_by(
            title_key != key, ~title_key.startswith(key, autoescape=True), func.length(title_key)
        )
        .limit(limit)
    )
    aliases = (
        select(NoteRow.id, NoteRow.title, NoteAliasRow.alias, NoteAliasRow.alias_key.label("k"))
        .join(NoteAliasRow, NoteAliasRow.note_id == NoteRow.id)
        .where(NoteAliasRow.alias_key.like(pattern, escape="\\"), *others)
        .order_by(
            NoteAliasRow.alias_key != key,
            ~NoteAliasRow.alias_key.startswith(key, autoescape=True),
            func.length(NoteAliasRow.alias_key),
        )
        .limit(limit)
    )
    rows = [*session.execute(titles), *session.execute(aliases)]
    rows.sort(key=lambda r: (r.k != key, not r.k.startswith(key), r.alias is not None, len(r.k)))
    seen: set[int] = set()
    found: list[TitleMatch] = []
    for r in rows:
        if r.id not in seen:
            seen.add(r.id)
            found.append(TitleMatch(r.id, r.title, r.alias))
    return found[:limit]
