"""Semantic (HNSW over chunks), hybrid (fused in SQL), filters and paging on PostgreSQL.

The fake embedder is a bag of words: notes sharing words with the query are near it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from pkm_core.application.dto import DEFAULT_TUNING, NoteFilter, SearchMode
from pkm_core.application.fusion import fuse
from pkm_core.application.use_cases.catalog import create_project
from pkm_core.application.use_cases.notes import delete_note
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.note import Note
from pkm_core.domain.snippet import Snippet
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]
EXACT = replace(DEFAULT_TUNING, exact_filter_limit=1_000_000)  # filtered: exact kNN
THROUGH_HNSW = replace(DEFAULT_TUNING, exact_filter_limit=0)  # filtered: iterative HNSW


def titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.title for h in hits]


def test_a_long_note_is_found_once_with_its_best_chunk_as_snippet(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    filler = " ".join(f"filler{i}" for i in range(200))
    add("Handbook", f"# Intro\n{filler}\n# Bees\nhoney bees swarm in spring\n# End\n{filler}")
    add("Other", "nothing about insects")
    hits = search_notes(uow(), fake_embedder, "honey bees swarm", SearchMode.SEMANTIC)
    assert titles(hits)[0] == "Handbook"
    assert titles(hits).count("Handbook") == 1
    assert Snippet(hits[0].snippet, hits[0].highlights).marked("«", "»") == (
        "«honey» «bees» «swarm» in spring"
    )
    assert hits[0].matched_by == ("meaning",)


@pytest.mark.parametrize("fusion", ["minmax", "rrf"])
def test_hybrid_in_sql_equals_the_python_fusion_of_both_lists(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder, fusion: str
) -> None:
    for i in range(30):
        add(f"Note {i}", f"topic{i % 5} word{i % 7} shared{i % 3} extra{i}")
    tuning = replace(DEFAULT_TUNING, fusion=fusion, candidates=12)
    query = "topic1 word3 shared2"
    vector = fake_embedder.embed_query(query)
    with uow() as u:
        semantic = u.notes.nearest_chunks(vector, 12, tuning=tuning)
        keyword = u.notes.keyword_rank(query, 12, tuning=tuning)
        hybrid = u.notes.hybrid_rank(vector, query, 12, tuning=tuning)
    expected = fuse(semantic, keyword, tuning, notes=30)[:12]
    assert len(expected) == 12
    assert [r.note_id for r in hybrid] == [r.note_id for r in expected]
    assert [r.score for r in hybrid] == pytest.approx([r.score for r in expected])
    both = next(r for r in hybrid if r.semantic_score and r.keyword_score)
    assert both.note_id in {r.note_id for r in semantic} & {r.note_id for r in keyword}


def test_hybrid_finds_notes_that_only_one_side_sees(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    add("Pasta", "durum semolina dough")
    add("Bread", "flour water salt")
    hits = search_notes(uow(), fake_embedder, "semolina flour", SearchMode.HYBRID)
    assert set(titles(hits)) == {"Pasta", "Bread"}
    assert all(h.matched_by == ("meaning", "keywords") for h in hits)


@pytest.mark.parametrize("mode", list(SearchMode))
def test_pages_are_consecutive_slices_of_one_ranking(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder, mode: SearchMode
) -> None:
    for i in range(25):
        add(f"Garden {i:02}", f"garden tomatoes {'sun ' * (i % 6)} bed{i}")
    everything = search_notes(uow(), fake_embedder, "garden sun", mode, limit=25)
    pages = [
        search_notes(uow(), fake_embedder, "garden sun", mode, limit=10, offset=offset)
        for offset in (0, 10, 20)
    ]
    assert [h.note_id for page in pages for h in page] == [h.note_id for h in everything]
    assert [len(page) for page in pages] == [10, 10, 5]


@pytest.mark.parametrize("tuning", [EXACT, THROUGH_HNSW], ids=["exact", "hnsw"])
@pytest.mark.parametrize("mode", list(SearchMode))
def test_filters_by_keyword_project_and_date_apply_to_every_mode(
    uow: UowFactory,
    add: AddNote,
    fake_embedder: FakeEmbedder,
    mode: SearchMode,
    tuning: object,
) -> None:
    research = create_project(uow(), "Research")
    thesis = create_project(uow(), "Thesis", parent_id=research.id)
    add("Bees in thesis", "bees pollinate", project_id=thesis.id, keywords=("insects",))
    add("Bees at home", "bees pollinate the garden", keywords=("insects",))
    add("Bees elsewhere", "bees pollinate clover")
    late = add("Bees lately", "bees pollinate orchards", keywords=("insects",))

    def found(filters: NoteFilter) -> set[str]:
        hits = search_notes(uow(), fake_embedder, "bees", mode, filters, tuning=tuning)
        return set(titles(hits))

    assert found(NoteFilter(keywords=("insects",))) == {
        "Bees in thesis",
        "Bees at home",
        "Bees lately",
    }
    assert found(NoteFilter(project_id=research.id)) == {"Bees in thesis"}  # nested project
    assert found(NoteFilter(keywords=("insects",), created_from=late.created_at)) == {"Bees lately"}
    assert found(NoteFilter(created_to=late.created_at - timedelta(days=1))) == set()


@pytest.mark.parametrize("tuning", [EXACT, THROUGH_HNSW], ids=["exact", "hnsw"])
@pytest.mark.parametrize("mode", list(SearchMode))
def test_a_project_filter_reaches_every_depth_of_the_subtree_and_leaves_out_trashed_notes(
    uow: UowFactory,
    add: AddNote,
    fake_embedder: FakeEmbedder,
    mode: SearchMode,
    tuning: object,
) -> None:
    top = create_project(uow(), "Top")
    middle = create_project(uow(), "Middle", parent_id=top.id)
    bottom = create_project(uow(), "Bottom", parent_id=middle.id)
    beside = create_project(uow(), "Beside")
    add("Bees at the top", "bees pollinate", project_id=top.id)
    add("Bees at the bottom", "bees pollinate clover", project_id=bottom.id)
    add("Bees beside", "bees pollinate orchards", project_id=beside.id)
    gone = add("Bees trashed", "bees pollinate the garden", project_id=bottom.id)
    delete_note(uow(), gone.id)

    def found(project_id: int) -> set[str]:
        hits = search_notes(
            uow(), fake_embedder, "bees", mode, NoteFilter(project_id=project_id), tuning=tuning
        )
        return set(titles(hits))

    assert found(top.id) == {"Bees at the top", "Bees at the bottom"}
    assert found(middle.id) == {"Bees at the bottom"}
    assert found(beside.id) == {"Bees beside"}


def test_a_selective_filter_does_not_starve_the_vector_search(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    for i in range(150):
        add(f"Bees {i}", f"bees honey hive number{i}")
    for i in range(4):
        add(f"Far {i}", f"granite basalt quarry stone{i}", keywords=("rocks",))
    filters = NoteFilter(keywords=("rocks",))
    for tuning in (EXACT, THROUGH_HNSW):
        hits = search_notes(
            uow(), fake_embedder, "bees honey hive", SearchMode.SEMANTIC, filters, tuning=tuning
        )
        assert sorted(titles(hits)) == ["Far 0", "Far 1", "Far 2", "Far 3"]


def test_a_search_with_another_model_than_the_one_on_record_is_refused(
    uow: UowFactory, add: AddNote
) -> None:
    add("Saved", "with the fake model")
    other = FakeEmbedder(model_name="another-model")
    with pytest.raises(EmbeddingModelMismatch, match="kairos reindex"):
        search_notes(uow(), other, "saved", SearchMode.HYBRID)
    assert titles(search_notes(uow(), other, "saved", SearchMode.KEYWORD)) == ["Saved"]


def test_hybrid_runs_in_two_statements_once_the_languages_are_known(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    add("Counted", "statements")
    from sqlalchemy import event

    vector = fake_embedder.embed_query("statements")

    def statements_of(filters: NoteFilter) -> tuple[list[Any], list[str]]:
        statements: list[str] = []
        unit = uow()
        with unit:
            engine = unit.session.get_bind()
            listener = lambda *args: statements.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                rows = unit.notes.hybrid_rank(vector, "statements", 10, filters)
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return rows, statements

    statements_of(NoteFilter())  # the languages present are now known to this process
    rows, statements = statements_of(NoteFilter())
    # The HNSW settings (+ model, filter size), then the search, which also reports the
    # languages present in its snapshot.
    assert [r.title for r in rows] == ["Counted"]
    assert len(statements) == 2
    assert "set_config" in statements[0]
    assert "bm25_postings" in statements[1] and "note_chunks" in statements[1]
    assert "text_config" in statements[1]
    # No rows cannot report the languages: they are asked after the search.
    rows, statements = statements_of(NoteFilter(keywords=("x",)))
    assert rows == []
    assert len(statements) == 3
    assert "set_config" in statements[0]
    assert "bm25_postings" in statements[1] and "note_chunks" in statements[1]
    assert "text_config" in statements[2] and "bm25_postings" not in statements[2]
    with uow() as u:
        u.session.execute(text("SELECT 1"))
