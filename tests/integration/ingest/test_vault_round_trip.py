"""A whole vault in and out: names, aliases, tags, links, attachments, byte-identical export."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pkm_core.application.use_cases.export import export_vault
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.notes import update_note, view_note
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.infrastructure.export_sinks import FolderSink
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from pkm_core.infrastructure.readers import FileImportReader
from tests.fakes import FakeEmbedder

FIXTURE = Path(__file__).parents[2] / "fixtures" / "vault"


def vault_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "vault"))


def factory(urls: DatabaseUrls):  # type: ignore[no-untyped-def]
    return lambda: SyncSQLAlchemyUnitOfWork(urls.sync_url)


def imported(urls: DatabaseUrls, embedder: FakeEmbedder, path: Path):  # type: ignore[no-untyped-def]
    return ingest_path(factory(urls), embedder, FileImportReader(), path, batch_size=4)


def note(urls: DatabaseUrls, name: str):  # type: ignore[no-untyped-def]
    with SyncSQLAlchemyUnitOfWork(urls.sync_url) as uow:
        found = uow.notes.get_by_title(name)
    assert found is not None, name
    return found


def test_a_vault_is_imported_with_names_aliases_tags_links_and_attachments(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    report = imported(clean_database, fake_embedder, vault)
    assert report.skipped_items == ()
    assert (report.created, report.attachments) == (10, 2)
    index = note(clean_database, "Index")
    assert index.title == "Index"  # its file name, not its `title` property nor `## Login`
    assert note(clean_database, "Home").id == index.id  # an alias
    assert note(clean_database, "HS").title == "Headless Sync"
    assert note(clean_database, "Index (projects/alpha)").external_id == (
        "file:projects/alpha/Index.md"
    )
    assert set(index.keywords) == {"meta", "nested/tag", "inline", "area/sub-area", "callout-tag"}
    assert set(note(clean_database, "Headless Sync").keywords) == {"sync", "sync/headless"}
    assert set(note(clean_database, "2024-01-05").keywords) == {"journal", "daily"}
    view = view_note(factory(clean_database)(), index.id)
    assert {link.title for link in view.links_out} == {
        "Headless Sync",
        "Index (projects/alpha)",
        "Someday",
    }
    assert view.source is not None and view.source.url == "https://example.org/vault"
    assert index.created_at.date().isoformat() == "2024-01-05"
    alpha = view_note(factory(clean_database)(), note(clean_database, "Index (projects/alpha)").id)
    assert [link.title for link in alpha.links_out] == ["Index"]  # [[Home]], an alias
    assert alpha.project is not None and alpha.project.name == "alpha"
    assert {link.title for link in view.backlinks} >= {"Headless Sync", "2024-01-05"}


def test_an_imported_vault_exports_byte_for_byte_and_a_reimport_changes_nothing(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    out = tmp_path / "out"
    summary = export_vault(factory(clean_database), FolderSink(out))
    assert (summary.notes, summary.attachments) == (10, 2)
    assert vault_files(out) == vault_files(vault)

    fake_embedder.calls.clear()
    again = imported(clean_database, fake_embedder, vault)
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 10, 0)
    assert again.vanished == ()
    assert fake_embedder.calls == []


def test_an_edited_vault_updates_changed_notes_adds_new_ones_and_reports_vanished_ones(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    (vault / "Headless Sync.md").write_text("---\naliases: [HS]\ntags: sync\n---\nNew text.\n")
    (vault / "New idea.md").write_text("A new idea about [[Headless Sync]].\n")
    (vault / "journal" / "empty.md").unlink()
    report = imported(clean_database, fake_embedder, vault)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 8)
    assert [path for path, _s in report.vanished] == ["journal/empty.md"]
    assert note(clean_database, "empty").external_id == "file:journal/empty.md"  # kept
    assert note(clean_database, "HS").body == "New text.\n"


def test_a_note_edited_in_kairos_exports_its_new_text_tags_and_obsidian_links(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    sync = note(clean_database, "Headless Sync")
    draft = sync.draft().model_copy(
        update={
            "body": sync.body + "\nSee [[Index (projects/alpha)]].\n",
            "keywords": (*sync.keywords, "added"),
        }
    )
    update_note(factory(clean_database)(), fake_embedder, sync.id, draft, sync.version)
    out = tmp_path / "out"
    export_vault(factory(clean_database), FolderSink(out))
    text = (out / "Headless Sync.md").read_text()
    assert text.startswith("---\naliases:\n- HS\ntags: sync added\n---\n")
    assert text.endswith("See [[projects/alpha/Index]].\n")
    files = vault_files(out)
    assert files.pop("Headless Sync.md") != vault_files(vault)["Headless Sync.md"]
    original = vault_files(vault)
    original.pop("Headless Sync.md")
    assert files == original


def test_aliases_are_searchable_by_keyword(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    from pkm_core.application.dto import SearchMode
    from pkm_core.application.use_cases.search import search_notes

    imported(clean_database, fake_embedder, vault)
    hits = search_notes(factory(clean_database)(), None, "Start page", SearchMode.KEYWORD)
    assert hits[0].title == "Index"
