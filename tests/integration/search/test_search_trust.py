"""Search people can trust, with the real model on the labelled short notes: the right
note first in a small corpus, weak neighbours marked, exact titles first, query syntax,
related notes that say why and remember pins and hides."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.notes import create_note
from pkm_core.application.use_cases.related import (
    hidden_related,
    hide_related,
    pin_related,
    related_notes,
    related_to_text,
    unhide_related,
)
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder
from pkm_core.infrastructure.persistence import migrate
from pkm_core.infrastructure.persistence.engines import dispose_all
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.integration.search.conftest import UowFactory
from tests.scratch_server import ScratchServer

pytestmark = pytest.mark.model

DATA = json.loads(
    (Path(__file__).resolve().parents[2] / "data" / "short_notes.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def model() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")


@pytest.fixture(scope="module")
def uow(test_server: ScratchServer) -> Iterator[UowFactory]:
    """One database for the module: the 26 notes are embedded once (tests that pin, hide
    or add a note undo it or touch nothing the others look at)."""
    name = f"kairos_trust_{uuid.uuid4().hex[:8]}"
    urls = test_server.create_database(name)
    migrate.upgrade(urls.sync_url)
    yield lambda: SyncSQLAlchemyUnitOfWork(urls.sync_url)
    dispose_all()
    test_server.drop_database(name)


@pytest.fixture(scope="module")
def notes(uow: UowFactory, model: SentenceTransformerEmbedder) -> dict[str, int]:
    return {
        n["title"]: create_note(
            uow(),
            model,
            NoteDraft(title=n["title"], body=n["body"], keywords=tuple(n["keywords"])),
        ).id
        for n in DATA["notes"]
    }


def titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.title for h in hits]


def test_in_a_small_corpus_a_common_word_does_not_beat_the_meaning(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    query = "paying the government every spring"
    hybrid = titles(search_notes(uow(), model, query, SearchMode.HYBRID))
    semantic = titles(search_notes(uow(), model, query, SearchMode.SEMANTIC))
    taxes = {"Tax filing deadlines", "Quarterly estimated payments"}
    assert semantic[0] in taxes and hybrid[0] in taxes
    if "Marathon training plan" in hybrid:  # (it holds "every")
        assert hybrid.index("Tax filing deadlines") < hybrid.index("Marathon training plan")


def test_every_labelled_query_finds_a_relevant_note_first_in_hybrid_search(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    for q in DATA["queries"]:
        hits = search_notes(uow(), model, q["query"], SearchMode.HYBRID)
        assert hits[0].title in q["relevant"], q["query"]
        assert not hits[0].weak


def test_meaning_matches_below_the_floor_are_marked_weak(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    hits = search_notes(uow(), model, "how to make bread at home", SearchMode.SEMANTIC, limit=26)
    strong = [h.title for h in hits if not h.weak]
    assert "Sourdough bread" in strong
    assert "Tax filing deadlines" not in strong
    assert all(h.semantic_score is not None and h.semantic_score < 0.25 for h in hits if h.weak)
    assert [h.weak for h in hits] == sorted(h.weak for h in hits)  # weak ones come last


def test_a_note_whose_title_is_the_query_comes_first_whatever_case_and_accents(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    create_note(uow(), model, NoteDraft(title="Café", body="Notes on espresso and grinders."))
    for mode in (SearchMode.HYBRID, SearchMode.KEYWORD):
        hits = search_notes(uow(), model, "composting", mode)
        assert hits[0].title == "Composting" and hits[0].matched_by[0] == "title"
        assert search_notes(uow(), model, "CAFE", mode)[0].title == "Café"
        # A title no other signal finds still comes first.
        assert search_notes(uow(), model, "sleep HABITS", mode)[0].title == "Sleep habits"


def test_a_quoted_phrase_restricts_and_a_minus_word_excludes(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    for mode in SearchMode:
        phrase = titles(search_notes(uow(), model, '"long run" training', mode))
        assert phrase == ["Marathon training plan"]
        flour = titles(search_notes(uow(), model, "flour -rye", mode, limit=26))
        assert "Feeding the starter" not in flour
        assert "Sourdough bread" in flour


def test_related_notes_blend_links_and_keywords_and_say_why(
    uow: UowFactory, notes: dict[str, int]
) -> None:
    related = related_notes(uow(), notes["Deductible expenses"], limit=4)
    first = related[0]
    assert first.title == "Tax filing deadlines"
    assert first.why is not None and first.why.link == "direct"
    assert "taxes" in first.why.shared_keywords
    assert first.why.passage and first.why.own_passage
    assert first.why.passage_similarity is not None and first.score is not None
    assert first.score > first.similarity  # the link and the keyword add to the meaning
    two_step = [r for r in related_notes(uow(), notes["Quarterly estimated payments"], 8)]
    assert all(r.title != "Quarterly estimated payments" for r in two_step)


def test_a_two_step_link_names_the_note_in_between(uow: UowFactory, notes: dict[str, int]) -> None:
    # Deductible expenses -> Tax filing deadlines <- (none); Running shoes -> Marathon plan.
    related = related_notes(uow(), notes["Running shoes"], limit=8)
    marathon = next(r for r in related if r.title == "Marathon training plan")
    assert marathon.why is not None and marathon.why.link == "direct"


def test_pins_and_hides_are_remembered_per_note(uow: UowFactory, notes: dict[str, int]) -> None:
    bread, tax, starter = (
        notes["Sourdough bread"],
        notes["Tax filing deadlines"],
        notes["Feeding the starter"],
    )
    pin_related(uow(), bread, tax)
    hide_related(uow(), bread, starter)
    related = related_notes(uow(), bread, limit=5)
    assert related[0].title == "Tax filing deadlines" and related[0].pinned
    assert "Feeding the starter" not in titles(related)
    assert hidden_related(uow(), bread) == [(starter, "Feeding the starter")]
    # Another note's list is untouched.
    assert "Sourdough bread" in titles(related_notes(uow(), starter, limit=5))
    unhide_related(uow(), bread, starter)
    unhide_related(uow(), bread, tax)
    related = related_notes(uow(), bread, limit=5)
    assert "Feeding the starter" in titles(related)
    assert not any(r.pinned for r in related)


def test_unrelated_notes_are_weak_beside_a_draft(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    related = related_to_text(uow(), model, "Rye bread", "A dense loaf with rye flour", 26)
    strong = [r.title for r in related if not r.weak]
    assert "Sourdough bread" in strong
    assert "Tax filing deadlines" not in strong


def test_notes_beside_a_draft_say_why_as_beside_a_saved_note(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    stored = next(n for n in DATA["notes"] if n["title"] == "Tax filing deadlines")
    body = stored["body"] + "\n\nWhat is left after paying goes into the [[Monthly budget]]."
    related = related_to_text(
        uow(),
        model,
        "Tax filing deadlines",  # the note being edited: its backlinks count as links
        body,
        26,
        exclude_note_id=notes["Tax filing deadlines"],
        keywords=["Taxes", "admin", "half-typed,"],
    )
    by_title = {r.title: r for r in related}
    assert "Tax filing deadlines" not in by_title
    budget = by_title["Monthly budget"].why  # a link the draft contains
    assert budget is not None and budget.link == "direct" and budget.shared_keywords == ("admin",)
    deductible = by_title["Deductible expenses"]  # it links to the draft's title
    assert deductible.why is not None and deductible.why.link == "direct"
    assert deductible.why.shared_keywords == ("taxes",) and not deductible.weak
    assert deductible.score is not None and deductible.score > deductible.similarity
    for item in related[:3]:  # the closest passages, chunk to chunk
        assert item.why is not None and item.why.passage and item.why.own_passage
        assert item.why.passage_similarity is not None
    two_step = [r for r in related if r.why is not None and r.why.link == "two-step"]
    assert all(r.why is not None and r.why.via for r in two_step)
