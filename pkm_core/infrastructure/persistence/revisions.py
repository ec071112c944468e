"""An Alembic revision's module, for the SQL it defined: a later revision rebuilds a
function from an earlier one's text, and a downgrade restores it (revision files are not
an importable package: their names start with digits)."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

VERSIONS = Path(__file__).resolve().parents[3] / "migrations" / "versions"


@cache
def revision_module(name: str) -> ModuleType:
    """The module of revision file `name` (without `.py`), loaded once."""
    spec = importlib.util.spec_from_file_location(
        f"kairos_revision_{name}", VERSIONS / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded
