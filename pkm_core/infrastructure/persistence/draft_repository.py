"""Drafts being typed: one row per note ("note:<id>") or per new-note form ("new:<token>")."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from pkm_core.domain.history import Draft
from pkm_core.infrastructure.persistence.models import NoteDraftRow, NoteRow

_FIELDS = ("title", "body", "keywords", "project_id", "source_id", "note_id", "base_version")


def _draft(row: NoteDraftRow) -> Draft:
    return Draft(key=row.key, saved_at=row.saved_at, **{f: getattr(row, f) for f in _FIELDS})


class SyncSQLAlchemyDraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, draft: Draft) -> Draft:
        """Insert or replace the draft under its key; the database's clock stamps it."""
        values = {f: getattr(draft, f) for f in _FIELDS}
        if draft.note_id is not None:
            # A draft of a note deleted for good meanwhile has nothing to belong to.
            exists = select(NoteRow.id).where(NoteRow.id == draft.note_id)
            if self.session.execute(exists).first() is None:
                values["note_id"] = None
        stmt = pg_insert(NoteDraftRow).values(
            key=draft.key, saved_at=func.clock_timestamp(), **values
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=[NoteDraftRow.key],
            set_={**values, "saved_at": func.clock_timestamp()},
        ).returning(NoteDraftRow)
        return _draft(self.session.execute(upsert).scalar_one())

    def get(self, key: str) -> Draft | None:
        row = self.session.get(NoteDraftRow, key)
        return None if row is None else _draft(row)

    def recent_new(self, limit: int = 5) -> list[Draft]:
        stmt = (
            select(NoteDraftRow)
            .where(NoteDraftRow.key.startswith("new:"))
            .order_by(NoteDraftRow.saved_at.desc())
            .limit(limit)
        )
        return [_draft(row) for row in self.session.execute(stmt).scalars()]

    def discard(self, key: str) -> None:
        self.session.execute(delete(NoteDraftRow).where(NoteDraftRow.key == key))


def _drafts(session: Session) -> SyncSQLAlchemyDraftRepository:
    return SyncSQLAlchemyDraftRepository(session)


class AsyncSQLAlchemyDraftRepository:
    """The same operations through an async session (`run_sync` of the sync methods)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, draft: Draft) -> Draft:
        return await self.session.run_sync(lambda s: _drafts(s).save(draft))

    async def get(self, key: str) -> Draft | None:
        return await self.session.run_sync(lambda s: _drafts(s).get(key))

    async def recent_new(self, limit: int = 5) -> list[Draft]:
        return await self.session.run_sync(lambda s: _drafts(s).recent_new(limit))

    async def discard(self, key: str) -> None:
        await self.session.run_sync(lambda s: _drafts(s).discard(key))
