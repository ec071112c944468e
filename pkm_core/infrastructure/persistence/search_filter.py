"""A search's tag / project / date filter as a statement shape and its parameters.

The shape (how many tags, whether a project, which date bounds) decides the statement; the
values are bind parameters (`filter_*`), so a filtered search statement is built and
compiled once per shape, like an unfiltered one (building it per search was ~40 % of a
filtered hybrid search's time, docs/PERFORMANCE.md). psycopg2 still sends the values inline,
so the planner sees them. A filter of tags alone is read from note_keywords alone.

How a statement tests its filter is chosen per search from the filter's size
(`FilterWay`): few notes are scored exactly, a large filter is materialized once and
hashed, and one passing most of the notes is probed by index for each chunk or posting
the search reaches (materializing and hashing 60,000 ids cost more than the probes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    DateTime,
    Label,
    Select,
    Text,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import aliased

from pkm_core.application.dto import NoteFilter
from pkm_core.domain.query import SearchQuery
from pkm_core.infrastructure.persistence.models import KeywordRow, NoteKeywordRow, NoteRow
from pkm_core.infrastructure.persistence.note_sql import LIVE, filtered_note_ids, project_subtree
from pkm_core.infrastructure.persistence.search_syntax import (
    NoteTest,
    restricted,
    syntax_clauses,
)

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


# ---------------------------------------------------------- how a statement tests it


class FilterWay(Enum):
    """How a search meets its filter, chosen from the filter's size (`filter_way`)."""

    PLAIN = "plain"  # tested as the filter's own subquery (size unknown or mid-sized)
    EXACT = "exact"  # few notes: every chunk of theirs is scored, no HNSW
    HASHED = "hashed"  # large: materialized once, hashed, tested on what the search reaches
    PROBED = "probed"  # most notes: one index probe per chunk or posting reached


def filter_way(
    passing: int, share: float | None, exact_limit: int, large: int, probe_share: float
) -> FilterWay:
    """The way for a filter passing `passing` notes (counted up to max(exact_limit,
    large) + 1) and, when more than `exact_limit`, an estimated `share` of the notes."""
    if passing <= exact_limit:
        return FilterWay.EXACT
    if share is not None and share > probe_share:
        return FilterWay.PROBED
    return FilterWay.HASHED if passing > large else FilterWay.PLAIN


SAMPLE = 256  # notes a filter's share is estimated on (standard error <= 3 points)
_GOLDEN = 0.6180339887498949


def sampled_share(filtered: Select[Any]) -> ColumnElement[Any]:
    """The share of live notes passing `filtered`, estimated on SAMPLE note ids spread over
    the id range by a golden-ratio sequence (no period for a pattern in the ids to fall
    in step with): ~2 index probes a sample, where counting 30,000 notes read 30,000
    index tuples (4 ms at 100k notes, machine shared). The same sample every time."""
    bounds = select(func.min(NoteRow.id).label("lo"), func.max(NoteRow.id).label("hi")).subquery()
    step = func.generate_series(1, SAMPLE).table_valued("i").render_derived("sample_step")
    spread = step.c.i * _GOLDEN - func.floor(step.c.i * _GOLDEN)  # in [0, 1)
    ids = (
        select(
            (
                bounds.c.lo + cast(func.floor(spread * (bounds.c.hi - bounds.c.lo + 1)), BigInteger)
            ).label("id")
        )
        .select_from(bounds)
        .join(step, true())
        .subquery("sampled_ids")
    )
    live = select(NoteRow.id).where(NoteRow.id == ids.c.id, LIVE).exists()
    passes = case((_probed(filtered)(ids.c.id), 1.0), else_=0.0)
    return select(func.avg(passes)).select_from(ids).where(live).scalar_subquery()


@dataclass(frozen=True)
class FilterTests:
    """A filter as one statement's parts test it: `scored` (EXACT: the notes whose chunks
    are all scored), `chunk` (on each chunk the HNSW scan reaches) and `note` (on each
    posting the keyword walk reads, and on an exact title match)."""

    scored: CTE | None = None
    chunk: NoteTest | None = None
    note: NoteTest | None = None


def _in(filtered: CTE) -> NoteTest:
    return lambda note_id: note_id.in_(select(filtered.c.id))


def _hashed_in(filtered: CTE) -> NoteTest:
    # `IS TRUE` keeps the planner from pulling the IN up into a join: as a join it trusts
    # its estimate of the filter (a tag of 10,000 notes estimated at 1,942) and scores every
    # chunk of the filter's notes instead of walking HNSW (450 ms against ~60 ms at 100k
    # notes), or scans the whole filter once per query term (docs/PERFORMANCE.md).
    return lambda note_id: note_id.in_(select(filtered.c.id)).is_(true())


def _probed(filtered: Select[Any]) -> NoteTest:
    """EXISTS (the filter's SELECT for this one note): a primary-key probe of notes or of
    note_keywords. `IS TRUE`, as above, keeps it from becoming a join over the filter."""
    column = filtered.selected_columns[0]
    key = column.element if isinstance(column, Label) else column
    # OFFSET 0: PostgreSQL would otherwise turn the EXISTS into a hashed `= ANY` over the
    # whole filter (60,000 ids read and hashed, per side), which is what probing avoids.
    return lambda note_id: filtered.where(key == note_id).offset(0).exists().is_(true())


def filter_tests(filtered: Select[Any] | None, way: FilterWay) -> FilterTests:
    """The tests of `filtered` (the filter's `SELECT id`) the way `way` says."""
    if filtered is None:
        return FilterTests()
    if way is FilterWay.PROBED:
        probe = _probed(filtered)
        return FilterTests(chunk=probe, note=probe)
    # Computed once per statement and shared by both sides of a hybrid search (the planner
    # cannot estimate a project subtree, and would otherwise test it on every posting).
    shared = filtered.cte("filtered_notes").prefix_with("MATERIALIZED")
    if way is FilterWay.EXACT:
        return FilterTests(scored=shared, note=_in(shared))
    if way is FilterWay.HASHED:
        return FilterTests(chunk=_hashed_in(shared), note=_hashed_in(shared))
    # The iterative HNSW scan tests each chunk it reaches against the filter's own
    # subquery (a primary-key probe of notes): against the materialized CTE the planner
    # hashes it and scores every chunk of the collection instead (307 ms against 20-60 ms
    # at 100k notes with a 10-60 % project filter, docs/PERFORMANCE.md).
    return FilterTests(chunk=lambda note_id: note_id.in_(filtered), note=_in(shared))
