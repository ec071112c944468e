"""The composition root: a server that does not answer is one sentence, password masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkm_core.bootstrap import build_kairos
from pkm_core.domain.errors import StorageUnavailable
from pkm_core.infrastructure.settings import Settings
from tests.fakes import FakeEmbedder


def test_an_unreachable_configured_server_stops_start_up_with_one_sentence(
    tmp_path: Path,
) -> None:
    url = f"postgresql+psycopg2://kai:hunter2@/kairos?host={tmp_path}/no-server"
    settings = Settings(DATABASE_URL_SYNC=url, KAIROS_DATA_DIR=tmp_path)
    with pytest.raises(StorageUnavailable) as caught:
        build_kairos(settings, embedder=FakeEmbedder())
    message = str(caught.value)
    assert "cannot reach its database" in message
    assert "hunter2" not in message
    assert "\n" not in message
