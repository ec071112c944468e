"""Which embedding model made a vector: the rule that keeps two models' vectors apart.

A model's identity is its name plus the backend that ran it: int8 vectors of a model are
close to, but not the same as, its fp32 vectors, so they are never mixed silently either.
torch, the reference backend, adds nothing to the name (databases recorded before backends
existed hold torch vectors); another backend is written `name@backend`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(EmbeddingBackend)
REFERENCE_BACKEND = "torch"

_HUB_PREFIX = "sentence-transformers/"


def model_identity(name: str, backend: str = REFERENCE_BACKEND) -> str:
    """What is recorded beside the vectors: 'all-MiniLM-L6-v2@onnx-int8'."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}")
    return name if backend == REFERENCE_BACKEND else f"{name}@{backend}"


def split_identity(identity: str) -> tuple[str, str]:
    """'all-MiniLM-L6-v2@onnx-int8' -> ('all-MiniLM-L6-v2', 'onnx-int8'); no known
    backend suffix -> the reference backend."""
    name, at, backend = identity.strip().rpartition("@")
    if at and backend in BACKENDS and backend != REFERENCE_BACKEND:
        return name, backend
    return identity.strip(), REFERENCE_BACKEND


def model_key(identity: str) -> str:
    """'sentence-transformers/all-MiniLM-L6-v2' and 'all-minilm-l6-v2' are one model;
    a local path is compared by its absolute form; the backend is part of the key."""
    name, backend = split_identity(identity)
    if name.startswith(("/", "~", ".")):
        name = str(Path(name).expanduser().resolve())
    else:
        name = name.lower().removeprefix(_HUB_PREFIX)
    return model_identity(name, backend)


def same_model(recorded: str, configured: str) -> bool:
    return model_key(recorded) == model_key(configured)
