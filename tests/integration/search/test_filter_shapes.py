"""Filtered searches: the statement is built once per filter shape (the filter's values are
parameters), a filter of tags alone is read from note_keywords without a liveness test,
and every way of meeting a filter (search_filter.FilterWay) finds the same notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import event

from pkm_core.application.dto import DEFAULT_TUNING, NoteFilter, SearchMode, SearchTuning
from pkm_core.application.use_cases.catalog import create_project
from pkm_core.application.use_cases.notes import delete_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence import search_queries
from pkm_core.infrastructure.persistence.engines import sync_engine
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]
EXACT = replace(DEFAULT_TUNING, exact_filter_limit=1_000_000)
# Through HNSW: the filter tested as its own subquery (no share of the notes is "most")...
PLAIN = replace(DEFAULT_TUNING, exact_filter_limit=0, probe_filter_share=1.0)
# ... or probed by index for each chunk and posting reached (every share is "most").
PROBED = replace(DEFAULT_TUNING, exact_filter_limit=0, probe_filter_share=0.0)
WAYS = ["exact", "plain", "hashed", "probed"]


@pytest.fixture(params=WAYS)
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> SearchTuning:
    """A tuning that makes searches meet their filter one way (hashed: any filter of a
    note or more counts as large, as one of over 1,000 notes does)."""
    if request.param == "hashed":
        monkeypatch.setattr(search_queries, "LARGE_FILTER", 0)
        return PLAIN
    return {"exact": EXACT, "plain": PLAIN, "probed": PROBED}[request.param]


def titles(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.title for h in hits}


@pytest.fixture
def garden(add: AddNote, uow: UowFactory) -> None:
    add("Bees and clover", "bees pollinate clover", keywords=("insects", "plants"))
    add("Bees alone", "bees pollinate orchards", keywords=("insects",))
    add("Clover alone", "clover and bees in the meadow", keywords=("plants",))
    gone = add("Bees trashed", "bees pollinate the garden", keywords=("insects", "plants"))
    delete_note(uow(), gone.id)


@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_filter_of_several_tags_finds_the_live_notes_carrying_all_of_them(
    uow: UowFactory,
    fake_embedder: FakeEmbedder,
    garden: None,
    mode: SearchMode,
    way: SearchTuning,
) -> None:
    def found(*tags: str) -> set[str]:
        filters = NoteFilter(keywords=tags)
        return titles(search_notes(uow(), fake_embedder, "bees", mode, filters, tuning=way))

    assert found("insects", "plants") == {"Bees and clover"}
    assert found("plants", "insects", "plants") == {"Bees and clover"}  # a tag given twice
    assert found("insects") == {"Bees and clover", "Bees alone"}
    assert found("no-such-tag") == set()
    assert found("insects", "no-such-tag") == set()


@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_tag_filter_keeps_the_query_s_excluded_words_and_phrases(
    uow: UowFactory, fake_embedder: FakeEmbedder, garden: None, mode: SearchMode, way: SearchTuning
) -> None:
    filters = NoteFilter(keywords=("insects",))
    hits = search_notes(uow(), fake_embedder, "bees -orchards", mode, filters, tuning=way)
    assert titles(hits) == {"Bees and clover"}
    hits = search_notes(uow(), fake_embedder, '"pollinate orchards"', mode, filters, tuning=way)
    assert titles(hits) == {"Bees alone"}


@pytest.mark.parametrize("mode", [SearchMode.SEMANTIC, SearchMode.HYBRID])
def test_project_and_date_filters_find_the_same_notes_every_way(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder, mode: SearchMode, way: SearchTuning
) -> None:
    meadow = create_project(uow(), "Meadow")
    early = add("Bees in the meadow", "bees pollinate clover", project_id=meadow.id)
    add("Bees late in the meadow", "bees pollinate thyme", project_id=meadow.id)
    add("Bees in the orchard", "bees pollinate apples")
    gone = add("Bees trashed", "bees pollinate the garden", project_id=meadow.id)
    delete_note(uow(), gone.id)

    def found(filters: NoteFilter) -> set[str]:
        return titles(search_notes(uow(), fake_embedder, "bees", mode, filters, tuning=way))

    in_meadow = {"Bees in the meadow", "Bees late in the meadow"}
    assert found(NoteFilter(project_id=meadow.id)) == in_meadow
    assert found(NoteFilter(created_to=early.created_at)) == {"Bees in the meadow"}
    both = NoteFilter(project_id=meadow.id, created_from=early.created_at)
    assert found(both) == in_meadow


def test_a_filter_passing_most_notes_is_probed_per_chunk_and_posting_not_materialized(
    uow: UowFactory, fake_embedder: FakeEmbedder, garden: None, clean_database: DatabaseUrls
) -> None:
    engine = sync_engine(clean_database.sync_url)
    statements: list[tuple[str, object]] = []
    listener = lambda *args: statements.append((args[2], args[3]))  # noqa: E731
    filters = NoteFilter(keywords=("insects",))  # 2 of the 3 live notes
    event.listen(engine, "before_cursor_execute", listener)
    try:
        tuning = replace(DEFAULT_TUNING, exact_filter_limit=0)  # the default share, 0.4
        hits = search_notes(uow(), fake_embedder, "bees", SearchMode.HYBRID, filters, tuning=tuning)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert titles(hits) == {"Bees and clover", "Bees alone"}
    search, params = next((s, p) for s, p in statements if "nearest_chunks" in s)
    assert "filtered_notes" not in search
    assert "note_keywords.note_id = note_chunks.note_id" in search
    assert "note_keywords.note_id = bm25_postings.note_id" in search
    # PostgreSQL may turn a correlated EXISTS into a hashed `= ANY` of the whole filter,
    # which is what probing is for not doing.
    with engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # as the search's own setup does
        lines = list(conn.exec_driver_sql("EXPLAIN " + search, params).scalars())
    scans = [i for i, line in enumerate(lines) if " on note_keywords" in line]
    assert scans
    for i in scans:  # each reads one note's tags, never the whole tag's notes
        condition = next(line for line in lines[i + 1 : i + 4] if "Index Cond" in line)
        assert "note_id = " in condition


@pytest.mark.parametrize("mode", list(SearchMode))
def test_filters_of_the_same_shape_send_the_same_statement_with_other_values(
    uow: UowFactory,
    add: AddNote,
    fake_embedder: FakeEmbedder,
    clean_database: DatabaseUrls,
    mode: SearchMode,
) -> None:
    north = create_project(uow(), "North")
    south = create_project(uow(), "South")
    add("Bees up north", "bees pollinate heather", project_id=north.id, keywords=("insects",))
    add("Bees down south", "bees pollinate lavender", project_id=south.id, keywords=("insects",))

    engine = sync_engine(clean_database.sync_url)

    def search(project_id: int) -> tuple[set[str], list[str]]:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            filters = NoteFilter(keywords=("insects",), project_id=project_id)
            hits = search_notes(uow(), fake_embedder, "bees", mode, filters)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return titles(hits), statements

    north_hits, north_statements = search(north.id)
    south_hits, south_statements = search(south.id)
    assert north_hits == {"Bees up north"}
    assert south_hits == {"Bees down south"}
    assert north_statements == south_statements  # the values went as parameters
    assert any("%(filter_project)s" in s for s in north_statements)
