"""Indexing on save: change detection and the embedding model on record."""

from __future__ import annotations

import pytest

from pkm_core.application.use_cases.index import (
    check_embedding_model,
    ensure_embedding_model,
    index_status,
    reindex,
)
from pkm_core.application.use_cases.notes import create_note, update_note
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.note import NoteDraft
from tests.fakes import FakeEmbedder, FakeUnitOfWork


class UnloadedEmbedder(FakeEmbedder):
    """An embedder whose model is not loaded: asking its dimension would load it."""

    loads = 0

    @property
    def is_loaded(self) -> bool:
        return False

    @property
    def dimension(self) -> int:
        type(self).loads += 1
        return super().dimension


def test_an_unchanged_save_embeds_nothing_and_a_new_title_embeds_every_chunk(
    fake_embedder: FakeEmbedder,
) -> None:
    uow = FakeUnitOfWork()
    body = "# A\nfirst\n# B\nsecond"
    note = create_note(uow, fake_embedder, NoteDraft(title="Doc", body=body))
    fake_embedder.calls.clear()
    note = update_note(uow, fake_embedder, note.id, NoteDraft(title="Doc", body=body), 1)
    assert fake_embedder.calls == []
    update_note(uow, fake_embedder, note.id, NoteDraft(title="Renamed", body=body), 2)
    assert fake_embedder.calls == ["Renamed\nA\nfirst", "Renamed\nB\nsecond"]


def test_the_first_save_records_the_model(fake_embedder: FakeEmbedder) -> None:
    uow = FakeUnitOfWork()
    create_note(uow, fake_embedder, NoteDraft(title="First"))
    assert uow.index.recorded_model() == ("fake-bag-of-words", 384)


def test_a_save_with_another_model_is_refused_and_stores_nothing() -> None:
    uow = FakeUnitOfWork()
    create_note(uow, FakeEmbedder(model_name="model-a"), NoteDraft(title="First"))
    with pytest.raises(EmbeddingModelMismatch, match="kairos reindex"):
        create_note(uow, FakeEmbedder(model_name="model-b"), NoteDraft(title="Second"))
    assert uow.rolled_back == 1


def test_model_names_match_with_or_without_the_hub_prefix() -> None:
    uow = FakeUnitOfWork()
    create_note(uow, FakeEmbedder(model_name="all-MiniLM-L6-v2"), NoteDraft(title="A"))
    ensure_embedding_model(uow, FakeEmbedder(model_name="sentence-transformers/all-minilm-l6-v2"))


def test_the_start_up_check_loads_no_model_for_a_matching_name() -> None:
    uow = FakeUnitOfWork()
    uow.index.record_model("fake-bag-of-words", 384)
    UnloadedEmbedder.loads = 0
    check_embedding_model(uow, UnloadedEmbedder())
    assert UnloadedEmbedder.loads == 0


def test_the_start_up_check_leaves_a_fresh_database_to_the_first_save() -> None:
    uow = FakeUnitOfWork()
    UnloadedEmbedder.loads = 0
    check_embedding_model(uow, UnloadedEmbedder())
    assert (uow.index.recorded_model(), UnloadedEmbedder.loads) == (None, 0)


def test_ensuring_the_model_records_it_on_an_empty_database_with_its_dimension() -> None:
    uow = FakeUnitOfWork()
    ensure_embedding_model(uow, FakeEmbedder(dimension=16, model_name="small"))
    assert uow.index.recorded_model() == ("small", 16)
    assert uow.index.vector_dimension() == 16


def test_the_start_up_check_refuses_another_model_with_a_clear_message() -> None:
    uow = FakeUnitOfWork()
    uow.index.record_model("model-a", 384)
    with pytest.raises(EmbeddingModelMismatch) as error:
        check_embedding_model(uow, FakeEmbedder(dimension=16, model_name="model-b"))
    assert "“model-a” (384 dimensions)" in str(error.value)
    assert "“model-b” (16 dimensions)" in str(error.value)


def test_index_status_counts_and_compares_the_model(fake_embedder: FakeEmbedder) -> None:
    uow = FakeUnitOfWork()
    create_note(uow, fake_embedder, NoteDraft(title="A", body="x"))
    status = index_status(uow, "another-model")
    assert (status.notes, status.chunks, status.notes_without_vectors) == (1, 1, 0)
    assert (status.recorded_model, status.recorded_dimension) == ("fake-bag-of-words", 384)
    assert not status.model_matches
    assert index_status(FakeUnitOfWork(), "anything").model_matches


def test_reindexing_with_a_new_model_re_embeds_every_note_and_reports_progress(
    fake_embedder: FakeEmbedder,
) -> None:
    uow = FakeUnitOfWork()
    for i in range(5):
        create_note(uow, fake_embedder, NoteDraft(title=f"Note {i}", body=f"text {i}"))
    new_model = FakeEmbedder(dimension=16, model_name="new-model")
    progress: list[tuple[int, int]] = []
    done = reindex(lambda: uow, new_model, lambda d, t: progress.append((d, t)), batch_size=2)
    assert done == 5
    assert progress == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert uow.index.recorded_model() == ("new-model", 16)
    assert all(len(v or []) == 16 for v in uow.notes.note_vectors.values())
    ensure_embedding_model(uow, new_model)  # the new model is now the one on record
