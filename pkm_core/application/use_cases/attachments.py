"""The attachments a note refers to (`![[image.png]]`, `[paper](paper.pdf)`)."""

from __future__ import annotations

from pathlib import PurePosixPath

from pkm_core.application.ports import ISyncUnitOfWork
from pkm_core.application.vault import Attachment
from pkm_core.domain.markdown_scan import vault_links

_NOTE_SUFFIXES = {"", ".md", ".markdown"}


def note_attachments(uow: ISyncUnitOfWork, body: str) -> list[Attachment]:
    """The vault files the body embeds or links, in the order of the vault's paths."""
    targets = [
        link.target.removeprefix("./")
        for link in vault_links(body)
        if PurePosixPath(link.target).suffix.lower() not in _NOTE_SUFFIXES
    ]
    names = [t.rsplit("../", 1)[-1] for t in targets]
    if not names:
        return []
    with uow:
        return uow.vault.attachments_named(names)
