"""The way out to a bigger machine: Kairos on a PostgreSQL reached over TCP with a password.

The session starts its own server (tests/tcp_server.py: 127.0.0.1, a free port, scram
password, no unix socket) and points DATABASE_URL_SYNC at it, as a person would point it
at their own server. The whole suite can run there too: KAIROS_TEST_SERVER=tcp.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.notes import create_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import Kairos, build_kairos
from pkm_core.domain.errors import StorageUnavailable
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence.engines import dispose_all
from pkm_core.infrastructure.persistence.migrate import alembic_config, forget_migrations
from pkm_core.infrastructure.settings import load_settings
from tests.fakes import FakeEmbedder
from tests.tcp_server import TcpServer, start_tcp_server

KAIROS = Path(sys.executable).parent / "kairos"


@pytest.fixture(scope="module")
def tcp() -> Iterator[TcpServer]:
    server = start_tcp_server()
    engine = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE kairos"))
    engine.dispose()
    yield server
    dispose_all()
    forget_migrations()
    server.stop()


@pytest.fixture
def kairos_on_tcp(tcp: TcpServer, monkeypatch: pytest.MonkeyPatch) -> Kairos:
    monkeypatch.setenv("DATABASE_URL_SYNC", tcp.url("kairos"))
    monkeypatch.delenv("DATABASE_URL_ASYNC", raising=False)
    return build_kairos(load_settings(), embedder=FakeEmbedder())  # alembic upgrade head


def test_the_app_migrates_to_head_and_saves_and_finds_notes_over_tcp(
    kairos_on_tcp: Kairos, tcp: TcpServer
) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = create_engine(tcp.url("kairos"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        assert conn.execute(text("SELECT inet_server_addr()::text")).scalar() == "127.0.0.1/32"
        assert conn.execute(text("SHOW unix_socket_directories")).scalar() == ""
    engine.dispose()

    note = create_note(
        kairos_on_tcp.uow(), kairos_on_tcp.embedder, NoteDraft(title="Harbour", body="boats")
    )
    for mode in SearchMode:
        hits = search_notes(kairos_on_tcp.uow(), kairos_on_tcp.embedder, "boats", mode)
        assert [hit.note_id for hit in hits] == [note.id]
    assert tcp.password not in kairos_on_tcp.urls.display
    assert f"127.0.0.1:{tcp.port}" in kairos_on_tcp.urls.display


async def test_the_async_unit_of_work_reaches_the_tcp_server(kairos_on_tcp: Kairos) -> None:
    async with kairos_on_tcp.async_uow() as uow:
        note = await uow.notes.add(NoteDraft(title="Async over TCP"))
    async with kairos_on_tcp.async_uow() as uow:
        read = await uow.notes.get(note.id)
    assert read is not None and read.title == "Async over TCP"


def test_a_wrong_password_is_one_sentence_that_does_not_repeat_it(
    tcp: TcpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL_SYNC", tcp.url("kairos", password="not-the-password"))
    with pytest.raises(StorageUnavailable, match="password authentication failed") as caught:
        build_kairos(load_settings(), embedder=FakeEmbedder())
    assert "not-the-password" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_kairos_status_migrates_a_fresh_tcp_database_and_masks_its_password(
    tcp: TcpServer,
) -> None:
    engine = create_engine(tcp.url("postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE DATABASE kairos_status"))
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAIROS_", "DATABASE_"))}
    env.update(DATABASE_URL_SYNC=tcp.url("kairos_status"), HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [str(KAIROS), "status"], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert (
        f"Data: postgresql+psycopg2://kairos_admin:***@127.0.0.1:{tcp.port}/kairos" in done.stdout
    )
    assert tcp.password not in done.stdout + done.stderr
