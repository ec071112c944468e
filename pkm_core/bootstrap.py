"""The composition root: settings -> database URLs -> migrations -> UoW factories -> embedder.

Nothing here runs at import time; `build_kairos()` does the work once and the UI and the
CLI hold the result (Streamlit through `st.cache_resource`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from pkm_core.application.ingest.source import IImportReader
from pkm_core.application.ports import IEmbedder
from pkm_core.application.vector_indexes import restore_vector_indexes
from pkm_core.domain.errors import StorageUnavailable
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder
from pkm_core.infrastructure.persistence.engines import sync_session_factory
from pkm_core.infrastructure.persistence.migrate import ensure_migrated
from pkm_core.infrastructure.persistence.unit_of_work import (
    AsyncSQLAlchemyUnitOfWork,
    SyncSQLAlchemyUnitOfWork,
)
from pkm_core.infrastructure.readers import FileImportReader
from pkm_core.infrastructure.settings import Settings, get_settings


@dataclass(frozen=True, slots=True)
class DatabaseUrls:
    sync_url: str
    async_url: str
    embedded_pgdata: Path | None = None

    @property
    def display(self) -> str:
        """Where the data lives, safe to show: the password is masked."""
        if self.embedded_pgdata is not None:
            return f"embedded PostgreSQL in {self.embedded_pgdata}"
        return make_url(self.sync_url).render_as_string(hide_password=True)


_embedded: dict[Path, DatabaseUrls] = {}
_embedded_lock = threading.Lock()


def resolve_database_urls(settings: Settings | None = None) -> DatabaseUrls:
    """The configured server, or the embedded one (started once per data dir per process)."""
    settings = settings or get_settings()
    if not settings.uses_embedded_database:
        sync_url, async_url = settings.completed_urls()
        return DatabaseUrls(sync_url, async_url)
    from pkm_core.infrastructure.embedded_postgres import start_embedded_postgres

    with _embedded_lock:
        urls = _embedded.get(settings.data_dir)
        if urls is None:
            db = start_embedded_postgres(settings.data_dir)
            urls = DatabaseUrls(db.sync_url, db.async_url, db.pgdata)
            _embedded[settings.data_dir] = urls
        return urls


@dataclass
class Kairos:
    """Everything a front end needs, built once."""

    settings: Settings
    urls: DatabaseUrls
    embedder: IEmbedder
    reader: IImportReader = field(default_factory=FileImportReader)

    def uow(self) -> SyncSQLAlchemyUnitOfWork:
        """A fresh sync Unit of Work (cheap: the engine is shared)."""
        return SyncSQLAlchemyUnitOfWork(sync_session_factory(self.urls.sync_url))

    def async_uow(self) -> AsyncSQLAlchemyUnitOfWork:
        return AsyncSQLAlchemyUnitOfWork(self.urls.async_url)

    def check_embedding_model(self) -> None:
        """The start-up model check; raises EmbeddingModelMismatch (one sentence, shown as
        is) when the database holds another model's vectors.

        Cheap for a matching model: the recorded name is compared with the configured
        one and the model is not loaded. A fresh database records its model at the
        first save (that save loads the model anyway). Call it once after building."""
        from pkm_core.application.use_cases.index import check_embedding_model

        check_embedding_model(self.uow(), self.embedder)


def build_embedder(settings: Settings) -> IEmbedder:
    """The configured backend's embedder, not loaded yet (KAIROS_EMBEDDING_BACKEND)."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(
            settings.embedding_model, settings.embedding_device, settings.embedding_batch_size
        )
    from pkm_core.infrastructure.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(
        settings.embedding_model,
        settings.embedding_backend,
        settings.data_dir / "models",
        settings.embedding_batch_size,
    )


def build_kairos(
    settings: Settings | None = None, *, embedder: IEmbedder | None = None, migrate: bool = True
) -> Kairos:
    settings = settings or get_settings()
    urls = resolve_database_urls(settings)
    if migrate:
        try:
            ensure_migrated(urls.sync_url)
        except OperationalError as exc:  # the first contact with a configured server
            reason = (str(exc.orig or exc).strip().splitlines() or ["no answer"])[0]
            raise StorageUnavailable(
                f"Kairos cannot reach its database at {urls.display} ({reason}); "
                "check DATABASE_URL_SYNC or start the server."
            ) from exc
    kairos = Kairos(settings=settings, urls=urls, embedder=embedder or build_embedder(settings))
    if migrate:
        # A crash during a large import leaves its dropped vector indexes missing: searches
        # would scan every vector. The build takes ~1 s per thousand notes (PERFORMANCE.md).
        restore_vector_indexes(kairos.uow)
    return kairos
