"""The vectors of a draft's chunks, kept between calls: the Write page asks for the related
notes of the draft again and again as the person types, and most of its chunks have not
changed since the last time (a chunk is a passage of ~128 words; typing changes one).

Small and bounded (the least recently used go first), one per embedder object (a new
embedder, for another model, starts empty; the embedder going away takes its vectors
along) and keyed by the model's identity, dimension and the chunk's content hash: vectors
of two models are never mixed. Saves do not read it: a save embeds what its stored chunks
lack (`indexing.prepare_notes`). A dict and a lock rather than `functools.lru_cache`: the
key is per chunk, the embedding call is per batch of the chunks not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from weakref import WeakKeyDictionary

from pkm_core.application.ports import IEmbedder
from pkm_core.domain.chunking import Chunk

CHUNKS_KEPT = 256  # ~3 MB of 384-dimension vectors: a few long drafts

_Key = tuple[str, int, str]


class ChunkVectors:
    """Chunk vectors of one embedder, the `size` most recently used."""

    def __init__(self, size: int = CHUNKS_KEPT) -> None:
        self._size = size
        self._vectors: OrderedDict[_Key, tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()  # reruns and async calls embed from several threads

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(self, embedder: IEmbedder, chunks: Sequence[Chunk]) -> list[list[float]]:
        """The vector of each chunk: kept ones as they are, the others embedded at once."""
        model = (embedder.model_name, embedder.dimension)
        keys = [(*model, c.content_hash) for c in chunks]
        with self._lock:
            found = {k: self._vectors[k] for k in keys if k in self._vectors}
            for key in found:
                self._vectors.move_to_end(key)
        missing = {k: c.embed_text for k, c in zip(keys, chunks, strict=True) if k not in found}
        if missing:
            vectors = embedder.embed_documents(list(missing.values()))
            made = {k: tuple(v) for k, v in zip(missing, vectors, strict=True)}
            found.update(made)
            with self._lock:
                self._vectors.update(made)
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return [list(found[k]) for k in keys]


_BY_EMBEDDER: WeakKeyDictionary[IEmbedder, ChunkVectors] = WeakKeyDictionary()
_BY_EMBEDDER_LOCK = threading.Lock()


def draft_vectors(embedder: IEmbedder) -> ChunkVectors:
    """The kept chunk vectors of `embedder` (made on first use)."""
    with _BY_EMBEDDER_LOCK:
        kept = _BY_EMBEDDER.get(embedder)
        if kept is None:
            kept = _BY_EMBEDDER[embedder] = ChunkVectors()
        return kept
