"""The async twins of the catalog use cases (`catalog.py`)."""

from __future__ import annotations

from pkm_core.application.ports import IAsyncUnitOfWork
from pkm_core.domain.project import Project


async def list_projects(uow: IAsyncUnitOfWork) -> list[Project]:
    async with uow:
        return await uow.catalog.projects()


async def list_keywords(uow: IAsyncUnitOfWork) -> list[tuple[str, int]]:
    """(keyword, number of notes) pairs, most used first."""
    async with uow:
        return await uow.catalog.keywords()
