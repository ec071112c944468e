"""The import loop: batches planned and embedded while the previous one is written.

Plans batch n+1 (reads and embedding) while batch n is written in one writer thread, so
the database's work hides behind the model's. A batch the database refuses is written
again note by note: one bad note is reported, the others kept. Memory holds one batch of
notes (and attachments up to ATTACHMENT_BATCH_BYTES) plus the names of the vault.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from pkm_core.application.dto import IngestReport
from pkm_core.application.ingest.batch import (
    Batch,
    Context,
    parse_entry,
    plan_batch,
    prepare_context,
    write_batch,
)
from pkm_core.application.ingest.parse import ParsedNote
from pkm_core.application.ingest.source import ImportSource, RawEntry
from pkm_core.application.ingest.tally import Tally
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.application.vault import Attachment
from pkm_core.application.vector_indexes import (
    DEFAULT_DEFERRAL,
    DeferralRule,
    begin_deferral,
    end_deferral,
)
from pkm_core.domain.errors import EmbeddingModelMismatch, KairosError, StorageUnavailable

DEFAULT_BATCH_SIZE = 64
ATTACHMENT_BATCH_BYTES = 16 * 1024 * 1024
ProgressCallback = Callable[[int, int], None]
_FATAL = (StorageUnavailable, EmbeddingModelMismatch, KeyboardInterrupt)
log = logging.getLogger(__name__)


class _Importer:
    def __init__(
        self, uow_factory: Callable[[], ISyncUnitOfWork], embedder: IEmbedder, ctx: Context
    ) -> None:
        self.uow_factory = uow_factory
        self.embedder = embedder
        self.ctx = ctx
        self.tally = Tally()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kairos-ingest")
        self._pending: tuple[Batch, Future[Batch]] | None = None

    def add(self, items: list[ParsedNote]) -> None:
        batch = plan_batch(self.uow_factory, self.embedder, items, self.ctx)
        self.wait()
        future = self._writer.submit(write_batch, self.uow_factory, self.embedder, batch)
        self._pending = (batch, future)

    def _count(self, batch: Batch) -> None:
        label = {p.external_id: p.source for p in batch.items}
        for p in batch.new:
            self.tally.outcome(label[p.draft.external_id or ""], "imported")
        for _stored, p in batch.updates:
            self.tally.outcome(label[p.draft.external_id or ""], "updated")
        for parsed in batch.unchanged:
            self.tally.outcome(parsed.source, "unchanged")
        for parsed in batch.trashed:
            self.tally.outcome(
                parsed.source,
                "skipped",
                f"{parsed.source} was skipped: its note is in the Trash; restore it there "
                "and import again to bring in this file.",
            )

    def wait(self) -> None:
        if self._pending is None:
            return
        batch, future = self._pending
        self._pending = None
        try:
            future.result()
        except _FATAL:
            raise
        except Exception:
            self._one_by_one(batch.items)
        else:
            self._count(batch)

    def _one_by_one(self, items: list[ParsedNote]) -> None:
        for item in items:
            try:
                batch = plan_batch(self.uow_factory, self.embedder, [item], self.ctx)
                write_batch(self.uow_factory, self.embedder, batch)
            except _FATAL:
                raise
            except KairosError as exc:
                self.tally.outcome(item.source, "skipped", f"{item.source} was skipped: {exc}")
            except Exception:  # a database refusal: never its text (it names tables)
                self.tally.outcome(
                    item.source, "skipped", f"{item.source} was skipped: the database refused it."
                )
            else:
                self._count(batch)

    def attachments(self, files: list[Attachment]) -> None:
        changed = [f for f in files if self.ctx.attachment_hashes.get(f.path) != f.sha256]
        if changed:
            self.wait()
            with self.uow_factory() as uow:
                uow.vault.put_attachments(changed)
        for f in files:
            status = "updated" if f.path in self.ctx.attachment_hashes else "imported"
            self.tally.files.append((f.path, status if f in changed else "unchanged", ""))
        self.tally.attachments += len(changed)

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._writer.shutdown(wait=True)


def _attachment(entry: RawEntry) -> Attachment:
    media = mimetypes.guess_type(entry.path)[0] or "application/octet-stream"
    digest = hashlib.sha256(entry.data).hexdigest()
    return Attachment(entry.path, digest, len(entry.data), media, entry.data)


def ingest_source(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    source: ImportSource,
    on_progress: ProgressCallback | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    project_id: int | None = None,
    should_cancel: Callable[[], bool] | None = None,
    deferral: DeferralRule = DEFAULT_DEFERRAL,
) -> IngestReport:
    """Import everything `source` holds, one transaction per batch; see the module doc.
    A large import builds the vector indexes after its last batch (`deferral`)."""
    ctx = prepare_context(uow_factory, embedder, source, project_id)
    importer = _Importer(uow_factory, embedder, ctx)
    tally = importer.tally
    deferred = begin_deferral(uow_factory, ctx.new_notes, ctx.stored_notes, deferral)
    try:
        done = _read_all(importer, source, on_progress, batch_size, should_cancel)
    finally:  # cancelled, failed or interrupted too: never leave the indexes dropped
        if deferred:
            tally.warnings.extend(_end_deferral(uow_factory))
    if source.is_vault and not tally.cancelled:
        for path in sorted(ctx.known_paths - ctx.seen_paths):
            tally.vanished.append(
                (path, f"{path} is no longer in the vault; its note was kept in Kairos.")
            )
    if on_progress is not None:
        on_progress(done, max(ctx.total, done))
    return tally.report()


def _read_all(
    importer: _Importer,
    source: ImportSource,
    on_progress: ProgressCallback | None,
    batch_size: int,
    should_cancel: Callable[[], bool] | None,
) -> int:
    """Every entry of `source` through `importer`; the number of note entries read."""
    ctx = importer.ctx
    tally = importer.tally
    notes: list[ParsedNote] = []
    files: list[Attachment] = []
    size = 0
    done = 0

    def flush() -> bool:
        nonlocal notes, files, size
        if notes:
            importer.add(notes)
        if files:
            importer.attachments(files)
        notes, files, size = [], [], 0
        if on_progress is not None:
            on_progress(done, max(ctx.total, done))
        if should_cancel is not None and should_cancel():
            tally.cancelled = True
        return tally.cancelled

    try:
        for entry in source.entries(with_attachments=True):
            if entry.kind == "attachment":
                files.append(_attachment(entry))
                size += len(entry.data)
                if size >= ATTACHMENT_BATCH_BYTES and flush():
                    break
                continue
            done += 1
            if entry.path:
                ctx.seen_paths.add(entry.path)
            if entry.source in ctx.duplicates:
                tally.outcome(entry.source, "skipped", ctx.duplicates[entry.source])
                continue
            parsed = parse_entry(entry, {})
            if not isinstance(parsed, ParsedNote):
                tally.outcome(parsed.source, "skipped", parsed.sentence)
                continue
            tally.warnings.extend((parsed.source, w) for w in parsed.warnings)
            if parsed.external_id in ctx.title_notes:
                tally.warnings.append((parsed.source, ctx.title_notes[parsed.external_id]))
            notes.append(parsed)
            if len(notes) >= max(batch_size, 1) and flush():
                break
        else:
            flush()
    finally:
        importer.close()
    return done


def _end_deferral(uow_factory: Callable[[], ISyncUnitOfWork]) -> list[tuple[str, str]]:
    """Build the deferred indexes; a warning for the report if that fails (searches still
    work, scanning every vector, and the next start or import builds them)."""
    try:
        end_deferral(uow_factory)
    # Out of memory or disk during the build is an OperationalError, so StorageUnavailable
    # too: the import's batches are committed, and its report must reach the person.
    except Exception:  # never the database's text (it names tables)
        log.exception("The vector indexes could not be built after an import")
        return [
            (
                "Search index",
                "The search index could not be rebuilt after the import: searches still "
                "find every note, more slowly, until Kairos builds it at its next start.",
            )
        ]
    return []
