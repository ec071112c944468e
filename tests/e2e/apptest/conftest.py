"""AppTest fixtures: the real app script on a real (emptied) database with a fake embedder.

AppTest runs the script in this process, so the composition root can be pointed at the
test database through the environment and handed the deterministic `FakeEmbedder`: the
app itself contains no test code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import pkm_core.bootstrap
from pkm_core.bootstrap import DatabaseUrls, Kairos
from pkm_core.infrastructure.settings import get_settings
from tests.fakes import FakeEmbedder

APP = Path(__file__).resolve().parents[3] / "streamlit_app" / "app.py"
TIMEOUT = 30  # seconds per script run: a first run starts engines and migrations


def _reset_process_caches() -> None:
    get_settings.cache_clear()
    st.cache_resource.clear()  # the Kairos container, the embedder and its loader


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def app_env(
    clean_database: DatabaseUrls, embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DatabaseUrls]:
    """Point the app at the test database and the fake embedder."""
    monkeypatch.setenv("DATABASE_URL_SYNC", clean_database.sync_url)
    monkeypatch.setenv("DATABASE_URL_ASYNC", clean_database.async_url)
    monkeypatch.setattr(pkm_core.bootstrap, "build_embedder", lambda settings: embedder)
    _reset_process_caches()
    yield clean_database
    _reset_process_caches()


@pytest.fixture
def kairos(app_env: DatabaseUrls, embedder: FakeEmbedder) -> Kairos:
    """The same container the app builds, for arranging data and checking results."""
    return pkm_core.bootstrap.build_kairos(embedder=embedder)


@pytest.fixture
def open_page(app_env: DatabaseUrls) -> Callable[..., AppTest]:
    """`open_page("views/write.py", note=3)`: the app, run once on that page with those
    query parameters (as if the person had followed a link)."""

    def _open(page: str | None = None, **query: Any) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        if page is not None:
            at.switch_page(page)
        for name, value in query.items():
            at.query_params[name] = str(value)
        if page is not None or query:
            at.run()
        return at

    return _open
