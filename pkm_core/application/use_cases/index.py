"""The vector index as a whole: which model made it, how complete it is, rebuilding it.

The database records the embedding model (name and dimension) whose vectors it holds.
A different model is refused (`EmbeddingModelMismatch`) until `reindex` has re-embedded
every note with it: vectors of two models are never mixed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pkm_core.application.dto import ChunkRecord
from pkm_core.application.indexing import ensure_model_on_record, mean_vector
from pkm_core.application.ports import IEmbedder, ISyncUnitOfWork
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.embedding import same_model
from pkm_core.domain.errors import EmbeddingModelMismatch


@dataclass(frozen=True, slots=True)
class IndexStatus:
    notes: int
    chunks: int
    notes_without_vectors: int
    recorded_model: str | None
    recorded_dimension: int | None
    configured_model: str

    @property
    def model_matches(self) -> bool:
        """Nothing recorded yet, or the configured model is the recorded one (names are
        compared case-insensitively, with or without the `sentence-transformers/` prefix)."""
        return self.recorded_model is None or same_model(self.recorded_model, self.configured_model)


def index_status(uow: ISyncUnitOfWork, configured_model: str) -> IndexStatus:
    """Counts and the model on record; never loads the model."""
    with uow:
        coverage = uow.index.coverage()
        recorded = uow.index.recorded_model()
    return IndexStatus(
        notes=coverage.notes,
        chunks=coverage.chunks,
        notes_without_vectors=coverage.notes_without_vectors,
        recorded_model=recorded[0] if recorded else None,
        recorded_dimension=recorded[1] if recorded else None,
        configured_model=configured_model,
    )


def ensure_embedding_model(uow: ISyncUnitOfWork, embedder: IEmbedder) -> None:
    """Record the model on an empty database; raise EmbeddingModelMismatch when the
    database holds another model's vectors.

    Names are compared first, so a matching model is not loaded by this check (the
    dimension is then checked at the first save, when the model is loaded anyway). The
    model is loaded here only to record it for the first time, or to say how large the
    configured model's vectors are in a mismatch message."""
    with uow:
        ensure_model_on_record(uow.index, embedder)


def check_embedding_model(uow: ISyncUnitOfWork, embedder: IEmbedder) -> None:
    """The start-up check: like `ensure_embedding_model`, but with nothing on record it
    records nothing (so it never loads the model for a fresh database; the first save
    records the model in its own transaction)."""
    with uow:
        recorded = uow.index.recorded_model()
        if recorded is None:
            return
        ensure_model_on_record(uow.index, embedder)


def reindex(
    uow_factory: Callable[[], ISyncUnitOfWork],
    embedder: IEmbedder,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = 64,
    should_cancel: Callable[[], bool] | None = None,
) -> int:
    """Re-embed every note with `embedder`'s model; return how many notes were re-embedded.

    A different model (or dimension) first forgets every old vector and, if needed,
    changes the vector columns' dimension, in one transaction with recording the new
    model; then notes are re-embedded in batches: a short read, the embedding with no
    transaction open, one write per batch (a note saved meanwhile is left as its save
    wrote it). `on_progress(done, total)` is called after each batch's commit, so an
    interrupted or cancelled run (`should_cancel`, asked before each batch) leaves a
    consistent index: notes not reached yet keep their vectors (same model) or have none
    and are still found by keyword (a new model); run it again to finish."""
    dimension = embedder.dimension
    with uow_factory() as uow:
        recorded = uow.index.recorded_model()
        column = uow.index.vector_dimension()
        same = recorded is not None and same_model(recorded[0], embedder.model_name)
        if not same or recorded is None or recorded[1] != dimension or column != dimension:
            uow.index.reset_vectors(dimension)
            uow.index.record_model(embedder.model_name, dimension)
        total = uow.notes.count()
    if on_progress is not None:
        on_progress(0, total)
    done, last_id = 0, 0
    while should_cancel is None or not should_cancel():
        with uow_factory() as uow:
            _refuse_if_model_changed(uow, embedder, dimension)
            notes = uow.index.notes_after(last_id, batch_size)
        if not notes:
            break
        chunked = [chunk_note(n.title, n.body) for n in notes]
        vectors = iter(embedder.embed_documents([c.embed_text for cs in chunked for c in cs]))
        with uow_factory() as uow:
            _refuse_if_model_changed(uow, embedder, dimension)
            for note, chunks in zip(notes, chunked, strict=True):
                fresh = [next(vectors) for _ in chunks]
                current = uow.notes.get(note.id)
                if current is None or current.version != note.version:
                    continue  # edited or deleted meanwhile: its own save indexed it
                records = [
                    ChunkRecord(c.ordinal, c.text, c.content_hash, v)
                    for c, v in zip(chunks, fresh, strict=True)
                ]
                uow.notes.replace_chunks(note.id, records, mean_vector(fresh))
        last_id = notes[-1].id
        done += len(notes)
        if on_progress is not None:
            on_progress(done, max(total, done))
    return done


def _refuse_if_model_changed(uow: ISyncUnitOfWork, embedder: IEmbedder, dimension: int) -> None:
    """Another process may have re-indexed with a third model meanwhile: stop, not mix."""
    recorded = uow.index.recorded_model()
    if recorded is None or not same_model(recorded[0], embedder.model_name):
        name, recorded_dimension = recorded or ("no model", 0)
        raise EmbeddingModelMismatch(name, recorded_dimension, embedder.model_name, dimension)
