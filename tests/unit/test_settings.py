"""Settings: defaults, `.env`, and one clear sentence for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkm_core.infrastructure.settings import SettingsError, load_settings

ENV = (
    "DATABASE_URL_SYNC",
    "DATABASE_URL_ASYNC",
    "KAIROS_DATA_DIR",
    "KAIROS_EMBEDDING_MODEL",
    "KAIROS_EMBEDDING_DEVICE",
    "KAIROS_EMBEDDING_BACKEND",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path / "data"))


def test_with_no_url_the_embedded_database_is_used() -> None:
    settings = load_settings()
    assert settings.uses_embedded_database
    assert settings.data_dir.is_dir()
    assert settings.embedding_model == "all-MiniLM-L6-v2"
    assert settings.embedding_backend == "onnx-int8"


def test_a_sync_url_alone_implies_the_async_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL_SYNC", "postgresql://kai:secret@db.local:5433/notes")
    sync_url, async_url = load_settings().completed_urls()
    assert sync_url == "postgresql+psycopg2://kai:secret@db.local:5433/notes"
    assert async_url == "postgresql+asyncpg://kai:secret@db.local:5433/notes"


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KAIROS_EMBEDDING_DEVICE=cpu\n")
    assert load_settings().embedding_device == "cpu"


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("DATABASE_URL_SYNC", "not a url", "DATABASE_URL_SYNC"),
        ("DATABASE_URL_ASYNC", "mysql://u@h/db", "DATABASE_URL_ASYNC"),
        ("KAIROS_EMBEDDING_DEVICE", "tpu", "KAIROS_EMBEDDING_DEVICE"),
        ("KAIROS_EMBEDDING_BACKEND", "tensorrt", "KAIROS_EMBEDDING_BACKEND"),
        ("KAIROS_DATA_DIR", "/proc/kairos-cannot-live-here", "KAIROS_DATA_DIR"),
    ],
)
def test_a_bad_value_is_one_sentence_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert named in message
    assert "\n" not in message and "Traceback" not in message


def test_a_password_never_appears_in_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL_SYNC", "mysql://kai:hunter2@h/db")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "hunter2" not in str(caught.value)
