"""Bulk import into PostgreSQL: bulk statements, restart, bad files, duplicate titles."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from sqlalchemy import text

from pkm_core.application.dto import NoteFilter, SearchMode
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.search import search_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from pkm_core.infrastructure.readers import FileImportReader
from tests.fakes import FakeEmbedder


def factory(urls: DatabaseUrls):  # type: ignore[no-untyped-def]
    return lambda: SyncSQLAlchemyUnitOfWork(urls.sync_url)


def count(urls: DatabaseUrls, sql: str) -> int:
    with SyncSQLAlchemyUnitOfWork(urls.sync_url) as uow:
        return int(uow.session.execute(text(sql)).scalar_one())


def test_a_folder_is_imported_searchable_and_a_rerun_changes_nothing(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    for i in range(7):
        body = f"---\ntags: [batch, n{i}]\n---\n# Note {i}\n\nsee [[Note {(i + 1) % 7}]] topic{i}"
        (tmp_path / f"Note {i}.md").write_text(body)
    (tmp_path / "broken.md").write_bytes(b"\xc3\x28 invalid")
    uow = factory(clean_database)
    report = ingest_path(uow, fake_embedder, FileImportReader(), tmp_path, batch_size=3)
    assert (report.created, report.skipped) == (7, 1)
    assert count(clean_database, "SELECT count(*) FROM notes") == 7
    assert count(clean_database, "SELECT count(*) FROM note_chunks") == 7
    assert count(clean_database, "SELECT count(*) FROM note_links") == 7
    assert count(clean_database, "SELECT doc_count FROM bm25_stats") == 7
    hits = search_notes(uow(), fake_embedder, "topic4", SearchMode.HYBRID, NoteFilter(("n4",)))
    assert [h.title for h in hits] == ["Note 4"]

    fake_embedder.calls.clear()
    again = ingest_path(uow, fake_embedder, FileImportReader(), tmp_path, batch_size=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert fake_embedder.calls == []


def test_an_edited_file_updates_its_note_and_re_embeds_only_the_changed_chunk(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    path = tmp_path / "Long.md"
    path.write_text("# Long\n## One\nfirst part\n## Two\nsecond part")
    uow = factory(clean_database)
    ingest_path(uow, fake_embedder, FileImportReader(), tmp_path)
    path.write_text("# Long\n## One\nfirst part\n## Two\nsecond part, edited")
    fake_embedder.calls.clear()
    report = ingest_path(uow, fake_embedder, FileImportReader(), tmp_path)
    assert report.updated == 1
    assert fake_embedder.calls == ["Long\nTwo\nsecond part, edited"]
    hits = search_notes(uow(), None, "edited", SearchMode.KEYWORD)
    assert [h.title for h in hits] == ["Long"]


def test_duplicate_titles_in_the_database_and_the_file_are_disambiguated(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    lines = [{"id": i, "title": "Same title", "text": f"text {i}"} for i in range(3)]
    path = tmp_path / "dups.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    uow = factory(clean_database)
    report = ingest_path(uow, fake_embedder, FileImportReader(), path, batch_size=2)
    assert report.created == 3
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as u:
        titles = sorted(u.session.execute(text("SELECT title FROM notes")).scalars())
    assert titles == ["Same title", "Same title (2)", "Same title (3)"]
    assert len(report.warnings) == 2
    assert ingest_path(uow, fake_embedder, FileImportReader(), path).unchanged == 3


def test_a_zip_archive_is_read_in_place_and_unsafe_members_are_refused(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    archive = tmp_path / "vault.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("vault/a.md", "# A\nalpha")
        handle.writestr("vault/../../escape.md", "# Escape\nnope")
    report = ingest_path(factory(clean_database), fake_embedder, FileImportReader(), archive)
    assert (report.created, report.skipped) == (1, 1)
    assert not (tmp_path.parent / "escape.md").exists()
    assert count(clean_database, "SELECT count(*) FROM notes WHERE title = 'a'") == 1
