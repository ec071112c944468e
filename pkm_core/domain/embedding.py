"""Which embedding model made a vector: the rule that keeps two models' vectors apart."""

from __future__ import annotations

from pathlib import Path

_HUB_PREFIX = "sentence-transformers/"


def model_key(name: str) -> str:
    """'sentence-transformers/all-MiniLM-L6-v2' and 'all-minilm-l6-v2' are one model;
    a local path is compared by its absolute form."""
    name = name.strip()
    if name.startswith(("/", "~", ".")):
        return str(Path(name).expanduser().resolve())
    return name.lower().removeprefix(_HUB_PREFIX)


def same_model(recorded: str, configured: str) -> bool:
    return model_key(recorded) == model_key(configured)
