"""The embedded server's password: generated once into the data dir, required by pg_hba.

The password is random (`secrets.token_urlsafe`), kept in `<data dir>/postgres-password`
with mode 0600, and never logged: the statement that sets it runs with statement logging
off for its session. pg_hba asks scram-sha-256 of every connection, local or TCP.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from pkm_core.domain.errors import StorageUnavailable

log = logging.getLogger(__name__)

USER = "postgres"
PASSWORD_FILE = "postgres-password"
HBA = (
    "# Written by Kairos: every connection needs the password (scram-sha-256).\n"
    "local all all scram-sha-256\n"
    "host all all 127.0.0.1/32 scram-sha-256\n"
    "host all all ::1/128 scram-sha-256\n"
)


def read_password(data_dir: Path) -> str:
    """The server's password, created (0600, random) on first use; a looser mode is fixed."""
    path = data_dir / PASSWORD_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600)
        password = path.read_text(encoding="ascii").strip()
        if password:
            return password
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    password = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(password + "\n")
    return password


def hba_requires_password(pgdata: Path) -> bool:
    rules = [
        line.split()
        for line in (pgdata / "pg_hba.conf").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return bool(rules) and all(rule[-1] in ("scram-sha-256", "reject") for rule in rules)


def _wait_until_password_is_required(socket_dir: Path) -> None:
    """pg_reload_conf() only signals the postmaster: wait until it refuses a password-less
    connection, so no caller ever starts on the old rules."""
    import psycopg2

    for _ in range(100):
        try:
            psycopg2.connect(host=str(socket_dir), user=USER, dbname="postgres").close()
        except psycopg2.OperationalError:
            return
        time.sleep(0.05)
    raise StorageUnavailable("The embedded PostgreSQL did not take its new password rules.")


def require_password(pgdata: Path, socket_dir: Path, password: str) -> None:
    """Set the superuser's password and make pg_hba ask for it (a no-op when it does)."""
    if hba_requires_password(pgdata):
        return
    import psycopg2

    log.info("Securing the embedded PostgreSQL in %s with a password", pgdata)
    conn = psycopg2.connect(host=str(socket_dir), user=USER, password=password, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            # The statement holds the password: keep it out of the server log.
            cur.execute("SET log_statement = 'none'")
            cur.execute("SET log_min_error_statement = 'panic'")
            cur.execute("SET password_encryption = 'scram-sha-256'")
            cur.execute(f"ALTER ROLE {USER} PASSWORD %s", (password,))
            # Rewritten in place: the file keeps its owner (the server's OS user).
            (pgdata / "pg_hba.conf").write_text(HBA)
            cur.execute("SELECT pg_reload_conf()")
    finally:
        conn.close()
    _wait_until_password_is_required(socket_dir)
