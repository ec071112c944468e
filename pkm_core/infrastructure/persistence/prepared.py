"""Server-side prepared statements for the hottest reads (a stored note's related notes):
planned once per connection instead of at every call.

psycopg2 has no server-side prepared statements, so a built SQLAlchemy statement is sent
once per pooled connection as SQL `PREPARE` (its bind parameters numbered, their types
declared from the statement's own types) and then run with `EXECUTE`, its arguments
rendered by SQLAlchemy's literal processors (an array of integers as `'{1,2}'`, which
SQLAlchemy does not render for PostgreSQL). Only statements whose arguments are numbers,
booleans or the statement's own literals are run this way (`run_prepared` refuses any
other value): no person's text is ever rendered into SQL. Measured at 100k notes: the
candidates of a note 3.0 → 1.5 ms p50 (docs/PERFORMANCE.md). A generic plan is only used
when `plan_cache_mode` says so for the transaction (the related-notes settings statement
sets it LOCAL): PostgreSQL would otherwise keep replanning, the generic estimate of
`LIMIT $n` being far above the custom one.

The names prepared on a connection are kept in its pool record's `info` (which lives as
long as the DBAPI connection and is cleared when it is invalidated). A statement's name
is the hash of its SQL text, so a changed statement is a new name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

_DIALECT = postgresql.dialect(paramstyle="numeric_dollar")
_PREPARED = "kairos_prepared"  # key of the set of prepared names in the connection's info
_NO_PARAMETERS = {"no_parameters": True}  # the driver formats nothing: no `%` escaping


@dataclass(frozen=True)
class _Prepared:
    name: str
    prepare: str  # the PREPARE statement
    names: tuple[str, ...]  # the bind parameters in their numbered order
    literals: Mapping[str, Any]  # the statement's own values (literals, constants)
    render: Mapping[str, Any]  # name -> the literal processor of its type


@cache
def _prepared(stmt: ClauseElement) -> _Prepared:
    compiled = stmt.compile(dialect=_DIALECT)
    assert isinstance(compiled, SQLCompiler)
    names = tuple(compiled.positiontup or ())
    types = [compiled.binds[n].type for n in names]
    declared = ", ".join(_DIALECT.type_compiler_instance.process(t) for t in types)
    name = "kairos_" + hashlib.sha256(compiled.string.encode()).hexdigest()[:24]
    return _Prepared(
        name=name,
        prepare=f"PREPARE {name} ({declared}) AS {compiled.string}",
        names=names,
        literals=compiled.params,
        render={n: t.literal_processor(_DIALECT) for n, t in zip(names, types, strict=True)},
    )


def _safe(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(isinstance(v, int) for v in value)
    return value is None or isinstance(value, int | float | bool)


def _argument(prepared: _Prepared, name: str, value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list | tuple):  # integers only (`_safe`): an array literal
        return "'{" + ",".join(str(int(v)) for v in value) + "}'"
    render = prepared.render[name]
    if render is None:  # pragma: no cover - every type used here renders literals
        raise TypeError(f"no literal form for parameter {name!r}")
    return str(render(value))


def run_prepared(
    connection: Connection, stmt: ClauseElement, params: Mapping[str, Any]
) -> CursorResult[Any]:
    """`stmt` with `params` (numbers, booleans, lists of integers), prepared on this
    connection the first time."""
    if not all(_safe(v) for v in params.values()):
        raise TypeError("only numbers and booleans are rendered into a prepared call")
    prepared = _prepared(stmt)
    done: set[str] = connection.connection.info.setdefault(_PREPARED, set())
    if prepared.name not in done:
        connection.exec_driver_sql(prepared.prepare, execution_options=_NO_PARAMETERS)
        done.add(prepared.name)
    values = {**prepared.literals, **params}
    arguments = ", ".join(_argument(prepared, n, values[n]) for n in prepared.names)
    return connection.exec_driver_sql(
        f"EXECUTE {prepared.name}({arguments})", execution_options=_NO_PARAMETERS
    )
