"""IEmbedder on ONNX Runtime (fp32 or int8), without torch in the process.

The same computation as sentence-transformers' Transformer -> mean Pooling -> Normalize,
written out (about 40 lines) instead of `SentenceTransformer(backend="onnx")`, which needs
`optimum` and imports torch: without torch the app starts in about a second and holds a
few hundred MB less (docs/PERFORMANCE.md). The torch backend (embedder.py) stays the
reference; tests hold the two to a cosine above 0.98. The tokenizer is the model's own
`tokenizer.json` (Hugging Face `tokenizers`), texts are cut at the same 256 word pieces,
and batches are sorted by length as sentence-transformers sorts them (less padding).

One text (a query, a one-chunk note) runs on a session that uses every core; several runs
go to one single-threaded session per core, side by side: a chunk of a hundred words
leaves most of a multi-threaded run's threads waiting, so three chunks of a note take
about two thirds of the time that way (docs/PERFORMANCE.md, "Embedding backends").

Models made of a transformer and mean pooling only (all-MiniLM-L6-v2 and its kind);
another model is refused with a sentence saying to use the torch backend.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pkm_core.domain.embedding import model_identity
from pkm_core.infrastructure.embedder import (
    MAX_SEQ_LENGTH,
    EmbeddingModelUnavailable,
    resolve_model_path,
)
from pkm_core.infrastructure.onnx_export import exported_model

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Encoding, Tokenizer

log = logging.getLogger(__name__)

_MEAN_POOLING = {
    "pooling_mode_cls_token": False,
    "pooling_mode_mean_tokens": True,
    "pooling_mode_max_tokens": False,
    "pooling_mode_mean_sqrt_len_tokens": False,
}
_SUPPORTED_MODULES = {
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
}


@dataclass(frozen=True)
class _Loaded:
    session: InferenceSession  # every core: for a single run
    # Several runs: a one-thread session run by one worker a core (None on one core).
    side_by_side: tuple[InferenceSession, ThreadPoolExecutor] | None
    tokenizer: Tokenizer
    inputs: frozenset[str]
    max_seq_length: int
    dimension: int


_loaded: dict[tuple[str, str], _Loaded] = {}
_loaded_lock = threading.Lock()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_architecture(source: Path, label: str) -> tuple[int, int]:
    """Refuse what this backend does not compute; return the model's sequence limit and
    dimension."""
    modules = _read_json(source / "modules.json") or []
    kinds = {m.get("type") for m in modules if isinstance(m, dict)}
    pooling = _read_json(source / "1_Pooling" / "config.json") or {}
    prompts = (_read_json(source / "config_sentence_transformers.json") or {}).get("prompts")
    mean = all(pooling.get(key, False) == value for key, value in _MEAN_POOLING.items())
    dimension = pooling.get("word_embedding_dimension")
    tokenizer = (source / "tokenizer.json").is_file()
    if not kinds <= _SUPPORTED_MODULES or not mean or prompts or not dimension or not tokenizer:
        raise EmbeddingModelUnavailable(
            f"The embedding model “{label}” is not a plain mean-pooling model, which the "
            "ONNX backends compute; set KAIROS_EMBEDDING_BACKEND=torch for it."
        )
    configured = (_read_json(source / "sentence_bert_config.json") or {}).get("max_seq_length")
    return min(int(configured or MAX_SEQ_LENGTH), MAX_SEQ_LENGTH), int(dimension)


def _load(name: str, backend: str, cache_root: Path) -> _Loaded:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    source = Path(resolve_model_path(name))
    if not source.is_dir():
        raise EmbeddingModelUnavailable(
            f"The embedding model “{name}” is not a local folder, which the {backend} backend "
            "needs (KAIROS_EMBEDDING_MODEL); set KAIROS_EMBEDDING_BACKEND=torch for it."
        )
    key = (str(source), backend)
    with _loaded_lock:
        loaded = _loaded.get(key)
        if loaded is not None:
            return loaded
        max_seq_length, dimension = _check_architecture(source, name)
        path = exported_model(source, cache_root, backend, name)
        import onnxruntime
        from tokenizers import Tokenizer

        def session_with(threads: int) -> InferenceSession:
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.log_severity_level = 3  # warnings about unused initialisers are noise
            options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, every core
            return onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )

        try:
            session = session_with(0)
            cores = _cores()
            side_by_side = (
                (session_with(1), ThreadPoolExecutor(cores, "kairos-embed")) if cores > 1 else None
            )
            tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        except Exception as exc:  # ONNX Runtime and tokenizers raise their own types
            log.exception("Loading %s failed", path)
            raise EmbeddingModelUnavailable(
                f"The embedding model “{name}” could not be loaded with the {backend} backend; "
                f"delete {path.parent} to convert it again, or set "
                "KAIROS_EMBEDDING_BACKEND=torch."
            ) from exc
        # tokenizer.json carries its training-time padding and truncation: use ours.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_seq_length)
        inputs = frozenset(i.name for i in session.get_inputs())
        loaded = _Loaded(session, side_by_side, tokenizer, inputs, max_seq_length, dimension)
        log.info("Loaded embedding model %s with ONNX Runtime (%s)", name, backend)
        _loaded[key] = loaded
        return loaded


def _cores() -> int:
    """The cores this process may run on (a container or `taskset` may give it fewer)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run(loaded: _Loaded, session: InferenceSession, batch: Sequence[Encoding]) -> np.ndarray:
    """Mean-pooled, normalised vectors of one batch of tokenised texts."""
    width = max(len(e.ids) for e in batch)
    ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    types = np.zeros((len(batch), width), dtype=np.int64)
    for row, encoding in enumerate(batch):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = encoding.attention_mask
        types[row, :n] = encoding.type_ids
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    hidden = session.run(None, {k: v for k, v in feed.items() if k in loaded.inputs})[0]
    weights = mask.astype(np.float32)
    pooled = np.einsum("btd,bt->bd", hidden, weights) / np.clip(
        weights.sum(axis=1, keepdims=True), 1e-9, None
    )
    pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return pooled


def _encode(loaded: _Loaded, texts: Sequence[str], batch_size: int) -> np.ndarray:
    encodings = loaded.tokenizer.encode_batch(list(texts))
    # Longest first: less padding in a batch, and side by side the long runs start first,
    # so no worker is left with a long one at the end.
    order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
    runs = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    batches = [[encodings[i] for i in run] for run in runs]
    if len(runs) == 1 or loaded.side_by_side is None:
        pooled = [_run(loaded, loaded.session, batch) for batch in batches]
    else:
        narrow, workers = loaded.side_by_side
        pooled = list(workers.map(lambda batch: _run(loaded, narrow, batch), batches))
    out = np.empty((len(texts), loaded.dimension), dtype=np.float32)
    for run, vectors in zip(runs, pooled, strict=True):
        out[run] = vectors
    return out


class OnnxEmbedder:
    """IEmbedder backed by ONNX Runtime; `backend` is "onnx" (fp32) or "onnx-int8"."""

    def __init__(
        self, model_name: str, backend: str, cache_root: Path, batch_size: int = 64
    ) -> None:
        if backend not in ("onnx", "onnx-int8"):
            raise ValueError(f"not an ONNX backend: {backend!r}")
        self._name = model_name
        self._backend = backend
        self._cache_root = cache_root
        # int8 is dynamically quantised: activations are scaled by the range of the whole
        # input tensor, so a text's vector would depend on the texts batched with it (up to
        # 0.02 per component). One text per run keeps every vector a function of its text
        # alone (a query equals the same text saved as a note), and costs no throughput
        # here (87 SciFact chunks: 7.7 s one by one, 7.3 s in batches of 64; machine shared).
        self._batch_size = 1 if backend == "onnx-int8" else batch_size
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return model_identity(self._name, self._backend)

    @property
    def backend(self) -> str:
        return self._backend

    @property
    def is_loaded(self) -> bool:
        return self._loaded is not None

    @property
    def device(self) -> str:
        return f"cpu ({self._backend})"

    @property
    def max_seq_length(self) -> int:
        return self._load().max_seq_length

    @property
    def dimension(self) -> int:
        return self._load().dimension

    def load(self) -> None:
        self._load()

    def _load(self) -> _Loaded:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    self._loaded = _load(self._name, self._backend, self._cache_root)
        return self._loaded

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors: list[list[float]] = _encode(self._load(), texts, self._batch_size).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
