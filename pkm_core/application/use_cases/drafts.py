"""Drafts: what is typed is kept as it is typed, and offered back after a reload."""

from __future__ import annotations

from pkm_core.application.ports import ISyncUnitOfWork
from pkm_core.domain.history import Draft


def save_draft(uow: ISyncUnitOfWork, draft: Draft) -> Draft | None:
    """Keep the form's contents; an emptied form drops its draft (None)."""
    with uow:
        if draft.is_empty:
            uow.drafts.discard(draft.key)
            return None
        return uow.drafts.save(draft)


def get_draft(uow: ISyncUnitOfWork, key: str) -> Draft | None:
    with uow:
        return uow.drafts.get(key)


def recent_new_drafts(uow: ISyncUnitOfWork, limit: int = 5) -> list[Draft]:
    with uow:
        return uow.drafts.recent_new(limit)


def discard_draft(uow: ISyncUnitOfWork, key: str) -> None:
    with uow:
        uow.drafts.discard(key)
