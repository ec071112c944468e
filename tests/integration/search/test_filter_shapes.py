"""Filtered searches: the statement is built once per filter shape (the filter's values are
parameters), and a filter of tags alone is read from note_keywords without a liveness test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import event

from pkm_core.application.dto import DEFAULT_TUNING, NoteFilter, SearchMode
from pkm_core.application.use_cases.catalog import create_project
from pkm_core.application.use_cases.notes import delete_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.engines import sync_engine
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]
EXACT = replace(DEFAULT_TUNING, exact_filter_limit=1_000_000)
THROUGH_HNSW = replace(DEFAULT_TUNING, exact_filter_limit=0)


def titles(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {h.title for h in hits}


@pytest.fixture
def garden(add: AddNote, uow: UowFactory) -> None:
    add("Bees and clover", "bees pollinate clover", keywords=("insects", "plants"))
    add("Bees alone", "bees pollinate orchards", keywords=("insects",))
    add("Clover alone", "clover and bees in the meadow", keywords=("plants",))
    gone = add("Bees trashed", "bees pollinate the garden", keywords=("insects", "plants"))
    delete_note(uow(), gone.id)


@pytest.mark.parametrize("tuning", [EXACT, THROUGH_HNSW], ids=["exact", "hnsw"])
@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_filter_of_several_tags_finds_the_live_notes_carrying_all_of_them(
    uow: UowFactory,
    fake_embedder: FakeEmbedder,
    garden: None,
    mode: SearchMode,
    tuning: object,
) -> None:
    def found(*tags: str) -> set[str]:
        filters = NoteFilter(keywords=tags)
        return titles(search_notes(uow(), fake_embedder, "bees", mode, filters, tuning=tuning))

    assert found("insects", "plants") == {"Bees and clover"}
    assert found("plants", "insects", "plants") == {"Bees and clover"}  # a tag given twice
    assert found("insects") == {"Bees and clover", "Bees alone"}
    assert found("no-such-tag") == set()
    assert found("insects", "no-such-tag") == set()


@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_tag_filter_keeps_the_query_s_excluded_words_and_phrases(
    uow: UowFactory, fake_embedder: FakeEmbedder, garden: None, mode: SearchMode
) -> None:
    filters = NoteFilter(keywords=("insects",))
    hits = search_notes(uow(), fake_embedder, "bees -orchards", mode, filters)
    assert titles(hits) == {"Bees and clover"}
    hits = search_notes(uow(), fake_embedder, '"pollinate orchards"', mode, filters)
    assert titles(hits) == {"Bees alone"}


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
