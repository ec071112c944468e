"""A search's tag / project / date filter as a statement shape and its parameters.

The shape (how many tags, whether a project, which date bounds) decides the statement; the
values are bind parameters (`filter_*`), so a filtered search statement is built and
compiled once per shape, like an unfiltered one (building it per search was ~40 % of a
filtered hybrid search's time, docs/PERFORMANCE.md). psycopg2 still sends the values inline,
so the planner sees them. A filter of tags alone is read from note_keywords alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Select,
    Text,
    any_,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import aliased

from pkm_core.application.dto import NoteFilter
from pkm_core.domain.query import SearchQuery
from pkm_core.infrastructure.persistence.models import KeywordRow, NoteKeywordRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import LIVE, filtered_note_ids, project_subtree
from pkm_core.infrastructure.persistence.search_syntax import restricted, syntax_clauses

_DATES = ("created_from", "created_to", "updated_from", "updated_to")


@dataclass(frozen=True, slots=True)
class FilterShape:
    """Which parts a filter has; its values are the parameters of `filter_params`."""

    tags: int  # distinct tags a note must all carry
    project: bool  # a project subtree
    dates: tuple[bool, bool, bool, bool]  # created from / to, updated from / to


def _tags(filters: NoteFilter) -> list[str]:
    return list(dict.fromkeys(filters.keywords))


def filter_shape(filters: NoteFilter) -> FilterShape | None:
    """The filter's shape, None for no filter."""
    if filters.is_empty:
        return None
    created_from, created_to, updated_from, updated_to = (
        getattr(filters, d) is not None for d in _DATES
    )
    dates = (created_from, created_to, updated_from, updated_to)
    return FilterShape(len(_tags(filters)), filters.project_id is not None, dates)


def filter_params(filters: NoteFilter) -> dict[str, Any]:
    """The filter's values, named as in `filter_select`."""
    params: dict[str, Any] = {f"filter_tag_{i}": t for i, t in enumerate(_tags(filters))}
    if filters.project_id is not None:
        params["filter_project"] = filters.project_id
    for name in _DATES:
        if (value := getattr(filters, name)) is not None:
            params[f"filter_{name}"] = value
    return params


def _keyword_id(i: int) -> ColumnElement[Any]:
    name = bindparam(f"filter_tag_{i}", type_=Text, required=True)
    return select(KeywordRow.id).where(KeywordRow.name == name).scalar_subquery()


def _tagged(tags: int) -> Select[Any]:
    """SELECT note_id AS id FROM note_keywords carrying every tag. It does not test that a
    note is live, which a search needs no test for (a trashed note has no chunks or
    postings, and the final rows join live notes). That test was one probe of
    `ix_notes_live_id` per tagged note, in a nested loop (the planner estimates every tag
    at the average): 60,000 probes, 57 ms to count a 60 % tag up to 5,001 and 185 ms to
    materialise it, against ~5 ms for the index-only scan of note_keywords alone (EXPLAIN
    ANALYZE, machine shared, docs/PERFORMANCE.md)."""
    stmt = select(NoteKeywordRow.note_id.label("id")).where(
        NoteKeywordRow.keyword_id == _keyword_id(0)
    )
    for i in range(1, tags):
        also = aliased(NoteKeywordRow)  # not correlated with the outer note_keywords
        carrying = select(also.note_id).where(also.keyword_id == _keyword_id(i))
        stmt = stmt.where(NoteKeywordRow.note_id.in_(carrying))
    return stmt


@lru_cache(maxsize=64)
def filter_select(shape: FilterShape) -> Select[Any]:
    """SELECT id of the (live) notes passing a filter of this shape."""
    if not shape.project and not any(shape.dates):
        return _tagged(shape.tags)
    clauses: list[ColumnElement[bool]] = [LIVE]
    for i in range(shape.tags):
        clauses.append(
            exists(
                select(NoteKeywordRow.note_id).where(
                    NoteKeywordRow.note_id == NoteRow.id,
                    NoteKeywordRow.keyword_id == _keyword_id(i),
                )
            )
        )
    if shape.project:
        # `= ANY(ARRAY(subtree))`, an InitPlan: see note_sql.filtered_note_ids.
        project = bindparam("filter_project", type_=BigInteger, required=True)
        clauses.append(
            NoteRow.project_id == any_(func.array(project_subtree(project).scalar_subquery()))
        )
    columns = (NoteRow.created_at, NoteRow.created_at, NoteRow.updated_at, NoteRow.updated_at)
    for name, column, present in zip(_DATES, columns, shape.dates, strict=True):
        if present:
            value = bindparam(f"filter_{name}", type_=DateTime(timezone=True), required=True)
            clauses.append(column >= value if name.endswith("_from") else column <= value)
    return select(NoteRow.id).where(*clauses)


@dataclass(frozen=True)
class SearchFilter:
    """What a search is restricted to: `select` (ids, None for no restriction) and its
    `params`; `cached`: the statement is the one built for `shape`. The query's own
    phrases and excluded words are inlined in `select` (then not cached)."""

    shape: FilterShape | None
    select: Select[Any] | None
    params: dict[str, Any]
    cached: bool


def search_filter(filters: NoteFilter, query: SearchQuery) -> SearchFilter:
    """The filter and the query's restrictions of one search."""
    if syntax_clauses(query):
        return SearchFilter(None, restricted(filtered_note_ids(filters), query), {}, False)
    shape = filter_shape(filters)
    if shape is None:
        return SearchFilter(None, None, {}, True)
    return SearchFilter(shape, filter_select(shape), filter_params(filters), True)
