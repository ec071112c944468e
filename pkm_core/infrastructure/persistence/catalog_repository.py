"""Projects, sources and keywords: the vocabulary notes are filed under (sync + async)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.project import MAX_PROJECT_NAME_CHARS, Project
from pkm_core.domain.source import Source
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteKeywordRow,
    ProjectRow,
    SourceRow,
)


class SyncSQLAlchemyCatalogRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def projects(self) -> list[Project]:
        rows = self.session.scalars(select(ProjectRow).order_by(func.lower(ProjectRow.name)))
        return [Project(id=r.id, name=r.name, parent_id=r.parent_id) for r in rows]

    def add_project(self, project: Project) -> Project:
        parent = project.parent_id
        clash = select(ProjectRow.id).where(
            func.lower(ProjectRow.name) == project.name.lower(),
            ProjectRow.parent_id.is_(None) if parent is None else ProjectRow.parent_id == parent,
        )
        if self.session.execute(clash).first() is not None:
            raise InvalidNote(f"A project named “{project.name}” already exists there.")
        if parent is not None and self.session.get(ProjectRow, parent) is None:
            raise InvalidNote(f"Parent project {parent} does not exist.")
        stmt = (
            insert(ProjectRow).values(name=project.name, parent_id=parent).returning(ProjectRow.id)
        )
        return project.model_copy(update={"id": self.session.execute(stmt).scalar_one()})

    def ensure_project_path(self, names: Sequence[str]) -> int | None:
        """The project nested as `names` (a vault folder path), created where missing."""
        parent: int | None = None
        for name in names:
            name = Project(name=name[:MAX_PROJECT_NAME_CHARS]).name
            where = (
                ProjectRow.parent_id.is_(None) if parent is None else ProjectRow.parent_id == parent
            )
            found = self.session.execute(
                select(ProjectRow.id)
                .where(func.lower(ProjectRow.name) == name.lower(), where)
                .order_by(ProjectRow.id)
                .limit(1)
            ).scalar_one_or_none()
            if found is None:
                stmt = (
                    insert(ProjectRow).values(name=name, parent_id=parent).returning(ProjectRow.id)
                )
                found = self.session.execute(stmt).scalar_one()
            parent = found
        return parent

    def ensure_source(self, source: Source) -> int:
        """The id of the source with this URL (or, without one, this title), created if new."""
        where = (
            SourceRow.url == source.url
            if source.url
            else (SourceRow.url.is_(None) & (SourceRow.title == source.title))
        )
        found = self.session.execute(
            select(SourceRow.id).where(where).order_by(SourceRow.id).limit(1)
        ).scalar_one_or_none()
        return found if found is not None else int(self.add_source(source).id or 0)

    def sources(self) -> list[Source]:
        rows = self.session.scalars(select(SourceRow).order_by(func.lower(SourceRow.title)))
        return [Source(id=r.id, title=r.title, url=r.url, author=r.author) for r in rows]

    def add_source(self, source: Source) -> Source:
        stmt = (
            insert(SourceRow)
            .values(title=source.title, url=source.url, author=source.author)
            .returning(SourceRow.id)
        )
        return source.model_copy(update={"id": self.session.execute(stmt).scalar_one()})

    def keywords(self) -> list[tuple[str, int]]:
        """Every keyword in use with how many notes carry it, most used first."""
        uses = func.count(NoteKeywordRow.note_id)
        stmt = (
            select(KeywordRow.name, uses.label("uses"))
            .join(NoteKeywordRow, NoteKeywordRow.keyword_id == KeywordRow.id)
            .group_by(KeywordRow.name)
            .order_by(uses.desc(), KeywordRow.name)
        )
        return [(r.name, r.uses) for r in self.session.execute(stmt)]


def _catalog(session: Session) -> SyncSQLAlchemyCatalogRepository:
    return SyncSQLAlchemyCatalogRepository(session)


class AsyncSQLAlchemyCatalogRepository:
    """The same operations through an async session (`run_sync` of the sync methods)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def projects(self) -> list[Project]:
        return await self.session.run_sync(lambda s: _catalog(s).projects())

    async def add_project(self, project: Project) -> Project:
        return await self.session.run_sync(lambda s: _catalog(s).add_project(project))

    async def ensure_project_path(self, names: Sequence[str]) -> int | None:
        return await self.session.run_sync(lambda s: _catalog(s).ensure_project_path(names))

    async def ensure_source(self, source: Source) -> int:
        return await self.session.run_sync(lambda s: _catalog(s).ensure_source(source))

    async def sources(self) -> list[Source]:
        return await self.session.run_sync(lambda s: _catalog(s).sources())

    async def add_source(self, source: Source) -> Source:
        return await self.session.run_sync(lambda s: _catalog(s).add_source(source))

    async def keywords(self) -> list[tuple[str, int]]:
        return await self.session.run_sync(lambda s: _catalog(s).keywords())
