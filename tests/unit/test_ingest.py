"""Import against fakes: parsing files and lines, names, plan, restarts, bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pkm_core.application.ingest.parse import ParsedNote, Problem, parse_markdown, parse_record
from pkm_core.application.ingest.source import RawEntry, UnsupportedImport
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.infrastructure.readers import FileImportReader
from tests.fakes import FakeEmbedder, FakeUnitOfWork

READER = FileImportReader()


def parse(text: str | bytes, path: str = "notes/idea.md") -> ParsedNote | Problem:
    data = text.encode() if isinstance(text, str) else text
    return parse_markdown(RawEntry("markdown", path, path, data=data))


def parsed(text: str, path: str = "notes/idea.md") -> ParsedNote:
    result = parse(text, path)
    assert isinstance(result, ParsedNote), result
    return result


def test_a_vault_note_is_named_after_its_file_not_its_heading_or_title_property() -> None:
    note = parsed("---\ntitle: Other\n---\n## Login\ntext", "Headless Sync.md")
    assert note.title == "Headless Sync"
    assert note.vault is not None and note.vault.name == "Headless Sync"


def test_front_matter_tags_as_list_or_string_and_inline_tags_become_keywords() -> None:
    assert parsed("---\ntags: [Baking, bread/sour]\n---\n#starter here").keywords == (
        "baking",
        "bread/sour",
        "starter",
    )
    assert parsed("---\ntags: a, b c\n---\n").keywords == ("a", "b c")
    assert parsed("---\ntags: a b\n---\n").keywords == ("a", "b")


def test_tags_in_code_inline_code_urls_and_comments_are_not_keywords() -> None:
    body = "```\n#fenced\n```\n`#inline` http://x.org/#frag <!-- #hidden --> %%#obs%% #real"
    assert parsed(body).keywords == ("real",)


def test_non_list_tags_and_a_non_text_title_are_reported_and_kept_as_properties() -> None:
    note = parsed("---\ntitle: 2024-01-05\ntags: {x: 1}\n---\nbody", "day.md")
    assert (note.title, note.keywords) == ("day", ())
    assert any("`tags` is a mapping" in w for w in note.warnings)
    assert any("`title` is a date" in w for w in note.warnings)
    assert note.vault is not None and note.vault.properties[1] == ["tags", {"x": 1}]


def test_broken_front_matter_imports_the_whole_file_as_text_and_says_so() -> None:
    note = parsed("---\ntitle: [unclosed\n---\nbody", "broken.md")
    assert (note.title, note.body) == ("broken", "---\ntitle: [unclosed\n---\nbody")
    assert "not valid YAML" in note.warnings[0]


def test_a_billion_laughs_front_matter_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    note = parsed("---\n" + "\n".join(lines) + "\n---\nbody", "laughs.md")
    assert "aliases that expand too far" in note.warnings[0]


def test_invalid_utf8_and_nul_bytes_are_reported_not_imported() -> None:
    assert parse(b"caf\xe9 latte") == Problem(
        "notes/idea.md",
        "notes/idea.md was skipped: it is not valid UTF-8 text (byte 0xe9 at offset 3).",
    )
    problem = parse(b"binary\x00data")
    assert isinstance(problem, Problem) and "NUL bytes" in problem.sentence


def test_logseq_pages_properties_and_namespaces_are_read() -> None:
    note = parsed("tags:: [[big idea]], work\nalias:: BI\n- first block", "pages/a___b.md")
    assert (note.title, note.keywords) == ("a/b", ("big idea", "work"))
    assert note.vault is not None and note.vault.aliases == ("BI",)


def test_a_jsonl_record_with_a_lone_surrogate_or_bidi_override_is_cleaned() -> None:
    record = json.loads('{"_id": "1", "title": "lone \\ud800 \\u202eevil", "text": "x\\ud800"}')
    note = parse_record(RawEntry("record", "c.jsonl line 1", record=record), "jsonl:c:1")
    assert isinstance(note, ParsedNote)
    assert (note.title, note.body, note.external_id) == ("lone \ufffd evil", "x\ufffd", "jsonl:1")


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def test_a_folder_import_reports_each_file_and_skips_bad_and_hidden_ones(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(
        tmp_path,
        {
            "a.md": "# Alpha\nfirst",
            "sub/b.md": "second",
            "bad.md": b"\xff\xfe bad",
            ".obsidian/c.md": "hidden",
            "image.png": b"\x89PNG",
        },
    )
    uow = FakeUnitOfWork()
    progress: list[tuple[int, int]] = []
    report = ingest_path(
        uow.factory(), fake_embedder, READER, tmp_path, lambda d, t: progress.append((d, t))
    )
    assert (report.created, report.skipped, report.attachments) == (2, 1, 1)
    assert {(f, s) for f, s, _r in report.files} == {
        ("a.md", "imported"),
        ("sub/b.md", "imported"),
        ("bad.md", "skipped"),
        ("image.png", "imported"),
    }
    assert progress[-1] == (3, 3)


def test_running_an_import_again_skips_unchanged_files_and_keeps_keywords_added_in_the_app(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(tmp_path, {"a.md": "alpha", "b.md": "beta"})
    uow = FakeUnitOfWork()
    ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    note = uow.notes.get_by_external_id("file:a.md")
    assert note is not None
    uow.notes.update(note.id, note.draft().model_copy(update={"keywords": ("mine",)}), 1)
    write(tmp_path, {"a.md": "alpha, edited"})
    fake_embedder.calls.clear()
    report = ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert fake_embedder.calls == ["a\nalpha, edited"]
    kept = uow.notes.get_by_external_id("file:a.md")
    assert kept is not None and kept.keywords == ("mine",)


def test_same_file_names_in_two_folders_keep_their_names_and_get_distinct_titles(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(tmp_path, {"x/idea.md": "one", "y/idea.md": "two", "idea.md": "root"})
    uow = FakeUnitOfWork()
    report = ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    titles = {n.external_id: n.title for n in uow.notes.notes.values()}
    assert titles == {
        "file:idea.md": "idea",
        "file:x/idea.md": "idea (x)",
        "file:y/idea.md": "idea (y)",
    }
    assert {r.name for r in uow.vault.records.values()} == {"idea"}
    assert sorted(s for s, _ in report.warnings) == ["x/idea.md", "y/idea.md"]
    again = ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    assert (again.created, again.unchanged) == (0, 3)


def test_a_zip_member_with_an_unsafe_path_is_refused_and_the_rest_imported(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("vault/ok.md", "# Fine\nsafe")
        handle.writestr("../evil.md", "climbs out")
        handle.writestr("/etc/evil.md", "absolute")
    uow = FakeUnitOfWork()
    report = ingest_path(uow.factory(), fake_embedder, READER, archive)
    assert report.created == 1
    assert sorted(reason for _, reason in report.skipped_items) == [
        "../evil.md was refused: its path climbs out of the archive (..).",
        "/etc/evil.md was refused: its path is absolute.",
    ]
    assert uow.notes.get_by_external_id("file:vault/ok.md") is not None


def test_a_jsonl_import_goes_in_batches_and_reports_bad_and_duplicate_lines(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    lines = [json.dumps({"id": i, "title": f"T{i}", "text": f"text {i}"}) for i in range(5)]
    lines.insert(2, "{oops")
    lines.append(json.dumps({"id": 1, "title": "again", "text": "dup"}))
    lines.append('{"_id": "s", "title": "lone \\ud800 surrogate", "text": "ok"}')
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(lines) + "\n\n")
    uow = FakeUnitOfWork()
    batches: list[int] = []
    add_many = uow.notes.add_many
    uow.notes.add_many = lambda notes: batches.append(len(notes)) or add_many(notes)  # type: ignore[method-assign]
    report = ingest_path(uow.factory(), fake_embedder, READER, path, batch_size=2)
    assert (report.created, report.skipped) == (6, 2)
    assert [s for s, _ in report.skipped_items] == ["notes.jsonl line 3", "notes.jsonl line 7"]
    assert "same as on notes.jsonl line 2" in report.skipped_items[1][1]
    assert batches == [2, 2, 2]


def test_one_note_the_database_refuses_is_reported_and_the_batch_kept(
    tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"a.md": "fine", "b.md": "refused by the store", "c.md": "fine too"})
    uow = FakeUnitOfWork()
    real_add_many = uow.notes.add_many

    def picky_add_many(notes: list) -> list[int]:  # type: ignore[type-arg]
        if any("refused" in n.draft.body for n in notes):
            raise RuntimeError("constraint ux_secret violated")
        return real_add_many(notes)

    monkeypatch.setattr(uow.notes, "add_many", picky_add_many)
    report = ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    assert (report.created, report.skipped) == (2, 1)
    assert report.skipped_items == (("b.md", "b.md was skipped: the database refused it."),)


def test_cancel_stops_after_the_current_batch(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    write(tmp_path, {f"n{i}.md": f"note {i}" for i in range(6)})
    uow = FakeUnitOfWork()
    report = ingest_path(
        uow.factory(), fake_embedder, READER, tmp_path, batch_size=2, should_cancel=lambda: True
    )
    assert report.cancelled and report.created == 2


def test_an_import_with_another_model_than_the_one_on_record_stops(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "text"})
    uow = FakeUnitOfWork()
    uow.index.record_model("model-a", 384)
    with pytest.raises(EmbeddingModelMismatch):
        ingest_path(uow.factory(), FakeEmbedder(model_name="model-b"), READER, tmp_path)


def test_a_path_that_cannot_be_imported_is_explained(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(UnsupportedImport, match="nothing was imported"):
        ingest_path(FakeUnitOfWork, fake_embedder, READER, tmp_path / "photo.jpg")


def test_a_logseq_graph_reads_pages_and_journals_and_leaves_its_config_out(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(
        tmp_path,
        {
            "logseq/config.edn": "{:meta/version 1}",
            "logseq/bak/pages/old.md": "backup",
            "pages/Project%2FPlan.md": "tags:: work\n- plan with [[2024_01_05]]",
            "journals/2024_01_05.md": "- did things #daily",
        },
    )
    uow = FakeUnitOfWork()
    report = ingest_path(uow.factory(), fake_embedder, READER, tmp_path)
    assert (report.created, report.attachments) == (2, 0)
    titles = {n.title: n for n in uow.notes.notes.values()}
    assert set(titles) == {"Project/Plan", "2024_01_05"}
    assert titles["Project/Plan"].keywords == ("work",)
    assert uow.notes.links[titles["Project/Plan"].id] == ("2024_01_05",)
