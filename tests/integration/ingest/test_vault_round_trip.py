"""A whole vault in and out: names, aliases, tags, links, attachments, byte-identical export."""

from __future__ import annotations

import shutil
from datetime import UTC
from pathlib import Path

import pytest

from pkm_core.application.use_cases.export import export_vault
from pkm_core.application.use_cases.history import restore_from_trash
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.application.use_cases.notes import delete_note, update_note, view_note
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
    assert (report.created, report.attachments) == (14, 2)
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


def test_logseq_pages_journals_and_properties_are_read_with_their_links(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    page = note(clean_database, "LP")  # `alias::`
    assert page.title == "Logseq/Page"  # `%2F` in the file name is Logseq's namespace
    assert set(page.keywords) == {"logseq", "big idea", "outline"}
    view = view_note(factory(clean_database)(), page.id)
    # Logseq tags are pages: `tags:: [[big idea]]` links to one (not in this vault)
    assert {link.title for link in view.links_out} == {"Index", "2024_01_06", "big idea"}
    assert [link.title for link in view.backlinks] == ["2024_01_06"]
    assert note(clean_database, "2024_01_06").keywords == ("daily",)


def test_mixed_and_old_mac_line_endings_become_plain_lines_in_the_note(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    report = imported(clean_database, fake_embedder, vault)
    assert [w for w in report.warnings if "line ending" in w[1]] == []
    mixed = note(clean_database, "Mixed endings")
    assert mixed.body == (
        "A line ending in CRLF.\nOne in LF.\nOne in CR alone.\nAnd [[Index]] again.\n\n"
        "Last line without an ending."
    )
    assert mixed.keywords == ("mixed",)
    assert mixed.created_at.date().isoformat() == "2024-03-01"
    old = note(clean_database, "Old Mac")
    assert old.body == "Classic Mac OS line endings.\nSecond line with #oldmac.\n"
    assert old.keywords == ("oldmac",)


def test_an_imported_vault_exports_byte_for_byte_and_a_reimport_changes_nothing(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    out = tmp_path / "out"
    summary = export_vault(factory(clean_database), FolderSink(out))
    assert (summary.notes, summary.attachments) == (14, 2)
    assert vault_files(out) == vault_files(vault)

    fake_embedder.calls.clear()
    again = imported(clean_database, fake_embedder, vault)
    assert (again.created, again.updated, again.unchanged, again.skipped) == (0, 0, 14, 0)
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
    assert (report.created, report.updated, report.unchanged) == (1, 1, 12)
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
    assert text.startswith("---\naliases:\n  - HS\ntags: sync added\n---\n")  # verbatim
    assert text.endswith("See [[projects/alpha/Index]].\n")
    files = vault_files(out)
    assert files.pop("Headless Sync.md") != vault_files(vault)["Headless Sync.md"]
    original = vault_files(vault)
    original.pop("Headless Sync.md")
    assert files == original


def edit(urls: DatabaseUrls, embedder: FakeEmbedder, name: str, **changes):  # type: ignore[no-untyped-def]
    found = note(urls, name)
    draft = found.draft().model_copy(update=changes)
    return update_note(factory(urls)(), embedder, found.id, draft, found.version)


def head_lines(text: str) -> list[str]:
    return text.split("---\n")[1].splitlines(keepends=True)


def test_an_edited_note_keeps_its_front_matter_text_and_changes_only_the_managed_keys(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    index = note(clean_database, "Index")
    saved = edit(
        clean_database,
        fake_embedder,
        "Index",
        body=index.body + "\nOne more line.\n",
        keywords=(*index.keywords, "added"),
    )
    export_vault(factory(clean_database), FolderSink(tmp_path / "out"))
    before = head_lines((vault / "Index.md").read_text())
    after = head_lines((tmp_path / "out" / "Index.md").read_text())
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    when = saved.updated_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert changed == [
        ('tags: [meta, "nested/tag"]\n', "tags: [meta, nested/tag, added]\n"),  # still a list
        ("updated: 2024-02-01T10:30:00\n", f"updated: {when}\n"),  # same form: no zone, T
    ]
    assert (tmp_path / "out" / "Index.md").read_text().endswith("One more line.\n")


def test_tags_read_as_text_are_written_back_as_text_and_dates_keep_their_form(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    (vault / "Dated.md").write_text(
        "---\n# a comment kept\ntags: one, two\ncreated: '2024-01-02'\n"
        "updated: 2024-01-03\nstatus:   odd   spacing\n---\nText.\n"
    )
    imported(clean_database, fake_embedder, vault)
    saved = edit(clean_database, fake_embedder, "Dated", body="New text.\n", keywords=("one",))
    export_vault(factory(clean_database), FolderSink(tmp_path / "out"))
    day = saved.updated_at.astimezone(UTC).date().isoformat()
    assert (tmp_path / "out" / "Dated.md").read_text() == (
        "---\n# a comment kept\ntags: one\ncreated: '2024-01-02'\n"
        f"updated: {day}\nstatus:   odd   spacing\n---\nNew text.\n"
    )


def test_a_mixed_line_ending_note_edited_in_kairos_is_written_with_its_most_common_ending(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    edit(clean_database, fake_embedder, "Mixed endings", body="Two\nlines.\n")
    export_vault(factory(clean_database), FolderSink(tmp_path / "out"))
    data = (tmp_path / "out" / "Mixed endings.md").read_bytes()
    assert (
        data
        == b"\xef\xbb\xbf---\r\ntags: [mixed]\r\ncreated: 2024-03-01\r\n---\r\nTwo\r\nlines.\r\n"
    )


def test_a_keyword_added_to_a_mixed_ending_note_keeps_every_body_line_ending(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    edit(clean_database, fake_embedder, "Mixed endings", keywords=("mixed", "more"))
    export_vault(factory(clean_database), FolderSink(tmp_path / "out"))
    data = (tmp_path / "out" / "Mixed endings.md").read_bytes()
    original = (vault / "Mixed endings.md").read_bytes()
    body = original[original.index(b"A line") :]
    assert (
        data == b"\xef\xbb\xbf---\r\ntags: [mixed, more]\r\ncreated: 2024-03-01\r\n---\r\n" + body
    )


def test_aliases_are_searchable_by_keyword(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    from pkm_core.application.dto import SearchMode
    from pkm_core.application.use_cases.search import search_notes

    imported(clean_database, fake_embedder, vault)
    hits = search_notes(factory(clean_database)(), None, "Start page", SearchMode.KEYWORD)
    assert hits[0].title == "Index"


def test_a_reimport_skips_a_trashed_note_and_says_so_whether_its_file_changed_or_not(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    delete_note(factory(clean_database)(), note(clean_database, "Headless Sync").id)
    delete_note(factory(clean_database)(), note(clean_database, "BOM note").id)
    (vault / "Headless Sync.md").write_text("---\naliases: [HS]\n---\nChanged in the vault.\n")
    (vault / "BOM note.md").unlink()  # the file of a trashed note disappears: not "kept"

    report = imported(clean_database, fake_embedder, vault)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 12)
    assert report.skipped_items == (
        (
            "Headless Sync.md",
            "Headless Sync.md was skipped: its note is in the Trash; restore it there and "
            "import again to bring in this file.",
        ),
    )
    assert report.vanished == ()
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as uow:
        trashed = {t.title for t in uow.notes.trashed()}
        assert uow.notes.get_by_title("Headless Sync") is None  # still in the trash
    assert trashed == {"Headless Sync", "BOM note"}
    out = tmp_path / "out"
    export_vault(factory(clean_database), FolderSink(out))
    assert not (out / "Headless Sync.md").exists()


def test_a_trashed_note_restored_then_reimported_takes_the_files_new_text(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    sync_id = note(clean_database, "Headless Sync").id
    delete_note(factory(clean_database)(), sync_id)
    (vault / "Headless Sync.md").write_text("---\naliases: [HS]\n---\nChanged in the vault.\n")
    assert imported(clean_database, fake_embedder, vault).skipped == 1
    restore_from_trash(factory(clean_database)(), fake_embedder, sync_id)
    report = imported(clean_database, fake_embedder, vault)
    assert (report.updated, report.unchanged, report.skipped) == (1, 13, 0)
    assert note(clean_database, "HS").body == "Changed in the vault.\n"


def test_a_keyword_added_to_a_file_without_front_matter_gives_it_one_in_its_line_ending(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder, vault: Path, tmp_path: Path
) -> None:
    imported(clean_database, fake_embedder, vault)
    edit(clean_database, fake_embedder, "Old Mac", keywords=("oldmac", "added"))
    export_vault(factory(clean_database), FolderSink(tmp_path / "out"))
    data = (tmp_path / "out" / "Old Mac.md").read_bytes()
    assert data == b"---\rtags:\r- added\r---\r" + (vault / "Old Mac.md").read_bytes()
