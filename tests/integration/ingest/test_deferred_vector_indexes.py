"""A large import drops the HNSW indexes and builds them after its last batch: whatever
happens to the import, they come back as the migrations made them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from pkm_core.application.dto import SearchMode
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.search import search_notes
from pkm_core.application.vector_indexes import DeferralRule, restore_vector_indexes
from pkm_core.bootstrap import DatabaseUrls, build_kairos
from pkm_core.infrastructure.persistence import index_repository
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from pkm_core.infrastructure.readers import FileImportReader
from pkm_core.infrastructure.settings import Settings
from tests.fakes import FakeEmbedder

INDEXES = ("ix_note_chunks_embedding_hnsw", "ix_notes_embedding_hnsw")
EAGER = DeferralRule(min_notes=5)  # small enough for a test vault


def factory(urls: DatabaseUrls) -> Callable[[], SyncSQLAlchemyUnitOfWork]:
    return lambda: SyncSQLAlchemyUnitOfWork(urls.sync_url)


def definitions(urls: DatabaseUrls) -> dict[str, str]:
    with SyncSQLAlchemyUnitOfWork(urls.sync_url) as uow:
        rows = uow.session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
            {"names": list(INDEXES)},
        )
        return {name: definition for name, definition in rows}


def write_vault(root: Path, count: int, start: int = 0) -> Path:
    root.mkdir(exist_ok=True)
    for i in range(start, start + count):
        (root / f"Note {i}.md").write_text(f"# Note {i}\n\nword{i} shared text about topic{i}")
    return root


@pytest.fixture
def migrated(clean_database: DatabaseUrls) -> dict[str, str]:
    """The indexes as migration 0001 defines them (built again first if a failed test left
    one missing, which the definition check then covers)."""
    restore_vector_indexes(factory(clean_database))
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        schema = uow.session.execute(text("SELECT current_schema()")).scalar_one()
    made = definitions(clean_database)
    assert made == {
        name: f"CREATE INDEX {name} ON {schema}.{table} USING hnsw (embedding vector_cosine_ops)"
        for name, table in zip(INDEXES, ("note_chunks", "notes"), strict=True)
    }
    return made


def test_a_large_import_is_searchable_while_deferred_and_ends_with_both_indexes_as_migrated(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    vault = write_vault(tmp_path / "vault", 8)
    during: list[tuple[set[str], list[str], list[str]]] = []

    def progress(done: int, _total: int) -> None:
        if done == 6:  # mid-import; the first batch (notes 0 and 1) is written by now
            uow = factory(clean_database)
            semantic = search_notes(uow(), fake_embedder, "word1 topic1", SearchMode.SEMANTIC)
            hybrid = search_notes(uow(), fake_embedder, "word0 topic0", SearchMode.HYBRID)
            present = set(definitions(clean_database))
            during.append((present, [h.title for h in semantic], [h.title for h in hybrid]))

    report = ingest_path(
        factory(clean_database),
        fake_embedder,
        FileImportReader(),
        vault,
        on_progress=progress,
        batch_size=2,
        deferral=EAGER,
    )

    assert report.created == 8
    assert len(during) == 1
    for present, semantic, hybrid in during:
        assert present == set()
        assert semantic[0] == "Note 1"
        assert hybrid[0] == "Note 0"
    assert definitions(clean_database) == migrated


def test_an_import_that_fails_midway_still_ends_with_both_indexes(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    vault = write_vault(tmp_path / "vault", 8)

    def progress(done: int, _total: int) -> None:
        if done >= 4:
            assert definitions(clean_database) == {}
            raise RuntimeError("the window was closed")

    with pytest.raises(RuntimeError):
        ingest_path(
            factory(clean_database),
            fake_embedder,
            FileImportReader(),
            vault,
            on_progress=progress,
            batch_size=2,
            deferral=EAGER,
        )
    assert definitions(clean_database) == migrated


def test_a_cancelled_import_still_ends_with_both_indexes(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    vault = write_vault(tmp_path / "vault", 8)
    asked: list[set[str]] = []

    def cancel() -> bool:
        asked.append(set(definitions(clean_database)))
        return len(asked) >= 2

    report = ingest_path(
        factory(clean_database),
        fake_embedder,
        FileImportReader(),
        vault,
        batch_size=2,
        should_cancel=cancel,
        deferral=EAGER,
    )
    assert report.cancelled
    assert asked == [set(), set()]
    assert definitions(clean_database) == migrated


def test_a_second_import_during_a_deferral_leaves_the_build_to_the_last_one(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    first = write_vault(tmp_path / "first", 8)
    second = write_vault(tmp_path / "second", 6, start=100)
    after_second: list[set[str]] = []

    def progress(done: int, _total: int) -> None:
        if done == 4 and not after_second:  # another tab starts an import meanwhile
            ingest_path(
                factory(clean_database),
                fake_embedder,
                FileImportReader(),
                second,
                batch_size=2,
                deferral=DeferralRule(min_notes=5, min_share=0.0),
            )
            after_second.append(set(definitions(clean_database)))

    ingest_path(
        factory(clean_database),
        fake_embedder,
        FileImportReader(),
        first,
        on_progress=progress,
        batch_size=2,
        deferral=EAGER,
    )
    assert after_second == [set()]  # the first import was still loading
    assert definitions(clean_database) == migrated


def test_an_import_whose_tables_stay_busy_keeps_its_indexes_and_imports_every_note(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The DROP waits for every open transaction on the table; past its lock timeout (an
    # OperationalError, mapped to StorageUnavailable like a lost server) the import goes
    # on with the indexes in place.
    monkeypatch.setattr(index_repository, "DROP_LOCK_TIMEOUT", "200ms")
    vault = write_vault(tmp_path / "vault", 8)
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as reader:
        reader.session.execute(text("SELECT count(*) FROM note_chunks"))  # held until the end
        report = ingest_path(
            factory(clean_database), fake_embedder, FileImportReader(), vault, deferral=EAGER
        )
        during = set(definitions(clean_database))
    assert report.created == 8 and report.skipped == 0
    assert during == set(INDEXES)
    assert definitions(clean_database) == migrated


def test_a_small_import_into_a_bigger_vault_keeps_both_indexes_throughout(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    uow = factory(clean_database)
    ingest_path(uow, fake_embedder, FileImportReader(), write_vault(tmp_path / "old", 8))
    seen: list[set[str]] = []
    ingest_path(
        uow,
        fake_embedder,
        FileImportReader(),
        write_vault(tmp_path / "new", 6, start=100),
        on_progress=lambda _done, _total: seen.append(set(definitions(clean_database))),
        batch_size=2,
        deferral=EAGER,  # 6 new notes, enough, but fewer than the 8 stored
    )
    assert seen and all(present == set(INDEXES) for present in seen)
    assert definitions(clean_database) == migrated


def test_a_vector_index_a_crash_left_missing_is_built_again_at_start_up(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
) -> None:
    ingest_path(
        factory(clean_database), fake_embedder, FileImportReader(), write_vault(tmp_path, 3)
    )
    with factory(clean_database)() as uow:  # what a kill -9 mid-import leaves behind
        uow.session.execute(text("DROP INDEX ix_note_chunks_embedding_hnsw"))
    assert set(definitions(clean_database)) == {"ix_notes_embedding_hnsw"}

    settings = Settings(
        DATABASE_URL_SYNC=clean_database.sync_url,
        DATABASE_URL_ASYNC=clean_database.async_url,
        KAIROS_DATA_DIR=tmp_path / "data",
    )
    build_kairos(settings, embedder=FakeEmbedder())
    assert definitions(clean_database) == migrated


def test_a_build_needing_more_memory_than_the_server_gives_raises_it_for_itself_only(
    clean_database: DatabaseUrls,
    migrated: dict[str, str],
    fake_embedder: FakeEmbedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ingest_path(
        factory(clean_database), fake_embedder, FileImportReader(), write_vault(tmp_path, 3)
    )
    with factory(clean_database)() as uow:
        before = uow.session.execute(text("SHOW maintenance_work_mem")).scalar_one()
        uow.session.execute(text("DROP INDEX ix_note_chunks_embedding_hnsw"))
    monkeypatch.setattr(index_repository, "HNSW_BYTES_PER_ELEMENT", 10**9)  # past the cap
    seen: list[str] = []
    with factory(clean_database)() as uow:
        uow.index.create_vector_index("ix_note_chunks_embedding_hnsw")
        seen.append(uow.session.execute(text("SHOW maintenance_work_mem")).scalar_one())
    with factory(clean_database)() as uow:
        after = uow.session.execute(text("SHOW maintenance_work_mem")).scalar_one()
    assert seen == ["1GB"] and after == before
    assert definitions(clean_database) == migrated
