"""The one place where database and driver errors become domain errors (one sentence each).

No SQLAlchemy, psycopg or asyncpg text reaches a person: every Unit of Work maps what the
driver raised with `domain_error` before it leaves the transaction.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pkm_core.domain.errors import KairosError, StorageUnavailable


def unavailable(exc: BaseException) -> StorageUnavailable:
    """The database cannot be reached: the driver's first line names the cause (a socket
    path or a host, never a password)."""
    detail = str(getattr(exc, "orig", None) or exc).strip()
    reason = detail.splitlines()[0] if detail else type(exc).__name__
    return StorageUnavailable(
        f"The database cannot be reached ({reason}); check that PostgreSQL is running."
    )


def domain_error(exc: BaseException) -> KairosError | None:
    """The domain error standing for a driver error, or None when it is not a driver's."""
    if isinstance(exc, OperationalError):
        return unavailable(exc)
    if isinstance(exc, PoolTimeout):  # every pooled connection stayed busy (pool_timeout)
        return StorageUnavailable(
            "The database is busy with other requests and none finished in time; try again."
        )
    return None
