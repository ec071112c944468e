"""An embedder shared by concurrent callers (the MCP server, the REST API): one embed at
a time.

The async consumers embed in worker threads. A Hugging Face fast tokenizer is not safe to
call from several threads at once ("Already borrowed"), and on a CPU one encode already
uses every core, so queueing the calls loses nothing and keeps them safe.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pkm_core.application.ports import IEmbedder


class SerialEmbedder:
    """IEmbedder that runs the wrapped embedder's calls one at a time."""

    def __init__(self, inner: IEmbedder) -> None:
        self._inner = inner
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def dimension(self) -> int:
        with self._lock:
            return self._inner.dimension

    @property
    def is_loaded(self) -> bool:
        return self._inner.is_loaded

    def load(self) -> None:
        with self._lock:
            self._inner.load()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._inner.embed_query(text)
