"""Keeping a note's chunks, vectors and links in step with its text.

Called inside the use case's transaction, so a note is never stored without its vectors
or with the vectors of an older text. Only chunks whose text changed are embedded again
(content hash). Before any vector is written the embedding model is checked against the
one on record (and recorded on first use), so two models' vectors are never mixed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from pkm_core.application.dto import ChunkRecord, PreparedNote
from pkm_core.application.ports import IEmbedder, IIndexRepository, INoteRepository
from pkm_core.domain.chunking import Chunk, chunk_note
from pkm_core.domain.embedding import same_model
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.link import parse_wikilinks
from pkm_core.domain.note import Note, NoteDraft

log = logging.getLogger(__name__)


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    """The normalised mean: one vector standing for the whole note (related notes)."""
    total = np.asarray(vectors, dtype=np.float64).sum(axis=0)
    norm = float(np.linalg.norm(total)) or 1.0
    return (total / norm).tolist()


def ensure_model_on_record(index: IIndexRepository, embedder: IEmbedder) -> None:
    """Record `embedder`'s model if the database has none yet; refuse another model.

    Names are compared first; the dimension (which needs the model loaded) is checked
    when the model is loaded anyway, or when the model is recorded for the first time."""
    recorded = index.recorded_model()
    if recorded is None:
        dimension = embedder.dimension
        column = index.vector_dimension()
        if column != dimension:
            if index.has_vectors():
                raise EmbeddingModelMismatch(
                    "an unrecorded model", column or 0, embedder.model_name, dimension
                )
            index.reset_vectors(dimension)  # an empty index: declare the model's size
        elif index.has_vectors():
            log.warning("Vectors without a recorded model: assuming %s", embedder.model_name)
        index.record_model(embedder.model_name, dimension)
        return
    name, dimension = recorded
    if not same_model(name, embedder.model_name) or (
        embedder.is_loaded and embedder.dimension != dimension
    ):
        raise EmbeddingModelMismatch(name, dimension, embedder.model_name, embedder.dimension)


def plan_chunks(
    chunks: Sequence[Chunk], known: dict[str, list[float]], embedder: IEmbedder
) -> list[ChunkRecord]:
    """ChunkRecords for `chunks`, embedding only those whose hash has no known vector."""
    missing: dict[str, str] = {}
    for c in chunks:
        if c.content_hash not in known:
            missing.setdefault(c.content_hash, c.embed_text)
    fresh = embedder.embed_documents(list(missing.values()))
    vectors = dict(known)
    vectors.update(zip(missing, fresh, strict=True))
    return [ChunkRecord(c.ordinal, c.text, c.content_hash, vectors[c.content_hash]) for c in chunks]


def index_note(
    notes: INoteRepository,
    embedder: IEmbedder,
    note: Note,
    index: IIndexRepository | None = None,
) -> int:
    """Write the note's chunks, vectors and links; return how many chunks were embedded.

    With `index`, the model is checked (and recorded on first use) before writing."""
    if index is not None:
        ensure_model_on_record(index, embedder)
    chunks = chunk_note(note.title, note.body)
    known = {
        record.content_hash: record.embedding
        for record in notes.chunks(note.id)
        if record.embedding is not None
    }
    records = plan_chunks(chunks, known, embedder)
    embedded = len({c.content_hash for c in chunks if c.content_hash not in known})
    notes.replace_chunks(note.id, records, mean_vector([r.embedding for r in records]))
    notes.replace_links(note.id, parse_wikilinks(note.body))
    return embedded


def prepare_notes(drafts: Sequence[NoteDraft], embedder: IEmbedder) -> list[PreparedNote]:
    """Chunks and vectors of new notes, embedded in one batched call (bulk import)."""
    chunked = [chunk_note(d.title, d.body) for d in drafts]
    texts: dict[str, str] = {}
    for chunks in chunked:
        for c in chunks:
            texts.setdefault(c.content_hash, c.embed_text)
    vectors = dict(zip(texts, embedder.embed_documents(list(texts.values())), strict=True))
    prepared = []
    for draft, chunks in zip(drafts, chunked, strict=True):
        records = tuple(
            ChunkRecord(c.ordinal, c.text, c.content_hash, vectors[c.content_hash]) for c in chunks
        )
        prepared.append(
            PreparedNote(
                draft=draft,
                chunks=records,
                embedding=mean_vector([r.embedding for r in records]),  # type: ignore[misc]
                links=parse_wikilinks(draft.body),
            )
        )
    return prepared
