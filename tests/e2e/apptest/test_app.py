"""The app as a whole: every page opens, and the sidebar tells the model's state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

import pkm_core.bootstrap
from pkm_core.infrastructure.embedder import EmbeddingModelUnavailable
from streamlit_app.runtime import get_model_loader
from tests.e2e.apptest.helpers import texts
from tests.fakes import FakeEmbedder

PAGES = {
    "views/notes.py": "Notes",
    "views/write.py": "New note",
    "views/search.py": "Search",
    "views/note.py": "Note",
    "views/status.py": "Status",
}


@pytest.mark.parametrize(("page", "title"), PAGES.items())
def test_every_page_opens_on_an_empty_database_without_errors(
    open_page: Callable[..., AppTest], page: str, title: str
) -> None:
    at = open_page(page)
    assert not at.exception and not at.error
    assert at.title[0].value == title


def test_the_sidebar_says_when_the_model_is_ready(open_page: Callable[..., AppTest]) -> None:
    at = open_page()
    assert texts(at.sidebar.caption)[0] == ":material/check_circle: Model ready · fake-bag-of-words"


def test_the_sidebar_documents_the_keys(open_page: Callable[..., AppTest]) -> None:
    at = open_page()
    assert texts(at.sidebar.caption)[-1] == (
        "Keys: **Ctrl+S** save · **Ctrl+K** or **/** search · **Alt+N** new note"
    )


class _UnloadableEmbedder(FakeEmbedder):
    """A model that is not in memory and cannot be loaded."""

    @property
    def is_loaded(self) -> bool:
        return False

    def load(self) -> None:
        raise EmbeddingModelUnavailable("The embedding model “broken” could not be loaded.")


@pytest.fixture
def unloadable() -> FakeEmbedder:
    return _UnloadableEmbedder()


def test_a_model_that_cannot_load_is_reported_and_the_app_stays_usable(
    open_page: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, unloadable: FakeEmbedder
) -> None:
    monkeypatch.setattr(pkm_core.bootstrap, "build_embedder", lambda settings: unloadable)
    at = open_page()
    get_model_loader().wait(10)
    at.run()
    assert any("failed to load" in c for c in texts(at.sidebar.caption))
    assert not at.exception and not at.error
    assert "Your knowledge base is empty" in texts(at.subheader)
