"""When an import defers the vector indexes, and that the last import builds them."""

from __future__ import annotations

from pkm_core.application.vector_indexes import (
    DEFAULT_DEFERRAL,
    begin_deferral,
    end_deferral,
    restore_vector_indexes,
)
from tests.fakes import VECTOR_INDEXES, FakeUnitOfWork


def test_an_import_defers_from_a_thousand_new_notes_and_as_many_as_are_stored() -> None:
    assert DEFAULT_DEFERRAL.defers(1000, 0)
    assert DEFAULT_DEFERRAL.defers(10_000, 10_000)
    assert not DEFAULT_DEFERRAL.defers(999, 0)
    assert not DEFAULT_DEFERRAL.defers(5000, 5001)


def test_the_indexes_are_dropped_once_and_built_by_the_last_of_two_imports() -> None:
    uow = FakeUnitOfWork()
    assert begin_deferral(lambda: uow, 2000, 0, DEFAULT_DEFERRAL)
    assert uow.index.missing_vector_indexes() == list(VECTOR_INDEXES)
    assert begin_deferral(lambda: uow, 3000, 0, DEFAULT_DEFERRAL)
    assert restore_vector_indexes(lambda: uow) == []  # a deferral is under way
    assert end_deferral(lambda: uow) == []
    assert uow.index.missing_vector_indexes() == list(VECTOR_INDEXES)
    built = end_deferral(lambda: uow)
    assert [name for name, _seconds in built] == list(VECTOR_INDEXES)
    assert uow.index.missing_vector_indexes() == []


def test_an_import_that_does_not_defer_builds_an_index_left_missing_first() -> None:
    uow = FakeUnitOfWork()
    uow.index.vector_indexes.discard(VECTOR_INDEXES[0])
    assert not begin_deferral(lambda: uow, 10, 0, DEFAULT_DEFERRAL)
    assert uow.index.missing_vector_indexes() == []


def test_a_build_that_fails_at_start_up_is_logged_and_start_up_goes_on() -> None:
    uow = FakeUnitOfWork()
    uow.index.vector_indexes.clear()

    def refuse(name: str) -> None:
        raise RuntimeError("out of memory")

    uow.index.create_vector_index = refuse  # type: ignore[method-assign]
    assert restore_vector_indexes(lambda: uow) == []
    assert uow.index.missing_vector_indexes() == list(VECTOR_INDEXES)
