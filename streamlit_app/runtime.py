"""Process-wide resources for the pages, built once by the composition root.

Only long-lived, thread-safe things are cached here (the Kairos container with its engines,
the embedder and its loader). Sessions and ORM objects never are: every interaction opens a
fresh Unit of Work through `Kairos.uow()`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from enum import StrEnum

import streamlit as st

from pkm_core import bootstrap
from pkm_core.application.ports import IEmbedder
from pkm_core.application.use_cases.history import empty_old_trash
from pkm_core.bootstrap import Kairos
from pkm_core.infrastructure.settings import get_settings

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def get_embedder() -> IEmbedder:
    """The embedder, not loaded yet: building it is cheap, loading is what takes time."""
    # Looked up on the module at call time so tests can swap in a fake embedder.
    return bootstrap.build_embedder(get_settings())


@st.cache_resource(show_spinner="Starting the database…")
def get_kairos() -> Kairos:
    # Failures are not cached by st.cache_resource: the next rerun tries again.
    kairos = bootstrap.build_kairos(embedder=get_embedder())
    try:
        empty_old_trash(kairos.uow())  # the trash keeps notes for TRASH_KEEP_DAYS days
    except Exception:  # the Trash page tries again; starting the app matters more
        log.exception("The trash could not be emptied of its old notes")
    return kairos


class ModelState(StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass
class ModelLoader:
    """Loads the embedding model in a background thread so the first paint does not wait."""

    embedder: IEmbedder
    error: str | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        if self.embedder.is_loaded or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, name="kairos-model", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            self.embedder.load()
        except Exception as exc:  # shown in the sidebar; the app stays usable for browsing
            log.exception("The embedding model could not be loaded")
            self.error = str(exc)

    def wait(self, timeout: float | None = None) -> None:
        """Block until the load attempt has ended (or `timeout` seconds have passed)."""
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def state(self) -> ModelState:
        if self.embedder.is_loaded:
            return ModelState.READY
        return ModelState.FAILED if self.error else ModelState.LOADING


@st.cache_resource(show_spinner=False)
def get_model_loader() -> ModelLoader:
    loader = ModelLoader(get_embedder())
    loader.start()
    return loader
