"""The model on record, index status and re-indexing on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.index import ensure_embedding_model, index_status, reindex
from pkm_core.application.use_cases.search import related_notes, search_notes
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.note import Note
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]


def test_the_first_save_records_the_model_and_status_reports_it(
    uow: UowFactory, add: AddNote
) -> None:
    assert index_status(uow(), "fake-bag-of-words").recorded_model is None
    add("First", "text")
    status = index_status(uow(), "fake-bag-of-words")
    assert (status.notes, status.chunks, status.notes_without_vectors) == (1, 1, 0)
    assert (status.recorded_model, status.recorded_dimension) == ("fake-bag-of-words", 384)
    assert status.model_matches


def test_another_model_is_refused_until_a_reindex_re_embeds_every_note(
    uow: UowFactory, add: AddNote
) -> None:
    for i in range(5):
        add(f"Note {i}", f"common words and topic{i}")
    small = FakeEmbedder(dimension=16, model_name="small-model")
    with pytest.raises(EmbeddingModelMismatch, match=r"384 dimensions.*16 dimensions"):
        ensure_embedding_model(uow(), small)
    assert not index_status(uow(), "small-model").model_matches

    progress: list[tuple[int, int]] = []
    assert reindex(uow, small, lambda d, t: progress.append((d, t)), batch_size=2) == 5
    assert progress[-1] == (5, 5)
    with uow() as u:
        assert u.index.vector_dimension() == 16
        assert {len(c.embedding or []) for c in u.notes.chunks(1)} == {16}
    status = index_status(uow(), "small-model")
    assert (status.recorded_model, status.recorded_dimension) == ("small-model", 16)
    assert status.notes_without_vectors == 0
    ensure_embedding_model(uow(), small)
    assert search_notes(uow(), small, "topic3", SearchMode.SEMANTIC)[0].title == "Note 3"
    assert len(related_notes(uow(), 1)) == 4
    with pytest.raises(EmbeddingModelMismatch):
        ensure_embedding_model(uow(), FakeEmbedder())  # the old model is now the stranger


def test_a_fresh_database_takes_the_dimension_of_the_first_model(
    clean_database: object, uow: UowFactory
) -> None:
    wide = FakeEmbedder(dimension=512, model_name="wide-model")
    ensure_embedding_model(uow(), wide)
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as u:  # type: ignore[attr-defined]
        assert u.index.vector_dimension() == 512
        assert u.index.recorded_model() == ("wide-model", 512)
    # Put the shared test database back to the default model's dimension.
    reindex(uow, FakeEmbedder())


def test_a_cancelled_reindex_stops_between_batches_and_keeps_what_it_indexed(
    clean_database: object, uow: UowFactory, add: AddNote
) -> None:
    for i in range(5):
        add(f"Note {i}", f"common words and topic{i}")
    small = FakeEmbedder(dimension=16, model_name="small-model")
    progress: list[tuple[int, int]] = []
    done = reindex(
        uow,
        small,
        lambda d, t: progress.append((d, t)),
        batch_size=2,
        should_cancel=lambda: len(progress) > 1,  # after the first batch's commit
    )
    assert (done, progress) == (2, [(0, 5), (2, 5)])
    status = index_status(uow(), "small-model")
    assert (status.recorded_model, status.notes_without_vectors) == ("small-model", 3)
    assert reindex(uow, small) == 5  # run again: every note is indexed
    assert index_status(uow(), "small-model").notes_without_vectors == 0
    reindex(uow, FakeEmbedder())  # the shared test database back to the default model
