"""Keeping a note's chunks, vectors and links in step with its text.

Called inside the use case's transaction, so a note is never stored without its vectors
or with the vectors of an older text. Only chunks whose text changed are embedded again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pkm_core.application.dto import ChunkRecord
from pkm_core.application.ports import IEmbedder, INoteRepository
from pkm_core.domain.chunking import Chunk, chunk_note
from pkm_core.domain.link import parse_wikilinks
from pkm_core.domain.note import Note


def mean_vector(vectors: Sequence[Sequence[float]]) -> list[float]:
    """The normalised mean: one vector standing for the whole note (related notes)."""
    dim = len(vectors[0])
    sums = [0.0] * dim
    for vector in vectors:
        for i, value in enumerate(vector):
            sums[i] += value
    norm = math.sqrt(sum(v * v for v in sums)) or 1.0
    return [v / norm for v in sums]


def plan_chunks(
    chunks: Sequence[Chunk], known: dict[str, list[float]], embedder: IEmbedder
) -> list[ChunkRecord]:
    """ChunkRecords for `chunks`, embedding only those whose hash has no known vector."""
    missing = [c for c in chunks if c.content_hash not in known]
    fresh = embedder.embed_documents([c.embed_text for c in missing])
    vectors = dict(known)
    vectors.update({c.content_hash: v for c, v in zip(missing, fresh, strict=True)})
    return [ChunkRecord(c.ordinal, c.text, c.content_hash, vectors[c.content_hash]) for c in chunks]


def index_note(notes: INoteRepository, embedder: IEmbedder, note: Note) -> int:
    """Write the note's chunks, vectors and links; return how many chunks were embedded."""
    chunks = chunk_note(note.title, note.body)
    known = {
        record.content_hash: record.embedding
        for record in notes.chunks(note.id)
        if record.embedding is not None
    }
    records = plan_chunks(chunks, known, embedder)
    embedded = sum(1 for c in chunks if c.content_hash not in known)
    notes.replace_chunks(note.id, records, mean_vector([r.embedding for r in records]))
    notes.replace_links(note.id, parse_wikilinks(note.body))
    return embedded
