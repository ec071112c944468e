"""The vocabulary notes are filed under: projects, sources, keywords."""

from __future__ import annotations

from pkm_core.application.ports import ISyncUnitOfWork
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source


def list_projects(uow: ISyncUnitOfWork) -> list[Project]:
    with uow:
        return uow.catalog.projects()


def create_project(uow: ISyncUnitOfWork, name: str, parent_id: int | None = None) -> Project:
    project = Project(name=name, parent_id=parent_id)
    with uow:
        return uow.catalog.add_project(project)


def list_sources(uow: ISyncUnitOfWork) -> list[Source]:
    with uow:
        return uow.catalog.sources()


def create_source(
    uow: ISyncUnitOfWork, title: str, url: str | None = None, author: str | None = None
) -> Source:
    source = Source(title=title, url=url, author=author)
    with uow:
        return uow.catalog.add_source(source)


def list_keywords(uow: ISyncUnitOfWork) -> list[tuple[str, int]]:
    """(keyword, number of notes) pairs, most used first."""
    with uow:
        return uow.catalog.keywords()
