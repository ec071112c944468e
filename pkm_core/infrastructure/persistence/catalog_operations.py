"""Projects, sources and keywords: the vocabulary notes are filed under."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteKeywordRow,
    ProjectRow,
    SourceRow,
)
from pkm_core.infrastructure.persistence.operations import Operation


def projects() -> Operation[list[Project]]:
    rows = (yield select(ProjectRow).order_by(func.lower(ProjectRow.name))).scalars().all()
    return [Project(id=r.id, name=r.name, parent_id=r.parent_id) for r in rows]


def add_project(project: Project) -> Operation[Project]:
    parent = project.parent_id
    clash = select(ProjectRow.id).where(
        func.lower(ProjectRow.name) == project.name.lower(),
        ProjectRow.parent_id.is_(None) if parent is None else ProjectRow.parent_id == parent,
    )
    if (yield clash).first() is not None:
        raise InvalidNote(f"A project named “{project.name}” already exists there.")
    if (
        parent is not None
        and (yield select(ProjectRow.id).where(ProjectRow.id == parent)).first() is None
    ):
        raise InvalidNote(f"Parent project {parent} does not exist.")
    stmt = insert(ProjectRow).values(name=project.name, parent_id=parent).returning(ProjectRow.id)
    new_id = (yield stmt).scalar_one()
    return project.model_copy(update={"id": new_id})


def sources() -> Operation[list[Source]]:
    rows = (yield select(SourceRow).order_by(func.lower(SourceRow.title))).scalars().all()
    return [Source(id=r.id, title=r.title, url=r.url, author=r.author) for r in rows]


def add_source(source: Source) -> Operation[Source]:
    stmt = (
        insert(SourceRow)
        .values(title=source.title, url=source.url, author=source.author)
        .returning(SourceRow.id)
    )
    new_id = (yield stmt).scalar_one()
    return source.model_copy(update={"id": new_id})


def keywords() -> Operation[list[tuple[str, int]]]:
    """Every keyword in use with how many notes carry it, most used first."""
    stmt = (
        select(KeywordRow.name, func.count(NoteKeywordRow.note_id).label("uses"))
        .join(NoteKeywordRow, NoteKeywordRow.keyword_id == KeywordRow.id)
        .group_by(KeywordRow.name)
        .order_by(func.count(NoteKeywordRow.note_id).desc(), KeywordRow.name)
    )
    return [(r.name, r.uses) for r in (yield stmt).all()]
