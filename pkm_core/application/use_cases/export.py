"""Export every note and attachment as a vault: one read transaction, streamed in batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pkm_core.application.export_files import render
from pkm_core.application.ports import ISyncUnitOfWork

EXPORT_BATCH = 200


class IExportSink(Protocol):
    """Where the files go: a folder or a zip (infrastructure). Refuses unsafe paths."""

    def write(self, path: str, data: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class ExportSummary:
    notes: int
    attachments: int


def export_vault(uow_factory: Callable[[], ISyncUnitOfWork], sink: IExportSink) -> ExportSummary:
    """Notes at their vault paths (new ones under their project's folder), attachments at
    theirs; one transaction, so the export is one consistent picture."""
    notes = attachments = 0
    with uow_factory() as uow:
        link_names = uow.vault.link_names()
        used = {p.lower() for p in uow.vault.attachment_paths()}
        after = 0
        batches = []
        while True:
            batch = uow.vault.export_batch(after, EXPORT_BATCH)
            if not batch:
                break
            used.update(n.vault.path.lower() for n in batch if n.vault)
            batches.append([n.note_id for n in batch if n.vault is None])
            for note in batch:
                if note.vault is not None:
                    path, data = render(note, link_names, used)
                    sink.write(path, data)
                    notes += 1
            after = batch[-1].note_id
        # Notes written in Kairos last, so their names never take a vault path.
        after = 0
        while True:
            batch = uow.vault.export_batch(after, EXPORT_BATCH)
            if not batch:
                break
            for note in batch:
                if note.vault is None:
                    path, data = render(note, link_names, used)
                    sink.write(path, data)
                    notes += 1
            after = batch[-1].note_id
        for path in uow.vault.attachment_paths():
            found = uow.vault.attachment(path)
            if found is not None:
                sink.write(found.path, found.data)
                attachments += 1
    return ExportSummary(notes, attachments)
