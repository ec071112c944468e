"""The attachments a note refers to (`![[image.png]]`, `[paper](paper.pdf)`)."""

from __future__ import annotations

from collections.abc import Sequence

from pkm_core.application.ports import ISyncUnitOfWork
from pkm_core.application.vault import Attachment
from pkm_core.domain.markdown_scan import is_file_target, vault_links

__all__ = ["attachment_for", "is_file_target", "note_attachments"]


def _name(target: str) -> str:
    return target.strip().removeprefix("./").rsplit("../", 1)[-1].lstrip("/").lower()


def note_attachments(uow: ISyncUnitOfWork, body: str) -> list[Attachment]:
    """The vault files the body embeds or links, in the order of the vault's paths."""
    names = [_name(link.target) for link in vault_links(body) if is_file_target(link.target)]
    if not names:
        return []
    with uow:
        return uow.vault.attachments_named(names)


def attachment_for(target: str, attachments: Sequence[Attachment]) -> Attachment | None:
    """The attachment a link target names: by its path, else by the path's end
    (`image.png` finds `assets/image.png`, as Obsidian's shortest-path links do)."""
    name = _name(target)
    if not name:
        return None
    exact = [a for a in attachments if a.path.lower() == name]
    ending = [a for a in attachments if a.path.lower().endswith("/" + name)]
    found = exact or ending
    return found[0] if found else None
