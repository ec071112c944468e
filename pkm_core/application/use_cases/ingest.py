"""Import notes: the one entry point `ingest_path` (and `ingest_uploads` for the app).

A reader (`IImportReader`, in infrastructure) turns the path into raw entries; the
`pkm_core.application.ingest` package parses, plans and writes them in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pkm_core.application.dto import IngestReport
from pkm_core.application.ingest.importer import (
    DEFAULT_BATCH_SIZE,
    ProgressCallback,
    ingest_source,
)
from pkm_core.application.ingest.source import IImportReader, UnsupportedImport
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.vector_indexes import DEFAULT_DEFERRAL, DeferralRule

__all__ = ["DEFAULT_BATCH_SIZE", "UnsupportedImport", "ingest_path", "ingest_uploads"]


def ingest_path(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    reader: IImportReader,
    path: Path,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
    should_cancel: Callable[[], bool] | None = None,
    deferral: DeferralRule = DEFAULT_DEFERRAL,
) -> IngestReport:
    """A folder (an Obsidian or Logseq vault), a .zip of one, a .jsonl, or one .md file."""
    source = reader.open(Path(path).expanduser())
    return ingest_source(
        uow_factory, embedder, source, on_progress, batch_size, project_id, should_cancel, deferral
    )


def ingest_uploads(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    reader: IImportReader,
    files: Sequence[tuple[str, bytes]],
    on_progress: ProgressCallback | None = None,
    should_cancel: Callable[[], bool] | None = None,
    deferral: DeferralRule = DEFAULT_DEFERRAL,
) -> IngestReport:
    """Files uploaded in the app: a .zip of a vault and/or .md files."""
    source = reader.uploads(files)
    return ingest_source(
        uow_factory, embedder, source, on_progress, should_cancel=should_cancel, deferral=deferral
    )
