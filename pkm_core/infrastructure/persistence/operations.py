"""One implementation of each database operation, run by a sync or an async session.

An operation is a generator: it yields statements and receives their results. The sync
repository drives it with `Session.execute`, the async one with `await
AsyncSession.execute`, so both flavours share every line of SQL and mapping.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

T = TypeVar("T")
Statement = Executable | tuple[Executable, dict[str, Any] | list[dict[str, Any]]]
Operation = Generator[Statement, Result[Any], T]


def _split(statement: Statement) -> tuple[Executable, Any]:
    if isinstance(statement, tuple):
        return statement
    return statement, None


def run_sync(session: Session, operation: Operation[T]) -> T:
    try:
        statement = next(operation)
        while True:
            stmt, params = _split(statement)
            statement = operation.send(session.execute(stmt, params))
    except StopIteration as done:
        return done.value


async def run_async(session: AsyncSession, operation: Operation[T]) -> T:
    try:
        statement = next(operation)
        while True:
            stmt, params = _split(statement)
            statement = operation.send(await session.execute(stmt, params))
    except StopIteration as done:
        return done.value
