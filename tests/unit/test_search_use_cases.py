"""Search use cases against fakes: modes, filters, paging, snippets, related notes."""

from __future__ import annotations

import pytest

from pkm_core.application.dto import NoteFilter, SearchMode
from pkm_core.application.use_cases.notes import create_note
from pkm_core.application.use_cases.search import related_notes, related_to_text, search_notes
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.note import NoteDraft
from tests.fakes import FakeEmbedder, FakeUnitOfWork

NOTES = {
    "Sourdough": "flour water salt and a lively starter",
    "Tomatoes": "tomatoes need sun water and patience",
    "Espresso": "fine grind hot water pressure crema",
    "Compost": "kitchen scraps become soil that feeds tomatoes in the sun",
}


@pytest.fixture
def uow(fake_embedder: FakeEmbedder) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for title, body in NOTES.items():
        keywords = ("garden",) if title in {"Tomatoes", "Compost"} else ("kitchen",)
        create_note(uow, fake_embedder, NoteDraft(title=title, body=body, keywords=keywords))
    uow.committed = 0
    return uow


@pytest.mark.parametrize("mode", list(SearchMode))
def test_every_mode_finds_the_note_that_matches_best(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder, mode: SearchMode
) -> None:
    hits = search_notes(uow, fake_embedder, "lively starter", mode)
    assert hits[0].title == "Sourdough"
    assert hits[0].mode is mode
    assert uow.committed == 1  # one unit of work


def test_a_hit_says_which_side_matched(uow: FakeUnitOfWork, fake_embedder: FakeEmbedder) -> None:
    (hit, *_) = search_notes(uow, fake_embedder, "crema", SearchMode.HYBRID)
    assert hit.title == "Espresso"
    assert hit.matched_by == ("meaning", "keywords")
    (hit, *_) = search_notes(uow, fake_embedder, "crema", SearchMode.KEYWORD)
    assert hit.matched_by == ("keywords",)


def test_the_snippet_marks_the_query_words(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    (hit, *_) = search_notes(uow, fake_embedder, "patience", SearchMode.SEMANTIC)
    assert hit.snippet == "tomatoes need sun water and patience"
    assert hit.snippet[slice(*hit.highlights[0])] == "patience"


def test_filters_narrow_every_mode(uow: FakeUnitOfWork, fake_embedder: FakeEmbedder) -> None:
    garden = NoteFilter(keywords=("garden",))
    for mode in SearchMode:
        titles = {h.title for h in search_notes(uow, fake_embedder, "water", mode, garden)}
        assert titles == {"Tomatoes", "Compost"} or titles == {"Tomatoes"}


def test_paging_returns_consecutive_slices_of_one_ranking(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    everything = search_notes(uow, fake_embedder, "water tomatoes", limit=10)
    first = search_notes(uow, fake_embedder, "water tomatoes", limit=2)
    second = search_notes(uow, fake_embedder, "water tomatoes", limit=2, offset=2)
    assert [h.note_id for h in first + second] == [h.note_id for h in everything[:4]]


def test_an_empty_query_finds_nothing_without_touching_the_database(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    assert search_notes(uow, fake_embedder, "   ") == []
    assert uow.committed == 0


def test_keyword_search_needs_no_model_but_the_others_do(uow: FakeUnitOfWork) -> None:
    assert search_notes(uow, None, "crema", SearchMode.KEYWORD)[0].title == "Espresso"
    with pytest.raises(ValueError, match="embedding model"):
        search_notes(uow, None, "crema", SearchMode.HYBRID)


def test_related_notes_leave_out_the_note_itself(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    tomatoes = uow.notes.get_by_title("Tomatoes")
    assert tomatoes is not None
    related = related_notes(uow, tomatoes.id)
    assert tomatoes.id not in [r.note_id for r in related]
    assert related[0].title == "Compost"  # shares "tomatoes"
    assert related == sorted(related, key=lambda r: -r.similarity)


def test_related_notes_of_a_missing_note_say_so(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NoteNotFound):
        related_notes(uow, 999)


def test_notes_related_to_a_draft_can_leave_out_the_note_being_edited(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    espresso = uow.notes.get_by_title("Espresso")
    assert espresso is not None
    draft = related_to_text(uow, fake_embedder, "Coffee", "espresso crema grind")
    assert draft[0].title == "Espresso"
    edited = related_to_text(
        uow, fake_embedder, "Espresso", "crema grind", exclude_note_id=espresso.id
    )
    assert espresso.id not in [r.note_id for r in edited]
    assert related_to_text(uow, fake_embedder, " ", "") == []
