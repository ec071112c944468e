"""Settings from the environment and `.env` (pydantic-settings).

A bad value stops start-up with one sentence that names the setting (`SettingsError`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from pkm_core.domain.embedding import EmbeddingBackend
from pkm_core.domain.errors import KairosError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# The fastest backend that keeps every SciFact mode within 0.01 nDCG@10 of torch fp32
# (docs/PERFORMANCE.md, "Embedding backends").
DEFAULT_BACKEND: EmbeddingBackend = "onnx-int8"


class SettingsError(KairosError):
    """A setting has a value Kairos cannot use."""


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("kairos", appauthor=False))


def _check_url(value: str | None, setting: str, driver: str) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        url = make_url(value.strip())
    except (ArgumentError, ValueError):
        raise ValueError(
            f"{setting} is not a database URL (expected postgresql+{driver}://user:password@host/db)"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"{setting} must point at PostgreSQL, not {url.get_backend_name()}")
    if url.get_driver_name() != driver:
        url = url.set(drivername=f"postgresql+{driver}")
    return url.render_as_string(hide_password=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url_sync: str | None = Field(default=None, alias="DATABASE_URL_SYNC")
    database_url_async: str | None = Field(default=None, alias="DATABASE_URL_ASYNC")
    data_dir: Path = Field(default_factory=_default_data_dir, alias="KAIROS_DATA_DIR")
    embedding_model: str = Field(default=DEFAULT_MODEL, alias="KAIROS_EMBEDDING_MODEL")
    embedding_device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto", alias="KAIROS_EMBEDDING_DEVICE"
    )
    embedding_backend: EmbeddingBackend = Field(
        default=DEFAULT_BACKEND, alias="KAIROS_EMBEDDING_BACKEND"
    )
    embedding_batch_size: int = Field(
        default=64, ge=1, le=4096, alias="KAIROS_EMBEDDING_BATCH_SIZE"
    )

    @field_validator("database_url_sync")
    @classmethod
    def _sync_url(cls, value: str | None) -> str | None:
        return _check_url(value, "DATABASE_URL_SYNC", "psycopg2")

    @field_validator("database_url_async")
    @classmethod
    def _async_url(cls, value: str | None) -> str | None:
        return _check_url(value, "DATABASE_URL_ASYNC", "asyncpg")

    @field_validator("data_dir")
    @classmethod
    def _usable_data_dir(cls, value: Path) -> Path:
        path = value.expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"KAIROS_DATA_DIR {path} cannot be created ({exc.strerror})") from None
        if not path.is_dir():
            raise ValueError(f"KAIROS_DATA_DIR {path} is not a directory")
        return path.resolve()

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url_sync is None and self.database_url_async is None

    def with_urls(self, sync_url: str, async_url: str) -> Settings:
        return self.model_copy(
            update={"database_url_sync": sync_url, "database_url_async": async_url}
        )

    def completed_urls(self) -> tuple[str, str]:
        """Both URLs; one given alone implies the other (same server, other driver)."""
        sync_url, async_url = self.database_url_sync, self.database_url_async
        if sync_url is None and async_url is None:
            raise SettingsError("No database URL is set and the embedded server was not started.")
        if sync_url is None:
            assert async_url is not None
            sync_url = (
                make_url(async_url)
                .set(drivername="postgresql+psycopg2")
                .render_as_string(hide_password=False)
            )
        if async_url is None:
            async_url = (
                make_url(sync_url)
                .set(drivername="postgresql+asyncpg")
                .render_as_string(hide_password=False)
            )
        return sync_url, async_url


def load_settings() -> Settings:
    """Read settings, turning a validation failure into one sentence naming the setting."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        alias = ".".join(str(part) for part in first.get("loc", ()))
        if alias and alias not in message:
            message = f"{alias}: {message}"
        raise SettingsError(f"Invalid setting: {message}.") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
