"""A large import loads its vectors first and builds the HNSW indexes after (pgvector's
advice for bulk loads): inserting into the two graphs costs PostgreSQL ~5.7 ms of CPU per
note, three quarters of its work in an import, and a build from scratch costs a fraction
of that (docs/PERFORMANCE.md, issue 9 session 7).

The rule (`DeferralRule`): at least `min_notes` new notes, and at least `min_share` times
as many as the live notes already stored. The rebuild covers the whole vault, so a small
import into a big one would pay more to rebuild than it saves; and while the indexes are
gone every semantic search scans all vectors exactly (correct, slower as the vault grows).

Imports of this process share one deferral: the first drops the indexes, the last one to
finish builds them. Each index is built in its own unit of work, so a save waits for one
build at most. A crash leaves them missing: `restore_vector_indexes` (start-up, and every
import that does not defer) builds them again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pkm_core.application.ports import ISyncUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeferralRule:
    """When an import drops the vector indexes and builds them after its last batch."""

    # Below ~1,000 notes the saving is a few seconds, not worth exact scans meanwhile.
    min_notes: int = 1000
    # A rebuild costs about a third of the inserts it replaces per note (PERFORMANCE.md),
    # so 1.0 leaves a margin for the searches that scan exactly during the import.
    min_share: float = 1.0

    def defers(self, new_notes: int, stored_notes: int) -> bool:
        return new_notes >= self.min_notes and new_notes >= stored_notes * self.min_share


DEFAULT_DEFERRAL = DeferralRule()

_lock = threading.Lock()  # held across the DDL: a drop and a build never interleave
_deferring = 0  # imports of this process running with the indexes dropped


def begin_deferral(
    uow_factory: Callable[[], ISyncUnitOfWork],
    new_notes: int,
    stored_notes: int,
    rule: DeferralRule,
) -> bool:
    """Drop the vector indexes for an import of `new_notes` if `rule` says so; True if the
    import now defers them (and must call `end_deferral`). Without a deferral, an index
    a crash left missing is built again first."""
    global _deferring
    with _lock:
        if not rule.defers(new_notes, stored_notes):
            if _deferring == 0:
                _restore_or_log(uow_factory)
            return False
        if _deferring == 0:
            try:
                with uow_factory() as uow:
                    uow.index.drop_vector_indexes()
            # A busy table (the DROP's lock timeout) comes as StorageUnavailable too, like
            # every OperationalError: import with the indexes. A server really gone fails
            # the import's first batch, with the sentence that says so.
            except Exception:
                log.warning("The vector indexes stay during this import", exc_info=True)
                return False
            log.info("Vector indexes dropped for an import of %d notes", new_notes)
        _deferring += 1
        return True


def end_deferral(uow_factory: Callable[[], ISyncUnitOfWork]) -> list[tuple[str, float]]:
    """The end of a deferring import: the last one builds the indexes again. Returns each
    index built with its build time in seconds."""
    global _deferring
    with _lock:
        _deferring -= 1
        return _restore(uow_factory) if _deferring == 0 else []


def restore_vector_indexes(uow_factory: Callable[[], ISyncUnitOfWork]) -> list[tuple[str, float]]:
    """Build any vector index that is missing (a crash during a deferred import), unless an
    import of this process is deferring them."""
    with _lock:
        return [] if _deferring else _restore_or_log(uow_factory)


def _restore_or_log(uow_factory: Callable[[], ISyncUnitOfWork]) -> list[tuple[str, float]]:
    """A build that fails (out of memory, say) must not stop the app or an import: searches
    work without the indexes, and the next start or import tries again."""
    try:
        return _restore(uow_factory)
    except Exception:  # out of memory or disk, a lock timeout (StorageUnavailable too)
        log.exception("A missing vector index could not be built")
        return []


def _restore(uow_factory: Callable[[], ISyncUnitOfWork]) -> list[tuple[str, float]]:
    with uow_factory() as uow:
        missing = uow.index.missing_vector_indexes()
    built: list[tuple[str, float]] = []
    for name in missing:
        start = time.perf_counter()
        with uow_factory() as uow:  # one commit per index: a save waits for one build
            uow.index.create_vector_index(name)
        built.append((name, time.perf_counter() - start))
        log.info("Vector index %s built in %.1f s", name, built[-1][1])
    return built
