"""The bearer token of `kairos serve`: made on first use, kept in the data dir (mode 0600)."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "api-token"


def api_token(data_dir: Path) -> str:
    """The token in `data_dir/api-token`, generated (32 random bytes) when there is none."""
    path = data_dir / TOKEN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        os.chmod(path, 0o600, follow_symlinks=False)
        token = path.read_text(encoding="ascii").strip()
        if token:
            return token
        path.unlink()
        return api_token(data_dir)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        token = secrets.token_urlsafe(32)
        handle.write(token + "\n")
    return token


def bearer_matches(authorization: str | None, token: str) -> bool:
    """`Authorization: Bearer <token>`, compared in constant time."""
    if not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())
