"""The one mapping of database driver errors to domain errors.

No SQLAlchemy, psycopg2 or asyncpg text reaches a person: the Units of Work (and the
composition root's first contact) pass every exception through `domain_error`, which
returns the domain error to raise instead, or None for an error that is a bug to see.

- a lost or refused connection (OperationalError) -> StorageUnavailable;
- every pooled connection busy for the pool's whole timeout (sqlalchemy TimeoutError),
  a deadlock or serialisation failure -> StorageBusy (nothing was changed);
- a unique violation on the title index (two saves racing to one title) ->
  DuplicateTitle, as the repository's own check says when there is no race.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pkm_core.domain.errors import (
    AlreadyCreated,
    DuplicateTitle,
    KairosError,
    StorageBusy,
    StorageUnavailable,
)

TITLE_INDEX = "ux_notes_title_key"
CREATE_TOKEN_INDEX = "ux_notes_create_token"  # a create repeated by a second click or tab
_RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_KEY_VALUE = re.compile(r"\)=\((?P<value>.*)\) already exists", re.DOTALL)


def _driver_error(exc: DBAPIError) -> BaseException | None:
    """The driver's own exception: psycopg2's, or asyncpg's behind SQLAlchemy's adapter."""
    orig = exc.orig
    cause = getattr(orig, "__cause__", None)
    return cause if cause is not None and not hasattr(orig, "diag") else orig


def _field(exc: DBAPIError, psycopg2_name: str, asyncpg_name: str) -> str | None:
    driver = _driver_error(exc)
    diag = getattr(driver, "diag", None)
    value = getattr(diag, psycopg2_name, None) if diag is not None else None
    return value if value is not None else getattr(driver, asyncpg_name, None)


def _sqlstate(exc: DBAPIError) -> str | None:
    driver = _driver_error(exc)
    return getattr(driver, "pgcode", None) or getattr(driver, "sqlstate", None)


def unavailable(exc: BaseException) -> StorageUnavailable:
    """The first line of the server's reason (no SQL, no traceback) in one sentence."""
    detail = str(getattr(exc, "orig", None) or exc).strip()
    reason = detail.splitlines()[0] if detail else type(exc).__name__
    return StorageUnavailable(
        f"The database cannot be reached ({reason}); check that PostgreSQL is running."
    )


def domain_error(exc: BaseException) -> KairosError | None:
    """The domain error standing for a driver error, or None when it maps to none."""
    if isinstance(exc, PoolTimeout):
        return StorageBusy()
    if not isinstance(exc, DBAPIError):
        return None
    if isinstance(exc, IntegrityError):
        constraint = _field(exc, "constraint_name", "constraint_name")
        if constraint == CREATE_TOKEN_INDEX:
            return AlreadyCreated()
        if constraint == TITLE_INDEX:
            detail = _field(exc, "message_detail", "detail") or ""
            match = _KEY_VALUE.search(detail)
            return DuplicateTitle(match.group("value") if match else "this title")
        return None
    if _sqlstate(exc) in _RETRYABLE:
        return StorageBusy()
    if isinstance(exc, OperationalError):
        return unavailable(exc)
    return None
