"""The sync Unit of Work (psycopg2) on a real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from pkm_core.application.dto import ChunkRecord, NoteFilter, PageRequest, SortOrder
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.errors import (
    DuplicateTitle,
    NoteNotFound,
    StorageUnavailable,
    VersionConflict,
)
from pkm_core.domain.note import NoteDraft
from pkm_core.domain.project import Project
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork

pytestmark = pytest.mark.usefixtures("clean_database")


def draft(title: str, body: str = "some body", **extra: object) -> NoteDraft:
    return NoteDraft(title=title, body=body, **extra)


def test_a_note_is_created_read_updated_and_deleted(clean_database: DatabaseUrls) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        note = uow.notes.add(draft("First", "hello", keywords=("Ideas", "work")))
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        read = uow.notes.get(note.id)
    assert read is not None
    assert (read.title, read.body, read.keywords, read.version) == (
        "First",
        "hello",
        ("ideas", "work"),
        1,
    )

    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        updated = uow.notes.update(note.id, draft("First", "changed", keywords=("work",)), 1)
    assert (updated.body, updated.keywords, updated.version) == ("changed", ("work",), 2)
    assert updated.updated_at > note.updated_at

    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.delete(note.id, expected_version=2)
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        assert uow.notes.get(note.id) is None
        assert uow.notes.count() == 0


def test_a_clean_exit_commits(clean_database: DatabaseUrls) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.add(draft("Kept"))
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        assert uow.notes.get_by_title("kept") is not None


def test_an_exception_in_the_block_rolls_back(clean_database: DatabaseUrls) -> None:
    with pytest.raises(RuntimeError), SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.add(draft("Lost"))
        raise RuntimeError("boom")
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        assert uow.notes.count() == 0


def test_an_explicit_commit_survives_a_later_exception(clean_database: DatabaseUrls) -> None:
    with pytest.raises(RuntimeError), SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.add(draft("Committed"))
        uow.commit_sync()
        uow.notes.add(draft("Rolled back"))
        raise RuntimeError("boom")
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        assert uow.notes.get_by_title("Committed") is not None
        assert uow.notes.get_by_title("Rolled back") is None


def test_two_units_of_work_do_not_see_each_others_uncommitted_work(
    clean_database: DatabaseUrls,
) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as writer:
        writer.notes.add(draft("Pending"))
        with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as reader:
            assert reader.notes.get_by_title("Pending") is None
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as reader:
        assert reader.notes.get_by_title("Pending") is not None


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(clean_database: DatabaseUrls) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        note = uow.notes.add(draft("Shared", "original"))
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.update(note.id, draft("Shared", "first tab"), note.version)
    with (
        pytest.raises(VersionConflict, match="changed elsewhere"),
        SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow,
    ):
        uow.notes.update(note.id, draft("Shared", "second tab"), note.version)
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        current = uow.notes.get(note.id)
    assert current is not None
    assert (current.body, current.version) == ("first tab", 2)


def test_deleting_a_missing_note_says_so(clean_database: DatabaseUrls) -> None:
    with pytest.raises(NoteNotFound), SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.delete(999)


def test_a_duplicate_title_is_refused_whatever_its_case(clean_database: DatabaseUrls) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.add(draft("Reading list"))
    with pytest.raises(DuplicateTitle), SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        uow.notes.add(draft("reading LIST"))


def test_the_vector_column_round_trips(clean_database: DatabaseUrls) -> None:
    vector = [((i % 7) - 3) / 10 for i in range(384)]
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        note = uow.notes.add(draft("Vectors"))
        uow.notes.replace_chunks(note.id, [ChunkRecord(0, "some body", "h0", vector)], vector)
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        (chunk,) = uow.notes.chunks(note.id)
        nearest = uow.notes.nearest_chunks(vector, k=1)
    assert chunk.embedding == pytest.approx(vector, abs=1e-6)
    assert nearest[0].note_id == note.id
    assert nearest[0].score == pytest.approx(1.0, abs=1e-5)


def test_listing_filters_by_keyword_project_and_date_and_pages(
    clean_database: DatabaseUrls,
) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        parent = uow.catalog.add_project(Project(name="Research"))
        child = uow.catalog.add_project(Project(name="Thesis", parent_id=parent.id))
        for i in range(5):
            uow.notes.add(draft(f"Note {i}", keywords=("even",) if i % 2 == 0 else ()))
        uow.notes.add(draft("In thesis", project_id=child.id))
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        even = uow.notes.list(NoteFilter(keywords=("even",)), PageRequest(1, 10))
        research = uow.notes.list(NoteFilter(project_id=parent.id), PageRequest(1, 10))
        page2 = uow.notes.list(NoteFilter(), PageRequest(2, 4), SortOrder.TITLE)
        all_notes = uow.notes.list(NoteFilter(), PageRequest(1, 10))
        latest = all_notes.items[0].updated_at
        future = uow.notes.list(
            NoteFilter(created_from=latest.replace(year=latest.year + 1)), PageRequest()
        )
    assert even.total == 3
    assert [n.title for n in research.items] == ["In thesis"]  # nested project counts
    assert (page2.total, page2.pages, [n.title for n in page2.items]) == (
        6,
        2,
        ["Note 3", "Note 4"],
    )
    assert future.total == 0


def test_the_keyword_index_follows_every_write_in_the_same_transaction(
    clean_database: DatabaseUrls,
) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        note = uow.notes.add(draft("Gardening", "tomatoes need sun"))
        assert [r.note_id for r in uow.notes.keyword_rank("tomato", 5)] == [note.id]
        uow.notes.update(note.id, draft("Gardening", "peppers need sun"), note.version)
        assert uow.notes.keyword_rank("tomatoes", 5) == []
        uow.notes.delete(note.id)
        assert uow.notes.keyword_rank("peppers", 5) == []
        stats = uow.session.execute(text("SELECT doc_count FROM bm25_stats")).scalar_one()
        postings = uow.session.execute(text("SELECT count(*) FROM bm25_postings")).scalar_one()
    assert (stats, postings) == (0, 0)


def test_an_unreachable_database_is_one_clear_sentence(tmp_path: object) -> None:
    url = f"postgresql+psycopg2://postgres@/kairos?host={tmp_path}/no-server-here"
    with (
        pytest.raises(StorageUnavailable, match="cannot be reached"),
        SyncSQLAlchemyUnitOfWork(url) as uow,
    ):
        uow.notes.count()
