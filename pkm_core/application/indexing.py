"""Keeping a note's chunks, vectors and links in step with its text.

A note is embedded before its transaction opens (`prepare_notes`), then written with its
chunks, vectors and links in one go, so a note is never stored without its vectors or
with the vectors of an older text, and no transaction waits on the model. Only chunks
whose text changed are embedded again (content hash). Before any vector is written the
embedding model is checked against the one on record (and recorded on first use), so
two models' vectors are never mixed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from pkm_core.application.dto import ChunkRecord, PreparedNote
from pkm_core.application.ports import IEmbedder, IIndexRepository
from pkm_core.domain.chunking import chunk_note
from pkm_core.domain.embedding import same_model
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.link import parse_wikilinks
from pkm_core.domain.note import NoteDraft

log = logging.getLogger(__name__)


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    """The normalised mean: one vector standing for the whole note (related notes)."""
    total = np.asarray(vectors, dtype=np.float64).sum(axis=0)
    norm = float(np.linalg.norm(total)) or 1.0
    return (total / norm).tolist()


def ensure_model_on_record(index: IIndexRepository, embedder: IEmbedder) -> None:
    """Record `embedder`'s model if the database has none yet; refuse another model.

    Names are compared first; the dimension (which needs the model loaded) is checked
    when the model is loaded anyway, or when the model is recorded for the first time.
    The async twin (`async_notes`) makes the same calls through the same two decisions."""
    recorded = index.recorded_model()
    if recorded is not None:
        check_recorded_model(recorded, embedder)
        return
    if first_record_needs_reset(index.vector_dimension(), index.has_vectors(), embedder):
        index.reset_vectors(embedder.dimension)
    index.record_model(embedder.model_name, embedder.dimension)


def check_recorded_model(recorded: tuple[str, int], embedder: IEmbedder) -> None:
    """Raise EmbeddingModelMismatch unless `embedder` is the model on record."""
    name, dimension = recorded
    if not same_model(name, embedder.model_name) or (
        embedder.is_loaded and embedder.dimension != dimension
    ):
        raise EmbeddingModelMismatch(name, dimension, embedder.model_name, embedder.dimension)


def first_record_needs_reset(column: int | None, has_vectors: bool, embedder: IEmbedder) -> bool:
    """No model on record yet: True when the (empty) vector columns must first be resized
    to the model's dimension; raises when vectors of another size are already stored."""
    dimension = embedder.dimension
    if column != dimension:
        if has_vectors:
            raise EmbeddingModelMismatch(
                "an unrecorded model", column or 0, embedder.model_name, dimension
            )
        return True  # an empty index: declare the model's size
    if has_vectors:
        log.warning("Vectors without a recorded model: assuming %s", embedder.model_name)
    return False


def known_vectors(records: Sequence[ChunkRecord]) -> dict[str, list[float]]:
    """{content hash: vector} of a note's stored chunks: what an edit need not embed again."""
    return {r.content_hash: r.embedding for r in records if r.embedding is not None}


def prepare_notes(
    drafts: Sequence[NoteDraft],
    embedder: IEmbedder,
    known: Mapping[str, list[float]] | None = None,
) -> list[PreparedNote]:
    """Chunks, vectors and links of notes about to be written, embedded in one batched
    call before any transaction opens. Chunks whose hash is in `known` keep that vector."""
    known = known or {}
    chunked = [chunk_note(d.title, d.body) for d in drafts]
    texts: dict[str, str] = {}
    for chunks in chunked:
        for c in chunks:
            if c.content_hash not in known:
                texts.setdefault(c.content_hash, c.embed_text)
    vectors = dict(known)
    vectors.update(zip(texts, embedder.embed_documents(list(texts.values())), strict=True))
    prepared = []
    for draft, chunks in zip(drafts, chunked, strict=True):
        records = tuple(
            ChunkRecord(c.ordinal, c.text, c.content_hash, vectors[c.content_hash]) for c in chunks
        )
        prepared.append(
            PreparedNote(
                draft=draft,
                chunks=records,
                embedding=mean_vector([vectors[c.content_hash] for c in chunks]),
                links=parse_wikilinks(draft.body),
            )
        )
    return prepared


def prepare_note(
    draft: NoteDraft, embedder: IEmbedder, known: Mapping[str, list[float]] | None = None
) -> PreparedNote:
    [prepared] = prepare_notes([draft], embedder, known)
    return prepared
